"""P-256 keys as Multikey strings and did:key identifiers (W3C Controlled Identifiers, Multikey).

A Multikey is multibase base58btc ('z') over a multicodec varint header and the key bytes:
``0x80 0x24`` (p256-pub, 0x1200) + 33-byte compressed point, or ``0x86 0x26`` (p256-priv,
0x1306) + 32-byte scalar.
"""

from __future__ import annotations

import multibase

from origincert.interop.errors import InteropError

__all__ = [
    "P256_PRIV_HEADER",
    "P256_PUB_HEADER",
    "decode_multibase",
    "decode_public_multikey",
    "decode_secret_multikey",
    "did_key_verification_method",
    "encode_public_multikey",
    "encode_secret_multikey",
]

P256_PUB_HEADER = b"\x80\x24"
P256_PRIV_HEADER = b"\x86\x26"


def decode_multibase(value: str, *, expected_prefix: str) -> bytes:
    """Decode a multibase string, insisting on one base so two encodings cannot name one key."""
    if not isinstance(value, str) or not value.startswith(expected_prefix):
        raise InteropError(
            f"expected a multibase value starting with {expected_prefix!r}",
            code="multibase_invalid",
        )
    try:
        return bytes(multibase.decode(value))
    except Exception as exc:  # the library raises ValueError or binascii errors
        raise InteropError("the multibase value does not decode", code="multibase_invalid") from exc


def encode_public_multikey(compressed_point: bytes) -> str:
    """Multikey of a compressed P-256 public point (33 bytes, 0x02/0x03 prefix)."""
    if len(compressed_point) != 33 or compressed_point[0] not in (2, 3):
        raise InteropError("a P-256 public key is 33 compressed bytes", code="key_invalid")
    return multibase.encode("base58btc", P256_PUB_HEADER + compressed_point).decode("ascii")


def decode_public_multikey(value: str) -> bytes:
    """The compressed point inside a P-256 public Multikey; any other key type is refused."""
    raw = decode_multibase(value, expected_prefix="z")
    if raw[:2] != P256_PUB_HEADER or len(raw) != 35 or raw[2] not in (2, 3):
        raise InteropError("not a P-256 public Multikey", code="key_unsupported")
    return raw[2:]


def decode_public_multikey_bytes(raw: bytes) -> bytes:
    """The compressed point of header-prefixed public key bytes (as ecdsa-sd-2023 carries them)."""
    if raw[:2] != P256_PUB_HEADER or len(raw) != 35 or raw[2] not in (2, 3):
        raise InteropError("not a P-256 public Multikey", code="key_unsupported")
    return raw[2:]


def encode_secret_multikey(scalar: bytes) -> str:
    """Multikey of a P-256 secret scalar (32 bytes); only for keystores and test vectors."""
    if len(scalar) != 32:
        raise InteropError("a P-256 secret key is 32 bytes", code="key_invalid")
    return multibase.encode("base58btc", P256_PRIV_HEADER + scalar).decode("ascii")


def decode_secret_multikey(value: str) -> bytes:
    """The 32-byte scalar inside a P-256 secret Multikey."""
    raw = decode_multibase(value, expected_prefix="z")
    if raw[:2] != P256_PRIV_HEADER or len(raw) != 34:
        raise InteropError("not a P-256 secret Multikey", code="key_unsupported")
    return raw[2:]


def did_key_verification_method(public_multikey: str) -> str:
    """The did:key verification method id of a public Multikey (did:key is for tests only)."""
    decode_public_multikey(public_multikey)
    return f"did:key:{public_multikey}#{public_multikey}"
