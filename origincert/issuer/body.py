"""The issuing body a signing key belongs to, as the IssuerRegistry says, and the journal tied to it.

Every workflow starts here: a key the registry does not know (or, to issue, does not accredit)
is refused before anything is recorded, and a journal can only ever hold one body's batches on
one registry.
"""

from __future__ import annotations

from dataclasses import dataclass

from origincert.binding import LedgerBody
from origincert.chain import ChainClient
from origincert.governance import Standing, issuer_info
from origincert.issuer.errors import NotAccredited
from origincert.issuer.journal import Journal
from origincert.issuer.ledger import standing_of
from origincert.signers import Signer

__all__ = ["IssuingBody", "issuing_body"]


@dataclass(frozen=True)
class IssuingBody:
    """The issuing body the signing key belongs to, on this registry."""

    issuer_id: int
    economy: str
    chain_id: int
    registry: str
    name: str = ""

    @property
    def ledger(self) -> LedgerBody:
        return LedgerBody(self.issuer_id, self.name, self.economy)


def issuing_body(
    client: ChainClient, signer: Signer, journal: Journal, *, accredited: bool
) -> IssuingBody:
    """Ask the IssuerRegistry who the key is; refuse an unaccredited key when ``accredited``;
    tie the journal to that body (or check it is the body the journal belongs to)."""
    issuer_id, standing = standing_of(client, signer.address)
    if issuer_id == 0 or (accredited and standing is not Standing.ACCREDITED):
        raise NotAccredited(signer.address, issuer_id, standing)
    info = issuer_info(client, issuer_id)
    body = IssuingBody(
        issuer_id, info.economy, client.chain_id, client.certificates.address, info.name
    )
    journal.bind(chain_id=body.chain_id, registry=body.registry, issuer_id=body.issuer_id)
    return body
