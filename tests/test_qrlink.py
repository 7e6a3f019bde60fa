"""QR codes as portal links (origincert.qrlink) and the printed PDF's QR code (origincert.pdfqr)."""

from __future__ import annotations

import random
import shutil

import pytest
from fpdf import FPDF
from test_pdf import certificate
from test_qr import make_issued

from origincert import pdf, pdfqr, qr, qrlink
from origincert.errors import DocumentError

ALPHANUMERIC = set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")  # QR alphanumeric mode


@pytest.fixture(scope="module")
def issued() -> dict:
    return make_issued(certificate(3, 2), random.Random(3))


def test_a_link_round_trips_and_stays_alphanumeric(issued: dict) -> None:
    payload = qr.encode_payload(issued)
    link = qrlink.make_link("https://portal.customs.example/", payload)
    assert link.startswith("HTTPS://PORTAL.CUSTOMS.EXAMPLE/V#" + qr.EMBEDDED_PREFIX)
    fragment = link.partition("#")[2]
    assert " " not in fragment and set(link) - ALPHANUMERIC == {"#"}
    assert qrlink.payload_of(link) == payload
    assert qrlink.payload_of(f"  {payload}\n") == payload  # the old bare form
    # a link costs a few QR versions at most, not a different code
    assert qr.qr_version(link) - qr.qr_version(payload) <= 3


def test_percent_signs_in_the_payload_survive() -> None:
    payload = "OC1R:%20 %25"
    assert qrlink.payload_of(qrlink.make_link("https://p.example", payload)) == payload


@pytest.mark.parametrize(
    "text", ["https://example.com/", "https://example.com/V#hello", "HTTP://X/V#%ZZ"]
)
def test_a_link_without_a_payload_is_refused_by_name(text: str) -> None:
    with pytest.raises(DocumentError, match="web address") as info:
        qrlink.payload_of(text)
    assert info.value.code == "qr_not_origincert"


def test_bad_portal_urls_and_payloads_are_refused() -> None:
    with pytest.raises(DocumentError, match="https://"):
        qrlink.make_link("portal.example", "OC1:AB")
    with pytest.raises(DocumentError):
        qrlink.make_link("https://portal.example", "hello")
    with pytest.raises(DocumentError):
        qrlink.payload_of("OC1:" + "A" * qrlink.MAX_LINK_CHARS)


needs_poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="no pdftoppm")


@needs_poppler
def test_the_qr_code_is_read_from_the_printed_pdf(issued: dict) -> None:
    assert pdfqr.qr_text_from_pdf(pdf.render_pdf(issued)) == qr.encode_payload(issued)


@needs_poppler
def test_pdfs_that_hold_no_code_are_refused_clearly() -> None:
    blank = FPDF()
    blank.add_page()
    with pytest.raises(DocumentError) as info:
        pdfqr.qr_text_from_pdf(bytes(blank.output()))
    assert info.value.code == "pdf_no_qr"
    with pytest.raises(DocumentError) as info:
        pdfqr.qr_text_from_pdf(b"%PDF-1.7\nnot really")
    assert info.value.code == "pdf_unreadable"
    with pytest.raises(DocumentError) as info:
        pdfqr.qr_text_from_pdf(b"%PDF-" + b"0" * pdfqr.MAX_PDF_BYTES)
    assert info.value.code == "pdf_too_large"
