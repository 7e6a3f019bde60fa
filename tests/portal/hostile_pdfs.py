"""Hostile PDFs, built byte by byte: a decompression bomb drawn on the page, a page tree claiming
millions of pages, objects nested past any parser's depth, a gigantic page, an attachment bomb.
Each is small to send and costly to read without bounds."""

from __future__ import annotations

import zlib

__all__ = ["HOSTILE_PDFS"]


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF of ``objects`` (numbered from 1; object 1 the catalog) with a correct xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return (
        b"<< /Length %d /Filter /FlateDecode %s>>\nstream\n" % (len(data), extra)
        + data
        + (b"\nendstream")
    )


def _deflated(unit: bytes, total: int) -> bytes:
    """``unit`` repeated to ``total`` bytes, deflated in pieces (the whole never in memory)."""
    packer = zlib.compressobj(9)
    piece = unit * (1_000_000 // len(unit))
    out = [packer.compress(piece) for _ in range(total // len(piece))]
    return b"".join(out) + packer.flush()


def _page(content: bytes, media_box: bytes = b"[0 0 595 842]") -> list[bytes]:
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox " + media_box + b" /Contents 4 0 R >>",
        _stream(content),
    ]


def content_bomb() -> bytes:
    """400 MB of fill operators behind about 1 MB of deflate: the renderer draws until stopped."""
    return _pdf(_page(_deflated(b"0 0 595 842 re f\n", 400_000_000)))


def million_pages() -> bytes:
    """A page tree that lists one page 400,000 times and claims ten million."""
    kids = b"[" + b"3 0 R " * 400_000 + b"]"
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids " + kids + b" /Count 10000000 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            _stream(zlib.compress(b"0 0 10 10 re f\n")),
        ]
    )


def deep_nesting() -> bytes:
    """Arrays and dictionaries nested 300,000 deep in the catalog and on the page."""
    deep = b"[" * 150_000 + b"]" * 150_000 + b" " + b"<< /A " * 75_000 + b">>" * 75_000
    objects = _page(zlib.compress(b"0 0 10 10 re f\n"))
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R /Deep " + deep + b" >>"
    return _pdf(objects)


def giant_page() -> bytes:
    """One page 14,400 inches square (the format's largest), with a pattern to fill it."""
    return _pdf(_page(zlib.compress(b"0 0 1036800 1036800 re f\n" * 100), b"[0 0 1036800 1036800]"))


def attachment_bomb() -> bytes:
    """An issued-file attachment of 300 MB of spaces behind about 300 KB of deflate."""
    data = _deflated(b" ", 300_000_000)
    return _pdf(
        [
            (
                b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names "
                b"[(bomb.coo.json) 5 0 R] >> >> >>"
            ),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            _stream(zlib.compress(b"0 0 10 10 re f\n")),
            b"<< /Type /Filespec /F (bomb.coo.json) /UF (bomb.coo.json) /EF << /F 6 0 R >> >>",
            _stream(data, b"/Type /EmbeddedFile "),
        ]
    )


HOSTILE_PDFS = {
    "content bomb": content_bomb,
    "ten million pages": million_pages,
    "deep nesting": deep_nesting,
    "giant page": giant_page,
    "attachment bomb": attachment_bomb,
}
