"""Who signed a v2 anchor: the one place the offline checks recover the signing key.

The pinned interface of issue 9: ``origincert.signing.recover_anchor_signer(root, leaf_count,
issuer_id, epoch, deadline, signature, *, chain_id, registry) -> str`` (checksum address), owned
by the contracts side. Until it exists on this branch a local shim with that exact signature
stands in: the EIP-712 digest of ``Anchor(bytes32 root,uint32 leafCount,uint64 issuerId,
uint64 epoch,uint64 deadline)`` in the domain ``{name: "origincert", version: "2", chainId,
verifyingContract}``. Once the real function is present, it is used and the shim is dead code.

Transitional, while the shim is active only (``SHIM_ACTIVE``): this branch's issuer still signs
the v1 ``Anchor(root, leafCount)`` that the deployed v1 contract verifies, so
:func:`recover_v1_signer` lets the offline checks accept that signature for the key the file
names. The contracts half replaces both the issuer's signing and this module's import; the
moment ``origincert.signing.recover_anchor_signer`` exists, the fallback is off.
"""

from __future__ import annotations

from collections.abc import Callable

from eth_utils import keccak

from origincert import signing
from origincert.signing import Signature, SigningError, recover_signer

__all__ = ["SHIM_ACTIVE", "anchor_digest_v2", "recover_anchor_signer", "recover_v1_signer"]

ANCHOR_V2_TYPEHASH = keccak(
    b"Anchor(bytes32 root,uint32 leafCount,uint64 issuerId,uint64 epoch,uint64 deadline)"
)
_DOMAIN_TYPEHASH = keccak(
    b"EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
)
_UINT64 = 2**64 - 1


def _uint(value: int, high: int, what: str) -> bytes:
    if type(value) is not int or not 0 <= value <= high:
        raise SigningError(f"the {what} {value!r} is out of range", code="anchor_field_invalid")
    return value.to_bytes(32, "big")


def anchor_digest_v2(
    root: bytes,
    leaf_count: int,
    issuer_id: int,
    epoch: int,
    deadline: int,
    *,
    chain_id: int,
    registry: str,
) -> bytes:
    """The shim's EIP-712 digest of a v2 anchor (what the shim's recovery checks against)."""
    if not isinstance(root, (bytes, bytearray)) or len(root) != 32:
        raise SigningError("the batch root must be 32 bytes", code="root_malformed")
    if type(leaf_count) is not int or not 1 <= leaf_count < 2**32:
        raise SigningError("the leaf count is out of range", code="leaf_count_out_of_range")
    domain = keccak(
        _DOMAIN_TYPEHASH
        + keccak(b"origincert")
        + keccak(b"2")
        + _uint(chain_id, 2**256 - 1, "chain id")
        + bytes(12)
        + bytes.fromhex(registry[2:])
    )
    struct = keccak(
        ANCHOR_V2_TYPEHASH
        + bytes(root)
        + leaf_count.to_bytes(32, "big")
        + _uint(issuer_id, _UINT64, "issuer id")
        + _uint(epoch, _UINT64, "epoch")
        + _uint(deadline, _UINT64, "deadline")
    )
    return keccak(b"\x19\x01" + domain + struct)


def _shim_recover(
    root: bytes,
    leaf_count: int,
    issuer_id: int,
    epoch: int,
    deadline: int,
    signature: bytes,
    *,
    chain_id: int,
    registry: str,
) -> str:
    digest = anchor_digest_v2(
        root, leaf_count, issuer_id, epoch, deadline, chain_id=chain_id, registry=registry
    )
    return recover_signer(digest, Signature.from_bytes(signature))


recover_anchor_signer: Callable[..., str] = getattr(signing, "recover_anchor_signer", _shim_recover)
SHIM_ACTIVE = not hasattr(signing, "recover_anchor_signer")


def recover_v1_signer(
    root: bytes, leaf_count: int, signature: bytes, *, chain_id: int, registry: str
) -> str:
    """The key that signed the v1 ``Anchor(root, leafCount)`` (transitional; see the docstring)."""
    digest = signing.anchor_digest(root, leaf_count, chain_id, registry)
    return recover_signer(digest, Signature.from_bytes(signature))
