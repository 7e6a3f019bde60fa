"""What an uploaded file is, from its first bytes: a certificate file, a photo, or neither.

The browser's file name and content type are the sender's claims; the bytes decide.
"""

from __future__ import annotations

import enum

__all__ = ["Kind", "sniff"]


class Kind(enum.Enum):
    CERTIFICATE = "certificate"  # JSON text: an issued file (or something pretending to be one)
    IMAGE = "image"  # a photo or screenshot of a QR code
    PDF = "pdf"  # the printed certificate: its QR code must be scanned
    UNKNOWN = "unknown"


_IMAGE_MAGIC = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",  # JPEG
    b"GIF87a",
    b"GIF89a",
    b"BM",  # BMP
)


def sniff(data: bytes) -> Kind:
    head = data[:64]
    if head.startswith(_IMAGE_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return Kind.IMAGE
    if head.startswith(b"%PDF-"):
        return Kind.PDF
    text = head.lstrip(b" \t\r\n")
    if text.startswith((b"{", b"\xef\xbb\xbf")):
        return Kind.CERTIFICATE  # the verifier explains what is wrong with a bad one (and a BOM)
    return Kind.UNKNOWN
