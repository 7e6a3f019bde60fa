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

__all__ = [
    "Box",
    "Cell",
    "CertificateView",
    "VerdictView",
    "certificate_view",
    "evidence_sections",
    "page_view",
    "verdict_view",
    "when",
]


@dataclass(frozen=True, slots=True)
class VerdictView:
    word: str
    tone: str  # css class: good, bad, warn, neutral
    headline: str


_VERDICTS: dict[str, VerdictView] = {
    "VALID": VerdictView("VALID", "good", "Genuine and in force."),
    "INVALID": VerdictView(
        "INVALID", "bad", "Do not accept: not authentic, or altered after issue."
    ),
    "REVOKED": VerdictView("REVOKED", "bad", "Do not accept: revoked by its issuer."),
    "SUSPECT": VerdictView(
        "SUSPECT", "warn", "Refer before accepting: there is doubt about the issuing body."
    ),
    "REPLACED": VerdictView(
        "REPLACED", "warn", "Superseded: ask for the certificate that replaces it."
    ),
    "EXPIRED": VerdictView("EXPIRED", "warn", "Outside its validity period."),
    "UNCONFIRMED": VerdictView(
        "UNCONFIRMED", "neutral", "Not confirmed: some checks could not be made. Read why below."
    ),
    "MALFORMED": VerdictView("MALFORMED", "bad", "Not a readable certificate file."),
}

CHECK_LABELS = {
    "format": "File format",
    "schema": "Certificate data",
    "integrity": "Integrity (no field altered)",
    "merkle": "Batch proof",
    "signature": "Issuer's signature",
    "network": "Ledger network",
    "anchored": "Anchored on the ledger",
    "issuer_known": "Issuing body",
    "issuer_accredited": "Accreditation",
    "not_revoked": "Not revoked",
    "not_replaced": "Not replaced",
    "validity": "Validity period",
}

FORM_TITLES = {
    "ICC_CO": "Certificate of origin (non-preferential)",
    "EUR1": "Movement certificate EUR.1",
    "EUR_MED": "Movement certificate EUR-MED",
    "FORM_A": "Certificate of origin Form A (GSP)",
    "FORM_D": "Certificate of origin Form D (ATIGA)",
    "FORM_E": "Certificate of origin Form E (ACFTA)",
    "RCEP": "RCEP certificate of origin",
    "FORM_AK": "Certificate of origin Form AK (AKFTA)",
    "FORM_AJ": "Certificate of origin Form AJ (AJCEP)",
    "FORM_AI": "Certificate of origin Form AI (AIFTA)",
    "AANZ": "Certificate of origin (AANZFTA)",
    "FORM_AHK": "Certificate of origin Form AHK (AHKFTA)",
}

FLAG_LABELS = {
    "issued_retroactively": "Issued retroactively",
    "back_to_back": "Back-to-back (movement certificate)",
    "third_party_invoicing": "Third-party invoicing",
    "certified_true_copy": "Certified true copy",
    "duplicate": "Duplicate",
    "exhibition": "Exhibition",
    "de_minimis": "De minimis",
    "accumulation": "Accumulation",
    "partial_cumulation": "Partial cumulation",
}

FORM_NAMES = {
    "ICC_CO": "ICC certificate of origin",
    "EUR1": "EUR.1",
    "EUR_MED": "EUR-MED",
    "FORM_A": "Form A",
    "FORM_D": "Form D",
    "FORM_E": "Form E",
    "RCEP": "RCEP",
    "FORM_AK": "Form AK",
    "FORM_AJ": "Form AJ",
    "FORM_AI": "Form AI",
    "AANZ": "AANZFTA",
    "FORM_AHK": "Form AHK",
}

# Codes shown in words; the code itself is what was signed, so an unknown code is shown as it is.
_DISPLAY = {
    "form": FORM_NAMES,
    "kind": {"non_preferential": "Non-preferential", "preferential": "Preferential"},
    "transport.mode": {
        "sea": "Sea",
        "air": "Air",
        "road": "Road",
        "rail": "Rail",
        "multimodal": "Multimodal",
    },
}

PRODUCER_STATEMENTS = {
    "SAME": "Same as exporter",
    "UNKNOWN": "Unknown",
    "AVAILABLE_UPON_REQUEST": "Available to the authorised body upon request",
}


def verdict_view(word: str) -> VerdictView:
    return _VERDICTS.get(
        word, VerdictView(word or "UNKNOWN", "bad", "The portal does not know this verdict.")
    )


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
            text = _DISPLAY.get(path, {}).get(text, text)
            return Cell(path, "shown", text, flagged)
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
    r: _Reader, number: str, title: str, path: str, *, country_label: str = "Country"
) -> Box:
    return Box(
        title,
        (
            ("Name", r.cells(f"{path}.name")),
            ("Address", r.cells(f"{path}.address")),
            (country_label, r.cells(f"{path}.country")),
        ),
        number,
    )


def _producer(r: _Reader) -> Box:
    statement = r.leaves.get("producer")
    if isinstance(statement, str):
        r.used.add("producer")
        text = PRODUCER_STATEMENTS.get(statement, statement)
        return Box(
            "Producer", (("Producer", (Cell("producer", "shown", text, "producer" in r.flagged),)),)
        )
    if r.present("producer.name") or not r.present("producer"):
        return _party(r, "", "Producer", "producer")
    return Box("Producer", (("Producer", r.cells("producer")),))


_GOODS_COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Item", ("item_number",)),
    ("Marks and numbers", ("marks_and_numbers",)),
    ("Packages", ("packages.count", "packages.kind")),
    ("Description of goods", ("description",)),
    ("HS code", ("hs_code",)),
    ("Origin criterion", ("origin_criterion.code", "origin_criterion.percentage")),
    ("Country of origin", ("country_of_origin",)),
    ("Quantity", ("quantity.value", "quantity.unit")),
    ("Gross weight (kg)", ("gross_weight_kg",)),
    ("FOB value", ("fob_value.amount", "fob_value.currency")),
    ("Invoice", ("invoice.number", "invoice.date")),
)

_REFERENCES: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    ("Original proof of origin (back-to-back)", "original_proof", (
        ("Number", "number"), ("Issue date", "issue_date"), ("Issuing country", "issuing_country"),
        ("Country of origin", "country_of_origin"), ("Approved exporter", "approved_exporter"))),
    ("Third-party invoicer", "third_party_invoicer", (
        ("Name", "name"), ("Country", "country"), ("Invoice number", "invoice.number"), ("Invoice date", "invoice.date"))),
    ("Certified true copy of", "copy_of", (("Number", "number"), ("Issue date", "issue_date"))),
    ("Duplicate of", "duplicate_of", (("Number", "number"), ("Issue date", "issue_date"))),
    ("Cancels and replaces", "replaces", (("Number", "number"), ("Issue date", "issue_date"), ("Reason", "reason"))),
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
        return CertificateView("Certificate", (), (), (), (), (), (), (), len(withheld), raw=raw)
    r = _Reader(leaves, withheld, flagged)
    form = leaves.get("form")
    title = (
        FORM_TITLES.get(form, "Certificate of origin")
        if isinstance(form, str)
        else "Certificate of origin"
    )
    header = tuple(
        (label, cells)
        for label, cells in (
            ("Certificate number", r.cells("number")),
            ("Form", r.cells("form")),
            ("Kind", r.cells("kind")),
            ("Agreement", r.cells("agreement")),
            ("Issued", r.cells("issue_date", "issue_place")),
            ("Valid until", r.cells("valid_until")),
            ("Importing country", r.cells("importing_country")),
        )
        if _worth_showing(cells)
    )
    r.used.add("schema")  # the schema id is the file's format, not a field for officers
    boxes = (
        _party(r, "1", "Exporter (consignor)", "exporter"),
        _producer(r),
        _party(r, "2", "Consignee", "consignee"),
        Box(
            "Means of transport and route",
            (
                ("Departure date", r.cells("transport.departure_date")),
                ("Mode", r.cells("transport.mode")),
                ("Vessel / flight / vehicle", r.cells("transport.vessel_or_flight")),
                ("Port of loading", r.cells("transport.port_of_loading")),
                ("Port of discharge", r.cells("transport.port_of_discharge")),
                ("Route", r.cells("transport.route")),
            ),
            "3",
        ),
        Box("Remarks", (("Remarks", r.cells("remarks")),), "4"),
        Box(
            "Declaration by the exporter",
            (
                ("Statement", r.cells("declaration.statement")),
                ("Place and date", r.cells("declaration.place", "declaration.date")),
                ("Signatory", r.cells("declaration.signatory")),
            ),
        ),
        Box(
            "Certification",
            (
                ("Issuing body", r.cells("issuing_body.name")),
                ("Economy", r.cells("issuing_body.economy")),
                ("Accreditation", r.cells("issuing_body.accreditation_ref")),
                ("Ledger id", r.cells("issuing_body.ledger_id")),
                ("Place and date", r.cells("issue_place", "issue_date")),
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
    ("anchor", "Anchoring"),
    ("revocation", "Revocation"),
    ("replaced_by", "Replaced by"),
    ("batch", "Batch"),
    ("ledger", "Ledger read"),
)
_SHOWN_ELSEWHERE = {"certificate", "issuer"}
_LABELS = {
    "tx": "Transaction",
    "block": "Block",
    "time": "Time",
    "issuer_id": "Issuing body no.",
    "signer": "Signing key",
    "leaf_count": "Certificates in batch",
    "size": "Certificates in batch",
    "root": "Batch root",
    "leaf": "Certificate leaf",
    "chain_id": "Chain id",
    "registry": "Registry contract",
    "scope": "Scope",
    "reason": "Reason",
    "by": "By",
    "by_role": "Role",
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
            sections[0] = EvidenceSection("Anchoring", sections[0].rows + extra)
        else:
            sections.insert(0, EvidenceSection("Anchoring", tuple(loose)))
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


_ACCREDITATION = {
    "ok": ("Accredited at issue", "good"),
    "failed": ("Not accredited", "bad"),
    "skipped": ("Not checked", "neutral"),
}


def issuer_view(
    evidence: Mapping[str, Any],
    document: Mapping[str, Any] | None,
    checks: Iterable[Mapping[str, Any]],
) -> IssuerView:
    """Who issued it: the ledger's record when the verifier gave one, else what the document claims."""
    ledger = evidence.get("issuer") if isinstance(evidence.get("issuer"), Mapping) else {}
    claimed = (
        document.get("issuing_body")
        if document and isinstance(document.get("issuing_body"), Mapping)
        else {}
    )
    source = "ledger" if ledger else "certificate"
    body = ledger or claimed
    extra = {
        "number": _text(ledger.get("id")),
        "standing_now": _text(ledger.get("status")),
        "source": source,
    }
    accredited = {c.get("name"): c for c in checks}.get("issuer_accredited")
    if accredited is None:
        return IssuerView(
            _text(body.get("name")),
            _text(body.get("economy")),
            "Not checked",
            "neutral",
            None,
            **extra,
        )
    status, tone = _ACCREDITATION.get(str(accredited.get("status")), ("Unknown", "neutral"))
    if accredited.get("status") == "failed" and accredited.get("code") in (
        "issuer_suspended",
        "issuer_withdrawn_for_fraud",
    ):
        status, tone = "Accredited at issue, now suspended or withdrawn", "warn"
    message = _text(accredited.get("message"))
    return IssuerView(
        _text(body.get("name")), _text(body.get("economy")), status, tone, message, **extra
    )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def page_view(stored: Mapping[str, Any]) -> PageView:
    """The verdict page for a stored ``{"result": VerificationResult.to_json(), "document": ...}``."""
    result = stored.get("result") or {}
    checks = tuple(
        {**c, "label": check_label(str(c.get("name", "")))}
        for c in result.get("checks", [])
        if isinstance(c, dict)
    )
    flagged = [f for c in checks if c.get("status") == "failed" for f in c.get("fields", [])]
    failed = [c for c in checks if c.get("status") == "failed"]
    skipped = [c for c in checks if c.get("status") == "skipped"]
    reason = str(
        result.get("summary")
        or (failed or skipped or [{"message": "Every check passed."}])[0].get("message", "")
    )
    document = stored.get("document")
    withheld = tuple(str(p) for p in result.get("withheld", []))
    certificate = (
        certificate_view(document, withheld, flagged) if isinstance(document, dict) else None
    )
    evidence = result.get("evidence") if isinstance(result.get("evidence"), dict) else {}
    issuer = issuer_view(evidence, document if isinstance(document, dict) else None, checks)
    return PageView(
        verdict=verdict_view(str(result.get("verdict", ""))),
        reason=reason,
        checks=checks,
        certificate=certificate,
        issuer=issuer,
        evidence=evidence_sections(evidence),
        withheld=withheld,
    )
