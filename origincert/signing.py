"""EIP-712 anchor signatures: encode the digest, sign it with a ``Signer``, recover who signed.

Three steps, three places: ``anchor_digest`` is the pure encoding (plain keccak, checked against
eth-account's own EIP-712 encoder in the tests), a ``Signer`` signs a digest (a local keystore
today, a hardware key tomorrow), and the chain client sends the result. The contract verifies with
OpenZeppelin ``EIP712`` + ``ECDSA.tryRecover(digest, r, vs)``, so signatures here are as strict
as OpenZeppelin: ``v`` is 27 or 28 and ``s`` is in the lower half of the curve order.

The signed type names the issuing body, its epoch and a deadline (docs/THREATS.md): a signature
cannot be anchored for another body, after the body's standing changed, or after its deadline.

    >>> digest = anchor_digest(bytes(32), 1, 1, 1, 2**40, 31337, "0x" + "11" * 20)
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
from eth_typing import Hash32
from eth_utils import is_checksum_address

from origincert.errors import SigningError

__all__ = [
    "ANCHOR_TYPE",
    "ANCHOR_TYPEHASH",
    "DOMAIN_NAME",
    "DOMAIN_VERSION",
    "KEY_POSSESSION_TYPE",
    "LocalSigner",
    "Signature",
    "Signer",
    "SigningError",
    "anchor_digest",
    "anchor_typed_data",
    "domain_separator",
    "key_possession_digest",
    "key_possession_typed_data",
    "recover_anchor_signer",
    "recover_signer",
    "sign_anchor",
    "sign_key_possession",
]

DOMAIN_NAME = "origincert"
DOMAIN_VERSION = "2"
DOMAIN_TYPEHASH = keccak(
    b"EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
)
ANCHOR_TYPE = "Anchor(bytes32 root,uint32 leafCount,uint64 issuerId,uint64 epoch,uint64 deadline)"
ANCHOR_TYPEHASH = keccak(ANCHOR_TYPE.encode())
_NAME_HASH = keccak(DOMAIN_NAME.encode())
_VERSION_HASH = keccak(DOMAIN_VERSION.encode())

# The IssuerRegistry's own domain, for proofs that a new signing key is held by its body.
KEY_DOMAIN_NAME = "origincert-issuers"
KEY_DOMAIN_VERSION = "2"
KEY_POSSESSION_TYPE = "KeyPossession(address key,uint64 issuerId,bytes2 economy)"
_KEY_POSSESSION_TYPEHASH = keccak(KEY_POSSESSION_TYPE.encode())
_UINT64_MAX = 2**64 - 1

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
def _domain_separator(name: bytes, version: bytes, chain_id: int, contract: bytes) -> bytes:
    return keccak(DOMAIN_TYPEHASH + name + version + _word(chain_id) + bytes(12) + contract)


def _check_chain_id(chain_id: int) -> int:
    if isinstance(chain_id, bool) or not isinstance(chain_id, int) or not 0 < chain_id < 2**256:
        raise SigningError(
            f"the chain id {chain_id!r} is not a positive 256-bit integer", code="chain_id_invalid"
        )
    return chain_id


def domain_separator(chain_id: int, registry: str) -> bytes:
    """The EIP-712 domain separator of the CertificateRegistry at ``registry`` on ``chain_id``."""
    return _domain_separator(
        _NAME_HASH, _VERSION_HASH, _check_chain_id(chain_id), _address_bytes(registry)
    )


def _uint(value: int, low: int, high: int, what: str, code: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise SigningError(f"the {what} {value!r} is not in {low}..{high}", code=code)
    return value


def anchor_digest(
    root: bytes,
    leaf_count: int,
    issuer_id: int,
    epoch: int,
    deadline: int,
    chain_id: int,
    registry: str,
) -> bytes:
    """The 32-byte EIP-712 digest of ``Anchor(root, leafCount, issuerId, epoch, deadline)``.

    Raises SigningError: ``root_malformed`` (not 32 bytes),
    ``leaf_count_out_of_range`` (not 1..2**32-1), ``issuer_id_out_of_range`` (not 1..2**32-1, the
    registry's ids), ``epoch_out_of_range`` / ``deadline_out_of_range`` (not uint64),
    ``chain_id_invalid``, ``address_invalid``.
    """
    if not isinstance(root, (bytes, bytearray)) or len(root) != 32:
        raise SigningError("the batch root must be 32 bytes", code="root_malformed")
    _uint(leaf_count, 1, _UINT32_MAX, "leaf count", "leaf_count_out_of_range")
    _uint(issuer_id, 1, _UINT32_MAX, "issuer id", "issuer_id_out_of_range")
    _uint(epoch, 0, _UINT64_MAX, "epoch", "epoch_out_of_range")
    _uint(deadline, 0, _UINT64_MAX, "deadline", "deadline_out_of_range")
    struct_hash = keccak(
        ANCHOR_TYPEHASH
        + bytes(root)
        + _word(leaf_count)
        + _word(issuer_id)
        + _word(epoch)
        + _word(deadline)
    )
    return keccak(b"\x19\x01" + domain_separator(chain_id, registry) + struct_hash)


_DOMAIN_FIELDS = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]


def _typed_fields(type_string: str) -> list[dict[str, str]]:
    """``"Anchor(bytes32 root,uint32 leafCount)"`` -> EIP-712 field list, from the one type string."""
    inner = type_string[type_string.index("(") + 1 : -1]
    return [dict(zip(("type", "name"), f.split(" "), strict=True)) for f in inner.split(",")]


def _typed_data(
    type_string: str,
    domain_name: str,
    domain_version: str,
    chain_id: int,
    contract: str,
    values: dict[str, Any],
) -> dict[str, Any]:
    """EIP-712 typed data for one struct of ``type_string`` in a contract's domain: the fields
    (and their order) come from the type string, so the message cannot drift from the digest."""
    primary = type_string[: type_string.index("(")]
    fields = _typed_fields(type_string)
    return {
        "types": {"EIP712Domain": _DOMAIN_FIELDS, primary: fields},
        "primaryType": primary,
        "domain": {
            "name": domain_name,
            "version": domain_version,
            "chainId": chain_id,
            "verifyingContract": contract,
        },
        "message": {f["name"]: values[f["name"]] for f in fields},
    }


def anchor_typed_data(
    root: bytes,
    leaf_count: int,
    issuer_id: int,
    epoch: int,
    deadline: int,
    chain_id: int,
    registry: str,
) -> dict[str, Any]:
    """The Anchor as EIP-712 typed data: what a signer with a screen shows. Its digest is
    :func:`anchor_digest` (same checks, same errors; tests/signers hold them equal)."""
    anchor_digest(root, leaf_count, issuer_id, epoch, deadline, chain_id, registry)
    values = {
        "root": "0x" + bytes(root).hex(),
        "leafCount": leaf_count,
        "issuerId": issuer_id,
        "epoch": epoch,
        "deadline": deadline,
    }
    return _typed_data(ANCHOR_TYPE, DOMAIN_NAME, DOMAIN_VERSION, chain_id, registry, values)


def key_possession_typed_data(
    key: str, issuer_id: int, economy: str, chain_id: int, issuer_registry: str
) -> dict[str, Any]:
    """``KeyPossession(key, issuerId, economy)`` as EIP-712 typed data (digest:
    :func:`key_possession_digest`)."""
    key_possession_digest(key, issuer_id, economy, chain_id, issuer_registry)
    values = {"key": key, "issuerId": issuer_id, "economy": "0x" + economy.encode("ascii").hex()}
    return _typed_data(
        KEY_POSSESSION_TYPE, KEY_DOMAIN_NAME, KEY_DOMAIN_VERSION, chain_id, issuer_registry, values
    )


def key_possession_digest(
    key: str, issuer_id: int, economy: str, chain_id: int, issuer_registry: str
) -> bytes:
    """The digest a new signing key signs to prove it is held by its body: ``KeyPossession(key,
    issuerId, economy)`` in the IssuerRegistry's domain (``issuer_id`` 0 for a new accreditation).

    Raises SigningError ``address_invalid``, ``issuer_id_out_of_range``, ``economy_invalid``,
    ``chain_id_invalid``.
    """
    _uint(issuer_id, 0, _UINT32_MAX, "issuer id", "issuer_id_out_of_range")
    if not isinstance(economy, str) or len(economy) != 2 or not economy.isascii():
        raise SigningError(
            f"the economy {economy!r} is not a two-letter code", code="economy_invalid"
        )
    domain = _domain_separator(
        keccak(KEY_DOMAIN_NAME.encode()),
        keccak(KEY_DOMAIN_VERSION.encode()),
        _check_chain_id(chain_id),
        _address_bytes(issuer_registry),
    )
    struct_hash = keccak(
        _KEY_POSSESSION_TYPEHASH
        + bytes(12)
        + _address_bytes(key)
        + _word(issuer_id)
        + economy.encode("ascii")
        + bytes(30)
    )
    return keccak(b"\x19\x01" + domain + struct_hash)


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


def _check_digest(digest: bytes) -> Hash32:
    if not isinstance(digest, (bytes, bytearray)) or len(digest) != 32:
        raise SigningError("a digest must be 32 bytes", code="digest_malformed")
    return Hash32(bytes(digest))


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


def recover_anchor_signer(
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
    """The checksum address that signed ``Anchor(root, leafCount, issuerId, epoch, deadline)`` for
    the CertificateRegistry at ``registry`` on ``chain_id`` (what an offline check calls).

    Raises SigningError with the codes of :func:`anchor_digest` and :func:`recover_signer`.
    """
    digest = anchor_digest(root, leaf_count, issuer_id, epoch, deadline, chain_id, registry)
    return recover_signer(digest, signature)


def _signed_by(
    signer: Signer, digest: bytes, typed_data: Mapping[str, Any] | None = None
) -> Signature:
    # A signer that takes typed data (origincert.signers) is given the message itself, so a
    # device can show it; the recovery below proves it signed the digest the contract computes.
    sign_typed = getattr(signer, "sign_typed_data", None)
    signature = (
        sign_typed(typed_data)
        if typed_data is not None and sign_typed is not None
        else signer.sign_digest(digest)
    )
    if recover_signer(digest, signature).lower() != signer.address.lower():
        raise SigningError(
            f"the signature was not made by {signer.address}", code="signer_mismatch"
        )
    return signature


def sign_key_possession(
    signer: Signer, issuer_id: int, economy: str, chain_id: int, issuer_registry: str
) -> Signature:
    """The new key's proof of possession, for ``accredit`` (``issuer_id`` 0) or ``rotateKey``."""
    args = (signer.address, issuer_id, economy, chain_id, issuer_registry)
    return _signed_by(signer, key_possession_digest(*args), key_possession_typed_data(*args))


def sign_anchor(
    signer: Signer,
    root: bytes,
    leaf_count: int,
    issuer_id: int,
    epoch: int,
    deadline: int,
    chain_id: int,
    registry: str,
) -> Signature:
    """Sign ``Anchor(root, leafCount, issuerId, epoch, deadline)`` for the registry at
    ``registry`` on ``chain_id``.

    The signature is recovered once before it is returned, so a faulty signer (wrong key, broken
    device) fails here with ``signer_mismatch`` rather than as a refusal on chain.
    """
    if isinstance(root, (bytes, bytearray)) and not any(root):
        raise SigningError(
            "a zero batch root is never signed (the contract refuses it)", code="root_malformed"
        )
    args = (root, leaf_count, issuer_id, epoch, deadline, chain_id, registry)
    return _signed_by(signer, anchor_digest(*args), anchor_typed_data(*args))
