"""Every finding of the contracts audit (docs/reviews 2026-12, F-01..F-11) tried again as an exploit
on a real Hardhat node, expecting the refusal. Same-block orderings run with automine off and one
``evm_mine``, as several transactions share a block on QBFT."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from chainutil import YEAR, World, anchor, anchor_tx, key_possession, test_account
from eth_utils import keccak

from origincert import governance
from origincert.errors import ContractRevert
from origincert.governance import ProposalState

relayer = test_account("relayer")
stranger = test_account("stranger")
DAY = 86_400


def reverts(error: str):
    return pytest.raises(ContractRevert, match=rf"^refused by the contract: {error}\(")


def leaf_of(target: bytes) -> bytes:
    return keccak(keccak(target))


def pair(a: bytes, b: bytes) -> bytes:
    return keccak(min(a, b) + max(a, b))


def ids(world: World, label: str) -> int:
    return world.chamber_ids[label]


@contextmanager
def one_block(world: World) -> Iterator[list]:
    """Transactions queued with automine off, mined together by one ``evm_mine`` in the order
    sent; yields a list to which ``(fn, sender)`` pairs are appended, then holds the receipts."""
    queued: list = []
    world.rpc("evm_setAutomine", [False])
    try:
        yield queued
        w3, c = world.client.w3, world.client
        hashes = []
        for fn, sender in queued:
            tx = fn.build_transaction(
                {
                    "from": sender.address,
                    "nonce": w3.eth.get_transaction_count(sender.address, "pending"),
                    "gas": 1_000_000,
                    "gasPrice": 0,
                    "chainId": c.chain_id,
                }
            )
            hashes.append(w3.eth.send_raw_transaction(sender.sign_transaction(tx).raw_transaction))
        world.rpc("evm_mine")
        queued.clear()
        queued.extend(w3.eth.get_transaction_receipt(h) for h in hashes)
    finally:
        world.rpc("evm_setAutomine", [True])
        world.client.forget_nonces()


# ---------------------------------------------------------------- F-01 council proposals


def test_f01_a_failed_execution_is_final(world: World) -> None:
    c = world.client
    duplicate = ["registerAuthority", [b"DE", test_account("evil").address, "evil"]]
    p = governance.propose(c, world.council[0], *duplicate)
    governance.approve(c, world.council[1], p.proposal_id)
    with reverts("IssuerRegistryEconomyTaken") as failed:
        governance.execute(c, world.council[2], p.proposal_id)
    assert isinstance(failed.value, governance.ProposalFailed)
    assert governance.proposal_info(c, p.proposal_id).state is ProposalState.FAILED
    world.council_act("removeAuthority", [b"DE"])  # now the act would succeed...
    with reverts("IssuerRegistryProposalNotPending"):  # ...but a failed proposal never runs again
        governance.execute(c, world.council[2], p.proposal_id)


def test_f01_proposals_expire(world: World) -> None:
    c = world.client
    p = governance.propose(c, world.council[0], "addCouncilMember", [stranger.address])
    governance.approve(c, world.council[1], p.proposal_id)
    world.advance(14 * DAY)
    with reverts("IssuerRegistryProposalExpired"):
        governance.execute(c, world.council[2], p.proposal_id)
    with reverts("IssuerRegistryProposalExpired"):
        governance.approve(c, world.council[2], p.proposal_id)
    assert not c.call(c.issuers.functions.isCouncilMember(stranger.address))


def test_f01_cancel_and_withdraw_approval(world: World) -> None:
    c = world.client
    p = governance.propose(c, world.council[0], "addCouncilMember", [stranger.address])
    governance.approve(c, world.council[1], p.proposal_id)
    assert governance.withdraw_approval(c, world.council[1], p.proposal_id).approvals == 1
    with reverts("IssuerRegistryNotApprover"):
        governance.withdraw_approval(c, world.council[2], p.proposal_id)
    with reverts("IssuerRegistryNotEnoughApprovals"):
        governance.execute(c, world.council[0], p.proposal_id)
    with reverts("IssuerRegistryNotProposer"):
        governance.cancel(c, world.council[1], p.proposal_id)
    governance.cancel(c, world.council[0], p.proposal_id)
    assert governance.proposal_info(c, p.proposal_id).state is ProposalState.CANCELLED
    for act in (governance.approve, governance.execute):
        with reverts("IssuerRegistryProposalNotPending"):
            act(c, world.council[2], p.proposal_id)


def test_f01_a_council_change_voids_pending_approvals(world: World) -> None:
    """e01 (c) and (d): a proposal refused under 3-of-3 does not become executable when the
    threshold drops, and a re-added member's old approval does not come back."""
    c = world.client
    world.council_act("setThreshold", [3])
    p = governance.propose(c, world.council[0], "addCouncilMember", [stranger.address])
    governance.approve(c, world.council[1], p.proposal_id)
    lower = governance.propose(c, world.council[0], "setThreshold", [2])
    for member in world.council[1:]:
        governance.approve(c, member, lower.proposal_id)
    governance.execute(c, world.council[0], lower.proposal_id)
    with reverts("IssuerRegistryProposalStale"):
        governance.execute(c, world.council[2], p.proposal_id)
    with reverts("IssuerRegistryProposalStale"):
        governance.approve(c, world.council[2], p.proposal_id)
    assert governance.proposal_info(c, p.proposal_id).approvals == 0


# ---------------------------------------------------------------- F-02 root squatting


def test_f02_a_front_run_anchor_neither_blocks_nor_claims_the_victims_root(world: World) -> None:
    c = world.client
    berlin, sicc = ids(world, "DE-berlin"), ids(world, "SG-sicc")
    root = leaf_of(os.urandom(32))
    victim = anchor_tx(world, world.chambers["DE-berlin"], root, 3)
    squat = anchor_tx(world, world.chambers["SG-sicc"], root, 3)
    with one_block(world) as block:  # the squatter outbids: its transaction is mined first
        block += [(squat, test_account("watcher")), (victim, relayer)]
    assert [r["status"] for r in block] == [1, 1]  # the victim's anchor is not blocked
    assert c.call(c.certificates.functions.anchorOf(berlin, root))[0] == berlin
    assert c.call(c.certificates.functions.anchorOf(sicc, root))[0] == sicc
    # The squatter owns nothing of Berlin's: it cannot revoke Berlin's record of the root.
    with reverts("CertificateRegistryNotAllowed"):
        c.send(c.certificates.functions.revokeRoot(berlin, root, 1), world.chambers["SG-sicc"])
    c.send(c.certificates.functions.revokeRoot(sicc, root, 1), world.chambers["SG-sicc"])
    assert c.call(c.certificates.functions.anchorOf(berlin, root))[4] == 0


# ---------------------------------------------------------------- F-03 signature lifetime


def test_f03_a_signature_made_while_suspended_or_before_is_void_after_reinstatement(
    world: World,
) -> None:
    c, de = world.client, world.authorities["DE"]
    key, berlin = world.chambers["DE-berlin"], ids(world, "DE-berlin")
    before = anchor_tx(world, key, os.urandom(32), deadline=world.now() + 365 * DAY)
    governance.suspend(c, de, berlin)
    during = anchor_tx(world, key, os.urandom(32), deadline=world.now() + 365 * DAY)
    with reverts("CertificateRegistryNotAccredited"):
        c.send(during, relayer)
    world.advance(90 * DAY)
    governance.reinstate(c, de, berlin)
    for withheld in (before, during):
        with reverts("CertificateRegistryStaleEpoch"):
            c.send(withheld, relayer)


def test_f03_a_signature_expires(world: World) -> None:
    fn = anchor_tx(world, world.chambers["DE-berlin"], os.urandom(32), deadline=world.now() + 30)
    world.advance(31)
    with reverts("CertificateRegistrySignatureExpired"):
        world.client.send(fn, relayer)


# ---------------------------------------------------------------- F-04 same-block standing


def test_f04_anchor_then_rotation_in_one_block_is_accredited_at_issue(world: World) -> None:
    c = world.client
    hamburg, key = ids(world, "DE-hamburg"), world.chambers["DE-hamburg"]
    new = test_account("hamburg-same-block")
    root = os.urandom(32)
    fn = anchor_tx(world, key, root)
    r, vs = key_possession(world, new, hamburg, "DE")
    rotate = c.issuers.functions.rotateKey(hamburg, new.address, r, vs)
    with one_block(world) as block:
        block += [(fn, relayer), (rotate, key)]
    assert [x["status"] for x in block] == [1, 1]
    assert block[0]["blockNumber"] == block[1]["blockNumber"]
    record = c.call(c.certificates.functions.anchorOf(hamburg, root))
    # The record itself is the answer: the anchor exists, in the epoch it signed, before the rotation.
    assert record[0] == hamburg and record[6] == governance.epoch_of(c, hamburg) - 1


def test_f04_rotation_then_anchor_in_one_block_is_refused(world: World) -> None:
    c = world.client
    hamburg, key = ids(world, "DE-hamburg"), world.chambers["DE-hamburg"]
    new = test_account("hamburg-same-block-2")
    fn = anchor_tx(world, key, os.urandom(32))
    r, vs = key_possession(world, new, hamburg, "DE")
    with one_block(world) as block:
        block += [(c.issuers.functions.rotateKey(hamburg, new.address, r, vs), key), (fn, relayer)]
    assert [x["status"] for x in block] == [1, 0]


def test_f04_suspend_and_reinstate_in_one_block_both_move_the_epoch(world: World) -> None:
    c, de = world.client, world.authorities["DE"]
    berlin = ids(world, "DE-berlin")
    epoch = governance.epoch_of(c, berlin)
    signed = anchor_tx(world, world.chambers["DE-berlin"], os.urandom(32))
    with one_block(world) as block:
        block += [
            (c.issuers.functions.suspend(berlin, 1), de),
            (c.issuers.functions.reinstate(berlin), de),
        ]
    assert [x["status"] for x in block] == [1, 1]
    # statusAt keeps one value per second, but the epoch saw both: a signature of before is void.
    assert governance.epoch_of(c, berlin) == epoch + 2
    with reverts("CertificateRegistryStaleEpoch"):
        c.send(signed, relayer)


# ---------------------------------------------------------------- F-05 powers after the end


def test_f05_a_withdrawn_body_may_revoke_its_own_but_not_replace_rotate_or_bump(
    world: World,
) -> None:
    c, de = world.client, world.authorities["DE"]
    key, berlin = world.chambers["DE-berlin"], ids(world, "DE-berlin")
    targets = [os.urandom(32) for _ in range(3)]
    for t in targets:
        anchor(world, key, leaf_of(t))
    governance.withdraw(c, de, berlin, fraud=False)
    c.send(c.certificates.functions.revokeRoot(berlin, leaf_of(targets[0]), 6), key)
    old, new = leaf_of(targets[1]), leaf_of(targets[2])
    with reverts("CertificateRegistryNotAllowed"):
        c.send(
            c.certificates.functions.replace(berlin, old, targets[1], [], new, targets[2], []), key
        )
    fresh = test_account("berlin-after-withdrawal")
    with reverts("IssuerRegistryKeyPowerEnded"):
        governance.rotate_key(c, key, berlin, fresh.address, key=fresh)
    with reverts("IssuerRegistryKeyPowerEnded"):
        governance.bump_epoch(c, key, berlin)
    # Its authority keeps every power: it may replace, and park the key.
    c.send(c.certificates.functions.replace(berlin, old, targets[1], [], new, targets[2], []), de)
    governance.rotate_key(c, de, berlin, fresh.address, key=fresh)


def test_f05_an_expired_body_cannot_rotate_its_key(world: World) -> None:
    c = world.client
    key = test_account("short-lived")
    now = world.now()
    body, _ = governance.accredit(
        c, world.authorities["SG"], name="short", signing_key=key.address,
        valid_from=now - 5, valid_until=now + 100, key=key,
    )  # fmt: skip
    world.advance(200)
    fresh = test_account("short-lived-2")
    with reverts("IssuerRegistryKeyPowerEnded"):
        governance.rotate_key(c, key, body, fresh.address, key=fresh)


# ---------------------------------------------------------------- F-06 proof of possession


def test_f06_a_key_cannot_be_claimed_without_its_holder(world: World) -> None:
    c = world.client
    k = test_account("pending-key")
    sicc = ids(world, "SG-sicc")
    # SICC tries to burn K, which DE's authority is about to accredit: no proof, no claim.
    r, vs = key_possession(world, world.chambers["SG-sicc"], sicc, "SG")  # signed by the wrong key
    with reverts("IssuerRegistryInvalidPossession"):
        c.send(c.issuers.functions.rotateKey(sicc, k.address, r, vs), world.chambers["SG-sicc"])
    # A proof copied from DE's pending accreditation is bound to DE: the SG authority cannot use it.
    proof = key_possession(world, k, 0, "DE")
    now = world.now()
    sg_accredit = c.issuers.functions.accredit(
        "squat", k.address, b"\0" * 32, now - 5, now + YEAR, *proof
    )
    with reverts("IssuerRegistryInvalidPossession"):
        c.send(sg_accredit, world.authorities["SG"])
    # ... nor can SICC use it to rotate onto K.
    with reverts("IssuerRegistryInvalidPossession"):
        c.send(c.issuers.functions.rotateKey(sicc, k.address, *proof), world.chambers["SG-sicc"])
    de_accredit = c.issuers.functions.accredit(
        "lawful", k.address, b"\0" * 32, now - 5, now + YEAR, *proof
    )
    c.send(de_accredit, world.authorities["DE"])
    # A key may not also be an authority or a council member.
    auth = world.authorities["DE"]
    with reverts("IssuerRegistryAccountHasRole"):
        governance.rotate_key(
            c, world.chambers["DE-berlin"], ids(world, "DE-berlin"), auth.address, key=auth
        )


# ---------------------------------------------------------------- F-07 council calldata


def test_f07_only_the_five_council_acts_can_be_proposed(world: World) -> None:
    c = world.client
    for data in (
        bytes.fromhex(c.issuers.encode_abi("threshold", args=[])[2:]),  # a view
        bytes.fromhex(c.issuers.encode_abi("approve", args=[0])[2:]),  # a member's own call
        b"\xde\xad\xbe\xef",  # an unknown selector
        b"",
    ):
        with reverts("IssuerRegistryActNotAllowed"):
            c.send(c.issuers.functions.propose(data), world.council[0])


def test_f07_the_registry_cannot_become_a_member_or_an_authority(world: World) -> None:
    registry = world.manifest.issuer_registry.address
    with reverts("IssuerRegistryAccountHasRole"):
        world.council_act("addCouncilMember", [registry])
    with reverts("IssuerRegistryAccountHasRole"):
        world.council_act("registerAuthority", [b"XK", registry, "the registry itself"])
    with reverts("IssuerRegistryAccountHasRole"):  # nor a council member an authority
        world.council_act("registerAuthority", [b"XK", world.council[2].address, "member"])


# ---------------------------------------------------------------- F-08 phantom leaves


def test_f08_inner_nodes_and_the_root_are_not_leaves(world: World) -> None:
    c = world.client
    key, berlin = world.chambers["DE-berlin"], ids(world, "DE-berlin")
    targets = [os.urandom(32) for _ in range(4)]
    leaves = [leaf_of(t) for t in targets]
    left, right = pair(leaves[0], leaves[1]), pair(leaves[2], leaves[3])
    root = pair(left, right)
    anchor(world, key, root, 4)
    with reverts("CertificateRegistryInvalidProof"):  # the root, with an empty proof
        c.send(c.certificates.functions.revokeLeaf(berlin, root, root, [], 1), key)
    with reverts("CertificateRegistryInvalidProof"):  # an inner node, with a shorter proof
        c.send(c.certificates.functions.revokeLeaf(berlin, root, left, [right], 1), key)
    single = os.urandom(32)
    anchor(world, key, leaf_of(single))
    with reverts("CertificateRegistryInvalidProof"):  # a batch root as a successor
        c.send(
            c.certificates.functions.replace(berlin, leaf_of(single), single, [], root, root, []),
            key,
        )


# ---------------------------------------------------------------- F-09 replacement graph


def test_f09_no_cycles_no_merges_no_superseded_or_older_successors(world: World) -> None:
    c = world.client
    key, berlin = world.chambers["DE-berlin"], ids(world, "DE-berlin")
    t = {x: os.urandom(32) for x in "abcdef"}
    for x in "abcdef":  # one block each, in this order
        anchor(world, key, leaf_of(t[x]))

    def replace(old: str, new: str):
        o, n = leaf_of(t[old]), leaf_of(t[new])
        return c.send(c.certificates.functions.replace(berlin, o, t[old], [], n, t[new], []), key)

    replace("a", "b")
    with reverts("CertificateRegistrySuccessorNotLater"):  # b -> a closes a cycle
        replace("b", "a")
    replace("c", "d")
    with reverts("CertificateRegistryAlreadyReplaced"):  # to an already replaced certificate
        replace("b", "c")
    replace("e", "f")
    with reverts("CertificateRegistryAlreadySuccessor"):  # d -> f would merge d and e into f
        replace("d", "f")
    with reverts("CertificateRegistrySuccessorNotLater"):  # a successor older than the old
        replace("f", "e")


# ---------------------------------------------------------------- F-10 / F-11 casts, zero root, roles


def test_f10_narrowing_is_checked(world: World) -> None:
    c = world.client
    key = world.chambers["DE-berlin"]
    root = os.urandom(32)
    with pytest.raises(ContractRevert, match="SafeCastOverflowedUintDowncast"):
        c.send(
            anchor_tx(world, key, root, issuer_id=2**32, epoch=1, claim_id=2**32),
            relayer,
            gas=300_000,
        )
    k = test_account("far-future")
    with pytest.raises(ContractRevert, match="SafeCastOverflowedUintDowncast"):
        governance.accredit(
            c, world.authorities["DE"], name="far", signing_key=k.address,
            valid_from=0, valid_until=2**40, key=k,
        )  # fmt: skip


def test_f11_zero_root_and_a_council_member_as_signing_key_are_refused(world: World) -> None:
    with reverts("CertificateRegistryZeroRoot"):
        anchor(world, world.chambers["DE-berlin"], bytes(32))
    member = world.council[1]
    now = world.now()
    with reverts("IssuerRegistryAccountHasRole"):
        governance.accredit(
            world.client, world.authorities["DE"], name="m", signing_key=member.address,
            valid_from=now - 5, valid_until=now + YEAR, key=member,
        )  # fmt: skip


def test_f01_withholding_gas_cannot_fail_a_proposal(world: World) -> None:
    """An executor that gives too little gas for the act makes its own transaction fail, not the
    proposal: it stays pending and runs when executed with enough gas."""
    from origincert.errors import ChainError

    c = world.client
    p = governance.propose(
        c, world.council[0], "registerAuthority", [b"FR", stranger.address, "FR"]
    )
    governance.approve(c, world.council[1], p.proposal_id)
    needed = c.guard(
        lambda: c.issuers.functions.execute(p.proposal_id).estimate_gas(
            {"from": world.council[0].address}
        )
    )
    for gas in (needed - 30_000, needed - 10_000):
        with pytest.raises(ChainError):
            c.send(c.issuers.functions.execute(p.proposal_id), world.council[0], gas=gas)
        assert governance.proposal_info(c, p.proposal_id).state is ProposalState.PENDING
    governance.execute(c, world.council[0], p.proposal_id)
    assert c.call(c.issuers.functions.authorityOf(b"FR")) == stranger.address


def test_f04_the_verifier_judges_a_same_block_rotation_lawful(world: World) -> None:
    """e05 (a): anchored, then the key rotated in the same block. v1 said key_retired_at_issue;
    the anchor record now answers "accredited at issue", so the verdict is VALID."""
    from verifier import builder
    from verifier.conftest import DAY, documents

    from origincert.verdict import Verdict
    from origincert.verifier import Verifier

    c = world.client
    hamburg, key = ids(world, "DE-hamburg"), world.chambers["DE-hamburg"]
    terms = (hamburg, governance.epoch_of(c, hamburg), world.now() + 3600)
    [doc] = documents(1, 401)
    doc["issuing_body"] = {
        **doc["issuing_body"],
        "ledger_id": hamburg,
        "name": "Chamber DE-hamburg",
    }
    files, root, sig = builder.build(
        [doc], key, chain_id=c.chain_id,
        registry=c.manifest.certificate_registry.address, terms=terms,
    )  # fmt: skip
    r, vs = builder.compact(sig)
    new = test_account("hamburg-rotated-in-block")
    pr, pvs = key_possession(world, new, hamburg, "DE")
    with one_block(world) as block:
        block += [
            (c.certificates.functions.anchor(root, 1, *terms, r, vs), relayer),
            (c.issuers.functions.rotateKey(hamburg, new.address, pr, pvs), key),
        ]
    assert [x["status"] for x in block] == [1, 1]
    result = Verifier(c, clock=lambda: DAY).verify(files[0])
    assert result.check("issuer_accredited").code == "accredited_at_issue", result.failed()
    assert result.verdict is Verdict.VALID
