"""Which credential form an input is, from its bytes: the one sniffing rule for CLI and portal.

A W3C credential secured with Data Integrity is JSON with an ``@context`` (and no issued-file
``format``); a UNTP credential is a compact ``vc+jwt`` (the text of a ``.jwt`` file) or the
``EnvelopedVerifiableCredential`` JSON that carries one. Anything else is left to the issued-file
verifier, which explains what is wrong with it. Bounded by the one JSON reader.
"""

from __future__ import annotations

import enum
import re
from typing import Any

from origincert.errors import DocumentError
from origincert.interop.errors import InteropError
from origincert.safejson import load_json

__all__ = ["ENVELOPE_PREFIX", "MAX_CREDENTIAL_BYTES", "Form", "envelope_token", "sniff_credential"]

MAX_CREDENTIAL_BYTES = 2_000_000  # a 50-item credential with its salts is well under 500 kB
ENVELOPE_PREFIX = "data:application/vc+jwt,"
_COMPACT = re.compile(rb"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


class Form(enum.Enum):
    DATA_INTEGRITY = "vc"  # JSON-LD with an ecdsa-sd-2023 base or derived proof
    JWT = "vc_jwt"  # UNTP: compact vc+jwt, or its EnvelopedVerifiableCredential


def sniff_credential(raw: bytes) -> tuple[Form, Any] | None:
    """``(form, payload)`` for a credential (payload: the parsed JSON, or the token text), None
    for anything else (an issued file, garbage: the issued-file verifier reports it)."""
    text = raw.strip(b" \t\r\n")
    if len(text) <= MAX_CREDENTIAL_BYTES and _COMPACT.fullmatch(text):
        return Form.JWT, text.decode("ascii")
    try:
        data = load_json(raw, max_bytes=MAX_CREDENTIAL_BYTES)
    except DocumentError:
        return None
    if not isinstance(data, dict) or "format" in data:
        return None
    if _is_envelope(data):
        return Form.JWT, data
    if "@context" in data:
        return Form.DATA_INTEGRITY, data
    return None


def _is_envelope(data: dict[str, Any]) -> bool:
    types = data.get("type")
    return types == "EnvelopedVerifiableCredential" or (
        isinstance(types, list) and "EnvelopedVerifiableCredential" in types
    )


def envelope_token(payload: Any) -> str:
    """The compact JWT of a sniffed JWT payload (the token itself, or its envelope's ``id``)."""
    if isinstance(payload, str):
        return payload
    ident = payload.get("id") if isinstance(payload, dict) else None
    if not isinstance(ident, str) or not ident.startswith(ENVELOPE_PREFIX):
        raise InteropError(
            f"the enveloped credential's id must be {ENVELOPE_PREFIX}<compact JWT>",
            code="jwt_malformed",
        )
    return ident.removeprefix(ENVELOPE_PREFIX)
