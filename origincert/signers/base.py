"""The signer protocol and a base class for keys that can only sign a hash."""

from __future__ import annotations

import abc
from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from eth_account.datastructures import SignedTransaction
from eth_account.messages import encode_typed_data
from eth_hash.auto import keccak
from eth_keys import keys
from eth_keys.exceptions import BadSignature, ValidationError
from hexbytes import HexBytes

from origincert.errors import SigningError
from origincert.signing import SECP256K1_N, Signature

__all__ = ["HashSigner", "Signer", "TypedData", "typed_data_digest"]

# An EIP-712 message as eth-account and wallets take it: {"types", "primaryType", "domain",
# "message"}. What is signed (the Anchor type) is decided by origincert.signing, not here.
TypedData = Mapping[str, Any]

_HALF_N = SECP256K1_N // 2


def typed_data_digest(typed_data: TypedData) -> bytes:
    """The 32-byte EIP-712 digest of ``typed_data``, by eth-account's encoder (not ours), so a
    signer signs exactly what a wallet or the contract would hash."""
    try:
        signable = encode_typed_data(full_message=dict(typed_data))
    except (KeyError, TypeError, ValueError) as exc:
        raise SigningError(f"not EIP-712 typed data: {exc}", code="typed_data_invalid") from exc
    return keccak(b"\x19" + signable.version + signable.header + signable.body)


@runtime_checkable
class Signer(Protocol):
    """What issuing, revoking and governance need from a key, wherever the key is."""

    @property
    def address(self) -> str: ...

    def sign_typed_data(self, typed_data: TypedData) -> Signature: ...

    def sign_digest(self, digest: bytes) -> Signature: ...

    def sign_transaction(self, transaction_dict: dict[str, Any]) -> SignedTransaction: ...


class _RawSignature:
    """What eth-account's transaction signer expects from ``sign_msg_hash``: ``.vrs``."""

    def __init__(self, v: int, r: int, s: int) -> None:
        self.vrs = (v, r, s)


class HashSigner(abc.ABC):
    """A signer built on one primitive: sign a 32-byte hash, return ``(r, s)``.

    The base class makes the signature canonical (low ``s``, as OpenZeppelin's ECDSA demands),
    derives the recovery id by trying both and keeping the one that recovers :attr:`address`
    (a device that returns only ``r || s`` gives no ``v``), and builds typed-data and transaction
    signatures from it.
    """

    @property
    @abc.abstractmethod
    def address(self) -> str:
        """The checksum address of the key."""

    @abc.abstractmethod
    def _sign_hash(self, digest: bytes) -> tuple[int, int]:
        """Sign the 32-byte ``digest`` with the key; return ``(r, s)`` (any ``s``)."""

    # ------------------------------------------------------------------ derived

    def _recoverable(self, digest: bytes) -> tuple[int, int, int]:
        """``(v_parity, r, s)`` with low ``s`` and the parity that recovers this key."""
        if not isinstance(digest, bytes | bytearray) or len(digest) != 32:
            raise SigningError("a digest must be 32 bytes", code="digest_malformed")
        r, s = self._sign_hash(bytes(digest))
        if s > _HALF_N:
            s = SECP256K1_N - s
        for parity in (0, 1):
            try:
                key = keys.Signature(vrs=(parity, r, s)).recover_public_key_from_msg_hash(
                    bytes(digest)
                )
            except (BadSignature, ValidationError, ValueError):
                continue
            if key.to_checksum_address() == self.address:
                return parity, r, s
        raise SigningError(
            f"the key signed, but the signature does not recover {self.address}",
            code="signer_mismatch",
        )

    def sign_digest(self, digest: bytes) -> Signature:
        """Sign a digest the caller computed (the anchor digest). Prefer :meth:`sign_typed_data`."""
        parity, r, s = self._recoverable(digest)
        return Signature(v=27 + parity, r=r, s=s)

    def sign_typed_data(self, typed_data: TypedData) -> Signature:
        """Sign EIP-712 typed data: the digest is computed here, from the data itself."""
        return self.sign_digest(typed_data_digest(typed_data))

    def sign_transaction(self, transaction_dict: dict[str, Any]) -> SignedTransaction:
        """Sign a transaction (legacy or typed) the way eth-account does for a local key."""
        # eth-account's serialiser is internal API; its range is pinned in pyproject.toml and
        # tests/signers compare the result with a local key's signature of the same transaction.
        from eth_account._utils.signing import sign_transaction_dict

        tx = dict(transaction_dict)
        sender = tx.pop("from", None)
        if sender is not None and str(sender).lower() != self.address.lower():
            raise SigningError(
                f"the transaction is from {sender}, this key is {self.address}",
                code="signer_mismatch",
            )
        signer = self

        class _Key:
            def sign_msg_hash(self, message_hash: bytes) -> _RawSignature:
                return _RawSignature(*signer._recoverable(bytes(message_hash)))

        v, r, s, encoded = sign_transaction_dict(_Key(), tx)  # type: ignore[arg-type]
        return SignedTransaction(
            raw_transaction=HexBytes(encoded), hash=HexBytes(keccak(encoded)), r=r, s=s, v=v
        )
