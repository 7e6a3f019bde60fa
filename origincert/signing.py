"""EIP-712 anchor signatures: encode the digest, sign it with a ``Signer``, recover who signed.

Three steps, three places: ``anchor_digest`` is the pure encoding (plain keccak, checked against
eth-account's own EIP-712 encoder in the tests), a ``Signer`` signs a digest (a local keystore
today, a hardware key tomorrow), and the chain client sends the result. The contract verifies with
OpenZeppelin ``EIP712`` + ``ECDSA.tryRecover(digest, r, vs)``, so signatures here are as strict
as OpenZeppelin: ``v`` is 27 or 28 and ``s`` is in the lower half of the curve order.

    >>> digest = anchor_digest(bytes(32), 1, 31337, "0x" + "11" * 20)
    >>> len(digest)
    32
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from eth_account.datastructures import SignedTransaction
from eth_account.signers.local import LocalAccount
from eth_hash.auto import keccak
from eth_keys import keys
from eth_keys.exceptions import BadSignature, ValidationError
from eth_utils import is_checksum_address

from origincert.errors import SigningError

__all__ = [
    "ANCHOR_TYPEHASH",
    "DOMAIN_NAME",
    "DOMAIN_VERSION",
    "LocalSigner",
    "Signature",
    "Signer",
    "SigningError",
    "anchor_digest",
    "anchor_typed_data",
    "domain_separator",
    "recover_signer",
    "sign_anchor",
]

DOMAIN_NAME = "origincert"
DOMAIN_VERSION = "1"
DOMAIN_TYPEHASH = keccak(
    b"EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
)
ANCHOR_TYPEHASH = keccak(b"Anchor(bytes32 root,uint32 leafCount)")
_NAME_HASH = keccak(DOMAIN_NAME.encode())
_VERSION_HASH = keccak(DOMAIN_VERSION.encode())

# secp256k1 group order; OpenZeppelin ECDSA refuses s above half of it (malleable twin signatures).
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
_HALF_N = SECP256K1_N // 2
_UINT32_MAX = 2**32 - 1
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")


def _word(value: int) -> bytes:
    return value.to_bytes(32, "big")


def _address_bytes(address: str) -> bytes:
    if not isinstance(address, str) or not _ADDRESS.fullmatch(address):
        raise SigningError(
            f"the registry address {address!r} is not a 0x-prefixed 20-byte hex address",
            code="address_invalid",
        )
    body = address[2:]
    if body != body.lower() and body != body.upper() and not is_checksum_address(address):
        raise SigningError(
            f"the registry address {address} has a wrong checksum (mistyped?)",
            code="address_invalid",
        )
    return bytes.fromhex(body)


@functools.lru_cache(maxsize=64)
def _domain_separator(chain_id: int, registry: bytes) -> bytes:
    return keccak(
        DOMAIN_TYPEHASH + _NAME_HASH + _VERSION_HASH + _word(chain_id) + bytes(12) + registry
    )


def domain_separator(chain_id: int, registry: str) -> bytes:
    """The EIP-712 domain separator of the CertificateRegistry at ``registry`` on ``chain_id``."""
    if isinstance(chain_id, bool) or not isinstance(chain_id, int) or not 0 < chain_id < 2**256:
        raise SigningError(
            f"the chain id {chain_id!r} is not a positive 256-bit integer", code="chain_id_invalid"
        )
    return _domain_separator(chain_id, _address_bytes(registry))


def anchor_digest(root: bytes, leaf_count: int, chain_id: int, registry: str) -> bytes:
    """The 32-byte EIP-712 digest of ``Anchor(root, leafCount)`` that the issuing body signs.

    Raises SigningError: ``root_malformed`` (not 32 bytes), ``leaf_count_out_of_range`` (not
    1..2**32-1; the contract refuses an empty batch), ``chain_id_invalid``, ``address_invalid``.
    """
    if not isinstance(root, (bytes, bytearray)) or len(root) != 32:
        raise SigningError("the batch root must be 32 bytes", code="root_malformed")
    if (
        isinstance(leaf_count, bool)
        or not isinstance(leaf_count, int)
        or not 1 <= leaf_count <= _UINT32_MAX
    ):
        raise SigningError(
            f"the leaf count {leaf_count!r} is not in 1..{_UINT32_MAX}",
            code="leaf_count_out_of_range",
        )
    struct_hash = keccak(ANCHOR_TYPEHASH + bytes(root) + _word(leaf_count))
    return keccak(b"\x19\x01" + domain_separator(chain_id, registry) + struct_hash)


def anchor_typed_data(root: bytes, leaf_count: int, chain_id: int, registry: str) -> dict[str, Any]:
    """``Anchor(root, leafCount)`` as EIP-712 typed data, what a signer with a screen shows; its
    digest is :func:`anchor_digest` (tests/signers check they stay the same)."""
    anchor_digest(root, leaf_count, chain_id, registry)  # the same checks, the same errors
    return {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "Anchor": [
                {"name": "root", "type": "bytes32"},
                {"name": "leafCount", "type": "uint32"},
            ],
        },
        "primaryType": "Anchor",
        "domain": {
            "name": DOMAIN_NAME,
            "version": DOMAIN_VERSION,
            "chainId": chain_id,
            "verifyingContract": registry,
        },
        "message": {"root": "0x" + bytes(root).hex(), "leafCount": leaf_count},
    }


@dataclass(frozen=True, slots=True)
class Signature:
    """A recoverable secp256k1 signature in OpenZeppelin's canonical form (v 27/28, low s).

    Construction checks the form, so a ``Signature`` in hand is never malleable or malformed.
    """

    v: int
    r: int
    s: int

    def __post_init__(self) -> None:
        for name in ("v", "r", "s"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise SigningError(
                    f"signature {name} must be an integer", code="signature_malformed"
                )
        if self.v not in (27, 28):
            raise SigningError(
                f"signature v must be 27 or 28, got {self.v}", code="signature_malformed"
            )
        if not 0 < self.r < SECP256K1_N:
            raise SigningError("signature r is outside the curve order", code="signature_malformed")
        if not 0 < self.s <= _HALF_N:
            raise SigningError(
                "signature s is zero or in the upper half of the curve order (malleable form)",
                code="signature_malformed",
            )

    @classmethod
    def from_bytes(cls, data: bytes) -> Signature:
        """Parse the 65-byte ``r || s || v`` form carried in issued files."""
        if not isinstance(data, (bytes, bytearray)) or len(data) != 65:
            got = (
                f"{len(data)} bytes"
                if isinstance(data, (bytes, bytearray))
                else type(data).__name__
            )
            raise SigningError(
                f"a signature must be 65 bytes, got {got}", code="signature_malformed"
            )
        return cls(
            v=data[64], r=int.from_bytes(data[:32], "big"), s=int.from_bytes(data[32:64], "big")
        )

    def to_bytes(self) -> bytes:
        """The 65-byte ``r || s || v`` form."""
        return _word(self.r) + _word(self.s) + bytes([self.v])

    def compact(self) -> tuple[bytes, bytes]:
        """The EIP-2098 form ``(r, vs)`` the contract takes: the parity of v in the top bit of s."""
        return _word(self.r), _word(self.s | ((self.v - 27) << 255))


def _as_signature(signature: Signature | bytes) -> Signature:
    return signature if isinstance(signature, Signature) else Signature.from_bytes(signature)


def _check_digest(digest: bytes) -> bytes:
    if not isinstance(digest, (bytes, bytearray)) or len(digest) != 32:
        raise SigningError("a digest must be 32 bytes", code="digest_malformed")
    return bytes(digest)


def recover_signer(digest: bytes, signature: Signature | bytes) -> str:
    """The checksum address whose key made ``signature`` over ``digest``.

    Raises SigningError ``signature_malformed`` for a signature OpenZeppelin would refuse (bad
    length, v not 27/28, high s, r or s out of range, no point on the curve) and
    ``digest_malformed`` for a digest that is not 32 bytes.
    """
    digest = _check_digest(digest)
    sig = _as_signature(signature)
    try:
        public_key = keys.Signature(
            vrs=(sig.v - 27, sig.r, sig.s)
        ).recover_public_key_from_msg_hash(digest)
    except (BadSignature, ValidationError, ValueError) as exc:
        raise SigningError(
            "the signature matches no public key", code="signature_malformed"
        ) from exc
    return public_key.to_checksum_address()


@runtime_checkable
class Signer(Protocol):
    """Anything that can sign a precomputed 32-byte digest: a keystore key, a hardware key."""

    @property
    def address(self) -> str: ...

    def sign_digest(self, digest: bytes) -> Signature: ...


class LocalSigner:
    """A key held in memory (from a keystore): signs anchor digests and, for the chain client,
    transactions. Its repr, str and pickling never reveal the key."""

    __slots__ = ("_account",)

    def __init__(self, account: LocalAccount) -> None:
        if not isinstance(account, LocalAccount):
            raise TypeError("LocalSigner wraps an eth_account LocalAccount")
        self._account = account

    @property
    def address(self) -> str:
        return self._account.address

    def sign_digest(self, digest: bytes) -> Signature:
        # unsafe_sign_hash signs raw bytes with no prefix, which is dangerous for arbitrary data a
        # third party hands over. Here the bytes are always an EIP-712 digest we computed ourselves
        # (0x1901 || domain || struct, bound to chain and registry), exactly what the contract
        # re-derives; eth-account's sign_typed_data would compute the same digest, only slower.
        signed = self._account.unsafe_sign_hash(_check_digest(digest))
        return Signature(v=signed.v, r=signed.r, s=signed.s)

    def sign_typed_data(self, typed_data: Mapping[str, Any]) -> Signature:
        """Sign EIP-712 typed data (the digest computed by eth-account's encoder)."""
        from origincert.signers.base import typed_data_digest

        return self.sign_digest(typed_data_digest(typed_data))

    def sign_transaction(self, transaction_dict: dict[str, Any]) -> SignedTransaction:
        """Sign a transaction locally (what ``origincert.chain`` needs from a key)."""
        return self._account.sign_transaction(transaction_dict)

    def __repr__(self) -> str:
        return f"LocalSigner(address={self.address})"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError(
            "a LocalSigner holds a private key and cannot be pickled; keep keys in keystores"
        )


def sign_anchor(
    signer: Signer, root: bytes, leaf_count: int, chain_id: int, registry: str
) -> Signature:
    """Sign ``Anchor(root, leafCount)`` for the registry at ``registry`` on ``chain_id``.

    The signature is recovered once before it is returned, so a faulty signer (wrong key, broken
    device) fails here with ``signer_mismatch`` rather than as a refusal on chain.
    """
    digest = anchor_digest(root, leaf_count, chain_id, registry)
    # A signer that takes typed data (origincert.signers) is given the Anchor itself, so a device
    # can show it; the recovery below proves it signed the digest the contract will compute.
    sign_typed = getattr(signer, "sign_typed_data", None)
    signature = (
        sign_typed(anchor_typed_data(root, leaf_count, chain_id, registry))
        if sign_typed is not None
        else signer.sign_digest(digest)
    )
    if recover_signer(digest, signature).lower() != signer.address.lower():
        raise SigningError(
            f"the signature was not made by {signer.address}", code="signer_mismatch"
        )
    return signature
