"""The PDF reader runs poppler under CPU and memory limits, so a hostile PDF cannot take a worker's
CPU or memory: with a limit too small for poppler to run at all, the PDF is refused, not read."""

import io
import json
import random
import time

import pytest
from PIL import Image
from test_qr import make_issued

from origincert import pdf, pdfqr
from origincert.devtools.samples import sample_certificate
from origincert.document import parse_certificate
from origincert.errors import DocumentError


def _blank_pdf() -> bytes:
    out = io.BytesIO()
    Image.new("L", (200, 200), 255).save(out, "PDF")
    return out.getvalue()


def test_a_readable_pdf_without_a_qr_code_says_so() -> None:
    with pytest.raises(DocumentError) as err:
        pdfqr.qr_text_from_pdf(_blank_pdf())
    assert err.value.code == "pdf_no_qr"


def test_the_renderer_runs_under_the_memory_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdfqr, "MEMORY_BYTES", 4 * 1024 * 1024)  # too small for poppler to start
    with pytest.raises(DocumentError) as err:
        pdfqr.qr_text_from_pdf(_blank_pdf())
    assert err.value.code == "pdf_unreadable"


# The issued file attached to the print (issue 11), and the bounds on reading attachments.


def _issued(seed: int = 5) -> dict:
    rng = random.Random(seed)
    return make_issued(parse_certificate(sample_certificate(rng, items=2)).to_json(), rng)


def _with_attachments(files: dict[str, bytes]) -> bytes:
    """A one-page PDF with ``files`` attached (compressed, as a bomb would be), by fpdf2."""
    from fpdf import FPDF

    doc = FPDF()
    doc.add_page()
    for name, data in files.items():
        doc.embed_file(bytes=data, basename=name, compress=True)
    return bytes(doc.output())


def test_the_print_carries_the_issued_file_and_both_agree() -> None:
    issued = _issued()
    printed = pdf.render_pdf(issued)
    attached = pdfqr.attached_issued_file(printed)
    assert attached is not None and json.loads(attached) == issued
    both = pdfqr.read_printed(printed)
    assert both.attached == attached and both.qr_text is not None
    assert pdfqr.same_certificate(both.attached, both.qr_text) is True


def test_an_attachment_and_a_qr_code_of_two_certificates_disagree() -> None:
    one, other = _issued(5), _issued(6)
    printed = pdf.render_pdf(one)
    swapped = _with_attachments({"x.coo.json": json.dumps(other).encode()})
    assert pdfqr.attached_issued_file(swapped) == json.dumps(other).encode()
    qr_text = pdfqr.qr_text_from_pdf(printed)
    assert pdfqr.same_certificate(json.dumps(other).encode(), qr_text) is False
    assert pdfqr.same_certificate(b"{not json", qr_text) is None  # the verifier says why


def test_a_pdf_without_an_issued_file_attached_has_none() -> None:
    assert pdfqr.attached_issued_file(_blank_pdf()) is None
    assert pdfqr.attached_issued_file(_with_attachments({"invoice.txt": b"hello"})) is None


def test_attachments_are_bounded_in_count_and_inflated_size() -> None:
    many = _with_attachments({f"a{i}.txt": b"x" for i in range(pdfqr.MAX_ATTACHMENTS + 1)})
    with pytest.raises(DocumentError) as err:
        pdfqr.attached_issued_file(many)
    assert err.value.code == "pdf_attachments_too_many"
    two = _with_attachments({"a.coo.json": b"{}", "b.coo.json": b"{}"})
    with pytest.raises(DocumentError) as err:
        pdfqr.attached_issued_file(two)
    assert err.value.code == "pdf_attachment_ambiguous"
    # 50 MB of zeros compresses to about 50 KB: the writer is stopped at the limit
    bomb = _with_attachments({"bomb.coo.json": b"0" * 50_000_000})
    assert len(bomb) < 200_000
    started = time.monotonic()
    with pytest.raises(DocumentError) as err:
        pdfqr.attached_issued_file(bomb)
    assert err.value.code == "pdf_attachment_too_large"
    assert time.monotonic() - started < pdfqr.TIMEOUT_SECONDS
