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

import functools
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

__all__ = ["FONT_FILES", "WITHHELD", "render_pdf"]

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
    "ICC_CO": ("CERTIFICATE OF ORIGIN", "Non-preferential"),
    "EUR1": ("MOVEMENT CERTIFICATE EUR.1", "Preferential"),
    "EUR_MED": ("MOVEMENT CERTIFICATE EUR-MED", "Preferential"),
    "FORM_A": ("CERTIFICATE OF ORIGIN", "Generalized System of Preferences - Form A"),
    "FORM_D": ("CERTIFICATE OF ORIGIN", "ATIGA - Form D"),
    "FORM_E": ("CERTIFICATE OF ORIGIN", "ASEAN-China FTA - Form E"),
    "RCEP": ("CERTIFICATE OF ORIGIN", "Regional Comprehensive Economic Partnership"),
    "FORM_AK": ("CERTIFICATE OF ORIGIN", "ASEAN-Korea FTA - Form AK"),
    "FORM_AJ": ("CERTIFICATE OF ORIGIN", "ASEAN-Japan CEP - Form AJ"),
    "FORM_AI": ("CERTIFICATE OF ORIGIN", "ASEAN-India FTA - Form AI"),
    "AANZ": ("CERTIFICATE OF ORIGIN", "ASEAN-Australia-New Zealand FTA - Form AANZ"),
    "FORM_AHK": ("CERTIFICATE OF ORIGIN", "ASEAN-Hong Kong, China FTA - Form AHK"),
}
_FLAGS = (
    ("issued_retroactively", "Issued retroactively"),
    ("back_to_back", "Back-to-back"),
    ("third_party_invoicing", "Third-party invoicing"),
    ("exhibition", "Exhibition"),
    ("de_minimis", "De minimis"),
    ("accumulation", "Accumulation"),
    ("partial_cumulation", "Partial cumulation"),
    ("certified_true_copy", "Certified true copy"),
    ("duplicate", "Duplicate"),
)
_PRODUCER = {
    "SAME": "Same as the exporter",
    "UNKNOWN": "Unknown",
    "AVAILABLE_UPON_REQUEST": "Available to the authorised body upon request",
}
_MODES = {
    "sea": "By sea",
    "air": "By air",
    "road": "By road",
    "rail": "By rail",
    "multimodal": "Multimodal",
}
_PACKAGES = {  # UN/ECE Rec. 21, the common ones; others print as their code
    "BG": "bags", "BE": "bundles", "BL": "bales", "BX": "boxes", "CL": "coils", "CS": "cases",
    "CT": "cartons", "DR": "drums", "PK": "packages", "PX": "pallets", "RO": "rolls", "VY": "bulk",
}  # fmt: skip
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_CERTIFY = (
    "It is hereby certified, on the basis of control carried out, that the declaration by the "
    "exporter is correct and that the goods described originate as stated."
)


def render_pdf(issued: dict[str, Any] | IssuedFile, *, portal_url: str | None = None) -> bytes:
    """The printable PDF of an issued file (full or redacted copy), QR code included.

    Refuses (DocumentError) a file whose document does not match its proof or is not a valid
    certificate, and (OriginCertError ``pdf_font_missing``) a machine without the fonts.
    """
    f = _read(issued)
    doc = _checked(f)
    payload = encode_payload(f, portal_url=portal_url)
    fonts = _font_paths(doc)
    issued_json = f.to_json()
    renderer = _Renderer(doc, issued_json["proof"], payload, portal_url, fonts)
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
        return "European Union (EU)"
    if code == "XK":
        return "Kosovo (XK)"
    entry = pycountry.countries.get(alpha_2=code)
    return f"{entry.name} ({code})" if entry is not None else code


def long_date(iso: str) -> str:
    """``"2025-03-14"`` -> ``"14 Mar 2025"``: no day/month ambiguity at any border."""
    try:
        d = date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


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
            f"This certificate cancels & replaces certificate {r.get('number', WITHHELD)} "
            f"issued on {long_date(r['issue_date']) if 'issue_date' in r else WITHHELD}"
            + (f" ({r['reason']})." if r.get("reason") else ".")
        )
    elif d.hidden("replaces"):
        out.append(f"Replaces an earlier certificate: {WITHHELD}")
    for key, wording in (
        ("copy_of", "Certified true copy of certificate"),
        ("duplicate_of", "Duplicate of certificate"),
    ):
        ref = d.get(key)
        if ref is not None:
            out.append(
                f"{wording} {ref.get('number', WITHHELD)} issued on {long_date(ref.get('issue_date', WITHHELD))}."
            )
    proof = d.get("original_proof")
    if proof is not None:
        line = (
            f"Back-to-back: original proof of origin {proof.get('number', WITHHELD)} of "
            f"{long_date(proof.get('issue_date', WITHHELD))}, issued in {_country_or(proof.get('issuing_country'))}, "
            f"origin {_country_or(proof.get('country_of_origin'))}"
        )
        if proof.get("approved_exporter"):
            line += f", approved exporter {proof['approved_exporter']}"
        out.append(line + ".")
    invoicer = d.get("third_party_invoicer")
    if invoicer is not None:
        line = f"Third-party invoice by {invoicer.get('name', WITHHELD)}, {_country_or(invoicer.get('country'))}"
        inv = invoicer.get("invoice")
        if inv:
            line += (
                f", invoice {inv.get('number', WITHHELD)} of {long_date(inv.get('date', WITHHELD))}"
            )
        out.append(line + ".")
    elif d.hidden("third_party_invoicer"):
        out.append(f"Third-party invoicer: {WITHHELD}")
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
    mode = d.text("transport.mode", lambda m: _MODES.get(m, m))
    departure = d.text("transport.departure_date", long_date)
    lines = [f"{mode}, departure {departure}" if departure else mode]
    for key, label in (
        ("vessel_or_flight", "Vessel / flight / vehicle"),
        ("port_of_loading", "Loading"),
        ("port_of_discharge", "Discharge"),
        ("route", "Route"),
    ):
        value = d.text(f"transport.{key}")
        if value:
            lines.append(f"{label}: {value}")
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
        packages = f"{number} {_PACKAGES.get(kind, kind) if kind else WITHHELD}"
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
    measures = [quantity, f"G.W. {d.text(f'{at}.gross_weight_kg', amount)} kg"]
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
            f"Certificate No. {number}  ·  chain id {proof['chain_id']}  ·  registry {proof['registry']}",
            f"Merkle root {proof['root']}",
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
        pdf.set_title(f"Certificate of origin {number}")
        pdf.set_author(doc.text("issuing_body.name") or "origincert")
        pdf.set_subject(_TITLES.get(doc.text("form"), ("Certificate of origin", ""))[1])
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
            desc="The issued certificate file: verify it with origincert or the customs portal",
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
                f"Goods continue on the continuation sheet(s), pages 2 to {pdf.pages_count}.",
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
        title, subtitle = _TITLES.get(d.text("form"), ("CERTIFICATE OF ORIGIN", ""))
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
            lines.append(f"ICC WCF accreditation {d.text('issuing_body.accreditation_ref')}")
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
        self._write(86, f"No. {d.text('number')}", 10.5, bold=True, align="R")
        stamp = [
            label
            for key, label in (
                ("certified_true_copy", "CERTIFIED TRUE COPY"),
                ("duplicate", "DUPLICATE"),
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
            "Preferential"
            if d.get("kind") == "preferential"
            else "Non-preferential"
            if d.get("kind")
            else d.text("kind")
        )
        form = f"{kind} - {d.text('agreement')}" if d.get("agreement") else kind
        cert = "\n".join(
            [
                f"Issued at {d.text('issue_place')} on {d.text('issue_date', long_date)}",
                f"Valid until {d.text('valid_until', long_date)}",
                form,
            ]
        )
        y = self._row(
            self.top + 2,
            [(_LEFT_W, "1", "Exporter / consignor (name, address, country)", d.party("exporter")),
             (right, "", "Certificate", cert)],
            22,
        )  # fmt: skip
        producer = d.get("producer")
        producer_text = (
            _PRODUCER.get(producer, producer) if isinstance(producer, str) else d.party("producer")
        )
        y = self._row(
            y,
            [(_LEFT_W, "2", "Producer (name, address, country)", producer_text),
             (right, "3", "Country of origin", _origins(d))],
            14,
        )  # fmt: skip
        consignee = d.party("consignee")
        y = self._row(
            y,
            [(_LEFT_W, "4", "Consignee (name, address, country)", consignee),
             (right, "5", "Importing country", d.text("importing_country", country_name))],
            18,
        )  # fmt: skip
        y = self._row(
            y,
            [
                (_LEFT_W, "6", "Means of transport and route", _transport(d)),
                (right, "7", "Remarks", _remarks(d)),
            ],
            18,
        )
        self._ticks(y)

    def _ticks(self, y: float) -> None:
        pdf, d = self.pdf, self.d
        h = 12.0
        pdf.rect(_MARGIN, y, _WIDTH, h)
        self._label(_MARGIN, y, _WIDTH, "8", "Tick where applicable")
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
                label
                if value is not None or not d.hidden(f"flags.{key}")
                else f"{label} {WITHHELD}"
            )
            pdf.cell(col - 5, 3, text)
        self.goods_y = y + h + 2

    # -- goods table

    _COLS = (8.0, 27.0, 60.0, 19.0, 15.0, 30.0, 27.0)
    _HEADINGS = (
        "No.",
        "Marks and numbers",
        "Number and kind of packages; description of goods",
        "HS code",
        "Origin criterion",
        "Quantity, gross weight, value",
        "Invoice number and date",
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
            table.row(self._HEADINGS)
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
                f"*** {count} item{'s' if count != 1 else ''}, no further entries ***",
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
        pdf.cell(_WIDTH / 2, 5, "CONTINUATION SHEET")
        self._font(9, bold=True)
        pdf.cell(_WIDTH / 2, 5, f"Certificate No. {d.text('number')}", align="R")
        pdf.set_text_color(*_INK)
        pdf.set_xy(_MARGIN, _MARGIN + 5)
        self._font(7)
        pdf.cell(
            _WIDTH,
            4,
            f"{d.text('issuing_body.name')} - issued on {d.text('issue_date', long_date)} - goods (continued)",
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
        self._label(_MARGIN, y, w_decl, "9", "Declaration by the exporter")
        pdf.set_xy(_MARGIN, y + 4)
        self._write(w_decl, d.text("declaration.statement"), 6.8)
        self._signature(
            _MARGIN, y, w_decl,
            f"{d.text('declaration.place')}, {d.text('declaration.date', long_date)}",
            d.text("declaration.signatory"),
            "Place, date, name and signature",
        )  # fmt: skip
        # 10 certification
        x = _MARGIN + w_decl
        pdf.rect(x, y, w_cert, _BOTTOM_H)
        self._label(x, y, w_cert, "10", "Certification")
        pdf.set_xy(x, y + 4)
        self._write(w_cert, _CERTIFY, 6.8)
        pdf.set_x(x)
        self._write(w_cert, d.text("issuing_body.name"), 7.5, bold=True)
        pdf.set_x(x)
        self._font(5.6, mono=True)
        pdf.set_text_color(*_LABEL)
        pdf.multi_cell(
            w_cert,
            2.6,
            f"Signed with key {self.proof.get('signer', '')} and anchored on chain {self.proof['chain_id']}",
            align="L",
            new_x="LEFT",
            new_y="NEXT",
        )
        pdf.set_text_color(*_INK)
        self._signature(
            x, y, w_cert,
            f"{d.text('issue_place')}, {d.text('issue_date', long_date)}",
            "",
            "Place, date, signature and stamp",
        )  # fmt: skip
        # 11 QR code
        x += w_cert
        pdf.rect(x, y, w_qr, _BOTTOM_H)
        self._label(x, y, w_qr, "11", "Verification")
        embedded = self.payload.startswith(EMBEDDED_PREFIX)
        side = w_qr - 6
        self._qr(x + 3, y + 4, side)
        self._font(6)
        pdf.set_xy(x, y + 4 + side + 0.3)
        caption = (
            f"Scan with any phone camera to verify at {self.portal_url}. The code carries the whole certificate and its proof."
            if embedded and self.portal_url
            else "Scan to verify. The code carries the whole certificate and its proof: it verifies offline."
            if embedded
            else "Scan to verify. The code names this certificate on the ledger; compare this paper with the record"
            + (f" at {self.portal_url}." if self.portal_url else ".")
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
        pdf.cell(25, 3, f"Page {pdf.page_no()} of {{nb}}", align="R")
        pdf.set_text_color(*_INK)
