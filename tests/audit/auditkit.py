"""Helpers for audit tests: act on the test world's ledger, then audit it."""

from __future__ import annotations

import os

from chainutil import World, test_account
from chainutil import anchor as chain_anchor
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from origincert.audit import AuditOptions, AuditResult, run_audit
from origincert.audit import events as ev
from origincert.audit.rules import audit_transactions
from origincert.chain import TxResult

RELAYER = test_account("audit-relayer")


def leaf_of(target: bytes) -> bytes:
    return keccak(keccak(target))


def pair(a: bytes, b: bytes) -> bytes:
    return keccak(min(a, b) + max(a, b))


def anchor(world: World, signer: LocalAccount, root: bytes, count: int = 1) -> TxResult:
    return chain_anchor(world, signer, root, count)


def issuer_of_root(world: World, root: bytes) -> int:
    """The first issuing body that anchored ``root`` (tests anchor each root once)."""
    c = world.client
    for issuer_id in range(1, int(c.call(c.issuers.functions.issuerCount())) + 1):
        if c.call(c.certificates.functions.anchorOf(issuer_id, root))[2]:
            return issuer_id
    return 0


def single(world: World, signer: LocalAccount) -> tuple[bytes, bytes, TxResult]:
    """Anchor one certificate with a random target hash: (target, root == leaf, tx)."""
    target = os.urandom(32)
    root = leaf_of(target)
    return target, root, anchor(world, signer, root)


def revoke_root(world: World, by: LocalAccount, root: bytes, reason: int = 1) -> TxResult:
    fn = world.client.certificates.functions.revokeRoot(issuer_of_root(world, root), root, reason)
    return world.client.send(fn, by)


def replace(world: World, by: LocalAccount, old_target: bytes, new_target: bytes) -> TxResult:
    """Replace a single certificate (root == leaf) by another, given their target hashes."""
    c = world.client
    old, new = leaf_of(old_target), leaf_of(new_target)
    fn = c.certificates.functions.replace(
        issuer_of_root(world, old), old, old_target, [], new, new_target, []
    )
    return c.send(fn, by)


def audit(world: World, **options) -> AuditResult:
    return run_audit(world.client, AuditOptions(**options))


def codes(result: AuditResult) -> list[str]:
    return sorted(f.code for f in result.findings)


# ---------------------------------------------------------------------- hand-built ledgers (pure tests)

T0 = 1_767_225_600  # 2026-01-01 00:00 UTC


def addr(label: str) -> str:
    return test_account(label).address.lower()


def h32(label: str) -> str:
    return "0x" + keccak(text=label).hex()


def council_calldata(function: str, args: list) -> bytes:
    """A council act's calldata, encoded from the shipped ABI (not by the code under test)."""
    from eth_abi import encode
    from eth_utils import function_abi_to_4byte_selector

    from origincert.chain.artifacts import load_artifact

    (item,) = [
        i
        for i in load_artifact("IssuerRegistry").abi
        if i.get("name") == function and i["type"] == "function"
    ]
    return function_abi_to_4byte_selector(item) + encode([i["type"] for i in item["inputs"]], args)


class Tape:
    """A hand-built ledger: one transaction per call, one block each, 12 s apart."""

    def __init__(self, start: int = T0) -> None:
        self.block = 100
        self.timestamp = start
        self.txs: list[ev.Transaction] = []
        self.proposals = 0
        self.owner: dict[str, int] = {}  # root -> the issuer that first anchored it

    def tx(self, sender: str | None, *events: tuple[type, dict], dt: int = 12) -> ev.Transaction:
        self.block += 1
        self.timestamp += dt
        tx_hash = "0x" + keccak(text=f"tx{self.block}").hex()
        built = tuple(
            cls(self.block, self.timestamp, tx_hash, i, **fields)
            for i, (cls, fields) in enumerate(events)
        )
        t = ev.Transaction(tx_hash, self.block, self.timestamp, sender, built)
        self.txs.append(t)
        return t

    def at(self, timestamp: int) -> Tape:
        """Move the clock so that the next transaction lands at ``timestamp``."""
        self.timestamp = timestamp - 12
        return self

    # -- the consortium
    def genesis(self, council: list[str], threshold: int) -> Tape:
        self.tx(
            None,
            *[(ev.CouncilMemberAdded, {"member": m}) for m in council],
            (ev.ThresholdChanged, {"previous": 0, "new": threshold}),
        )
        return self

    def council_act(
        self,
        function: str,
        args: list,
        effects: list[tuple[type, dict]],
        *,
        proposer: str,
        approvers: list[str],
        approvals: int | None = None,
    ) -> int:
        """Propose, approve, execute; ``effects`` are the act's events (what the contract emitted)."""
        pid = self.proposals
        self.proposals += 1
        data = council_calldata(function, args)
        self.tx(
            proposer,
            (ev.ProposalCreated, {"proposal_id": pid, "proposer": proposer, "data": data}),
            (ev.ProposalApproved, {"proposal_id": pid, "approver": proposer, "approvals": 1}),
        )
        for n, a in enumerate(approvers, start=2):
            self.tx(a, (ev.ProposalApproved, {"proposal_id": pid, "approver": a, "approvals": n}))
        count = approvals if approvals is not None else 1 + len(approvers)
        self.tx(
            proposer,
            *effects,
            (ev.ProposalExecuted, {"proposal_id": pid, "executor": proposer, "approvals": count}),
        )
        return pid

    def register_authority(self, economy: str, account: str, *, council: list[str]) -> Tape:
        self.council_act(
            "registerAuthority",
            [economy.encode(), account, f"Authority {economy}"],
            [
                (
                    ev.AuthorityRegistered,
                    {
                        "economy": economy,
                        "account": account,
                        "authority_name": f"Authority {economy}",
                    },
                )
            ],
            proposer=council[0],
            approvers=council[1:2],
        )
        return self

    def accredit(
        self,
        authority: str,
        issuer_id: int,
        economy: str,
        key: str,
        *,
        valid_for: int = 365 * 86_400,
    ) -> Tape:
        self.tx(
            authority,
            (
                ev.IssuerAccredited,
                {
                    "issuer_id": issuer_id,
                    "economy": economy,
                    "signing_key": key,
                    "issuer_name": f"Chamber {issuer_id}",
                    "metadata_hash": "0x" + "00" * 32,
                    "valid_from": self.timestamp - 10,
                    "valid_until": self.timestamp + valid_for,
                },
            ),
        )
        return self

    # -- certificates
    def anchor(
        self,
        signer: str,
        root: str,
        issuer_id: int,
        count: int = 1,
        *,
        relayer: str | None = None,
        dt: int = 12,
    ) -> Tape:
        self.owner.setdefault(root, issuer_id)
        self.tx(
            relayer or addr("relayer"),
            (
                ev.Anchored,
                {"root": root, "issuer_id": issuer_id, "signer": signer, "leaf_count": count},
            ),
            dt=dt,
        )
        return self

    def revoke_root(
        self, by: str, root: str, issuer_id: int, reason: int = 1, dt: int = 12
    ) -> Tape:
        self.tx(
            by,
            (ev.RootRevoked, {"root": root, "issuer_id": issuer_id, "by": by, "reason": reason}),
            dt=dt,
        )
        return self

    def revoke_leaf(
        self, by: str, root: str, leaf: str, reason: int = 1, issuer_id: int | None = None
    ) -> Tape:
        iid = self.owner.get(root, 0) if issuer_id is None else issuer_id
        fields = {"root": root, "leaf": leaf, "by": by, "reason": reason, "issuer_id": iid}
        self.tx(by, (ev.LeafRevoked, fields))
        return self

    def replace(
        self,
        by: str,
        old: str,
        new: str,
        *,
        old_root: str | None = None,
        new_root: str | None = None,
        issuer_id: int | None = None,
    ) -> Tape:
        iid = self.owner.get(old_root or old, 0) if issuer_id is None else issuer_id
        self.tx(
            by,
            (
                ev.CertificateReplaced,
                {
                    "old_root": old_root or old,
                    "old_leaf": old,
                    "new_root": new_root or new,
                    "new_leaf": new,
                    "by": by,
                    "issuer_id": iid,
                },
            ),
        )
        return self


COUNCIL = [addr("council-0"), addr("council-1"), addr("council-2")]
AUTH_DE, AUTH_SG = addr("authority-DE"), addr("authority-SG")
KEY_1, KEY_2 = addr("chamber-1"), addr("chamber-2")


def consortium() -> Tape:
    """Genesis, two authorities, issuer 1 (DE, KEY_1) and issuer 2 (SG, KEY_2): a lawful start."""
    t = Tape().genesis(COUNCIL, 2)
    t.register_authority("DE", AUTH_DE, council=COUNCIL).register_authority(
        "SG", AUTH_SG, council=COUNCIL
    )
    return t.accredit(AUTH_DE, 1, "DE", KEY_1).accredit(AUTH_SG, 2, "SG", KEY_2)


def judged(t: Tape) -> list[str]:
    """Codes found by the pure rule checks on the tape."""
    state, findings = audit_transactions(t.txs)
    state.store.close()
    return sorted(f.code for f in findings)


# ---------------------------------------------------------------------- a busy, lawful ledger on the test chain


def batch4(targets: list[bytes]) -> tuple[bytes, list[bytes], list[list[bytes]]]:
    """A batch of four: (root, leaves, proofs) with sorted-pair hashing."""
    leaves = [leaf_of(t) for t in targets]
    left, right = pair(leaves[0], leaves[1]), pair(leaves[2], leaves[3])
    proofs = [[leaves[1], right], [leaves[0], right], [leaves[3], left], [leaves[2], left]]
    return pair(left, right), leaves, proofs


def busy_ledger(world: World) -> dict[str, object]:
    """Every kind of lawful act, so every event type is on the ledger; returns what was made."""
    from origincert import governance

    c = world.client
    newcomer = test_account("council-newcomer")
    world.council_act("addCouncilMember", [newcomer.address])
    world.council_act("setThreshold", [3])
    world.council_act("removeCouncilMember", [newcomer.address])
    world.council_act("setThreshold", [2])
    fr = test_account("authority-FR")
    world.council_act("registerAuthority", [b"FR", fr.address, "Competent authority FR"])
    world.council_act("removeAuthority", [b"FR"])
    # A proposal approved, the approval withdrawn, then cancelled; one that fails for good.
    p = governance.propose(c, world.council[0], "setThreshold", [1])
    governance.approve(c, world.council[1], p.proposal_id)
    governance.withdraw_approval(c, world.council[1], p.proposal_id)
    governance.cancel(c, world.council[0], p.proposal_id)
    taken = governance.propose(
        c, world.council[0], "registerAuthority", [b"DE", fr.address, "A second DE authority"]
    )
    governance.approve(c, world.council[1], taken.proposal_id)
    try:
        governance.execute(c, world.council[0], taken.proposal_id)
    except governance.ProposalFailed:
        pass

    de = world.authorities["DE"]
    munich, munich2 = test_account("chamber-DE-munich"), test_account("chamber-DE-munich-2")
    now = world.now()
    munich_id, _ = governance.accredit(
        c,
        de,
        name="Chamber Munich",
        signing_key=munich.address,
        valid_from=now - 5,
        valid_until=now + 86_400 * 400,
        key=munich,
    )
    governance.suspend(c, de, munich_id, 3)
    governance.reinstate(c, de, munich_id)
    governance.renew(c, de, munich_id, now + 86_400 * 800)
    governance.rotate_key(c, munich, munich_id, munich2.address, key=munich2)

    berlin = world.chambers["DE-berlin"]
    berlin_id = world.chamber_ids["DE-berlin"]
    made = [single(world, berlin) for _ in range(3)]
    _, m_root, _ = single(world, munich2)
    targets = [os.urandom(32) for _ in range(4)]
    root, leaves, proofs = batch4(targets)
    anchor(world, berlin, root, 4)
    made.append(single(world, berlin))  # anchored after the batch: a lawful successor of its leaf
    singles = [m[1] for m in made]
    revoke_root(world, berlin, singles[0], 4)
    c.send(
        c.certificates.functions.revokeLeaf(berlin_id, root, targets[2], proofs[2], 1),
        world.authorities["DE"],
    )
    replace(world, berlin, made[1][0], made[2][0])
    c.send(
        c.certificates.functions.replace(
            berlin_id, root, targets[0], proofs[0], singles[3], made[3][0], []
        ),
        berlin,
    )
    # Berlin registers its VC key with its own signing key (VcKeyChanged; the epoch moves).
    from origincert.interop.p256 import P256KeyPair
    from origincert.interop.registration import vc_key_possession

    vc_key = P256KeyPair.from_secret(keccak(text="busy-ledger-vc-key"))
    possession = vc_key_possession(
        vc_key, berlin_id, c.chain_id, world.manifest.issuer_registry.address
    )
    governance.set_vc_key(c, berlin, berlin_id, possession)
    governance.withdraw(c, de, munich_id, fraud=False)
    return {
        "singles": singles,
        "batch_root": root,
        "leaves": leaves,
        "targets": targets,
        "munich_id": munich_id,
        "munich_root": m_root,
    }


def at_next_hour(world: World) -> int:
    """Make the next block the first second of the next clock hour (so a burst stays in one hour)."""
    t = (world.now() // 3600 + 1) * 3600
    world.rpc("evm_setNextBlockTimestamp", [t])
    return t


# ---------------------------------------------------------------------- archives of issued files (docs/FORMAT.md)


def issued_file(
    folder,
    world: World,
    number: str,
    target: bytes,
    root: bytes,
    proof: list[bytes],
    *,
    signer: LocalAccount,
    leaf_index: int = 0,
    batch_size: int = 1,
    tx_hash: str | None = None,
    retroactive: bool = False,
    chain_id: int | None = None,
    doc_seed: int = 7,
    leaf: bytes | None = None,
    issuer_id: int | None = None,
):
    """Write ``<number>.coo.json`` the way the issuer does (fields needed by reconciliation, realistic document)."""
    import json
    from pathlib import Path

    from origincert.devtools.samples import sample_batch

    document = sample_batch(1, doc_seed)[0]
    document["number"] = number
    document["issuing_body"]["ledger_id"] = issuer_id or 1
    document["flags"]["issued_retroactively"] = retroactive
    data = {
        "format": "urn:origincert:issued:2",
        "document": document,
        "proof": {
            "seed": "0x" + keccak(text=number).hex(),
            "field_hashes": {"number": "0x" + keccak(text="f" + number).hex()},
            "shape": {"goods": len(document["goods"])},
            "target_hash": "0x" + target.hex(),
            "leaf": "0x" + (leaf or leaf_of(target)).hex(),
            "merkle_proof": ["0x" + p.hex() for p in proof],
            "root": "0x" + root.hex(),
            "leaf_index": leaf_index,
            "batch_size": batch_size,
            "signature": "0x" + "00" * 65,
            "signer": signer.address,
            "chain_id": chain_id if chain_id is not None else world.client.chain_id,
            "registry": world.manifest.certificate_registry.address,
            "tx_hash": tx_hash,
            "issuer_id": document["issuing_body"]["ledger_id"],
            "epoch": 1,
            "deadline": 2**40,
        },
    }
    Path(folder).mkdir(parents=True, exist_ok=True)
    path = Path(folder) / f"{number}.coo.json"
    path.write_text(json.dumps(data))
    return path
