"""The printed PDF and a QR code holding a portal link are accepted by the library and by
``origincert verify`` (issue 11), in the order given, with a clear verdict when nothing is read."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner
from fpdf import FPDF

from origincert import pdf, qrlink
from origincert.cli import main
from origincert.qr import encode_payload, qr_png
from origincert.verifier import Verifier
from verifier.conftest import DAY, Scene

PORTAL = "https://portal.customs.example"


@pytest.fixture(scope="module")
def manifest_file(scene: Scene, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-pdf") / "manifest.json"
    scene.manifest.save(path)
    return path


def blank_pdf() -> bytes:
    doc = FPDF()
    doc.add_page()
    return bytes(doc.output())


def test_the_library_verifies_the_printed_pdf(scene: Scene, verifier: Verifier) -> None:
    printed = pdf.render_pdf(scene.files["single"][0])
    assert verifier.verify_pdf(printed, on=DAY).verdict.value == "VALID"
    blank = verifier.verify_pdf(blank_pdf(), on=DAY)
    assert blank.verdict.value == "UNREADABLE"  # nothing read says nothing about a certificate
    assert blank.checks[0].code == "pdf_no_qr"
    assert "scan the QR code on the paper" in blank.summary


def test_a_link_is_read_like_its_payload(scene: Scene, verifier: Verifier) -> None:
    payload = encode_payload(scene.files["single"][0])
    link = qrlink.make_link(PORTAL, payload)
    assert link.startswith("HTTPS://PORTAL.CUSTOMS.EXAMPLE/V#OC2:")
    assert verifier.verify_qr(link, on=DAY).verdict.value == "VALID"
    assert verifier.verify_qr_image(qr_png(link), on=DAY).verdict.value == "VALID"
    other = verifier.verify_qr("https://example.com/menu", on=DAY)
    assert other.verdict.value == "MALFORMED"
    assert "web address" in other.checks[0].message


def test_the_cli_takes_pdfs_and_links_in_order(
    scene: Scene, manifest_file: Path, tmp_path: Path
) -> None:
    good = tmp_path / "good.coo.json"
    good.write_text(json.dumps(scene.files["single"][0]))
    printed = tmp_path / "certificate.pdf"
    printed.write_bytes(pdf.render_pdf(scene.files["single"][0]))
    blank = tmp_path / "blank.pdf"
    blank.write_bytes(blank_pdf())
    link = qrlink.make_link(PORTAL, encode_payload(scene.files["single"][0]))
    result = CliRunner().invoke(
        main,
        ["--rpc-url", scene.client.url, "--manifest", str(manifest_file), "verify", "--json"]
        + ["--on", DAY.isoformat(), str(printed), str(good), str(blank), "--qr", link],
    )
    listed = json.loads(result.output)["results"]  # the one --json envelope
    assert [(x["input"], x["verdict"]) for x in listed] == [
        (str(printed), "VALID"),
        (str(good), "VALID"),
        (str(blank), "UNREADABLE"),
        ("QR code #1", "VALID"),
    ]
    assert result.exit_code == 1


def _attachment_swapped(printed: bytes, other: dict) -> bytes:
    """``printed`` with its attached file replaced by ``other`` (its QR code left as printed)."""
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(printed))
    del writer._root_object["/Names"]  # the attachment's name tree
    writer.add_attachment("other.coo.json", json.dumps(other).encode())
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_the_attached_file_is_verified_and_must_match_the_qr_code(
    scene: Scene, verifier: Verifier
) -> None:
    one, other = scene.files["single"][0], scene.files["batch"][0]
    printed = pdf.render_pdf(one)
    full = verifier.verify_pdf(printed, on=DAY)
    assert full.verdict.value == "VALID"
    assert full.document is not None and full.check("integrity").status.value == "ok"
    # the attachment alone, with no QR code on the page, is the certificate too
    bare = FPDF()
    bare.add_page()
    bare.embed_file(bytes=json.dumps(one).encode(), basename="x.coo.json")
    assert verifier.verify_pdf(bytes(bare.output()), on=DAY).verdict.value == "VALID"
    # another genuine certificate attached under this print's QR code: the PDF was altered
    swapped = verifier.verify_pdf(_attachment_swapped(printed, other), on=DAY)
    assert swapped.verdict.value == "INVALID"
    assert swapped.checks[0].code == "pdf_qr_mismatch"
    assert "different certificates" in swapped.summary
    # a redacted copy's print: the attachment is the redacted file, its QR code a reference
    redacted = scene.files["redacted"][1]
    assert verifier.verify_pdf(pdf.render_pdf(redacted), on=DAY).verdict.value == "VALID"
