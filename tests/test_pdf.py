"""The printed certificate: what the page says, how it grows, and that its QR code verifies it."""

from __future__ import annotations

import copy
import io
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pypdf
import pytest
from click.testing import CliRunner
from test_qr import make_issued

from origincert import pdf, pdfqr, qr
from origincert.cli.pdf import default_output, register
from origincert.devtools.samples import sample_certificate
from origincert.document import parse_certificate
from origincert.errors import DocumentError, OriginCertError
from origincert.qrlink import payload_of
from origincert.redact import redact

PORTAL = "https://verify.example.org/coo"
VIETNAMESE = "Công ty TNHH Thủy sản Sao Mai"
CHINESE = "上海东方贸易有限公司"
TURKISH = "Ayşe Yılmaz, İhracat Müdürü"
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="pdftoppm (Debian poppler-utils) not installed"
)


def certificate(seed: int, items: int, economy: str = "VN", **changes: Any) -> dict[str, Any]:
    rng = random.Random(seed)
    doc = sample_certificate(rng, items=items, economy=economy)
    doc.update(changes)
    return parse_certificate(doc).to_json()


def pages_text(data: bytes) -> list[str]:
    """Each page's text with runs of whitespace made single spaces (wrapping is layout, not content)."""
    return [
        " ".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(data)).pages
    ]


def page_qr(data: bytes, page: int = 1) -> str:
    """Render one page as a 200 dpi scan would see it, and read its QR code."""
    png = subprocess.run(
        ["pdftoppm", "-r", "200", "-f", str(page), "-l", str(page), "-gray", "-png", "-"],
        input=data,
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout
    return qr.read_qr_image(png)


@pytest.fixture(scope="module")
def unicode_issued() -> dict[str, Any]:
    rng = random.Random(11)
    doc = sample_certificate(rng, items=3, economy="VN")
    doc["exporter"]["name"] = VIETNAMESE
    doc["consignee"]["name"] = CHINESE
    doc["declaration"]["signatory"] = TURKISH
    return make_issued(parse_certificate(doc).to_json(), rng, batch=100, index=7)


@pytest.fixture(scope="module")
def unicode_pdf(unicode_issued: dict[str, Any]) -> bytes:
    return pdf.render_pdf(unicode_issued, portal_url=PORTAL)


def test_the_page_shows_the_certificate(unicode_issued: dict[str, Any], unicode_pdf: bytes) -> None:
    doc, proof = unicode_issued["document"], unicode_issued["proof"]
    assert unicode_pdf.startswith(b"%PDF-")
    (text,) = pages_text(unicode_pdf)  # three items fit on one page
    for expected in (
        doc["number"],
        VIETNAMESE,
        CHINESE,
        TURKISH,
        doc["issuing_body"]["name"],
        pdf.long_date(doc["issue_date"]),
        pdf.country_name(doc["importing_country"]),
        doc["declaration"]["statement"],
        proof["root"],
        f"chain id {proof['chain_id']}",
        "Declaration by the exporter",
        "Certification",
        "*** 3 items, no further entries ***",
    ):
        assert expected in text, expected
    for item in doc["goods"]:
        assert item["hs_code"] in text
        assert " ".join(item["description"].split()) in text
        assert f"G.W. {pdf.amount(item['gross_weight_kg'])} kg" in text


def test_unicode_names_are_drawn_with_embedded_fonts(unicode_pdf: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(unicode_pdf))
    fonts = {str(f["/BaseFont"]) for f in reader.pages[0]["/Resources"]["/Font"].values()}
    assert any("DejaVuSans" in f for f in fonts)
    assert any("DroidSansFallback" in f for f in fonts)  # the Chinese name


@needs_poppler
def test_the_printed_qr_code_carries_the_whole_certificate(
    unicode_issued: dict[str, Any], unicode_pdf: bytes
) -> None:
    link = page_qr(unicode_pdf)  # printed with a portal URL: a link any phone camera opens
    assert link.startswith("HTTPS://VERIFY.EXAMPLE.ORG/coo/V#" + qr.EMBEDDED_PREFIX)
    decoded = qr.decode_payload(payload_of(link))
    assert isinstance(decoded, qr.EmbeddedCertificate)
    assert decoded.issued == unicode_issued


def test_fifty_items_continue_on_further_pages() -> None:
    rng = random.Random(21)
    doc = certificate(21, 50, economy="DE")
    issued = make_issued(doc, rng)
    data = pdf.render_pdf(issued, portal_url=PORTAL)
    texts = pages_text(data)
    assert len(texts) >= 3
    assert f"pages 2 to {len(texts)}" in texts[0]
    for n, page in enumerate(texts[1:], start=2):
        assert (
            "CONTINUATION SHEET" in page
            and doc["number"] in page
            and f"Page {n} of {len(texts)}" in page
        )
    everything = " ".join(texts)
    for item in doc["goods"]:
        assert " ".join(item["description"].split()) in everything
    assert "*** 50 items, no further entries ***" in texts[-1]
    one = pdf.render_pdf(make_issued(certificate(21, 1, economy="DE"), rng))
    assert len(pages_text(one)) == 1


@needs_poppler
def test_a_large_certificate_prints_a_reference_qr_code() -> None:
    rng = random.Random(22)
    issued = make_issued(certificate(22, 50, economy="TH"), rng)
    data = pdf.render_pdf(issued, portal_url=PORTAL)
    ref = qr.decode_payload(payload_of(page_qr(data)))
    assert isinstance(ref, qr.CertificateReference)
    assert ref.number == issued["document"]["number"] and ref.portal_url == PORTAL
    assert PORTAL in pages_text(data)[0]


def test_a_long_description_wraps_and_stays_whole() -> None:
    rng = random.Random(23)
    doc = sample_certificate(rng, items=2, economy="TH")
    long = " ".join(
        ["FROZEN YELLOWFIN TUNA LOINS, SASHIMI GRADE, CO-TREATED, VACUUM PACKED IN 1-3 KG PIECES"]
        * 8
    )
    doc["goods"][0]["description"] = long
    data = pdf.render_pdf(make_issued(parse_certificate(doc).to_json(), rng))
    assert long in " ".join(pages_text(data))


def test_a_redacted_copy_prints_withheld_and_hides_the_values() -> None:
    rng = random.Random(24)
    issued = make_issued(certificate(24, 3, economy="MY"), rng)
    hidden_consignee = issued["document"]["consignee"]["name"]
    hidden_weight = issued["document"]["goods"][1]["gross_weight_kg"]
    copy_ = redact(issued, ["consignee", "goods[1].gross_weight_kg", "goods[2]"])
    data = pdf.render_pdf(copy_, portal_url=PORTAL)
    (text,) = pages_text(data)
    assert text.count(pdf.WITHHELD) >= 1 + 1 + 6  # consignee, one weight, a whole item's cells
    assert hidden_consignee not in text
    assert pdf.amount(hidden_weight) not in text
    assert issued["document"]["goods"][2]["description"] not in text
    assert issued["document"]["goods"][0]["description"] in text
    assert "compare this paper with the record" in text  # the QR code is a reference


def test_replacement_wording_and_copy_stamps() -> None:
    base = sample_certificate(random.Random(25), items=1, economy="DE")
    replaced = {
        "number": "DE-2025-ICCCO-00000000001",
        "issue_date": base["issue_date"],
        "reason": "lost in transit",
    }
    doc = certificate(25, 1, economy="DE", replaces=replaced)
    (text,) = pages_text(pdf.render_pdf(make_issued(doc, random.Random(1))))
    assert (
        f"This certificate cancels & replaces certificate {replaced['number']} "
        f"issued on {pdf.long_date(replaced['issue_date'])}"
    ) in text
    assert "CERTIFIED TRUE COPY" not in text and "DUPLICATE" not in text

    flags = {**base["flags"], "certified_true_copy": True}
    doc = certificate(
        25,
        1,
        economy="DE",
        flags=flags,
        copy_of={"number": "DE-1", "issue_date": base["issue_date"]},
    )
    (text,) = pages_text(pdf.render_pdf(make_issued(doc, random.Random(1))))
    assert "CERTIFIED TRUE COPY" in text and "Certified true copy of certificate DE-1" in text

    flags = {**base["flags"], "duplicate": True}
    doc = certificate(
        25,
        1,
        economy="DE",
        flags=flags,
        duplicate_of={"number": "DE-2", "issue_date": base["issue_date"]},
    )
    (text,) = pages_text(pdf.render_pdf(make_issued(doc, random.Random(1))))
    assert "DUPLICATE" in text and "Duplicate of certificate DE-2" in text


def bold_labels(data: bytes) -> set[str]:
    """The texts drawn in the bold font (a ticked box's label is bold)."""
    found: set[str] = set()

    def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if font is not None and "Bold" in str(font.get("/BaseFont", "")) and text.strip():
            found.add(text.strip())

    pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text(visitor_text=visit)
    return found


def test_ticked_boxes_are_the_flags_that_are_set() -> None:
    base = sample_certificate(random.Random(26), items=1, economy="TH")
    flags = {**base["flags"], "exhibition": True, "de_minimis": True}
    doc = certificate(26, 1, economy="TH", flags=flags)
    ticked = bold_labels(pdf.render_pdf(make_issued(doc, random.Random(2))))
    labels = dict(pdf._FLAGS)
    expected = {labels[k] for k, v in doc["flags"].items() if v}
    assert expected >= {"Exhibition", "De minimis"}
    assert {label for label in labels.values() if label in ticked} == expected


# ---------------------------------------------------------------------------------------------
# refusals


def test_an_altered_document_is_not_printed(unicode_issued: dict[str, Any]) -> None:
    altered = copy.deepcopy(unicode_issued)
    altered["document"]["goods"][0]["hs_code"] = "999999"
    with pytest.raises(DocumentError, match=r"goods\[0\]\.hs_code") as exc:
        pdf.render_pdf(altered)
    assert exc.value.code == "pdf_integrity"


def test_an_invalid_certificate_is_not_printed() -> None:
    rng = random.Random(27)
    doc = certificate(27, 1)
    doc["goods"][0]["hs_code"] = "12"  # hashed as issued, but not a certificate the model accepts
    with pytest.raises(DocumentError, match="hs_code") as exc:
        pdf.render_pdf(make_issued(doc, rng))
    assert exc.value.code == "document_invalid"


def test_not_an_issued_file_is_refused() -> None:
    with pytest.raises(DocumentError) as exc:
        pdf.render_pdf({"format": "something else"})
    assert exc.value.code == "pdf_not_issued"


def test_missing_fonts_name_the_debian_package(
    monkeypatch: pytest.MonkeyPatch, unicode_issued: dict[str, Any]
) -> None:
    files = tuple(
        (role, Path("/nonexistent") / path.name, pkg) for role, path, pkg in pdf.FONT_FILES
    )
    monkeypatch.setattr(pdf, "FONT_FILES", files)
    with pytest.raises(OriginCertError, match="fonts-dejavu-core") as exc:
        pdf.render_pdf(unicode_issued)
    assert exc.value.code == "pdf_font_missing"


def test_the_cjk_font_is_needed_only_for_cjk_text(
    monkeypatch: pytest.MonkeyPatch, unicode_issued: dict[str, Any]
) -> None:
    files = tuple(
        (role, Path("/nonexistent.ttf") if role == "cjk" else path, pkg)
        for role, path, pkg in pdf.FONT_FILES
    )
    monkeypatch.setattr(pdf, "FONT_FILES", files)
    latin = make_issued(certificate(28, 1, economy="TR"), random.Random(3))
    assert pdf.render_pdf(latin).startswith(b"%PDF-")
    with pytest.raises(OriginCertError, match="fonts-droid-fallback") as exc:
        pdf.render_pdf(unicode_issued)
    assert exc.value.code == "pdf_font_missing"


def test_characters_no_font_has_are_refused_not_printed_as_boxes() -> None:
    rng = random.Random(29)
    doc = sample_certificate(rng, items=1, economy="EG")
    doc["exporter"]["name"] = "Ankh \U00013000 Trading"  # an Egyptian hieroglyph
    with pytest.raises(DocumentError, match="U\\+13000") as exc:
        pdf.render_pdf(make_issued(parse_certificate(doc).to_json(), rng))
    assert exc.value.code == "pdf_glyph_missing"


# ---------------------------------------------------------------------------------------------
# pure helpers


@pytest.mark.parametrize(
    ("value", "shown"),
    [("12500.50", "12,500.50"), ("0.000001", "0.000001"), ("1000000", "1,000,000"), ("7", "7")],
)
def test_amounts_keep_every_digit(value: str, shown: str) -> None:
    assert pdf.amount(value) == shown


def test_dates_and_countries_are_spelled_out() -> None:
    assert pdf.long_date("2025-03-04") == "4 Mar 2025"
    assert pdf.country_name("VN") == "Viet Nam (VN)"
    assert pdf.country_name("EU") == "European Union (EU)"
    assert pdf.country_name("XK") == "Kosovo (XK)"


# ---------------------------------------------------------------------------------------------
# CLI


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)  # default outputs go to the current folder
    return CliRunner()


def _cli() -> Any:
    import click

    @click.group()
    def main() -> None:
        pass

    register(main)
    return main


def test_cli_writes_the_pdf(
    tmp_path: Path, runner: CliRunner, unicode_issued: dict[str, Any]
) -> None:
    import json

    source = tmp_path / "VN-1.coo.json"
    source.write_text(json.dumps(unicode_issued, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(_cli(), ["pdf", str(source), "--portal-url", PORTAL])
    assert result.exit_code == 0, result.output
    out = default_output(source)
    assert out.resolve() == tmp_path / "VN-1.pdf"
    assert unicode_issued["document"]["number"] in " ".join(pages_text(out.read_bytes()))
    assert "whole certificate" in result.output

    chosen = tmp_path / "print" / "x.pdf"
    chosen.parent.mkdir()
    result = runner.invoke(_cli(), ["pdf", str(source), "-o", str(chosen)])
    assert result.exit_code == 0 and chosen.read_bytes().startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"{not json", "json_malformed"),
        (b'{"format": "urn:origincert:issued:1"}', "format_v1"),
        (b'{"format": "urn:origincert:issued:2"}', "format_invalid"),
    ],
)
def test_cli_reports_bad_files_without_a_traceback(
    tmp_path: Path, runner: CliRunner, content: bytes, code: str
) -> None:
    source = tmp_path / "bad.coo.json"
    source.write_bytes(content)
    result = runner.invoke(_cli(), ["pdf", str(source)])
    assert result.exit_code == 1
    assert f"[{code}]" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "bad.pdf").exists()


def test_cli_reports_a_missing_file(tmp_path: Path, runner: CliRunner) -> None:
    result = runner.invoke(_cli(), ["pdf", str(tmp_path / "nope.coo.json")])
    assert result.exit_code == 1 and "[file_unreadable]" in result.output


def test_the_labels_are_printed_in_the_chosen_language(
    tmp_path: Path, runner: CliRunner, unicode_issued: dict[str, Any]
) -> None:
    """Every printed label comes from the catalogue: in German, none of the English labels
    remains; the certificate's own text, the QR code and the attached file are the same."""
    import json

    from origincert.cli.pdf import PDF_LANGUAGES

    english, german = (pdf.render_pdf(unicode_issued, lang=lang) for lang in ("en", "de"))
    en_text, de_text = (" ".join(pages_text(x)) for x in (english, german))
    for label, word in (
        ("Exporter / consignor (name, address, country)", "Ausführer / Versender"),
        ("Tick where applicable", "Zutreffendes ankreuzen"),
        ("Declaration by the exporter", None),
        ("Place, date, signature and stamp", "Ort, Datum, Unterschrift und Stempel"),
        ("Valid until", "Gültig bis"),
        ("Invoice number and date", "Rechnungsnummer und -datum"),
    ):
        assert label in en_text and label not in de_text, label
        assert word is None or word in de_text
    assert VIETNAMESE in de_text and unicode_issued["document"]["number"] in de_text
    assert page_qr(german) == page_qr(english)
    assert pdfqr.attached_issued_file(german) == pdfqr.attached_issued_file(english)
    with pytest.raises(OriginCertError) as err:
        pdf.render_pdf(unicode_issued, lang="xx")
    assert err.value.code == "pdf_language_unknown"
    assert PDF_LANGUAGES == pdf.LANGUAGES  # the CLI's choice, kept without importing fpdf
    source = tmp_path / "VN-1.coo.json"
    source.write_text(json.dumps(unicode_issued, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(
        _cli(), ["pdf", str(source), "--lang", "de", "-o", str(tmp_path / "de.pdf")]
    )
    assert result.exit_code == 0, result.output
    assert "Zutreffendes ankreuzen" in " ".join(pages_text((tmp_path / "de.pdf").read_bytes()))
