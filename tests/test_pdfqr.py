"""The PDF reader runs poppler under CPU and memory limits, so a hostile PDF cannot take a worker's
CPU or memory: with a limit too small for poppler to run at all, the PDF is refused, not read."""

import io

import pytest
from PIL import Image

from origincert import pdfqr
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
