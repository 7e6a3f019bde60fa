"""The printed PDF as input: its pages are rasterised (poppler's ``pdftoppm``) and the
certificate's QR code is read from them, so an officer can verify the PDF an exporter emailed.

Bounded so that no PDF costs more than a few seconds: its size, the pages looked at, the pixels
per page, and the wall time, CPU time and memory ``pdftoppm`` may take are all capped (the last
two by util-linux ``prlimit``, which sets the limits in the child before poppler reads a byte;
``preexec_fn`` is not safe in a threaded server).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from origincert.errors import DocumentError

__all__ = ["MAX_PAGES", "MAX_PDF_BYTES", "is_pdf", "qr_text_from_pdf"]

MAX_PDF_BYTES = 20_000_000
MAX_PAGES = 3  # the QR code is on page 1; continuation sheets follow
PAGE_PIXELS = 2400  # the long side of a rendered page: an A4 page at about 200 dpi
TIMEOUT_SECONDS = 15.0
CPU_SECONDS = 5  # poppler's CPU time for the few pages it renders
MEMORY_BYTES = 512 * 1024 * 1024  # address space of the renderer


def is_pdf(data: bytes) -> bool:
    return data[:1024].lstrip(b"\r\n\t ").startswith(b"%PDF-")


def _render(data: bytes, folder: Path) -> list[Path]:
    exe = shutil.which("pdftoppm")
    if exe is None:
        raise DocumentError(
            "this machine cannot read PDF files (poppler-utils is not installed)",
            code="pdf_reader_missing",
        )
    limit = shutil.which("prlimit")
    if limit is None:
        raise DocumentError(
            "this machine cannot bound the PDF reader (util-linux prlimit is missing)",
            code="pdf_reader_missing",
        )
    source = folder / "in.pdf"
    source.write_bytes(data)
    try:
        done = subprocess.run(
            [limit, f"--cpu={CPU_SECONDS}", f"--as={MEMORY_BYTES}", "--",
             exe, "-q", "-png", "-gray", "-f", "1", "-l", str(MAX_PAGES),
             "-scale-to", str(PAGE_PIXELS), str(source), str(folder / "page")],
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        raise DocumentError(
            f"the PDF took longer than {TIMEOUT_SECONDS:.0f} s to read", code="pdf_too_slow"
        ) from None
    pages = sorted(folder.glob("page*.png"))
    if done.returncode != 0 or not pages:
        raise DocumentError("the file is not a readable PDF", code="pdf_unreadable")
    return pages


def qr_text_from_pdf(data: bytes) -> str:
    """The text of the certificate QR code printed in a PDF (first pages only).

    DocumentError ``pdf_too_large``, ``pdf_unreadable``, ``pdf_too_slow`` or ``pdf_no_qr``.
    """
    from origincert.qr import read_qr_image

    if len(data) > MAX_PDF_BYTES:
        raise DocumentError(
            f"the PDF is too large ({len(data)} bytes; the limit is {MAX_PDF_BYTES})",
            code="pdf_too_large",
        )
    if not is_pdf(data):
        raise DocumentError("the file is not a PDF", code="pdf_unreadable")
    with tempfile.TemporaryDirectory(prefix="origincert-pdf-") as tmp:
        for page in _render(bytes(data), Path(tmp)):
            try:
                return read_qr_image(page.read_bytes())
            except DocumentError:
                continue
    raise DocumentError(
        f"no QR code could be read on the first {MAX_PAGES} pages of the PDF", code="pdf_no_qr"
    )
