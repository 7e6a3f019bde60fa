"""Is a chamber's VC key the one the ledger registered for it when the certificate was issued?

``IssuerRegistry.setVcKey`` keeps, per issuing body, a history of VC key hashes, each vouching for
a span of the body's epochs (every change moves the epoch). An anchor record names the epoch it
was accepted in, so "the VC key of this certificate" is exact: ``vcKeyAt(issuerId, epoch)``. The
hash is ``keccak256`` of the 35 bytes of the P-256 public Multikey (header ``0x8024`` + compressed
point): :func:`vc_key_hash`, computed the same way by the contract from the key's coordinates.

Registering needs a proof of possession: the VC key's ES256 signature (low-s) over the EIP-712
digest of ``VcKeyPossession(bytes32 keyHash, uint64 issuerId)`` in the IssuerRegistry's domain, so
nobody can register, or squat on, a key it does not hold.

The check is pure: :class:`VcKeyRegistry` is any callable answering for an issued file and a key;
:func:`origincert.governance.ledger_vc_key_registry` is the one that asks the chain (this
package never talks to it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from cryptography.hazmat.primitives.asymmetric import ec
from eth_hash.auto import keccak

from origincert.interop.errors import InteropError
from origincert.interop.multikey import P256_PUB_HEADER, decode_public_multikey
from origincert.signing import DOMAIN_TYPEHASH, KEY_DOMAIN_NAME, KEY_DOMAIN_VERSION

if TYPE_CHECKING:
    from origincert.interop.p256 import P256KeyPair

__all__ = [
    "VC_KEY_POSSESSION_TYPE",
    "VcKeyFinding",
    "VcKeyPossession",
    "VcKeyRegistry",
    "unsupported_registry",
    "vc_key_finding",
    "vc_key_hash",
    "vc_key_possession",
    "vc_key_possession_digest",
]

VC_KEY_POSSESSION_TYPE = "VcKeyPossession(bytes32 keyHash,uint64 issuerId)"
_P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def vc_key_hash(public_multikey: str) -> bytes:
    """The 32-byte hash a chamber registers for its VC key."""
    return keccak(P256_PUB_HEADER + decode_public_multikey(public_multikey))


def vc_key_possession_digest(
    key_hash: bytes, issuer_id: int, chain_id: int, issuer_registry: str
) -> bytes:
    """The EIP-712 digest of ``VcKeyPossession(keyHash, issuerId)`` for the IssuerRegistry at
    ``issuer_registry``: computed here, never asked of a node (a lying node must not choose what
    the VC key signs)."""
    if len(key_hash) != 32 or not 0 < issuer_id < 2**32 or not 0 < chain_id < 2**256:
        raise InteropError("a VC key possession names a 32-byte hash and ids", code="key_invalid")
    address = bytes.fromhex(issuer_registry[2:])
    domain = keccak(
        DOMAIN_TYPEHASH
        + keccak(KEY_DOMAIN_NAME.encode())
        + keccak(KEY_DOMAIN_VERSION.encode())
        + chain_id.to_bytes(32, "big")
        + bytes(12)
        + address
    )
    struct = keccak(
        keccak(VC_KEY_POSSESSION_TYPE.encode()) + key_hash + issuer_id.to_bytes(32, "big")
    )
    return keccak(b"\x19\x01" + domain + struct)


@dataclass(frozen=True)
class VcKeyPossession:
    """What ``setVcKey`` takes: the key's affine coordinates and its low-s signature."""

    qx: bytes
    qy: bytes
    r: bytes
    s: bytes
    key_hash: bytes


def vc_key_possession(
    key: P256KeyPair, issuer_id: int, chain_id: int, issuer_registry: str
) -> VcKeyPossession:
    """The VC key proves it is held by the body registering it (OpenZeppelin's P256 takes only
    low-s signatures, so a high s is flipped to ``n - s``, an equally valid signature)."""
    point = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), key.public)
    numbers = point.public_numbers()
    key_hash = keccak(P256_PUB_HEADER + key.public)
    signature = key.sign(vc_key_possession_digest(key_hash, issuer_id, chain_id, issuer_registry))
    s = int.from_bytes(signature[32:], "big")
    if s > _P256_N // 2:
        s = _P256_N - s
    return VcKeyPossession(
        numbers.x.to_bytes(32, "big"),
        numbers.y.to_bytes(32, "big"),
        signature[:32],
        s.to_bytes(32, "big"),
        key_hash,
    )


@dataclass(frozen=True)
class VcKeyFinding:
    """The ledger's answer about a credential's VC key: ``code`` "ok" or a reason code;
    ``skipped`` when the ledger has nothing to judge by (no anchor: the evidence layer says so)."""

    code: str
    message: str
    skipped: bool = False

    @property
    def ok(self) -> bool:
        return self.code == "ok" and not self.skipped


class VcKeyRegistry(Protocol):
    def __call__(self, issued: Mapping[str, Any], public_multikey: str) -> VcKeyFinding | None:
        """Was ``public_multikey`` the VC key of the issued file's issuing body when its batch
        was anchored? None when the ledger cannot tell (no ledger consulted)."""


def unsupported_registry(issued: Mapping[str, Any], public_multikey: str) -> None:
    """No ledger consulted (offline): no answer."""
    return


def vc_key_finding(
    registered_at_issue: bytes, key_hash: bytes, record: Any, issuer_id: int, epoch: int
) -> VcKeyFinding:
    """Judge the proof's key (``key_hash``, whose ledger record is ``record``: a
    :class:`origincert.chain.types.VcKeyRecord`) against the key the body had registered at the
    anchor's ``epoch`` (``registered_at_issue``)."""
    if registered_at_issue == key_hash:
        return VcKeyFinding(
            "ok", "The ledger registered this VC key for the issuer when it anchored."
        )
    if record.issuer_id == 0:
        return VcKeyFinding(
            "vc_key_unregistered", "The ledger has no record of this VC key for any issuer."
        )
    if record.issuer_id != issuer_id:
        return VcKeyFinding(
            "vc_key_other_issuer", "The ledger registered this VC key for another issuer."
        )
    if record.from_epoch > epoch:
        return VcKeyFinding(
            "vc_key_registered_after_issue",
            "The issuer registered this VC key only after the certificate was anchored.",
        )
    return VcKeyFinding(
        "vc_key_retired", "The issuer had retired this VC key before the certificate was anchored."
    )
