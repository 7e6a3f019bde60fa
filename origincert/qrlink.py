"""A QR code any phone camera opens: the portal's verification page, the payload in the fragment.

``HTTPS://PORTAL.EXAMPLE/V#OC2:…`` opens the portal's public page, which decodes the payload in
the browser: the part after ``#`` is never sent to a server. The scheme and host are written in
capitals and the payload's space and ``%`` percent-encoded, so the whole link stays in the QR
code's compact alphanumeric mode. Readers (the portal's scanner, ``verify --qr``) accept the
link and the bare payload alike, through :func:`payload_of`.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from origincert.errors import DocumentError

__all__ = ["LINK_PATH", "MAX_LINK_CHARS", "is_link", "make_link", "payload_of", "segments"]

LINK_PATH = "/V"  # the portal's public verification page (served at /V and /v)
MAX_LINK_CHARS = 6000  # more than any QR code holds
_PAYLOAD = re.compile(r"OC[0-9]+R?:")
_LINK = re.compile(r"https?://", re.IGNORECASE)
_ALNUM = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")  # QR alphanumeric mode


def make_link(portal_url: str, payload: str) -> str:
    """The QR text for ``payload`` as a link to ``portal_url``'s verification page."""
    parts = urlsplit(portal_url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise DocumentError(
            f"the portal URL must start with https:// (or http://), not {portal_url[:60]!r}",
            code="portal_url_invalid",
        )
    if _PAYLOAD.match(payload) is None:
        raise DocumentError("not an origincert QR payload", code="qr_payload_malformed")
    base = f"{parts.scheme.upper()}://{parts.netloc.upper()}{parts.path.rstrip('/')}"
    return base + LINK_PATH + "#" + payload.replace("%", "%25").replace(" ", "%20")


def segments(text: str) -> list[tuple[str, int]] | None:
    """QR segments for a link: the ``#`` (not in the alphanumeric set) as one byte, the rest
    alphanumeric where it can be, so a link costs little more than its bare payload. None for
    anything that is not a link with a fragment (encoded as one segment, as before)."""
    if not is_link(text) or "#" not in text:
        return None
    from segno import consts

    base, _, fragment = text.partition("#")
    out: list[tuple[str, int]] = []
    for part in (base, "#", fragment):
        if part:
            alnum = set(part) <= _ALNUM
            out.append((part, consts.MODE_ALPHANUMERIC if alnum else consts.MODE_BYTE))
    return out


def is_link(text: str) -> bool:
    return _LINK.match(text.strip()) is not None


def payload_of(text: str) -> str:
    """The origincert payload in a QR code's text: the text itself, or a link's fragment.

    DocumentError ``qr_not_origincert`` for a link or text that carries no origincert payload.
    """
    text = text.strip()
    if len(text) > MAX_LINK_CHARS:
        raise DocumentError(
            f"the QR text is longer than any QR code holds ({len(text)} characters)",
            code="qr_payload_malformed",
        )
    if not is_link(text):
        return text  # a bare payload (or garbage, which the decoder explains)
    fragment = text.partition("#")[2]
    payload = unquote(fragment)
    if _PAYLOAD.match(payload) is None:
        raise DocumentError(
            "this QR code is a web address, not an origincert certificate code: "
            "look for the certificate's own QR code (box 11 of the printed form)",
            code="qr_not_origincert",
        )
    return payload
