"""What the verdict page shows, built from a stored result: pure data for the templates.

Every value stays a plain string here; the templates escape it (Jinja autoescape), so a
``<script>`` in a certificate field is shown as text. Withheld fields are marked as withheld,
fields a failed check names are flagged, and any field the layout does not place is still
listed under "Other fields", so the officer never misses part of what was signed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from origincert.errors import DocumentError
from origincert.fields import flatten
from origincert.portal import names
from origincert.portal.catalogue import N_, gettext
from origincert.portal.vcwords import VC_CHECK_LABELS, vc_sentence

__all__ = [
    "Box",
    "Cell",
    "CertificateView",
    "VerdictView",
    "certificate_view",
    "display_value",
    "evidence_sections",
    "officer_check",
    "page_view",
    "reason_words",
    "verdict_view",
    "when",
]


@dataclass(frozen=True, slots=True)
class VerdictView:
    word: str
    tone: str  # css class: good, bad, warn, neutral
    headline: str


_VERDICTS: dict[str, VerdictView] = {
    "VALID": VerdictView(N_("VALID"), "good", N_("Genuine and in force.")),
    "INVALID": VerdictView(
        N_("INVALID"), "bad", N_("Do not accept: not authentic, or altered after issue.")
    ),
    "REVOKED": VerdictView(N_("REVOKED"), "bad", N_("Do not accept: revoked by its issuer.")),
    "SUSPECT": VerdictView(
        N_("SUSPECT"), "warn", N_("Refer before accepting: there is doubt about the issuing body.")
    ),
    "REPLACED": VerdictView(
        N_("REPLACED"), "warn", N_("Superseded: ask for the certificate that replaces it.")
    ),
    "EXPIRED": VerdictView(N_("EXPIRED"), "warn", N_("Outside its validity period.")),
    "UNCONFIRMED": VerdictView(
        N_("UNCONFIRMED"),
        "neutral",
        N_("Not confirmed: some checks could not be made. Read why below."),
    ),
    "MALFORMED": VerdictView(N_("MALFORMED"), "bad", N_("Not a readable certificate file.")),
}

CHECK_LABELS = {
    "format": N_("File format"),
    "schema": N_("Certificate data"),
    "integrity": N_("Integrity (no field altered)"),
    "merkle": "Batch proof",
    "signature": N_("Issuer's signature"),
    "network": N_("Ledger network"),
    "anchored": N_("Anchored on the ledger"),
    "issuer_known": N_("Issuing body"),
    "issuer_accredited": N_("Accreditation"),
    "not_revoked": N_("Not revoked"),
    "not_replaced": N_("Not replaced"),
    "validity": N_("Validity period"),
    **VC_CHECK_LABELS,
}

FORM_TITLES = {
    "ICC_CO": N_("Certificate of origin (non-preferential)"),
    "EUR1": N_("Movement certificate EUR.1"),
    "EUR_MED": N_("Movement certificate EUR-MED"),
    "FORM_A": N_("Certificate of origin Form A (GSP)"),
    "FORM_D": N_("Certificate of origin Form D (ATIGA)"),
    "FORM_E": N_("Certificate of origin Form E (ACFTA)"),
    "RCEP": N_("RCEP certificate of origin"),
    "FORM_AK": N_("Certificate of origin Form AK (AKFTA)"),
    "FORM_AJ": N_("Certificate of origin Form AJ (AJCEP)"),
    "FORM_AI": N_("Certificate of origin Form AI (AIFTA)"),
    "AANZ": N_("Certificate of origin (AANZFTA)"),
    "FORM_AHK": N_("Certificate of origin Form AHK (AHKFTA)"),
}

FLAG_LABELS = {
    "issued_retroactively": N_("Issued retroactively"),
    "back_to_back": N_("Back-to-back (movement certificate)"),
    "third_party_invoicing": N_("Third-party invoicing"),
    "certified_true_copy": N_("Certified true copy"),
    "duplicate": N_("Duplicate"),
    "exhibition": N_("Exhibition"),
    "de_minimis": N_("De minimis"),
    "accumulation": N_("Accumulation"),
    "partial_cumulation": N_("Partial cumulation"),
}

FORM_NAMES = {
    "ICC_CO": N_("ICC certificate of origin"),
    "EUR1": N_("EUR.1"),
    "EUR_MED": N_("EUR-MED"),
    "FORM_A": N_("Form A"),
    "FORM_D": N_("Form D"),
    "FORM_E": N_("Form E"),
    "RCEP": N_("RCEP"),
    "FORM_AK": N_("Form AK"),
    "FORM_AJ": N_("Form AJ"),
    "FORM_AI": N_("Form AI"),
    "AANZ": N_("AANZFTA"),
    "FORM_AHK": N_("Form AHK"),
}

# Codes shown in words; the code itself is what was signed, so an unknown code is shown as it is.
_DISPLAY = {
    "form": FORM_NAMES,
    "kind": {"non_preferential": N_("Non-preferential"), "preferential": N_("Preferential")},
    "transport.mode": {
        "sea": N_("Sea"),
        "air": N_("Air"),
        "road": N_("Road"),
        "rail": N_("Rail"),
        "multimodal": N_("Multimodal"),
    },
}

# The ledger's revocation reasons (origincert.verifier.text), for the catalogue.
_REVOCATION_REASONS = (
    N_("issued in error"),
    N_("fraud"),
    N_("cancelled (unused)"),
    N_("lost or destroyed"),
    N_("superseded by a replacement"),
    N_("issuer withdrawn"),
)

_COUNTRY_PATH = re.compile(
    r"(?:^|\.)(?:country|importing_country|country_of_origin|economy|issuing_country)$"
)


def display_value(path: str, text: str) -> str:
    """A field's value for officers: codes as words (country, unit, package, form, mode)."""
    if path in _DISPLAY:
        return gettext(_DISPLAY[path][text]) if text in _DISPLAY[path] else text
    if _COUNTRY_PATH.search(path):
        return names.country_name(text)
    if path.endswith(".quantity.unit"):
        return gettext(names.unit_name(text)) if text in names.UNITS else text
    if path.endswith(".packages.kind"):
        return gettext(names.package_name(text)) if text in names.PACKAGES else text
    return text


PRODUCER_STATEMENTS = {
    "SAME": N_("Same as exporter"),
    "UNKNOWN": N_("Unknown"),
    "AVAILABLE_UPON_REQUEST": N_("Available to the authorised body upon request"),
}


def verdict_view(word: str) -> VerdictView:
    return _VERDICTS.get(
        word, VerdictView(word or "UNKNOWN", "bad", N_("The portal does not know this verdict."))
    )


# What an attempt that reached no verdict is logged as (see verification.record_attempt).
_VERDICTS["NOT_FOUND"] = VerdictView(
    N_("NOT FOUND"), "neutral", N_("No certificate with this number is known to this portal.")
)
_VERDICTS["UNREADABLE"] = VerdictView(
    N_("UNREADABLE"),
    "neutral",
    N_("No QR code could be read: retake the photo, closer and sharper."),
)
_VERDICTS["REFUSED"] = VerdictView(N_("REFUSED"), "neutral", N_("The input could not be verified."))

_REASON_WORDS = {
    "all_checks_passed": N_("every check passed"),
    "number_unknown": N_("number not known here"),
    "qr_unreadable": N_("QR code not readable"),
    "pdf_unreadable": N_("PDF not readable"),
}


def reason_words(code: str) -> str:
    """A log entry's reason code in words (the code stays in the CSV export for programs)."""
    if code in _REASON_WORDS:
        return _REASON_WORDS[code]
    from origincert.verifier.codes import REASONS

    reason = REASONS.get(code)
    return reason.meaning if reason is not None else code.replace("_", " ")


def check_label(name: str) -> str:
    return CHECK_LABELS.get(name, name.replace("_", " ").capitalize())


_ISO_UTC = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")


def when(value: Any) -> str:
    """A Unix time or ISO datetime as ``2025-11-21 14:03:09 UTC`` (anything else as text)."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)) and 0 < value < 2**40:
        return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    if isinstance(value, str) and _ISO_UTC.fullmatch(value):
        return f"{value[:10]} {value[11:19]} UTC"
    return str(value)


# ------------------------------------------------------------------------------------------
# The certificate


@dataclass(frozen=True, slots=True)
class Cell:
    """One field: ``state`` is shown, withheld or absent; ``flagged`` when a failed check names it."""

    path: str
    state: str
    value: str = ""
    flagged: bool = False

    @property
    def label(self) -> str:
        """The field's name in words (``Item 1, gross weight (kg)``), for fields shown by path."""
        return names.field_label(self.path)


@dataclass(frozen=True, slots=True)
class Box:
    title: str
    rows: tuple[tuple[str, tuple[Cell, ...]], ...]
    number: str = ""  # the box number on the paper form, when there is one

    @property
    def empty(self) -> bool:
        return all(c.state == "absent" for _, cells in self.rows for c in cells)


@dataclass(frozen=True, slots=True)
class CertificateView:
    title: str
    header: tuple[tuple[str, tuple[Cell, ...]], ...]
    boxes: tuple[Box, ...]
    goods_columns: tuple[str, ...]
    goods: tuple[tuple[tuple[Cell, ...], ...], ...]  # per item, per column, the cells
    flags: tuple[tuple[str, Cell], ...]
    references: tuple[Box, ...]
    other: tuple[Cell, ...]
    withheld_count: int
    raw: str | None = None  # set when the document could not be laid out at all


def _within(path: str, ancestor: str) -> bool:
    """``path`` is ``ancestor`` or lies inside it (``goods[0].hs_code`` is within ``goods[0]``)."""
    return path == ancestor or path.startswith((f"{ancestor}.", f"{ancestor}["))


class _Reader:
    """Reads leaves by path and remembers which ones the layout used."""

    def __init__(
        self, leaves: Mapping[str, Any], withheld: Iterable[str], flagged: Iterable[str]
    ) -> None:
        self.leaves = dict(leaves)
        self.withheld = set(withheld)
        self.flagged = set(flagged)
        self.used: set[str] = set()

    def _under(self, paths: Iterable[str], path: str) -> list[str]:
        return [p for p in paths if _within(p, path)]

    def cell(self, path: str) -> Cell:
        # a check may name the field itself, something inside it, or a whole object around it
        flagged = any(_within(f, path) or _within(path, f) for f in self.flagged)
        if path in self.leaves:
            self.used.add(path)
            value = self.leaves[path]
            text = ("Yes" if value else "No") if isinstance(value, bool) else str(value)
            return Cell(path, "shown", display_value(path, text), flagged)
        hidden = self._under(self.withheld, path)
        if hidden:
            self.used.update(hidden)
            return Cell(path, "withheld", "", flagged)
        return Cell(path, "absent", "", flagged)

    def cells(self, *paths: str) -> tuple[Cell, ...]:
        return tuple(self.cell(p) for p in paths)

    def present(self, path: str) -> bool:
        return bool(self._under(self.leaves, path) or self._under(self.withheld, path))

    def count(self, path: str) -> int:
        """How many list items exist (shown or withheld) under ``path``."""
        highest = -1
        for p in list(self.leaves) + list(self.withheld):
            if p.startswith(f"{path}["):
                try:
                    highest = max(highest, int(p[len(path) + 1 : p.index("]", len(path))]))
                except ValueError:
                    continue
        return highest + 1


def _worth_showing(cells: tuple[Cell, ...]) -> bool:
    return any(c.state != "absent" or c.flagged for c in cells)


def _party(
    r: _Reader, number: str, title: str, path: str, *, country_label: str = N_("Country")
) -> Box:
    return Box(
        title,
        (
            (N_("Name"), r.cells(f"{path}.name")),
            (N_("Address"), r.cells(f"{path}.address")),
            (country_label, r.cells(f"{path}.country")),
        ),
        number,
    )


def _producer(r: _Reader) -> Box:
    statement = r.leaves.get("producer")
    if isinstance(statement, str):
        r.used.add("producer")
        known = statement in PRODUCER_STATEMENTS
        text = gettext(PRODUCER_STATEMENTS[statement]) if known else statement
        return Box(
            N_("Producer"),
            ((N_("Producer"), (Cell("producer", "shown", text, "producer" in r.flagged),)),),
        )
    if r.present("producer.name") or not r.present("producer"):
        return _party(r, "", N_("Producer"), "producer")
    return Box(N_("Producer"), ((N_("Producer"), r.cells("producer")),))


_GOODS_COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (N_("Item"), ("item_number",)),
    (N_("Marks and numbers"), ("marks_and_numbers",)),
    (N_("Packages"), ("packages.count", "packages.kind")),
    (N_("Description of goods"), ("description",)),
    (N_("HS code"), ("hs_code",)),
    (N_("Origin criterion"), ("origin_criterion.code", "origin_criterion.percentage")),
    (N_("Country of origin"), ("country_of_origin",)),
    (N_("Quantity"), ("quantity.value", "quantity.unit")),
    (N_("Gross weight (kg)"), ("gross_weight_kg",)),
    (N_("FOB value"), ("fob_value.amount", "fob_value.currency")),
    (N_("Invoice"), ("invoice.number", "invoice.date")),
)

_REFERENCES: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (N_("Original proof of origin (back-to-back)"), "original_proof", (
        (N_("Number"), "number"), (N_("Issue date"), "issue_date"), (N_("Issuing country"), "issuing_country"),
        (N_("Country of origin"), "country_of_origin"), (N_("Approved exporter"), "approved_exporter"))),
    (N_("Third-party invoicer"), "third_party_invoicer", (
        (N_("Name"), "name"), (N_("Country"), "country"), (N_("Invoice number"), "invoice.number"), (N_("Invoice date"), "invoice.date"))),
    (N_("Certified true copy of"), "copy_of", (("Number", "number"), ("Issue date", "issue_date"))),
    (N_("Duplicate of"), "duplicate_of", (("Number", "number"), ("Issue date", "issue_date"))),
    (N_("Cancels and replaces"), "replaces", ((N_("Number"), "number"), (N_("Issue date"), "issue_date"), (N_("Reason"), "reason"))),
)  # fmt: skip


def certificate_view(
    document: Mapping[str, Any], withheld: Iterable[str] = (), flagged: Iterable[str] = ()
) -> CertificateView:
    """Lay a certificate out like the paper form: header, numbered boxes, goods, flags, references."""
    withheld = tuple(withheld)
    try:
        leaves = flatten(document)
    except DocumentError:
        raw = json.dumps(document, indent=2, ensure_ascii=False, default=str)
        return CertificateView(
            N_("Certificate"), (), (), (), (), (), (), (), len(withheld), raw=raw
        )
    r = _Reader(leaves, withheld, flagged)
    form = leaves.get("form")
    title = (
        FORM_TITLES.get(form, N_("Certificate of origin"))
        if isinstance(form, str)
        else N_("Certificate of origin")
    )
    header = tuple(
        (label, cells)
        for label, cells in (
            (N_("Certificate number"), r.cells("number")),
            (N_("Form"), r.cells("form")),
            (N_("Kind"), r.cells("kind")),
            (N_("Agreement"), r.cells("agreement")),
            (N_("Issued"), r.cells("issue_date", "issue_place")),
            (N_("Valid until"), r.cells("valid_until")),
            (N_("Importing country"), r.cells("importing_country")),
        )
        if _worth_showing(cells)
    )
    r.used.add("schema")  # the schema id is the file's format, not a field for officers
    boxes = (
        _party(r, "1", N_("Exporter (consignor)"), "exporter"),
        _producer(r),
        _party(r, "2", N_("Consignee"), "consignee"),
        Box(
            N_("Means of transport and route"),
            (
                (N_("Departure date"), r.cells("transport.departure_date")),
                (N_("Mode"), r.cells("transport.mode")),
                (N_("Vessel / flight / vehicle"), r.cells("transport.vessel_or_flight")),
                (N_("Port of loading"), r.cells("transport.port_of_loading")),
                (N_("Port of discharge"), r.cells("transport.port_of_discharge")),
                (N_("Route"), r.cells("transport.route")),
            ),
            "3",
        ),
        Box(N_("Remarks"), ((N_("Remarks"), r.cells("remarks")),), "4"),
        Box(
            N_("Declaration by the exporter"),
            (
                (N_("Statement"), r.cells("declaration.statement")),
                (N_("Place and date"), r.cells("declaration.place", "declaration.date")),
                (N_("Signatory"), r.cells("declaration.signatory")),
            ),
        ),
        Box(
            N_("Certification"),
            (
                (N_("Issuing body"), r.cells("issuing_body.name")),
                (N_("Economy"), r.cells("issuing_body.economy")),
                (N_("Accreditation"), r.cells("issuing_body.accreditation_ref")),
                (N_("Ledger id"), r.cells("issuing_body.ledger_id")),
                (N_("Place and date"), r.cells("issue_place", "issue_date")),
            ),
        ),
    )
    rows = [
        tuple(r.cells(*(f"goods[{i}].{p}" for p in paths)) for _, paths in _GOODS_COLUMNS)
        for i in range(r.count("goods"))
    ]
    # a column empty on every item (no FOB value on a chamber certificate) is left out
    keep = [j for j in range(len(_GOODS_COLUMNS)) if any(_worth_showing(row[j]) for row in rows)]
    goods = tuple(tuple(row[j] for j in keep) for row in rows)
    flags = tuple(
        (label, cell)
        for key, label in FLAG_LABELS.items()
        if (cell := r.cell(f"flags.{key}")).state == "withheld"
        or (cell.state == "shown" and cell.value == "Yes")
    )
    for key in FLAG_LABELS:  # unticked boxes are shown by their absence from the list
        r.used.add(f"flags.{key}")
    references = tuple(
        Box(title, tuple((label, r.cells(f"{base}.{sub}")) for label, sub in rows))
        for title, base, rows in _REFERENCES
        if r.present(base)
    )
    other = tuple(r.cell(p) for p in sorted(set(leaves) | set(withheld)) if p not in r.used)
    return CertificateView(
        title=title,
        header=header,
        boxes=boxes,
        goods_columns=tuple(_GOODS_COLUMNS[j][0] for j in keep),
        goods=goods,
        flags=flags,
        references=references,
        other=other,
        withheld_count=len(withheld),
    )


# ------------------------------------------------------------------------------------------
# Evidence


@dataclass(frozen=True, slots=True)
class EvidenceRow:
    label: str
    value: str
    mono: bool = False  # hashes and addresses: a fixed-width font, breakable anywhere


@dataclass(frozen=True, slots=True)
class EvidenceSection:
    title: str
    rows: tuple[EvidenceRow, ...]


# The verifier's evidence sections, in the order an officer reads them. "certificate" repeats the
# certificate and "issuer" has its own panel; an unknown section is still shown, after these.
_SECTIONS = (
    ("anchor", N_("Anchoring")),
    ("revocation", N_("Revocation")),
    ("replaced_by", N_("Replaced by")),
    ("batch", N_("Batch")),
    ("ledger", N_("Ledger read")),
)
_SHOWN_ELSEWHERE = {"certificate", "issuer"}
_LABELS = {
    "tx": N_("Transaction"),
    "block": N_("Block"),
    "time": N_("Time"),
    "issuer_id": N_("Issuing body no."),
    "signer": N_("Signing key"),
    "leaf_count": N_("Certificates in batch"),
    "size": N_("Certificates in batch"),
    "root": N_("Batch root"),
    "leaf": "Certificate leaf",
    "chain_id": N_("Chain id"),
    "registry": N_("Registry contract"),
    "scope": N_("Scope"),
    "reason": N_("Reason"),
    "by": N_("By"),
    "by_role": N_("Role"),
}
_SKIPPED_KEYS = {"timestamp", "reason_code"}  # the same fact as a neighbouring row, for programs


def _row(key: str, value: Any) -> EvidenceRow | None:
    if value is None or key in _SKIPPED_KEYS:
        return None
    if isinstance(value, (Mapping, list, tuple)):
        text = json.dumps(value, ensure_ascii=False, default=str)
    else:
        text = when(value) if key in ("time", "status_since", "valid_until") else str(value)
    return EvidenceRow(
        _LABELS.get(key, key.replace("_", " ").capitalize()), text, mono=text.startswith("0x")
    )


def evidence_sections(evidence: Mapping[str, Any]) -> tuple[EvidenceSection, ...]:
    """The verifier's evidence as titled sections of labelled rows (hashes marked as such)."""
    order = [key for key, _ in _SECTIONS] + sorted(k for k in evidence if k not in dict(_SECTIONS))
    titles = dict(_SECTIONS)
    sections: list[EvidenceSection] = []
    loose: list[EvidenceRow] = []
    for key in order:
        if key in _SHOWN_ELSEWHERE or key not in evidence:
            continue
        value = evidence[key]
        if isinstance(value, Mapping):
            rows = tuple(r for k, v in value.items() if (r := _row(str(k), v)) is not None)
            if rows:
                sections.append(
                    EvidenceSection(titles.get(key, key.replace("_", " ").capitalize()), rows)
                )
        elif (row := _row(key, value)) is not None:
            loose.append(row)
    if loose:
        # top-level facts (the signer) belong with the anchoring, which is first when present
        if sections and sections[0].title == "Anchoring":
            known = {(r.label, r.value.lower()) for r in sections[0].rows}
            extra = tuple(r for r in loose if (r.label, r.value.lower()) not in known)
            sections[0] = EvidenceSection(N_("Anchoring"), sections[0].rows + extra)
        else:
            sections.insert(0, EvidenceSection(N_("Anchoring"), tuple(loose)))
    return tuple(sections)


@dataclass(frozen=True, slots=True)
class IssuerView:
    name: str | None
    economy: str | None
    status: str  # the accreditation at issue, in a few words
    tone: str
    message: str | None  # the accreditation check's sentence
    number: str | None = None  # the issuing body's number on the ledger
    standing_now: str | None = None  # its status on the ledger today (active, suspended, ...)
    source: str = "ledger"  # "ledger" or "certificate" (what the document claims, unconfirmed)


@dataclass(frozen=True, slots=True)
class PageView:
    verdict: VerdictView
    reason: str
    checks: tuple[dict[str, Any], ...]
    certificate: CertificateView | None
    issuer: IssuerView
    evidence: tuple[EvidenceSection, ...]
    withheld: tuple[str, ...] = field(default_factory=tuple)
    replaces: str | None = None  # the number of the certificate this one cancels and replaces
    successor: str | None = None  # the number of the certificate that replaced this one
    replaced: bool = False  # the ledger says a later certificate replaced this one


_ACCREDITATION = {
    "ok": (N_("Accredited at issue"), "good"),
    "failed": (N_("Not accredited"), "bad"),
    "skipped": (N_("Not checked"), "neutral"),
}


def issuer_view(
    evidence: Mapping[str, Any],
    document: Mapping[str, Any] | None,
    checks: Iterable[Mapping[str, Any]],
) -> IssuerView:
    """Who issued it: the ledger's record when the verifier gave one, else what the document claims."""
    ledger = _mapping(evidence.get("issuer"))
    claimed = _mapping(document.get("issuing_body")) if document else {}
    body = ledger or claimed
    number, standing_now = _text(ledger.get("id")), _text(ledger.get("status"))
    source = "ledger" if ledger else "certificate"
    accredited = {c.get("name"): c for c in checks}.get("issuer_accredited")
    if accredited is None:
        return IssuerView(
            _text(body.get("name")),
            _text(body.get("economy")),
            N_("Not checked"),
            "neutral",
            None,
            number,
            standing_now,
            source,
        )
    status, tone = _ACCREDITATION.get(str(accredited.get("status")), (N_("Unknown"), "neutral"))
    if accredited.get("status") == "failed" and accredited.get("code") in (
        "issuer_suspended",
        "issuer_withdrawn_for_fraud",
    ):
        status, tone = N_("Accredited at issue, now suspended or withdrawn"), "warn"
    message = _text(accredited.get("message"))
    return IssuerView(
        _text(body.get("name")),
        _text(body.get("economy")),
        status,
        tone,
        message,
        number,
        standing_now,
        source,
    )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _mapping(value: Any) -> Mapping[str, Any]:
    """A JSON object of the stored result, or an empty one where something else stands."""
    return value if isinstance(value, Mapping) else {}


# ------------------------------------------------------------------------------------------
# Officer's words for the verifier's checks

# Channels whose certificate was read from a QR code (its text, a photo of it, a printed PDF).
QR_CHANNELS = frozenset(
    {"qr_photo", "qr_scan", "qr_paste", "pdf", "api_qr", "api_photo", "api_pdf"}
)
_CHAIN = re.compile(r"\(chain ([0-9]+)\)")


def _revocation_words(evidence: Mapping[str, Any]) -> str | None:
    r = evidence.get("revocation")
    if not isinstance(r, Mapping):
        return None
    issuer = _mapping(evidence.get("issuer"))
    role, on = r.get("by_role"), when(r.get("time"))
    if role == "issuing body" and issuer.get("name"):
        who = gettext("by %(name)s", name=issuer["name"])
    elif role == "issuing body":
        who = gettext("by its issuing body")
    elif role == "competent authority":
        who = gettext("by the issuing body's competent authority")
    else:
        who = ""
    if r.get("scope") == "root":
        text = gettext("Its whole batch was revoked on %(date)s %(who)s", date=on, who=who)
    else:
        text = gettext("Revoked on %(date)s %(who)s", date=on, who=who)
    reason = r.get("reason")
    return f"{text.rstrip()}: {gettext(str(reason))}." if reason else f"{text.rstrip()}."


def _replacement_words(evidence: Mapping[str, Any], successor: str | None) -> str:
    r = _mapping(evidence.get("replaced_by"))
    on = when(r["time"]) if r.get("time") else "?"
    if successor:
        return gettext(
            "Replaced on %(date)s by certificate %(number)s: verify that one instead.",
            date=on,
            number=successor,
        )
    return gettext(
        "Replaced on %(date)s by a later certificate whose number this portal does not hold: "
        "ask the holder or the issuing body for the new certificate.",
        date=on,
    )


def _with_labels(text: str, paths: Iterable[str]) -> str:
    """``text`` with each field path named in words (longest paths first, so none is cut)."""
    for path in sorted(set(paths), key=len, reverse=True):
        text = text.replace(path, names.field_label(path))
    return text


def _code_words(code: str, message: str) -> str:
    """What a reason code means, in the officer's language (the verifier writes English)."""
    from origincert.verifier.codes import REASONS

    reason = REASONS.get(code)
    if reason is None:
        return message
    words = gettext(reason.meaning)
    return words[:1].upper() + words[1:] + "."


def officer_check(
    check: Mapping[str, Any],
    evidence: Mapping[str, Any],
    *,
    from_qr: bool = False,
    successor: str | None = None,
) -> dict[str, Any]:
    """One check as officers read it: no field paths, no keys in place of names, no sentence
    that claims more than was checked (a QR code is not "a full copy"; naming the consortium's
    chain is not being anchored on it)."""
    name, code, status = check.get("name"), check.get("code"), check.get("status")
    message = str(check.get("message", ""))
    paths = [str(f) for f in check.get("fields", []) if isinstance(f, str)]
    if name == "format" and code == "format_ok" and from_qr:
        message = gettext("The whole certificate, read from its QR code, in the origincert format.")
    elif name == "network" and code == "network_ok":
        chain = _CHAIN.search(message)
        message = (
            gettext(
                "The certificate names the consortium's ledger (chain %(chain)s).",
                chain=chain.group(1),
            )
            if chain
            else gettext("The certificate names the consortium's ledger.")
        )
    elif name == "signature" and code == "signature_ok":
        message = gettext(
            "The issuer's signature is intact (the signing key is under Ledger evidence)."
        )
    elif name == "not_revoked" and status == "failed":
        message = _revocation_words(evidence) or message
    elif name == "not_replaced" and status == "failed":
        message = _replacement_words(evidence, successor)
    elif names.language() != "en":
        vc = vc_sentence(str(name), str(code))  # a credential layer's sentence, marked here
        message = gettext(vc) if vc else _code_words(str(code), message)  # the library's is English
    return {
        **check,
        "label": check_label(str(name or "")),
        "message": _with_labels(message, paths),
        "field_labels": [names.field_label(p) for p in paths],
    }


def page_view(
    stored: Mapping[str, Any], *, channel: str | None = None, successor: str | None = None
) -> PageView:
    """The verdict page for a stored ``{"result": VerificationResult.to_json(), "document": ...}``.

    ``channel`` is how the certificate was presented (a QR code is never "a full copy");
    ``successor`` the number of the certificate that replaced it, when the portal knows it.
    """
    result = stored.get("result") or {}
    evidence = _mapping(result.get("evidence"))
    raw_checks = [c for c in result.get("checks", []) if isinstance(c, dict)]
    checks = tuple(
        officer_check(c, evidence, from_qr=channel in QR_CHANNELS, successor=successor)
        for c in raw_checks
    )
    flagged = [f for c in raw_checks if c.get("status") == "failed" for f in c.get("fields", [])]
    failed = [c for c in checks if c.get("status") == "failed"]
    skipped = [c for c in checks if c.get("status") == "skipped"]
    word = str(result.get("verdict", ""))
    decisive = {"REVOKED": "not_revoked", "REPLACED": "not_replaced"}.get(word)
    driver = next((c for c in failed if c.get("name") == decisive), None)
    if driver is not None:
        reason = str(driver["message"])
    elif names.language() != "en" and word in _VERDICTS:  # the verifier's summary is English
        first = (failed or skipped or [{"message": gettext("Every check passed.")}])[0]
        reason = str(first.get("message", ""))
    else:
        reason = _with_labels(
            str(
                result.get("summary")
                or (failed or skipped or [{"message": gettext("Every check passed.")}])[0].get(
                    "message", ""
                )
            ),
            [str(f) for f in flagged],
        )
    document = stored.get("document")
    withheld = tuple(str(p) for p in result.get("withheld", []))
    certificate = (
        certificate_view(document, withheld, flagged) if isinstance(document, dict) else None
    )
    issuer = issuer_view(evidence, document if isinstance(document, dict) else None, checks)
    replaces = None
    if isinstance(document, dict) and isinstance(document.get("replaces"), dict):
        number = document["replaces"].get("number")
        replaces = number if isinstance(number, str) and number else None
    return PageView(
        verdict=verdict_view(word),
        reason=reason,
        checks=checks,
        certificate=certificate,
        issuer=issuer,
        evidence=evidence_sections(evidence),
        withheld=withheld,
        replaces=replaces,
        successor=successor,
        replaced=isinstance(evidence.get("replaced_by"), Mapping),
    )
