"""The printed PDF as input: the issued file attached to it (poppler's ``pdfdetach``), and the
certificate's QR code read from its rasterised pages (``pdftoppm``), so an officer can verify the
PDF an exporter emailed. origincert's own print attaches the issued file; when both are there
they must be the same certificate (:func:`same_certificate`), else the PDF was altered.

Bounded so that no PDF costs more than a few seconds: its size, the pages looked at, the pixels
per page, the attachments (how many, how large once inflated), and the wall time, CPU time,
memory and file size poppler may take are all capped (the last by util-linux ``prlimit``, which
sets the limits in the child before poppler reads a byte; ``preexec_fn`` is not safe in a
threaded server).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from origincert.errors import DocumentError, OriginCertError

__all__ = [
    "ATTACHMENT_SUFFIX",
    "MAX_ATTACHMENTS",
    "MAX_ATTACHMENT_BYTES",
    "MAX_PAGES",
    "MAX_PDF_BYTES",
    "Printed",
    "attached_issued_file",
    "is_pdf",
    "qr_text_from_pdf",
    "read_printed",
    "same_certificate",
]

MAX_PDF_BYTES = 20_000_000
MAX_PAGES = 3  # the QR code is on page 1; continuation sheets follow
PAGE_PIXELS = 2400  # the long side of a rendered page: an A4 page at about 200 dpi
TIMEOUT_SECONDS = 15.0
CPU_SECONDS = 5  # poppler's CPU time for the few pages it renders
MEMORY_BYTES = 512 * 1024 * 1024  # address space of the renderer
MAX_ATTACHMENTS = 8  # a print attaches one file; a PDF listing more is refused unread
MAX_ATTACHMENT_BYTES = 1_000_000  # an issued file is at most 1 MB (the verifier's own limit)
ATTACHMENT_SUFFIX = ".coo.json"


def is_pdf(data: bytes) -> bool:
    return data[:1024].lstrip(b"\r\n\t ").startswith(b"%PDF-")


def _poppler(
    tool: str, args: list[str], *, deadline: float, file_bytes: int | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run a poppler tool bounded in CPU time, memory, wall time (until ``deadline``, a
    ``time.monotonic()`` shared by every run for one PDF) and (``file_bytes``) the size of any
    file it writes."""
    exe = shutil.which(tool)
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
    bounds = [f"--cpu={CPU_SECONDS}", f"--as={MEMORY_BYTES}"]
    if file_bytes is not None:
        bounds.append(f"--fsize={file_bytes}")
    left = deadline - time.monotonic()
    try:
        if left <= 0:
            raise subprocess.TimeoutExpired(tool, 0)
        return subprocess.run(
            [limit, *bounds, "--", exe, *args], capture_output=True, timeout=left, check=False
        )
    except subprocess.TimeoutExpired:
        raise DocumentError(
            f"the PDF took longer than {TIMEOUT_SECONDS:.0f} s to read", code="pdf_too_slow"
        ) from None


def _render(data: bytes, folder: Path, deadline: float) -> list[Path]:
    source = folder / "in.pdf"
    source.write_bytes(data)
    done = _poppler(
        "pdftoppm",
        ["-q", "-png", "-gray", "-f", "1", "-l", str(MAX_PAGES),
         "-scale-to", str(PAGE_PIXELS), str(source), str(folder / "page")],
        deadline=deadline,
        file_bytes=64 * 1024 * 1024,
    )  # fmt: skip
    pages = sorted(folder.glob("page*.png"))
    if done.returncode != 0 or not pages:
        raise DocumentError("the file is not a readable PDF", code="pdf_unreadable")
    return pages


def qr_text_from_pdf(data: bytes, *, deadline: float | None = None) -> str:
    """The text of the certificate QR code printed in a PDF (first pages only).

    DocumentError ``pdf_too_large``, ``pdf_unreadable``, ``pdf_too_slow`` or ``pdf_no_qr``.
    """
    from origincert.qr import read_qr_image

    _check_size(data)
    deadline = deadline if deadline is not None else time.monotonic() + TIMEOUT_SECONDS
    with tempfile.TemporaryDirectory(prefix="origincert-pdf-") as tmp:
        for page in _render(bytes(data), Path(tmp), deadline):
            try:
                return read_qr_image(page.read_bytes())
            except DocumentError:
                continue
    raise DocumentError(
        f"no QR code could be read on the first {MAX_PAGES} pages of the PDF", code="pdf_no_qr"
    )


_LISTED = re.compile(r"^([0-9]+): (.*)$")


def _check_size(data: bytes) -> None:
    if len(data) > MAX_PDF_BYTES:
        raise DocumentError(
            f"the PDF is too large ({len(data)} bytes; the limit is {MAX_PDF_BYTES})",
            code="pdf_too_large",
        )
    if not is_pdf(data):
        raise DocumentError("the file is not a PDF", code="pdf_unreadable")


def attached_issued_file(data: bytes, *, deadline: float | None = None) -> bytes | None:
    """The issued file (``*.coo.json``) attached to a PDF, None when it carries none.

    DocumentError ``pdf_too_large``, ``pdf_unreadable``, ``pdf_too_slow``,
    ``pdf_attachments_too_many`` (more than MAX_ATTACHMENTS listed), ``pdf_attachment_ambiguous``
    (two issued files) or ``pdf_attachment_too_large`` (over MAX_ATTACHMENT_BYTES once inflated:
    the writer is stopped at that size, so a compressed bomb never fills the disk).
    """
    _check_size(data)
    deadline = deadline if deadline is not None else time.monotonic() + TIMEOUT_SECONDS
    with tempfile.TemporaryDirectory(prefix="origincert-pdf-") as tmp:
        source = Path(tmp) / "in.pdf"
        source.write_bytes(data)
        listed = _poppler("pdfdetach", ["-enc", "UTF-8", "-list", str(source)], deadline=deadline)
        if listed.returncode != 0:
            raise DocumentError("the file is not a readable PDF", code="pdf_unreadable")
        names = [
            (int(m.group(1)), m.group(2))
            for m in map(_LISTED.match, listed.stdout.decode("utf-8", "replace").splitlines())
            if m
        ]
        if len(names) > MAX_ATTACHMENTS:
            raise DocumentError(
                f"the PDF lists {len(names)} attached files; a certificate PDF has one "
                f"(at most {MAX_ATTACHMENTS} are read)",
                code="pdf_attachments_too_many",
            )
        ours = [i for i, name in names if name.strip().lower().endswith(ATTACHMENT_SUFFIX)]
        if not ours:
            return None
        if len(ours) > 1:
            raise DocumentError(
                "the PDF has more than one certificate file attached; send the one to verify",
                code="pdf_attachment_ambiguous",
            )
        target = Path(tmp) / "attached.json"
        done = _poppler(
            "pdfdetach",
            ["-save", str(ours[0]), "-o", str(target), str(source)],
            deadline=deadline,
            file_bytes=MAX_ATTACHMENT_BYTES + 1,
        )
        size = target.stat().st_size if target.exists() else 0
        if size > MAX_ATTACHMENT_BYTES:
            raise DocumentError(
                f"the file attached to the PDF is larger than a certificate file "
                f"(the limit is {MAX_ATTACHMENT_BYTES} bytes)",
                code="pdf_attachment_too_large",
            )
        if done.returncode != 0:
            raise DocumentError(
                "the file attached to the PDF cannot be read", code="pdf_unreadable"
            )
        return target.read_bytes()


@dataclass(frozen=True, slots=True)
class Printed:
    """What a PDF offers: the attached issued file and the QR code's text (either may be None;
    ``qr_error`` says why no QR code was read)."""

    attached: bytes | None
    qr_text: str | None
    qr_error: OriginCertError | None = None


def read_printed(data: bytes) -> Printed:
    """Both sources of a PDF; DocumentError for the attachment's refusals (see
    :func:`attached_issued_file`). A QR code that cannot be read is recorded, not raised.
    Every poppler run for the PDF shares one wall-time budget of TIMEOUT_SECONDS."""
    deadline = time.monotonic() + TIMEOUT_SECONDS  # one budget for the whole PDF
    attached = attached_issued_file(data, deadline=deadline)
    try:
        return Printed(attached, qr_text_from_pdf(data, deadline=deadline))
    except OriginCertError as exc:
        return Printed(attached, None, exc)


def same_certificate(attached: bytes, qr_text: str) -> bool | None:
    """Whether the attached file and the printed QR code name the same certificate (the same
    target hash; a reference also the same number); None when either cannot be read as ours,
    so the verifier's own checks speak for it."""
    from origincert import qr, qrlink
    from origincert.issued import parse_issued, read_issued

    try:
        held = read_issued(attached, max_bytes=MAX_ATTACHMENT_BYTES)
        payload = qr.decode_payload(qrlink.payload_of(qr_text))
    except OriginCertError:
        return None
    if isinstance(payload, qr.CertificateReference):
        return payload.target_hash == held.target_hash and payload.number == held.number
    try:
        printed = parse_issued(payload.issued)
    except OriginCertError:
        return None
    return printed.target_hash == held.target_hash
