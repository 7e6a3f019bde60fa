"""What the issuing workflows ask of the registries, and how they send to them.

Reads go through the one codec (``ChainClient.view``) so a dead node is ``ChainUnavailable`` and a
refusal is ``ContractRevert``; log queries are paged (``origincert.chain.logs``), never asked from
an old block to the head in one call. Everything about a certificate is asked for one issuing body:
anchors and revocations are keyed ``(issuerId, root)`` and ``(issuerId, leaf)`` on chain.
``RecordingSigner`` lets the journal write a transaction's hash before the transaction leaves this
process, so that after a crash ``resume`` knows what to look for on the ledger instead of sending
blindly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eth_account.datastructures import SignedTransaction
from eth_typing import HexStr
from web3 import Web3
from web3.exceptions import TransactionNotFound

from origincert.chain import ChainClient, TransactionSigner
from origincert.chain.codec import topic
from origincert.chain.failover import Resent
from origincert.chain.logs import get_logs
from origincert.chain.types import Standing

__all__ = [
    "AnchorTerms",
    "LeafStatus",
    "LedgerAnchor",
    "LedgerEvent",
    "RecordingSigner",
    "anchor_of",
    "anchor_terms",
    "certificate_status",
    "find_event",
    "gas_used",
    "issuer_topic",
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
    epoch: int


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


@dataclass(frozen=True, slots=True)
class AnchorTerms:
    """What the contract will check on the next anchor signed with a key."""

    issuer_id: int
    standing: Standing
    epoch: int


def _anchor(raw: Any) -> LedgerAnchor | None:
    a = LedgerAnchor(*(int(v) for v in raw))
    return a if a.anchored_at != 0 else None


def standing_of(client: ChainClient, address: str) -> tuple[int, Standing]:
    """The issuing body of a key and whether it may anchor now (``IssuerRegistry.standingOf``)."""
    issuer_id, standing = client.view(
        "IssuerRegistry", "standingOf", Web3.to_checksum_address(address)
    )
    return int(issuer_id), Standing(standing)


def anchor_terms(client: ChainClient, address: str) -> AnchorTerms:
    """The key's body, its standing now and the body's epoch: what a signature must name."""
    issuer_id, standing, epoch = client.view(
        "IssuerRegistry", "anchorTerms", Web3.to_checksum_address(address)
    )
    return AnchorTerms(int(issuer_id), Standing(standing), int(epoch))


def anchor_of(client: ChainClient, issuer_id: int, root: bytes) -> LedgerAnchor | None:
    """The ledger's record of a body's batch root, or None when that body never anchored it."""
    (raw,) = client.view("CertificateRegistry", "anchorOf", issuer_id, root)
    return _anchor(raw)


def certificate_status(client: ChainClient, issuer_id: int, root: bytes, leaf: bytes) -> LeafStatus:
    (s,) = client.view("CertificateRegistry", "certificateStatus", issuer_id, root, leaf)
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


def find_event(
    client: ChainClient,
    event: str,
    topics: list[bytes | None],
    *,
    from_block: int,
    to_block: int | str = "latest",
    where: Callable[[Any], bool] | None = None,
) -> LedgerEvent | None:
    """The first ``event`` of the CertificateRegistry whose indexed arguments match ``topics``
    (in order, None for any) and, decoded, satisfies ``where``; paged by ``client.log_span``."""
    assert client.manifest is not None
    contract_event = getattr(client.certificates.events, event)()
    topic_filter: list[Any] = [topic("CertificateRegistry", event)] + [
        None if t is None else "0x" + t.hex() for t in topics
    ]
    logs = get_logs(
        client,
        client.manifest.certificate_registry.address,
        topic_filter,
        from_block,
        to_block,
        first_only=where is None,
    )
    for log in logs:
        if where is None or where(contract_event.process_log(log)["args"]):
            return LedgerEvent("0x" + bytes(log["transactionHash"]).hex(), int(log["blockNumber"]))
    return None


def issuer_topic(issuer_id: int) -> bytes:
    """An issuer id as an indexed event argument (a 32-byte topic)."""
    return issuer_id.to_bytes(32, "big")


def gas_used(client: ChainClient, tx_hash: str) -> int | None:
    """The gas a mined transaction used, as its receipt says; None when the node has no receipt."""
    receipt = client.guard(lambda: client.w3.eth.get_transaction_receipt(HexStr(tx_hash)))
    return int(receipt["gasUsed"]) if receipt is not None else None


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
