"""Governance acts on the IssuerRegistry: the council's M-of-N proposals and the authorities' accreditation acts.

Thin, typed wrappers over the chain client so that the CLI, the demo and the tests say the same
thing the same way. Each returns the transaction result (and the id it created, where there is one).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from web3 import Web3
from web3.logs import DISCARD

from origincert.chain import ChainClient, TransactionSigner, TxResult
from origincert.errors import OriginCertError

# Council acts a proposal may carry: name -> how to build its arguments from strings.
COUNCIL_ACTS = (
    "addCouncilMember",
    "removeCouncilMember",
    "setThreshold",
    "registerAuthority",
    "removeAuthority",
)


class IssuerStatus(enum.IntEnum):
    NONE = 0
    ACTIVE = 1
    SUSPENDED = 2
    WITHDRAWN = 3
    WITHDRAWN_FOR_FRAUD = 4


class Standing(enum.IntEnum):
    UNKNOWN = 0
    ACCREDITED = 1
    NOT_YET_VALID = 2
    EXPIRED = 3
    SUSPENDED = 4
    WITHDRAWN = 5
    WITHDRAWN_FOR_FRAUD = 6
    KEY_NOT_YET_ACTIVE = 7
    KEY_RETIRED = 8


@dataclass(frozen=True)
class IssuerInfo:
    id: int
    economy: str
    status: IssuerStatus
    valid_from: int
    valid_until: int
    status_since: int
    signing_key: str
    metadata_hash: str
    name: str


def economy_bytes(economy: str) -> bytes:
    """ISO 3166-1 alpha-2 code as the contract's bytes2."""
    if len(economy) != 2 or not economy.isascii() or not economy.isalpha() or not economy.isupper():
        raise OriginCertError(
            f"economy must be an ISO 3166-1 alpha-2 code like DE, got {economy!r}",
            code="bad_economy",
        )
    return economy.encode("ascii")


def encode_council_act(client: ChainClient, act: str, args: list[Any]) -> bytes:
    if act not in COUNCIL_ACTS:
        raise OriginCertError(
            f"unknown council act {act!r}; one of {', '.join(COUNCIL_ACTS)}", code="bad_council_act"
        )
    return bytes.fromhex(client.issuers.encode_abi(act, args=args)[2:])


def _event(client: ChainClient, tx: TxResult, name: str) -> Any:
    events = getattr(client.issuers.events, name)().process_receipt(tx.receipt, errors=DISCARD)
    return events[0]["args"] if events else None


@dataclass(frozen=True)
class ProposalResult:
    proposal_id: int
    approvals: int
    tx: TxResult


def propose(
    client: ChainClient, signer: TransactionSigner, act: str, args: list[Any]
) -> ProposalResult:
    tx = client.send(
        client.issuers.functions.propose(encode_council_act(client, act, args)), signer
    )
    created = _event(client, tx, "ProposalCreated")
    approved = _event(client, tx, "ProposalApproved")
    return ProposalResult(int(created["proposalId"]), int(approved["approvals"]), tx)


def approve(client: ChainClient, signer: TransactionSigner, proposal_id: int) -> ProposalResult:
    tx = client.send(client.issuers.functions.approve(proposal_id), signer)
    return ProposalResult(proposal_id, int(_event(client, tx, "ProposalApproved")["approvals"]), tx)


def execute(client: ChainClient, signer: TransactionSigner, proposal_id: int) -> ProposalResult:
    tx = client.send(client.issuers.functions.execute(proposal_id), signer)
    return ProposalResult(proposal_id, int(_event(client, tx, "ProposalExecuted")["approvals"]), tx)


def accredit(
    client: ChainClient,
    authority: TransactionSigner,
    *,
    name: str,
    signing_key: str,
    valid_from: int,
    valid_until: int,
    metadata_hash: bytes = b"\0" * 32,
) -> tuple[int, TxResult]:
    fn = client.issuers.functions.accredit(
        name, Web3.to_checksum_address(signing_key), metadata_hash, valid_from, valid_until
    )
    tx = client.send(fn, authority)
    return int(_event(client, tx, "IssuerAccredited")["issuerId"]), tx


def suspend(
    client: ChainClient, authority: TransactionSigner, issuer_id: int, reason: int = 0
) -> TxResult:
    return client.send(client.issuers.functions.suspend(issuer_id, reason), authority)


def reinstate(client: ChainClient, authority: TransactionSigner, issuer_id: int) -> TxResult:
    return client.send(client.issuers.functions.reinstate(issuer_id), authority)


def withdraw(
    client: ChainClient, authority: TransactionSigner, issuer_id: int, *, fraud: bool
) -> TxResult:
    return client.send(client.issuers.functions.withdraw(issuer_id, 1 if fraud else 0), authority)


def renew(
    client: ChainClient, authority: TransactionSigner, issuer_id: int, valid_until: int
) -> TxResult:
    return client.send(client.issuers.functions.renew(issuer_id, valid_until), authority)


def rotate_key(
    client: ChainClient, signer: TransactionSigner, issuer_id: int, new_key: str
) -> TxResult:
    return client.send(
        client.issuers.functions.rotateKey(issuer_id, Web3.to_checksum_address(new_key)), signer
    )


def issuer_info(client: ChainClient, issuer_id: int, block: int | str = "latest") -> IssuerInfo:
    v = client.call(client.issuers.functions.issuer(issuer_id), block)
    return IssuerInfo(
        id=int(v[0]),
        economy=bytes(v[1]).decode("ascii"),
        status=IssuerStatus(v[2]),
        valid_from=int(v[3]),
        valid_until=int(v[4]),
        status_since=int(v[5]),
        signing_key=v[6],
        metadata_hash="0x" + bytes(v[7]).hex(),
        name=v[8],
    )


def standing_at(client: ChainClient, key: str, timestamp: int) -> tuple[int, Standing]:
    issuer_id, standing = client.call(
        client.issuers.functions.standingAt(Web3.to_checksum_address(key), timestamp)
    )
    return int(issuer_id), Standing(standing)
