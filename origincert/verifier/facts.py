"""What the ledger says about a certificate: plain frozen data, read at the edge, judged by the checks.

Addresses are lowercase hex strings, hashes ``0x``-prefixed lowercase hex, times Unix seconds
(block timestamps). ``None`` means "the ledger has nothing": never anchored, never revoked.
"""

from __future__ import annotations

from dataclasses import dataclass

from origincert.governance import IssuerInfo, Standing

__all__ = ["AnchorRecord", "LedgerFacts", "LedgerQuery", "Replacement", "Revocation"]


@dataclass(frozen=True, slots=True)
class LedgerQuery:
    """One certificate to look up, for one issuing body: the body the document names (its
    ``issuing_body.ledger_id``), its batch root, its leaf and the key that signed the root.

    ``signer`` is None for a QR reference (no signature): the key that anchored the root is used.
    """

    root: bytes
    leaf: bytes
    signer: str | None
    issuer_id: int = 0  # 0: no body named, so nothing on the ledger can answer
    # The anchoring transaction the file names: only a hint of where the Anchored event is, so
    # it can be read in the first round trip; an event is taken only if the ledger's own anchor
    # record (issuer, root, block) matches it, otherwise the logs are searched as without a hint.
    tx_hash: str | None = None


@dataclass(frozen=True, slots=True)
class AnchorRecord:
    issuer_id: int
    leaf_count: int
    anchored_at: int
    anchored_block: int
    revoked_at: int  # 0 = the root is not revoked
    revocation_reason: int
    tx_hash: str | None  # from the Anchored event (None if the node no longer serves that log)
    signer: str | None  # the key the contract recovered when anchoring, from the same event
    epoch: int = 0  # the body's epoch the anchor signature named


@dataclass(frozen=True, slots=True)
class Revocation:
    scope: str  # "root" (the whole batch) or "leaf" (this certificate)
    at: int
    reason: int
    by: str | None  # the account that revoked, from the event
    by_role: str | None  # "issuing body" or "competent authority" when recognised
    tx_hash: str | None


@dataclass(frozen=True, slots=True)
class Replacement:
    at: int
    root: str
    leaf: str


@dataclass(frozen=True, slots=True)
class LedgerFacts:
    """Everything the chain checks need about one certificate, as of one block."""

    block: int
    block_time: int
    anchor: AnchorRecord | None
    signer: str | None  # the key whose standing was asked
    standing: Standing | None  # that key's standing when the root was anchored (from the anchor)
    standing_issuer_id: int  # the issuing body that key belongs to (0 = none)
    issuer: IssuerInfo | None  # the issuing body that anchored the root, as it is now
    signer_issuer: IssuerInfo | None  # the signer's issuing body, when it is another one
    revocation: Revocation | None
    replacement: Replacement | None
