"""Attachments stored by content: the file's SHA-256 names it, so a path never comes from a user,
the same file is stored once, and what is served is checked against the hash it was stored as.

Only PDF, PNG and JPEG are taken, recognised by their first bytes (not by the name or the
declared type), up to a size limit.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from origincert.desk.errors import Invalid, NotFound

__all__ = ["ATTACHMENT_KINDS", "BlobStore", "sniff"]

ATTACHMENT_KINDS = ("invoice", "packing_list", "bill_of_lading", "other")
_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
_SHA = re.compile(r"^[0-9a-f]{64}$")
_PDF_VERSION = re.compile(rb"^%PDF-[12]\.[0-9]")
# a ZIP archive's end record: a file that opens as a PDF or an image *and* as an archive (a
# polyglot, e.g. a .docm or a .jar behind a PDF header) is refused
_ZIP_END = b"PK\x05\x06"
_ZIP_TAIL = 65_535 + 22
# PDF actions that run something when the file is opened (only when not compressed inside an
# object stream: served attachments are download-only and sandboxed besides)
_PDF_ACTIVE = re.compile(rb"/(?:JavaScript|JS|Launch|EmbeddedFile|RichMedia|XFA)\b")


def _refuse(words: str) -> Invalid:
    return Invalid(f"the file {words}", code="attachment_type", problems=[("file", words)])


def sniff(data: bytes) -> str:
    """The media type of a well-formed PDF, PNG or JPEG, or Invalid ``attachment_type`` saying
    what is wrong. Recognised by content: what the file is called or declared as is ignored."""
    media_type = next((m for magic, m in _MAGIC if data.startswith(magic)), None)
    if media_type is None:
        raise _refuse("must be a PDF, PNG or JPEG file")
    if _ZIP_END in data[-_ZIP_TAIL:]:
        raise _refuse("is also a ZIP archive; attach the PDF or image alone")
    if media_type == "application/pdf":
        if not _PDF_VERSION.match(data) or b"%%EOF" not in data[-1024:]:
            raise _refuse("is not a complete PDF (no version or no end-of-file marker)")
        if _PDF_ACTIVE.search(data):
            raise _refuse("is a PDF with scripts, launch actions or embedded files")
    elif media_type == "image/png":
        if data[12:16] != b"IHDR" or not data.endswith(b"IEND\xaeB`\x82"):
            raise _refuse("is not a complete PNG image")
    elif not data.rstrip(b"\x00").endswith(b"\xff\xd9"):
        raise _refuse("is not a complete JPEG image")
    return media_type


class BlobStore:
    """Files under ``root/ab/abcdef...``; written atomically, read back verified."""

    def __init__(self, root: str | os.PathLike[str], max_bytes: int) -> None:
        self.root = Path(root)
        self.max_bytes = max_bytes

    def _path(self, sha256: str) -> Path:
        if not _SHA.fullmatch(sha256):
            raise NotFound("no such file", code="attachment_unknown")
        return self.root / sha256[:2] / sha256

    def put(self, data: bytes) -> tuple[str, str]:
        """Store ``data``; returns (sha256, media type). Raises Invalid before writing anything."""
        if not data:
            raise Invalid(
                "the file is empty", code="attachment_empty", problems=[("file", "is empty")]
            )
        if len(data) > self.max_bytes:
            raise Invalid(
                f"the file has {len(data)} bytes; the limit is {self.max_bytes}",
                code="attachment_too_large",
                problems=[("file", f"must be at most {self.max_bytes // 1024} KiB")],
            )
        media_type = sniff(data)
        sha = hashlib.sha256(data).hexdigest()
        path = self._path(sha)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        return sha, media_type

    def get(self, sha256: str) -> bytes:
        """The stored bytes; NotFound when missing or when they no longer match their hash."""
        path = self._path(sha256)
        try:
            data = path.read_bytes()
        except OSError:
            raise NotFound(
                "the file is missing from the store", code="attachment_missing"
            ) from None
        if hashlib.sha256(data).hexdigest() != sha256:
            raise NotFound("the stored file is damaged", code="attachment_damaged")
        return data
