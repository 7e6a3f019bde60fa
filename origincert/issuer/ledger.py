"""What the issuing workflows ask of the CertificateRegistry, and how they send to it.

Reads go through ``ChainClient.call``/``guard`` so a dead node is ``ChainUnavailable`` and a
refusal is ``ContractRevert``. ``RecordingSigner`` lets the journal write a transaction's hash
before the transaction leaves this process, so that after a crash ``resume`` knows what to look
for on the ledger instead of sending blindly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eth_account.datastructures import SignedTransaction
from web3 import Web3
from web3.exceptions import TransactionNotFound

from origincert.chain import ChainClient, TransactionSigner
from origincert.chain.failover import Resent
from origincert.governance import Standing

__all__ = [
    "LeafStatus",
    "LedgerAnchor",
    "LedgerEvent",
    "RecordingSigner",
    "anchor_of",
    "certificate_status",
    "find_event",
    "revive",
    "standing_of",
    "transaction_known",
]


@dataclass(frozen=True, slots=True)
class LedgerAnchor:
    issuer_id: int
    leaf_count: int
    anchored_at: int
    anchored_block: int
    revoked_at: int
    revocation_reason: int


@dataclass(frozen=True, slots=True)
class LeafStatus:
    anchor: LedgerAnchor | None
    leaf_revoked_at: int
    replaced_at: int
    replaced_by_root: bytes
    replaced_by_leaf: bytes

    @property
    def revoked(self) -> bool:
        return self.leaf_revoked_at != 0 or (
            self.anchor is not None and self.anchor.revoked_at != 0
        )

    @property
    def replaced(self) -> bool:
        return self.replaced_at != 0


@dataclass(frozen=True, slots=True)
class LedgerEvent:
    tx_hash: str
    block_number: int


def _anchor(raw: Any) -> LedgerAnchor | None:
    a = LedgerAnchor(*(int(v) for v in raw))
    return a if a.anchored_at != 0 else None


def standing_of(client: ChainClient, address: str) -> tuple[int, Standing]:
    """The issuing body of a key and whether it may anchor now (``IssuerRegistry.standingOf``)."""
    issuer_id, standing = client.call(
        client.issuers.functions.standingOf(Web3.to_checksum_address(address))
    )
    return int(issuer_id), Standing(standing)


def anchor_of(client: ChainClient, root: bytes) -> LedgerAnchor | None:
    """The ledger's record of a batch root, or None when it was never anchored."""
    return _anchor(client.call(client.certificates.functions.anchorOf(root)))


def certificate_status(client: ChainClient, root: bytes, leaf: bytes) -> LeafStatus:
    s = client.call(client.certificates.functions.certificateStatus(root, leaf))
    return LeafStatus(_anchor(s[0]), int(s[1]), int(s[3]), bytes(s[4]), bytes(s[5]))


def transaction_known(client: ChainClient, tx_hash: str) -> bool:
    """Whether the node knows a transaction, pending or mined (False: it never reached it)."""

    def known() -> bool:
        try:
            client.w3.eth.get_transaction(tx_hash)  # type: ignore[arg-type]
            return True
        except TransactionNotFound:
            return False

    return client.guard(known)


def revive(client: ChainClient, tx_hash: str, raw: bytes | None) -> str | None:
    """Whether a journaled transaction can still land: ``"pending"`` when the node knows it
    (pending or mined), ``"resent"`` when it took the same signed bytes again from the journal,
    None when the bytes are lost or their nonce went to another transaction (then it can never
    land). Never signs a new transaction."""
    if transaction_known(client, tx_hash):
        return "pending"
    if raw is None or client.resend(raw) is Resent.NONCE_USED:
        return None
    return "resent"


LOG_PAGE = 5_000  # blocks per eth_getLogs: nodes cap the range (Besu: 5,000 by default)


def find_event(
    client: ChainClient,
    event: str,
    filters: dict[str, Any],
    *,
    from_block: int,
    to_block: int | str = "latest",
) -> LedgerEvent | None:
    """The first ``event`` of the CertificateRegistry matching ``filters`` (indexed arguments),
    asked for in pages of :data:`LOG_PAGE` blocks."""
    getter = getattr(client.certificates.events, event)()
    last = client.block_number() if to_block == "latest" else int(to_block)
    lo = from_block
    while lo <= last:
        hi = min(lo + LOG_PAGE - 1, last)
        logs = client.guard(
            lambda lo=lo, hi=hi: list(
                getter.get_logs(argument_filters=filters, from_block=lo, to_block=hi)
            )
        )
        if logs:
            first = logs[0]
            return LedgerEvent(
                "0x" + bytes(first["transactionHash"]).hex(), int(first["blockNumber"])
            )
        lo = hi + 1
    return None


class RecordingSigner:
    """A transaction signer that reports each signed transaction's hash before it is sent."""

    def __init__(self, inner: TransactionSigner, on_signed: Callable[[str], None]) -> None:
        self._inner = inner
        self._on_signed = on_signed
        self.raw: bytes | None = None  # the last signed transaction, for the journal to keep

    @property
    def address(self) -> str:
        return self._inner.address

    def sign_transaction(self, transaction_dict: dict[str, Any]) -> SignedTransaction:
        signed = self._inner.sign_transaction(transaction_dict)
        self.raw = bytes(signed.raw_transaction)
        self._on_signed("0x" + bytes(signed.hash).hex())
        return signed
