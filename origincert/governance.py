"""Governance acts on the IssuerRegistry: the council's M-of-N proposals and the authorities' accreditation acts.

Thin, typed wrappers over the chain client so that the CLI, the demo and the tests say the same
thing the same way. Each returns the transaction result (and the id it created, where there is one).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.logs import DISCARD
from web3.types import BlockIdentifier

from origincert.chain import ChainClient, TransactionSigner, TxResult
from origincert.chain.codec import vc_key_record as _vc_key_record
from origincert.chain.errors import decode_revert
from origincert.chain.types import IssuerInfo, IssuerStatus, ProposalState, Standing, VcKeyRecord
from origincert.errors import OriginCertError, ProposalFailed
from origincert.signing import LocalSigner, Signature, Signer, sign_key_possession

if TYPE_CHECKING:
    from origincert.interop.registration import VcKeyFinding, VcKeyPossession, VcKeyRegistry

__all__ = [
    "COUNCIL_ACTS",
    "IssuerInfo",
    "IssuerStatus",
    "ProposalFailed",
    "ProposalInfo",
    "ProposalState",
    "Standing",
    "VcKeyRecord",
    "accredit",
    "approve",
    "bump_epoch",
    "cancel",
    "epoch_of",
    "execute",
    "issuer_info",
    "key_possession",
    "ledger_vc_key_registry",
    "proposal_info",
    "propose",
    "reinstate",
    "renew",
    "rotate_key",
    "set_vc_key",
    "standing_at",
    "suspend",
    "vc_key_at",
    "vc_key_record",
    "withdraw",
    "withdraw_approval",
]

# Council acts a proposal may carry: name -> how to build its arguments from strings.
COUNCIL_ACTS = (
    "addCouncilMember",
    "removeCouncilMember",
    "setThreshold",
    "registerAuthority",
    "removeAuthority",
)


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


@dataclass(frozen=True)
class ProposalInfo:
    proposal_id: int
    proposer: str
    state: ProposalState
    expires_at: int
    council_epoch: int
    data: bytes
    approvers: tuple[str, ...]
    approvals: int  # those that count now: none once a council change made the proposal stale


def proposal_info(client: ChainClient, proposal_id: int) -> ProposalInfo:
    (v,) = client.view("IssuerRegistry", "proposal", proposal_id)
    return ProposalInfo(
        proposal_id, Web3.to_checksum_address(v[0]), ProposalState(v[1]), int(v[2]), int(v[3]),
        bytes(v[4]), tuple(Web3.to_checksum_address(a) for a in v[5]), int(v[6]),
    )  # fmt: skip


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
    """Execute a proposal. Raises ProposalFailed when the act itself reverted: the transaction
    succeeded and recorded the failure, which is final."""
    tx = client.send(client.issuers.functions.execute(proposal_id), signer)
    executed = _event(client, tx, "ProposalExecuted")
    if executed is None:
        failed = _event(client, tx, "ProposalFailed")
        raise ProposalFailed(proposal_id, decode_revert("0x" + bytes(failed["reason"]).hex()), tx)
    return ProposalResult(proposal_id, int(executed["approvals"]), tx)


def cancel(client: ChainClient, signer: TransactionSigner, proposal_id: int) -> TxResult:
    """The proposer cancels a pending proposal for good."""
    return client.send(client.issuers.functions.cancel(proposal_id), signer)


def withdraw_approval(
    client: ChainClient, signer: TransactionSigner, proposal_id: int
) -> ProposalResult:
    """A member takes back an approval of a pending proposal."""
    tx = client.send(client.issuers.functions.withdrawApproval(proposal_id), signer)
    return ProposalResult(
        proposal_id, int(_event(client, tx, "ApprovalWithdrawn")["approvals"]), tx
    )


def _as_signer(key: Signer | LocalAccount) -> Signer:
    return LocalSigner(key) if isinstance(key, LocalAccount) else key


def key_possession(
    client: ChainClient, key: Signer | LocalAccount, issuer_id: int, economy: str
) -> Signature:
    """The proof a new signing key gives that it is held by its body (``issuer_id`` 0 for a new
    accreditation): made by the key's holder, handed to whoever sends the act."""
    return sign_key_possession(
        _as_signer(key),
        issuer_id,
        economy,
        client.chain_id,
        client._require_manifest().issuer_registry.address,
    )


def _possession(possession: Signature | bytes) -> tuple[bytes, bytes]:
    sig = possession if isinstance(possession, Signature) else Signature.from_bytes(possession)
    return sig.compact()


def accredit(
    client: ChainClient,
    authority: TransactionSigner,
    *,
    name: str,
    signing_key: str,
    valid_from: int,
    valid_until: int,
    possession: Signature | bytes | None = None,
    key: Signer | LocalAccount | None = None,
    metadata_hash: bytes = b"\0" * 32,
) -> tuple[int, TxResult]:
    """Accredit a body of the authority's economy. The new key's proof of possession is given
    (``possession``, made with :func:`key_possession`) or made here with ``key`` itself."""
    if possession is None:
        if key is None:
            raise OriginCertError(
                "accrediting needs the new key's proof of possession", code="possession_missing"
            )
        (economy,) = client.view(
            "IssuerRegistry", "economyOf", Web3.to_checksum_address(authority.address)
        )
        possession = key_possession(client, key, 0, economy.decode("ascii", "replace"))
    r, vs = _possession(possession)
    fn = client.issuers.functions.accredit(
        name, Web3.to_checksum_address(signing_key), metadata_hash, valid_from, valid_until, r, vs
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
    client: ChainClient,
    signer: TransactionSigner,
    issuer_id: int,
    new_key: str,
    *,
    possession: Signature | bytes | None = None,
    key: Signer | LocalAccount | None = None,
) -> TxResult:
    """Rotate a body's key; the new key's proof of possession is given or made with ``key``."""
    if possession is None:
        if key is None:
            raise OriginCertError(
                "rotating needs the new key's proof of possession", code="possession_missing"
            )
        possession = key_possession(client, key, issuer_id, issuer_info(client, issuer_id).economy)
    r, vs = _possession(possession)
    return client.send(
        client.issuers.functions.rotateKey(issuer_id, Web3.to_checksum_address(new_key), r, vs),
        signer,
    )


def bump_epoch(client: ChainClient, signer: TransactionSigner, issuer_id: int) -> TxResult:
    """Void every anchor signature the body made and has not anchored yet."""
    return client.send(client.issuers.functions.bumpEpoch(issuer_id), signer)


def epoch_of(client: ChainClient, issuer_id: int, block: BlockIdentifier = "latest") -> int:
    """The body's current epoch: what its next anchor signature must name."""
    (epoch,) = client.view("IssuerRegistry", "epochOf", issuer_id, block=block)
    return int(epoch)


def issuer_info(
    client: ChainClient, issuer_id: int, block: BlockIdentifier = "latest"
) -> IssuerInfo:
    (v,) = client.view("IssuerRegistry", "issuer", issuer_id, block=block)
    return IssuerInfo(
        id=int(v[0]),
        economy=bytes(v[1]).decode("ascii"),
        status=IssuerStatus(v[2]),
        valid_from=int(v[3]),
        valid_until=int(v[4]),
        status_since=int(v[5]),
        signing_key=Web3.to_checksum_address(v[6]),
        metadata_hash="0x" + bytes(v[7]).hex(),
        name=v[8],
    )


def standing_at(client: ChainClient, key: str, timestamp: int) -> tuple[int, Standing]:
    issuer_id, standing = client.view(
        "IssuerRegistry", "standingAt", Web3.to_checksum_address(key), timestamp
    )
    return int(issuer_id), Standing(standing)


def set_vc_key(
    client: ChainClient,
    signer: TransactionSigner,
    issuer_id: int,
    possession: VcKeyPossession,
) -> TxResult:
    """Register the body's VC key (its hash, with the key's proof of possession from
    :func:`origincert.interop.registration.vc_key_possession`). The epoch moves."""
    return client.send(
        client.issuers.functions.setVcKey(
            issuer_id, possession.qx, possession.qy, possession.r, possession.s
        ),
        signer,
    )


def vc_key_at(
    client: ChainClient, issuer_id: int, epoch: int, block: BlockIdentifier = "latest"
) -> bytes:
    """The VC key hash the body had registered while at ``epoch`` (32 zero bytes if none)."""
    (key_hash,) = client.view("IssuerRegistry", "vcKeyAt", issuer_id, epoch, block=block)
    return bytes(key_hash)


def vc_key_record(
    client: ChainClient, key_hash: bytes, block: BlockIdentifier = "latest"
) -> VcKeyRecord:
    """Which body registered ``key_hash``, and for which epochs (``issuer_id`` 0: never)."""
    return _vc_key_record(
        key_hash, client.view("IssuerRegistry", "vcKeyRecord", key_hash, block=block)
    )


def ledger_vc_key_registry(client: ChainClient, block: BlockIdentifier = "latest") -> VcKeyRegistry:
    """The ``vc_key_registered`` answer from the chain: the anchor record's epoch (never the
    file's word for it), then the VC key the body had registered in that epoch."""
    from origincert.interop.registration import VcKeyFinding, vc_key_finding, vc_key_hash

    def answer(issued: Mapping[str, Any], public_multikey: str) -> VcKeyFinding | None:
        proof = issued.get("proof")
        issuer_id = proof.get("issuer_id") if isinstance(proof, Mapping) else None
        root_hex = proof.get("root") if isinstance(proof, Mapping) else None
        if type(issuer_id) is not int or not 0 < issuer_id < 2**32 or not isinstance(root_hex, str):
            return None  # the evidence layer reports the malformed proof
        try:
            root = bytes.fromhex(root_hex.removeprefix("0x"))
        except ValueError:
            return None
        if len(root) != 32:
            return None
        (anchor,) = client.view("CertificateRegistry", "anchorOf", issuer_id, root, block=block)
        if int(anchor[2]) == 0:  # anchoredAt 0: the evidence layer says why
            return VcKeyFinding(
                "vc_key_no_anchor",
                "The ledger holds no anchor of this certificate, so no VC key vouches for it.",
                skipped=True,
            )
        epoch = int(anchor[6])
        key_hash = vc_key_hash(public_multikey)
        return vc_key_finding(
            vc_key_at(client, issuer_id, epoch, block),
            key_hash,
            vc_key_record(client, key_hash, block),
            issuer_id,
            epoch,
        )

    return answer
