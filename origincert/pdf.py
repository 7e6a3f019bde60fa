"""The printed certificate: an A4 PDF laid out like the ICC and preferential forms, with its QR code.

Page 1 carries the numbered boxes (exporter, producer, consignee, origin, transport, remarks,
tick boxes), the goods and, at a fixed place at the foot, the exporter's declaration, the
certification and the QR code, as on the paper forms. Goods that do not fit continue on
numbered continuation sheets with the column headings repeated. Every page ends with the
certificate number, the anchored Merkle root and the network in small print.

A redacted copy prints ``[withheld]`` where a field was withheld, and its QR code is a
reference (a redacted copy never carries the seed). Text is set in DejaVu Sans (Debian
``fonts-dejavu-core``) with Droid Sans Fallback (``fonts-droid-fallback``) for Chinese,
Japanese and Korean; a character neither font has is refused rather than printed as a box.
"""

from __future__ import annotations

import contextvars
import functools
import gettext
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from origincert.document import parse_certificate, validate_shown
from origincert.errors import DocumentError, OriginCertError
from origincert.fonts import font_files
from origincert.issued import FORMAT_ID, IssuedFile, IssuedFileError, parse_issued
from origincert.qr import EMBEDDED_PREFIX, encode_payload, qr_modules
from origincert.qrlink import make_link
from origincert.redact import covers, disclose

__all__ = ["FONT_FILES", "LANGUAGES", "WITHHELD", "render_pdf"]

# The printed words go through the portal's translation catalogue (origincert/portal/
# translations, extracted by scripts/i18n): one catalogue for everything an officer reads.
LANGUAGES = ("en", "de")
_CATALOGUE = Path(__file__).parent / "portal" / "translations"
_WORDS: contextvars.ContextVar[tuple[str, gettext.NullTranslations] | None] = (
    contextvars.ContextVar("origincert_pdf_words", default=None)
)  # (language, its catalogue) while a PDF is printed
_ENGLISH = ("en", gettext.NullTranslations())


def _current() -> tuple[str, gettext.NullTranslations]:
    return _WORDS.get() or _ENGLISH


def N_(message: str) -> str:
    """Marks a message for the catalogue where it is defined; :func:`t_` translates it."""
    return message


def t_(message: str, **values: Any) -> str:
    """``message`` in the language of the PDF being printed, with ``%(name)s`` filled in."""
    text = _current()[1].gettext(message)
    return text % values if values else text


@functools.cache
def _words(lang: str) -> gettext.NullTranslations:
    if lang == "en":
        return gettext.NullTranslations()
    if lang not in LANGUAGES:
        raise OriginCertError(
            f"no PDF in language {lang!r}: choose one of {', '.join(LANGUAGES)}",
            code="pdf_language_unknown",
        )
    return gettext.translation("messages", localedir=_CATALOGUE, languages=[lang])


WITHHELD = "[withheld]"

# (role, path, Debian package): the files the PDF needs, found by origincert.fonts (DejaVu ships
# with the package; the CJK fallback is looked for in the system's font folders).
FONT_FILES: tuple[tuple[str, Path, str], ...] = font_files()

# Geometry (mm) of the A4 page.
_PAGE_W, _PAGE_H = 210.0, 297.0
_MARGIN = 12.0
_WIDTH = _PAGE_W - 2 * _MARGIN
_FOOTER_H = 9.0
_BOTTOM_H = 74.0  # declaration, certification and QR code on page 1
_BOTTOM_Y = _PAGE_H - _MARGIN - _FOOTER_H - _BOTTOM_H
_LEFT_W = 108.0

_INK = (25, 35, 50)
_ACCENT = (20, 55, 95)
_LABEL = (85, 95, 110)
_RULE = (120, 130, 145)
_SHADE = (235, 240, 246)
_STAMP = (170, 30, 40)

_TITLES = {
    "ICC_CO": (N_("CERTIFICATE OF ORIGIN"), N_("Non-preferential")),
    "EUR1": (N_("MOVEMENT CERTIFICATE EUR.1"), N_("Preferential")),
    "EUR_MED": (N_("MOVEMENT CERTIFICATE EUR-MED"), N_("Preferential")),
    "FORM_A": (N_("CERTIFICATE OF ORIGIN"), N_("Generalized System of Preferences - Form A")),
    "FORM_D": (N_("CERTIFICATE OF ORIGIN"), N_("ATIGA - Form D")),
    "FORM_E": (N_("CERTIFICATE OF ORIGIN"), N_("ASEAN-China FTA - Form E")),
    "RCEP": (N_("CERTIFICATE OF ORIGIN"), N_("Regional Comprehensive Economic Partnership")),
    "FORM_AK": (N_("CERTIFICATE OF ORIGIN"), N_("ASEAN-Korea FTA - Form AK")),
    "FORM_AJ": (N_("CERTIFICATE OF ORIGIN"), N_("ASEAN-Japan CEP - Form AJ")),
    "FORM_AI": (N_("CERTIFICATE OF ORIGIN"), N_("ASEAN-India FTA - Form AI")),
    "AANZ": (N_("CERTIFICATE OF ORIGIN"), N_("ASEAN-Australia-New Zealand FTA - Form AANZ")),
    "FORM_AHK": (N_("CERTIFICATE OF ORIGIN"), N_("ASEAN-Hong Kong, China FTA - Form AHK")),
}
_FLAGS = (
    ("issued_retroactively", N_("Issued retroactively")),
    ("back_to_back", N_("Back-to-back")),
    ("third_party_invoicing", N_("Third-party invoicing")),
    ("exhibition", N_("Exhibition")),
    ("de_minimis", N_("De minimis")),
    ("accumulation", N_("Accumulation")),
    ("partial_cumulation", N_("Partial cumulation")),
    ("certified_true_copy", N_("Certified true copy")),
    ("duplicate", N_("Duplicate")),
)
_PRODUCER = {
    "SAME": N_("Same as the exporter"),
    "UNKNOWN": N_("Unknown"),
    "AVAILABLE_UPON_REQUEST": N_("Available to the authorised body upon request"),
}
_MODES = {
    "sea": N_("By sea"),
    "air": N_("By air"),
    "road": N_("By road"),
    "rail": N_("By rail"),
    "multimodal": N_("Multimodal"),
}
_PACKAGES = {  # UN/ECE Rec. 21, the common ones; others print as their code
    "BG": N_("bags"), "BE": N_("bundles"), "BL": N_("bales"), "BX": N_("boxes"),
    "CL": N_("coils"), "CS": N_("cases"), "CT": N_("cartons"), "DR": N_("drums"),
    "PK": N_("packages"), "PX": N_("pallets"), "RO": N_("rolls"), "VY": N_("bulk"),
}  # fmt: skip
_MONTHS = (
    N_("Jan"), N_("Feb"), N_("Mar"), N_("Apr"), N_("May"), N_("Jun"),
    N_("Jul"), N_("Aug"), N_("Sep"), N_("Oct"), N_("Nov"), N_("Dec"),
)  # fmt: skip
_CERTIFY = N_(
    "It is hereby certified, on the basis of control carried out, that the declaration by the "
    "exporter is correct and that the goods described originate as stated."
)


def render_pdf(
    issued: dict[str, Any] | IssuedFile, *, portal_url: str | None = None, lang: str = "en"
) -> bytes:
    """The printable PDF of an issued file (full or redacted copy), QR code and the issued file
    attached, its labels in ``lang`` (one of LANGUAGES; the certificate's own text as written).

    Refuses (DocumentError) a file whose document does not match its proof or is not a valid
    certificate, and (OriginCertError ``pdf_font_missing``) a machine without the fonts,
    ``pdf_language_unknown`` a language with no catalogue.
    """
    token = _WORDS.set((lang, _words(lang)))
    try:
        return _render_pdf(issued, portal_url, lang)
    finally:
        _WORDS.reset(token)


def _render_pdf(issued: dict[str, Any] | IssuedFile, portal_url: str | None, lang: str) -> bytes:
    f = _read(issued)
    doc = _checked(f)
    payload = encode_payload(f, portal_url=portal_url)
    fonts = _font_paths(doc)
    issued_json = f.to_json()
    renderer = _Renderer(doc, issued_json["proof"], payload, portal_url, fonts)
    renderer.pdf.set_lang(lang)
    renderer.attach(issued_json)
    return renderer.render()


# ---------------------------------------------------------------------------------------------
# What is printed (pure)


class _Doc:
    """The shown document with the withheld paths: each field as text, or ``[withheld]``."""

    def __init__(self, document: dict[str, Any], withheld: Iterable[str]) -> None:
        self.data = document
        self.withheld = tuple(withheld)

    def get(self, path: str) -> Any:
        node: Any = self.data
        for part in path.replace("[", ".[").split("."):
            if part.startswith("["):
                index = int(part[1:-1])
                node = node[index] if isinstance(node, list) and index < len(node) else None
            else:
                node = node.get(part) if isinstance(node, dict) else None
            if node is None:
                return None
        return node

    def hidden(self, path: str) -> bool:
        return any(covers(path, w) for w in self.withheld)

    def text(self, path: str, show: Any = str) -> str:
        """The field as printed: ``show(value)``, ``[withheld]``, or empty when absent."""
        value = self.get(path)
        if value is None:
            return WITHHELD if self.hidden(path) else ""
        return str(show(value))

    def party(self, path: str) -> str:
        if self.get(path) is None:
            return WITHHELD if self.hidden(path) else ""
        lines = [self.text(f"{path}.name"), self.text(f"{path}.address")]
        lines.append(self.text(f"{path}.country", country_name))
        return "\n".join(line for line in lines if line)


def _read(issued: Any) -> IssuedFile:
    if isinstance(issued, IssuedFile):
        return issued
    try:
        return parse_issued(issued)
    except IssuedFileError as exc:
        raise DocumentError(
            f"not a valid issued certificate file ({FORMAT_ID}): {exc.message}",
            code="pdf_not_issued",
        ) from None


def _checked(f: IssuedFile) -> _Doc:
    disclosure = disclose(f)
    altered = disclosure.altered_fields()
    if altered:
        raise DocumentError(
            f"refusing to print: the document does not match its field hashes ({', '.join(altered[:5])})",
            code="pdf_integrity",
        )
    withheld = tuple(f.withheld)
    if withheld:
        validate_shown(f.document, withheld, f.shape)
    else:
        parse_certificate(f.document)
    return _Doc(f.document, withheld)


def country_name(code: str) -> str:
    """``"VN"`` -> ``"Viet Nam (VN)"``; the ISO 3166 short name, as customs forms print it."""
    import pycountry

    if code == "EU":
        return f"{t_('European Union')} (EU)"
    if code == "XK":
        return f"{t_('Kosovo')} (XK)"
    entry = pycountry.countries.get(alpha_2=code)
    if entry is None:
        return code
    return f"{_iso3166(_current()[0]).gettext(entry.name)} ({code})"


@functools.cache
def _iso3166(lang: str) -> gettext.NullTranslations:
    """pycountry's own translations of the ISO 3166 names."""
    import pycountry

    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)


def long_date(iso: str) -> str:
    """``"2025-03-14"`` -> ``"14 Mar 2025"``: no day/month ambiguity at any border."""
    try:
        d = date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{d.day} {t_(_MONTHS[d.month - 1])} {d.year}"


def amount(text: str) -> str:
    """A decimal string with thousands separators, every digit kept: ``"12500.50"`` -> ``"12,500.50"``."""
    try:
        return f"{Decimal(text):,}"
    except InvalidOperation:
        return text


def _criterion(c: dict[str, Any]) -> str:
    code = str(c.get("code", ""))
    return f"{code} {c['percentage']}%" if c.get("percentage") else code


def _remarks(d: _Doc) -> str:
    """Box "remarks": the remarks and the wording each special case requires."""
    out: list[str] = []
    if d.get("replaces") is not None:
        r = d.get("replaces")
        out.append(
            t_(
                "This certificate cancels & replaces certificate %(number)s issued on %(date)s",
                number=r.get("number", WITHHELD),
                date=long_date(r["issue_date"]) if "issue_date" in r else WITHHELD,
            )
            + (f" ({r['reason']})." if r.get("reason") else ".")
        )
    elif d.hidden("replaces"):
        out.append(t_("Replaces an earlier certificate: %(withheld)s", withheld=WITHHELD))
    for key, wording in (
        ("copy_of", N_("Certified true copy of certificate %(number)s issued on %(date)s.")),
        ("duplicate_of", N_("Duplicate of certificate %(number)s issued on %(date)s.")),
    ):
        ref = d.get(key)
        if ref is not None:
            out.append(
                t_(
                    wording,
                    number=ref.get("number", WITHHELD),
                    date=long_date(ref.get("issue_date", WITHHELD)),
                )
            )
    proof = d.get("original_proof")
    if proof is not None:
        line = t_(
            "Back-to-back: original proof of origin %(number)s of %(date)s, issued in "
            "%(country)s, origin %(origin)s",
            number=proof.get("number", WITHHELD),
            date=long_date(proof.get("issue_date", WITHHELD)),
            country=_country_or(proof.get("issuing_country")),
            origin=_country_or(proof.get("country_of_origin")),
        )
        if proof.get("approved_exporter"):
            line += t_(", approved exporter %(code)s", code=proof["approved_exporter"])
        out.append(line + ".")
    invoicer = d.get("third_party_invoicer")
    if invoicer is not None:
        line = t_(
            "Third-party invoice by %(name)s, %(country)s",
            name=invoicer.get("name", WITHHELD),
            country=_country_or(invoicer.get("country")),
        )
        inv = invoicer.get("invoice")
        if inv:
            line += t_(
                ", invoice %(number)s of %(date)s",
                number=inv.get("number", WITHHELD),
                date=long_date(inv.get("date", WITHHELD)),
            )
        out.append(line + ".")
    elif d.hidden("third_party_invoicer"):
        out.append(t_("Third-party invoicer: %(withheld)s", withheld=WITHHELD))
    remarks = d.text("remarks")
    if remarks:
        out.append(remarks)
    return "\n".join(out)


def _country_or(code: Any) -> str:
    return country_name(code) if isinstance(code, str) else WITHHELD


def _origins(d: _Doc) -> str:
    goods = d.get("goods") or []
    codes = list(
        dict.fromkeys(
            g["country_of_origin"]
            for g in goods
            if isinstance(g, dict) and "country_of_origin" in g
        )
    )
    names = [country_name(c) for c in codes]
    if any(not isinstance(g, dict) or "country_of_origin" not in g for g in goods) and d.hidden(
        "goods"
    ):
        names.append(WITHHELD)
    return "\n".join(names)


def _transport(d: _Doc) -> str:
    if d.get("transport") is None:
        return d.text("transport")
    mode = d.text("transport.mode", lambda m: t_(_MODES[m]) if m in _MODES else m)
    departure = d.text("transport.departure_date", long_date)
    lines = [t_("%(mode)s, departure %(date)s", mode=mode, date=departure) if departure else mode]
    for key, label in (
        ("vessel_or_flight", N_("Vessel / flight / vehicle")),
        ("port_of_loading", N_("Loading")),
        ("port_of_discharge", N_("Discharge")),
        ("route", N_("Route")),
    ):
        value = d.text(f"transport.{key}")
        if value:
            lines.append(f"{t_(label)}: {value}")
    return "\n".join(lines)


def _item_cells(d: _Doc, i: int) -> tuple[str, ...]:
    at = f"goods[{i}]"
    if d.get(at) is None:
        return (str(i + 1), WITHHELD, WITHHELD, WITHHELD, WITHHELD, WITHHELD, WITHHELD)
    pkg = d.get(f"{at}.packages")
    if pkg is None:
        packages = d.text(f"{at}.packages")
    else:
        count, kind = pkg.get("count"), pkg.get("kind")
        number = amount(str(count)) if count is not None else WITHHELD
        packages = f"{number} {t_(_PACKAGES[kind]) if kind in _PACKAGES else kind or WITHHELD}"
        if kind in _PACKAGES:
            packages += f" ({kind})"
    description = f"{packages}\n{d.text(f'{at}.description')}"
    origin = "\n".join(
        x
        for x in (d.text(f"{at}.origin_criterion", _criterion), d.text(f"{at}.country_of_origin"))
        if x
    )
    qty = d.get(f"{at}.quantity")
    quantity = (
        d.text(f"{at}.quantity")
        if qty is None
        else f"{amount(qty.get('value', WITHHELD))} {qty.get('unit', '')}".strip()
    )
    measures = [quantity, t_("G.W. %(weight)s kg", weight=d.text(f"{at}.gross_weight_kg", amount))]
    fob = d.get(f"{at}.fob_value")
    if fob is not None:
        measures.append(
            f"FOB {fob.get('currency', '')} {amount(fob['amount']) if 'amount' in fob else WITHHELD}".replace(
                "  ", " "
            )
        )
    elif d.hidden(f"{at}.fob_value"):
        measures.append(f"FOB {WITHHELD}")
    inv = d.get(f"{at}.invoice")
    invoice = (
        d.text(f"{at}.invoice")
        if inv is None
        else f"{inv.get('number', WITHHELD)}\n{long_date(inv.get('date', WITHHELD))}"
    )
    return (
        d.text(f"{at}.item_number") or str(i + 1),
        d.text(f"{at}.marks_and_numbers"),
        description,
        d.text(f"{at}.hs_code"),
        origin,
        "\n".join(measures),
        invoice,
    )


def _dark_blocks(modules: tuple[tuple[bool, ...], ...]) -> list[tuple[int, int, int, int]]:
    """Dark modules as few rectangles ``(row, col, height, width)``: runs along each row, merged
    with the identical run in the rows below (fewer drawing operations for every renderer)."""
    blocks: list[tuple[int, int, int, int]] = []
    open_: dict[tuple[int, int], int] = {}  # (col, width) -> first row
    for r, row in enumerate((*modules, ())):
        runs: set[tuple[int, int]] = set()
        c, n = 0, len(row)
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                runs.add((start, c - start))
            else:
                c += 1
        for key in [k for k in open_ if k not in runs]:
            blocks.append((open_[key], key[0], r - open_.pop(key), key[1]))
        for key in runs:
            open_.setdefault(key, r)
    return blocks


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


# ---------------------------------------------------------------------------------------------
# Fonts


def _font_paths(doc: _Doc) -> dict[str, Path]:
    """The font files this certificate needs: DejaVu always, the CJK fallback only for its text."""
    needed = [f for f in FONT_FILES if f[0] != "cjk"]
    _require(needed)
    out = {role: path for role, path, _ in needed}
    chars = {ord(ch) for text in _strings(doc.data) for ch in text if ch != "\n"}
    beyond = chars - _coverage(out["sans"])
    if beyond:
        cjk = [f for f in FONT_FILES if f[0] == "cjk"]
        _require(cjk)
        out["cjk"] = cjk[0][1]
        missing = sorted(beyond - _coverage(out["cjk"]))
        if missing:
            shown = ", ".join(f"U+{cp:04X}" for cp in missing[:8])
            raise DocumentError(
                f"the certificate uses characters no installed font can print ({shown})",
                code="pdf_glyph_missing",
            )
    return out


def _require(files: list[tuple[str, Path, str]]) -> None:
    missing = [(path, package) for _, path, package in files if not path.is_file()]
    if missing:
        packages = sorted({package for _, package in missing})
        raise OriginCertError(
            f"the PDF fonts are missing ({', '.join(str(p) for p, _ in missing)}); "
            f"install the Debian package(s) {' '.join(packages)}",
            code="pdf_font_missing",
        )


@functools.lru_cache(maxsize=8)
def _coverage(path: Path) -> frozenset[int]:
    """The code points a font can draw (read once per process: the CJK font is large)."""
    from fontTools.ttLib import TTFont

    with TTFont(str(path), lazy=True) as font:
        return frozenset(font.getBestCmap())


# ---------------------------------------------------------------------------------------------
# Drawing (fpdf2)


class _Renderer:
    def __init__(
        self,
        doc: _Doc,
        proof: dict[str, Any],
        payload: str,
        portal_url: str | None,
        fonts: dict[str, Path],
    ) -> None:
        from fpdf import FPDF

        self.d = doc
        self.proof = proof
        self.payload = payload
        self.portal_url = portal_url
        number = doc.text("number")
        footer_lines = (
            t_(
                "Certificate No. %(number)s  ·  chain id %(chain)s  ·  registry %(registry)s",
                number=number,
                chain=proof["chain_id"],
                registry=proof["registry"],
            ),
            t_("Merkle root %(root)s", root=proof["root"]),
        )
        renderer = self

        class Sheet(FPDF):  # type: ignore[misc]
            # fpdf2 2.8.9 leaves the PDF's font on the fallback (CJK) font after a line ending in
            # fallback glyphs while believing the main font is still set: the next line would be
            # drawn in the wrong font. Forgetting the page font after each call re-emits it.
            def cell(self, *args: Any, **kwargs: Any) -> Any:
                try:
                    return super().cell(*args, **kwargs)
                finally:
                    self.current_font_is_set_on_page = False

            def multi_cell(self, *args: Any, **kwargs: Any) -> Any:
                try:
                    return super().multi_cell(*args, **kwargs)
                finally:
                    self.current_font_is_set_on_page = False

            def header(self) -> None:
                if self.page_no() > 1:
                    renderer._continuation_header()

            def footer(self) -> None:
                renderer._footer(footer_lines)

        pdf = Sheet(orientation="P", unit="mm", format="A4")
        pdf.set_margins(_MARGIN, _MARGIN, _MARGIN)
        pdf.c_margin = 1.2
        pdf.add_font("sans", "", str(fonts["sans"]))
        pdf.add_font("sans", "B", str(fonts["sans-bold"]))
        pdf.add_font("mono", "", str(fonts["mono"]))
        if "cjk" in fonts:  # 0.2 s to load: only when the certificate needs it
            pdf.add_font("cjk", "", str(fonts["cjk"]))
            pdf.set_fallback_fonts(["cjk"], exact_match=False)
        pdf.set_title(t_("Certificate of origin %(number)s", number=number))
        pdf.set_author(doc.text("issuing_body.name") or "origincert")
        pdf.set_subject(t_(_TITLES.get(doc.text("form"), ("", N_("Certificate of origin")))[1]))
        pdf.set_creator("origincert")
        pdf.set_draw_color(*_RULE)
        pdf.set_text_color(*_INK)
        pdf.set_line_width(0.25)
        self.pdf = pdf

    def attach(self, issued: dict[str, Any]) -> None:
        """The issued file itself, attached: a verifier reads the whole certificate from the PDF
        (origincert.pdfqr), not only the QR code, which may be a reference or badly printed."""
        import json

        name = (self.d.text("number") or "certificate").replace("/", "-")
        self.pdf.embed_file(
            bytes=json.dumps(issued, ensure_ascii=False, indent=1).encode(),
            basename=f"{name}.coo.json",
            mime_type="application/json",
            desc=t_("The issued certificate file: verify it with origincert or the customs portal"),
            compress=True,
        )

    def render(self) -> bytes:
        pdf = self.pdf
        pdf.set_auto_page_break(False)  # page 1's boxes have fixed places
        pdf.add_page()
        self._header()
        self._boxes()
        self._bottom()
        pdf.set_auto_page_break(True, margin=_PAGE_H - _BOTTOM_Y + 7)  # the goods flow on
        self._goods()
        if pdf.pages_count > 1:  # tell page 1's reader where the rest of the goods are
            last = pdf.page
            pdf.page = 1
            self._font(6.5, bold=True)
            pdf.set_xy(_MARGIN, _BOTTOM_Y - 5.5)
            pdf.cell(
                _WIDTH,
                4,
                t_(
                    "Goods continue on the continuation sheet(s), pages 2 to %(last)s.",
                    last=pdf.pages_count,
                ),
                align="R",
            )
            pdf.page = last
        return bytes(pdf.output())

    # -- helpers

    def _font(self, size: float, bold: bool = False, mono: bool = False) -> None:
        self.pdf.set_font("mono" if mono else "sans", "B" if bold and not mono else "", size)

    def _label(self, x: float, y: float, w: float, number: str, text: str) -> None:
        pdf = self.pdf
        pdf.set_text_color(*_LABEL)
        self._font(6)
        pdf.set_xy(x + 0.4, y + 0.6)
        pdf.cell(w - 0.8, 2.8, f"{number}  {text}" if number else text)
        pdf.set_text_color(*_INK)

    def _text_height(self, w: float, text: str, size: float, bold: bool = False) -> float:
        self._font(size, bold)
        lines = self.pdf.multi_cell(w, size * 0.42, text or " ", dry_run=True, output="LINES")
        return len(lines) * size * 0.42

    def _box(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        number: str,
        label: str,
        text: str,
        size: float = 8,
    ) -> None:
        pdf = self.pdf
        pdf.rect(x, y, w, h)
        self._label(x, y, w, number, label)
        self._font(size, bold=False)
        pdf.set_xy(x, y + 4)
        self._write(w, text, size)

    def _write(
        self, w: float, text: str, size: float, bold: bool = False, align: str = "L"
    ) -> None:
        pdf = self.pdf
        x = pdf.get_x()
        for chunk in text.split("\n"):
            if chunk == WITHHELD:
                pdf.set_text_color(*_LABEL)
            self._font(size, bold)
            pdf.set_x(x)
            pdf.multi_cell(w, size * 0.42, chunk or " ", align=align, new_x="LEFT", new_y="NEXT")
            pdf.set_text_color(*_INK)

    def _row(
        self, y: float, cells: list[tuple[float, str, str, str]], min_h: float, size: float = 8
    ) -> float:
        """Boxes side by side, as tall as the tallest text needs: ``(width, number, label, text)``."""
        need = max(self._text_height(w, t, size) for w, _, _, t in cells) + 5.5
        h = max(min_h, need)
        x = _MARGIN
        for w, number, label, text in cells:
            self._box(x, y, w, h, number, label, text, size)
            x += w
        return y + h

    # -- page 1

    def _header(self) -> None:
        pdf, d = self.pdf, self.d
        title, subtitle = _TITLES.get(d.text("form"), (N_("CERTIFICATE OF ORIGIN"), ""))
        title, subtitle = t_(title), t_(subtitle) if subtitle else ""
        if d.get("agreement") and d.text("form") not in ("FORM_D", "FORM_E", "FORM_A", "RCEP"):
            subtitle = f"{subtitle} - {d.text('agreement')}"
        y = _MARGIN
        # issuing body, left
        pdf.set_xy(_MARGIN, y)
        pdf.set_text_color(*_ACCENT)
        self._write(100, d.text("issuing_body.name"), 11, bold=True)
        pdf.set_text_color(*_INK)
        lines = [d.text("issuing_body.economy", country_name)]
        if d.text("issuing_body.accreditation_ref"):
            lines.append(
                t_("ICC WCF accreditation %(ref)s", ref=d.text("issuing_body.accreditation_ref"))
            )
        pdf.set_x(_MARGIN)
        self._write(100, "\n".join(lines), 7.5)
        # title and number, right
        right = _MARGIN + _WIDTH - 86
        pdf.set_xy(right, y)
        pdf.set_text_color(*_ACCENT)
        self._write(86, title, 14, bold=True, align="R")
        pdf.set_text_color(*_INK)
        pdf.set_x(right)
        self._write(86, subtitle, 7.5, align="R")
        pdf.set_x(right)
        self._write(86, t_("No. %(number)s", number=d.text("number")), 10.5, bold=True, align="R")
        stamp = [
            t_(label)
            for key, label in (
                ("certified_true_copy", N_("CERTIFIED TRUE COPY")),
                ("duplicate", N_("DUPLICATE")),
            )
            if d.get(f"flags.{key}") is True
        ]
        if stamp:
            self._stamp(stamp[0], right + 86, pdf.get_y() + 1)
        pdf.set_draw_color(*_ACCENT)
        pdf.set_line_width(0.6)
        self.top = max(pdf.get_y(), y + 15) + 1.5
        pdf.line(_MARGIN, self.top, _MARGIN + _WIDTH, self.top)
        pdf.set_line_width(0.25)
        pdf.set_draw_color(*_RULE)

    def _stamp(self, text: str, right: float, y: float) -> None:
        pdf = self.pdf
        self._font(9, bold=True)
        w = pdf.get_string_width(text) + 6
        pdf.set_draw_color(*_STAMP)
        pdf.set_text_color(*_STAMP)
        pdf.set_line_width(0.5)
        pdf.rect(right - w, y, w, 6)
        pdf.set_xy(right - w, y)
        pdf.cell(w, 6, text, align="C")
        pdf.set_line_width(0.25)
        pdf.set_draw_color(*_RULE)
        pdf.set_text_color(*_INK)
        pdf.set_y(y + 6)

    def _boxes(self) -> None:
        d = self.d
        right = _WIDTH - _LEFT_W
        kind = (
            t_("Preferential")
            if d.get("kind") == "preferential"
            else t_("Non-preferential")
            if d.get("kind")
            else d.text("kind")
        )
        form = f"{kind} - {d.text('agreement')}" if d.get("agreement") else kind
        cert = "\n".join(
            [
                t_(
                    "Issued at %(place)s on %(date)s",
                    place=d.text("issue_place"),
                    date=d.text("issue_date", long_date),
                ),
                t_("Valid until %(date)s", date=d.text("valid_until", long_date)),
                form,
            ]
        )
        y = self._row(
            self.top + 2,
            [(_LEFT_W, "1", t_("Exporter / consignor (name, address, country)"), d.party("exporter")),
             (right, "", t_("Certificate"), cert)],
            22,
        )  # fmt: skip
        producer = d.get("producer")
        producer_text = (
            (t_(_PRODUCER[producer]) if producer in _PRODUCER else producer)
            if isinstance(producer, str)
            else d.party("producer")
        )
        y = self._row(
            y,
            [(_LEFT_W, "2", t_("Producer (name, address, country)"), producer_text),
             (right, "3", t_("Country of origin"), _origins(d))],
            14,
        )  # fmt: skip
        consignee = d.party("consignee")
        y = self._row(
            y,
            [(_LEFT_W, "4", t_("Consignee (name, address, country)"), consignee),
             (right, "5", t_("Importing country"), d.text("importing_country", country_name))],
            18,
        )  # fmt: skip
        y = self._row(
            y,
            [
                (_LEFT_W, "6", t_("Means of transport and route"), _transport(d)),
                (right, "7", t_("Remarks"), _remarks(d)),
            ],
            18,
        )
        self._ticks(y)

    def _ticks(self, y: float) -> None:
        pdf, d = self.pdf, self.d
        h = 12.0
        pdf.rect(_MARGIN, y, _WIDTH, h)
        self._label(_MARGIN, y, _WIDTH, "8", t_("Tick where applicable"))
        col = _WIDTH / 5
        for i, (key, label) in enumerate(_FLAGS):
            x = _MARGIN + 2 + (i % 5) * col
            yy = y + 4.2 + (i // 5) * 3.8
            value = d.get(f"flags.{key}")
            pdf.rect(x, yy + 0.2, 2.6, 2.6)
            if value is True:
                pdf.set_line_width(0.45)
                pdf.set_draw_color(*_INK)
                pdf.line(x + 0.5, yy + 1.6, x + 1.1, yy + 2.4)
                pdf.line(x + 1.1, yy + 2.4, x + 2.2, yy + 0.6)
                pdf.set_line_width(0.25)
                pdf.set_draw_color(*_RULE)
            self._font(6.8, bold=value is True)
            pdf.set_xy(x + 3.2, yy)
            text = (
                t_(label)
                if value is not None or not d.hidden(f"flags.{key}")
                else f"{t_(label)} {WITHHELD}"
            )
            pdf.cell(col - 5, 3, text)
        self.goods_y = y + h + 2

    # -- goods table

    _COLS = (8.0, 27.0, 60.0, 19.0, 15.0, 30.0, 27.0)
    _HEADINGS = (
        N_("No."),
        N_("Marks and numbers"),
        N_("Number and kind of packages; description of goods"),
        N_("HS code"),
        N_("Origin criterion"),
        N_("Quantity, gross weight, value"),
        N_("Invoice number and date"),
    )

    def _goods(self) -> None:
        from fpdf.fonts import FontFace

        pdf, d = self.pdf, self.d
        goods = d.get("goods")
        count = len(goods) if isinstance(goods, list) else 0
        self._font(7)
        pdf.set_xy(_MARGIN, self.goods_y)
        heading = FontFace(
            family="sans", emphasis="BOLD", size_pt=6, color=_LABEL, fill_color=_SHADE
        )
        with pdf.table(
            col_widths=self._COLS,
            width=_WIDTH,
            align="LEFT",
            text_align=("CENTER", "LEFT", "LEFT", "CENTER", "CENTER", "RIGHT", "LEFT"),
            v_align="TOP",
            line_height=3.1,
            padding=(0.9, 1.0, 0.9, 1.0),
            headings_style=heading,
            repeat_headings=1,
            borders_layout="HORIZONTAL_LINES",
        ) as table:
            table.row([t_(h) for h in self._HEADINGS])
            for i in range(count):
                row = table.row()
                for text in _item_cells(d, i):
                    if text == WITHHELD:
                        row.cell(text, style=FontFace(color=_LABEL))
                    else:
                        row.cell(text)
            if not count:
                row = table.row()
                row.cell(d.text("goods") or "", colspan=len(self._COLS))
            end = table.row()
            end.cell(
                _ngettext_items(count),
                colspan=len(self._COLS),
                align="CENTER",
                style=FontFace(color=_LABEL),
            )
        y = pdf.get_y()
        pdf.set_draw_color(*_ACCENT)
        pdf.line(_MARGIN, y, _MARGIN + _WIDTH, y)
        pdf.set_draw_color(*_RULE)

    def _continuation_header(self) -> None:
        pdf, d = self.pdf, self.d
        pdf.set_auto_page_break(True, margin=_MARGIN + _FOOTER_H + 2)
        pdf.set_xy(_MARGIN, _MARGIN)
        pdf.set_text_color(*_ACCENT)
        self._font(10, bold=True)
        pdf.cell(_WIDTH / 2, 5, t_("CONTINUATION SHEET"))
        self._font(9, bold=True)
        pdf.cell(
            _WIDTH / 2, 5, t_("Certificate No. %(number)s", number=d.text("number")), align="R"
        )
        pdf.set_text_color(*_INK)
        pdf.set_xy(_MARGIN, _MARGIN + 5)
        self._font(7)
        pdf.cell(
            _WIDTH,
            4,
            t_(
                "%(body)s - issued on %(date)s - goods (continued)",
                body=d.text("issuing_body.name"),
                date=d.text("issue_date", long_date),
            ),
        )
        pdf.set_draw_color(*_ACCENT)
        pdf.set_line_width(0.6)
        pdf.line(_MARGIN, _MARGIN + 10, _MARGIN + _WIDTH, _MARGIN + 10)
        pdf.set_line_width(0.25)
        pdf.set_draw_color(*_RULE)
        pdf.set_y(_MARGIN + 12)

    # -- declaration, certification, QR code

    def _bottom(self) -> None:
        pdf, d = self.pdf, self.d
        y = _BOTTOM_Y
        w_decl, w_cert = 62.0, 58.0
        w_qr = _WIDTH - w_decl - w_cert
        # 9 declaration
        pdf.rect(_MARGIN, y, w_decl, _BOTTOM_H)
        self._label(_MARGIN, y, w_decl, "9", t_("Declaration by the exporter"))
        pdf.set_xy(_MARGIN, y + 4)
        self._write(w_decl, d.text("declaration.statement"), 6.8)
        self._signature(
            _MARGIN, y, w_decl,
            f"{d.text('declaration.place')}, {d.text('declaration.date', long_date)}",
            d.text("declaration.signatory"),
            t_("Place, date, name and signature"),
        )  # fmt: skip
        # 10 certification
        x = _MARGIN + w_decl
        pdf.rect(x, y, w_cert, _BOTTOM_H)
        self._label(x, y, w_cert, "10", t_("Certification"))
        pdf.set_xy(x, y + 4)
        self._write(w_cert, t_(_CERTIFY), 6.8)
        pdf.set_x(x)
        self._write(w_cert, d.text("issuing_body.name"), 7.5, bold=True)
        pdf.set_x(x)
        self._font(5.6, mono=True)
        pdf.set_text_color(*_LABEL)
        pdf.multi_cell(
            w_cert,
            2.6,
            t_(
                "Signed with key %(key)s and anchored on chain %(chain)s",
                key=self.proof.get("signer", ""),
                chain=self.proof["chain_id"],
            ),
            align="L",
            new_x="LEFT",
            new_y="NEXT",
        )
        pdf.set_text_color(*_INK)
        self._signature(
            x, y, w_cert,
            f"{d.text('issue_place')}, {d.text('issue_date', long_date)}",
            "",
            t_("Place, date, signature and stamp"),
        )  # fmt: skip
        # 11 QR code
        x += w_cert
        pdf.rect(x, y, w_qr, _BOTTOM_H)
        self._label(x, y, w_qr, "11", t_("Verification"))
        embedded = self.payload.startswith(EMBEDDED_PREFIX)
        side = w_qr - 6
        self._qr(x + 3, y + 4, side)
        self._font(6)
        pdf.set_xy(x, y + 4 + side + 0.3)
        caption = (
            t_(
                "Scan with any phone camera to verify at %(url)s. The code carries the whole "
                "certificate and its proof.",
                url=self.portal_url,
            )
            if embedded and self.portal_url
            else t_(
                "Scan to verify. The code carries the whole certificate and its proof: it "
                "verifies offline."
            )
            if embedded
            else t_(
                "Scan to verify. The code names this certificate on the ledger; compare this "
                "paper with the record at %(url)s.",
                url=self.portal_url,
            )
            if self.portal_url
            else t_(
                "Scan to verify. The code names this certificate on the ledger; compare this "
                "paper with the record."
            )
        )
        pdf.multi_cell(w_qr, 2.6, caption, align="C")

    def _signature(
        self, x: float, y: float, w: float, place_date: str, name: str, caption: str
    ) -> None:
        pdf = self.pdf
        base = y + _BOTTOM_H - 4
        pdf.set_draw_color(*_LABEL)
        pdf.set_dash_pattern(dash=0.6, gap=0.6)
        pdf.line(x + 3, base - 0.5, x + w - 3, base - 0.5)
        pdf.set_dash_pattern()
        pdf.set_draw_color(*_RULE)
        self._font(7.5)
        pdf.set_xy(x, base - 9.5)
        pdf.multi_cell(w, 3.2, place_date, new_x="LEFT", new_y="NEXT")
        if name:
            self._font(7.5, bold=True)
            pdf.multi_cell(w, 3.2, name, new_x="LEFT", new_y="NEXT")
        pdf.set_text_color(*_LABEL)
        self._font(5.5)
        pdf.set_xy(x, base)
        pdf.cell(w, 3, caption, align="C")
        pdf.set_text_color(*_INK)

    def _qr(self, x: float, y: float, side: float) -> None:
        """The QR code as filled rectangles (crisp at any printer resolution), 4-module quiet zone."""
        pdf = self.pdf
        # with a portal URL the code is a link any phone camera opens (origincert.qrlink)
        modules = qr_modules(
            make_link(self.portal_url, self.payload) if self.portal_url else self.payload
        )
        unit = side / (len(modules) + 8)
        pdf.set_fill_color(0, 0, 0)
        for row, col, height, width in _dark_blocks(modules):
            pdf.rect(
                x + (4 + col) * unit, y + (4 + row) * unit, width * unit, height * unit, style="F"
            )

    def _footer(self, lines: tuple[str, str]) -> None:
        pdf = self.pdf
        y = _PAGE_H - _MARGIN - _FOOTER_H + 2
        pdf.set_draw_color(*_RULE)
        pdf.line(_MARGIN, y, _MARGIN + _WIDTH, y)
        pdf.set_text_color(*_LABEL)
        self._font(5.8, mono=True)
        pdf.set_xy(_MARGIN, y + 0.8)
        pdf.cell(_WIDTH - 25, 2.8, lines[0])
        pdf.set_xy(_MARGIN, y + 3.6)
        pdf.cell(_WIDTH - 25, 2.8, lines[1])
        self._font(7)
        pdf.set_xy(_MARGIN + _WIDTH - 25, y + 1.5)
        pdf.cell(
            25, 3, t_("Page %(page)s of %(pages)s", page=pdf.page_no(), pages="{nb}"), align="R"
        )
        pdf.set_text_color(*_INK)


def _ngettext_items(count: int) -> str:
    """The goods table's end line: how many items, and that nothing may be added."""
    return _current()[1].ngettext(
        "*** %(num)d item, no further entries ***",
        "*** %(num)d items, no further entries ***",
        count,
    ) % {"num": count}
