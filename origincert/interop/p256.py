"""ECDSA over P-256 with SHA-256, raw r||s signatures, deterministic (RFC 6979) signing.

Deterministic nonces make the W3C vectors reproducible byte for byte and remove the risk of a
weak random nonce. Both directions use ``cryptography`` (OpenSSL; RFC 6979 through
``deterministic_signing``): an ecdsa-sd-2023 proof signs every statement, thousands for a large
certificate, so a pure-Python signer would dominate the export time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from origincert.interop.errors import InteropError
from origincert.interop.multikey import (
    decode_public_multikey,
    decode_secret_multikey,
    encode_public_multikey,
    encode_secret_multikey,
)

__all__ = ["P256KeyPair", "generate_key_pair", "verify_p256"]

_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551  # n of P-256


@dataclass(frozen=True, repr=False)
class P256KeyPair:
    """A P-256 key pair; ``repr`` never shows the secret."""

    secret: bytes
    public: bytes  # compressed point, 33 bytes
    _private: ec.EllipticCurvePrivateKey = field(compare=False, repr=False)

    def __repr__(self) -> str:
        return f"P256KeyPair(public={self.public_multikey})"

    @classmethod
    def from_secret(cls, secret: bytes) -> P256KeyPair:
        if len(secret) != 32 or not 0 < int.from_bytes(secret, "big") < _ORDER:
            raise InteropError("not a P-256 secret key", code="key_invalid")
        private = ec.derive_private_key(int.from_bytes(secret, "big"), ec.SECP256R1())
        public = private.public_key().public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
        return cls(secret=secret, public=public, _private=private)

    @classmethod
    def from_multikey(cls, secret_multikey: str) -> P256KeyPair:
        return cls.from_secret(decode_secret_multikey(secret_multikey))

    @property
    def public_multikey(self) -> str:
        return encode_public_multikey(self.public)

    @property
    def secret_multikey(self) -> str:
        return encode_secret_multikey(self.secret)

    def sign(self, data: bytes) -> bytes:
        """ES256 over ``data`` (hashed here with SHA-256); 64-byte r||s, RFC 6979 nonce."""
        r, s = decode_dss_signature(
            self._private.sign(data, ec.ECDSA(hashes.SHA256(), deterministic_signing=True))
        )
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def generate_key_pair() -> P256KeyPair:
    """A fresh P-256 key pair from the operating system's random source."""
    key = ec.generate_private_key(ec.SECP256R1())
    return P256KeyPair.from_secret(key.private_numbers().private_value.to_bytes(32, "big"))


def verify_p256(public: bytes | str, data: bytes, signature: bytes) -> bool:
    """True when ``signature`` (64-byte r||s) is ES256 over ``data`` by ``public``.

    ``public`` is a compressed point or a public Multikey string. High-s signatures verify
    (ECDSA allows both; JavaScript signers produce either).
    """
    point = decode_public_multikey(public) if isinstance(public, str) else public
    if len(signature) != 64:
        return False
    try:
        key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError as exc:
        raise InteropError("the public key is not a P-256 point", code="key_invalid") from exc
    r = int.from_bytes(signature[:32], "big")
    s = int.from_bytes(signature[32:], "big")
    if not (0 < r < _ORDER and 0 < s < _ORDER):
        return False
    try:
        key.verify(encode_dss_signature(r, s), data, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True
