"""Is a chamber's VC key registered on the ledger? The one function the contract change plugs into.

``IssuerRegistry`` cannot yet record a VC key, so today the answer is "cannot tell" (None) and
the verifier reports the check as skipped. The contract change needed (owned by the contracts
engineer): beside the signing key's rotation history, a per-issuer history of VC key hashes,
``setVcKey(bytes32 vcKeyHash)`` emitting ``VcKeyChanged(issuer, vcKeyHash, since)``, and a view
``vcKeyHashAt(address issuer, uint256 blockNumber) returns (bytes32)``. The hash is
``keccak256`` of the 35 bytes of the P-256 public Multikey (header ``0x8024`` + compressed
point): :func:`vc_key_hash`.
"""

from __future__ import annotations

from typing import Protocol

from eth_hash.auto import keccak

from origincert.interop.multikey import P256_PUB_HEADER, decode_public_multikey

__all__ = ["VcKeyRegistry", "unsupported_registry", "vc_key_hash"]


def vc_key_hash(public_multikey: str) -> bytes:
    """The 32-byte hash a chamber registers for its VC key."""
    return keccak(P256_PUB_HEADER + decode_public_multikey(public_multikey))


class VcKeyRegistry(Protocol):
    def __call__(self, issuer_address: str, public_multikey: str, block: int | None) -> bool | None:
        """True/False when the ledger says whether the key was the issuer's at ``block``;
        None when the ledger cannot tell (no contract support)."""


def unsupported_registry(issuer_address: str, public_multikey: str, block: int | None) -> None:
    """Today's ledger: no VC key records, so no answer."""
    return
