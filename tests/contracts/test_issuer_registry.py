"""IssuerRegistry against a real Hardhat node: council M-of-N, authorities, accreditation history."""

from __future__ import annotations

import pytest
from chainutil import YEAR, World, test_account

from origincert import governance
from origincert.errors import ContractRevert
from origincert.governance import IssuerStatus, Standing

stranger = test_account("stranger")


def reverts(error: str):
    return pytest.raises(ContractRevert, match=rf"^refused by the contract: {error}\(")


# ---------------------------------------------------------------- council


def test_council_act_needs_threshold_approvals(world: World) -> None:
    c = world.client
    newcomer = test_account("newcomer")
    p = governance.propose(c, world.council[0], "addCouncilMember", [newcomer.address])
    assert p.approvals == 1
    with reverts("IssuerRegistryNotEnoughApprovals"):
        governance.execute(c, world.council[0], p.proposal_id)
    with reverts("IssuerRegistryAlreadyApproved"):
        governance.approve(c, world.council[0], p.proposal_id)
    assert governance.approve(c, world.council[2], p.proposal_id).approvals == 2
    governance.execute(c, world.council[1], p.proposal_id)
    assert c.call(c.issuers.functions.isCouncilMember(newcomer.address))
    with reverts("IssuerRegistryProposalNotPending"):
        governance.execute(c, world.council[1], p.proposal_id)


def test_strangers_cannot_propose_approve_execute_or_call_council_acts(world: World) -> None:
    c = world.client
    with reverts("IssuerRegistryNotCouncilMember"):
        governance.propose(c, stranger, "setThreshold", [1])
    p = governance.propose(c, world.council[0], "setThreshold", [1])
    with reverts("IssuerRegistryNotCouncilMember"):
        governance.approve(c, stranger, p.proposal_id)
    with reverts("IssuerRegistryNotCouncilMember"):
        governance.execute(c, stranger, p.proposal_id)
    for fn in (
        c.issuers.functions.setThreshold(1),
        c.issuers.functions.addCouncilMember(stranger.address),
        c.issuers.functions.removeCouncilMember(world.council[0].address),
        c.issuers.functions.registerAuthority(b"FR", stranger.address, "x"),
        c.issuers.functions.removeAuthority(b"DE"),
    ):
        # Even a council member cannot call a council act directly: only an executed proposal can.
        for who in (stranger, world.council[0]):
            with reverts("IssuerRegistryOnlyCouncil"):
                c.send(fn, who)


def test_threshold_change_takes_effect_for_later_proposals(world: World) -> None:
    c = world.client
    world.council_act("setThreshold", [3])
    assert c.call(c.issuers.functions.threshold()) == 3
    p = governance.propose(c, world.council[0], "setThreshold", [1])
    governance.approve(c, world.council[1], p.proposal_id)
    with reverts("IssuerRegistryNotEnoughApprovals"):
        governance.execute(c, world.council[0], p.proposal_id)
    governance.approve(c, world.council[2], p.proposal_id)
    governance.execute(c, world.council[0], p.proposal_id)
    assert c.call(c.issuers.functions.threshold()) == 1


def test_threshold_must_stay_between_one_and_members(world: World) -> None:
    with reverts("IssuerRegistryInvalidThreshold"):
        world.council_act("setThreshold", [4])
    with reverts("IssuerRegistryInvalidThreshold"):
        world.council_act("setThreshold", [0])
    world.council_act("setThreshold", [3])
    with reverts("IssuerRegistryInvalidThreshold"):  # removing a member would leave 2 < 3
        world.council_act("removeCouncilMember", [world.council[2].address])


def test_approvals_of_removed_members_do_not_count(world: World) -> None:
    c = world.client
    p = governance.propose(c, world.council[2], "setThreshold", [1])
    governance.approve(c, world.council[1], p.proposal_id)
    world.council_act("removeCouncilMember", [world.council[2].address])
    # The removal opened a new council epoch: the pending proposal is stale, whoever approved it.
    with reverts("IssuerRegistryProposalStale"):
        governance.execute(c, world.council[0], p.proposal_id)
    assert governance.proposal_info(c, p.proposal_id).approvals == 0


def test_authorities_one_per_economy(world: World) -> None:
    c = world.client
    fr = test_account("authority-FR")
    world.council_act("registerAuthority", [b"FR", fr.address, "DGDDI"])
    assert c.call(c.issuers.functions.authorityOf(b"FR")) == fr.address
    with reverts("IssuerRegistryEconomyTaken"):
        world.council_act("registerAuthority", [b"FR", test_account("other").address, "x"])
    with reverts("IssuerRegistryAccountIsAuthority"):
        world.council_act("registerAuthority", [b"IT", fr.address, "x"])
    with reverts("IssuerRegistryInvalidEconomy"):
        world.council_act("registerAuthority", [b"fr", test_account("lower").address, "x"])
    world.council_act("removeAuthority", [b"FR"])
    assert c.call(c.issuers.functions.authorityOf(b"FR")) == "0x" + "0" * 40
    with reverts("IssuerRegistryUnknownEconomy"):
        world.council_act("removeAuthority", [b"FR"])


# ---------------------------------------------------------------- accreditation


def _accredit(
    world: World, label: str, *, start_offset: int = -10, length: int = YEAR, economy: str = "DE"
):
    key = test_account(label)
    now = world.now()
    issuer_id, _ = governance.accredit(
        world.client,
        world.authorities[economy],
        name=label,
        signing_key=key.address,
        valid_from=now + start_offset,
        valid_until=now + length,
        key=key,
    )
    return issuer_id, key


def test_only_an_authority_accredits_and_only_its_own_economy(world: World) -> None:
    c = world.client
    with reverts("IssuerRegistryNotAuthority"):
        governance.accredit(
            c,
            stranger,
            name="x",
            signing_key=test_account("k").address,
            valid_from=0,
            valid_until=world.now() + 10,
            key=test_account("k"),
        )
    issuer_id, _ = _accredit(world, "chamber-DE-new")
    info = governance.issuer_info(c, issuer_id)
    assert (info.economy, info.status, info.name) == ("DE", IssuerStatus.ACTIVE, "chamber-DE-new")
    for act in (
        lambda who: governance.suspend(c, who, issuer_id),
        lambda who: governance.withdraw(c, who, issuer_id, fraud=False),
        lambda who: governance.renew(c, who, issuer_id, world.now() + 5 * YEAR),
    ):
        with reverts("IssuerRegistryNotAuthorityOf"):
            act(world.authorities["SG"])  # another economy's authority
        with reverts("IssuerRegistryNotAuthorityOf"):
            act(stranger)


def test_accreditation_refusals(world: World) -> None:
    c, de = world.client, world.authorities["DE"]
    used = world.chambers["DE-berlin"].address
    with reverts("IssuerRegistryKeyAlreadyUsed"):
        governance.accredit(
            c, de, name="x", signing_key=used, valid_from=0, valid_until=world.now() + 100,
            key=world.chambers["DE-berlin"],
        )  # fmt: skip
    with reverts("IssuerRegistryInvalidWindow"):
        governance.accredit(
            c,
            de,
            name="x",
            signing_key=test_account("w").address,
            valid_from=0,
            valid_until=world.now() - 1,
            key=test_account("w"),
        )
    with reverts("IssuerRegistryEmptyName"):
        governance.accredit(
            c,
            de,
            name="",
            signing_key=test_account("w").address,
            valid_from=0,
            valid_until=world.now() + 100,
            key=test_account("w"),
        )


def test_standing_over_the_window_and_status_history(world: World) -> None:
    c = world.client
    issuer_id, key = _accredit(world, "chamber-window", start_offset=100, length=1000)
    t0 = world.now()
    assert governance.standing_at(c, key.address, t0 - 50)[1] is Standing.KEY_NOT_YET_ACTIVE
    assert governance.standing_at(c, key.address, t0 + 10)[1] is Standing.NOT_YET_VALID
    assert governance.standing_at(c, key.address, t0 + 150)[1] is Standing.ACCREDITED
    assert governance.standing_at(c, key.address, t0 + 1000)[1] is Standing.EXPIRED
    world.advance(200)
    governance.suspend(c, world.authorities["DE"], issuer_id, 7)
    t_suspended = world.now()
    world.advance(50)
    governance.reinstate(c, world.authorities["DE"], issuer_id)
    t_back = world.now()
    world.advance(50)
    governance.withdraw(c, world.authorities["DE"], issuer_id, fraud=True)
    t_fraud = world.now()
    assert governance.standing_at(c, key.address, t_suspended - 1)[1] is Standing.ACCREDITED
    assert governance.standing_at(c, key.address, t_suspended + 1)[1] is Standing.SUSPENDED
    assert governance.standing_at(c, key.address, t_back + 1)[1] is Standing.ACCREDITED
    assert governance.standing_at(c, key.address, t_fraud)[1] is Standing.WITHDRAWN_FOR_FRAUD
    assert governance.issuer_info(c, issuer_id).status is IssuerStatus.WITHDRAWN_FOR_FRAUD
    with reverts("IssuerRegistryInvalidStatus"):  # withdrawal is final
        governance.reinstate(c, world.authorities["DE"], issuer_id)


def test_suspend_and_reinstate_need_the_right_status(world: World) -> None:
    c, de = world.client, world.authorities["DE"]
    issuer_id = world.chamber_ids["DE-berlin"]
    with reverts("IssuerRegistryInvalidStatus"):
        governance.reinstate(c, de, issuer_id)
    governance.suspend(c, de, issuer_id)
    with reverts("IssuerRegistryInvalidStatus"):
        governance.suspend(c, de, issuer_id)
    governance.withdraw(c, de, issuer_id, fraud=False)
    assert governance.issuer_info(c, issuer_id).status is IssuerStatus.WITHDRAWN
    with reverts("IssuerRegistryInvalidStatus"):
        governance.withdraw(c, de, issuer_id, fraud=True)


def test_renew_only_extends_and_only_before_the_end(world: World) -> None:
    c, de = world.client, world.authorities["DE"]
    issuer_id, key = _accredit(world, "chamber-renew", length=1000)
    end = governance.issuer_info(c, issuer_id).valid_until
    with reverts("IssuerRegistryInvalidWindow"):
        governance.renew(c, de, issuer_id, end - 1)
    governance.renew(c, de, issuer_id, end + 500)
    assert governance.issuer_info(c, issuer_id).valid_until == end + 500
    world.advance(2000)
    assert governance.standing_at(c, key.address, world.now())[1] is Standing.EXPIRED
    with reverts("IssuerRegistryAccreditationExpired"):
        governance.renew(c, de, issuer_id, end + 5000)


def test_key_rotation_keeps_history(world: World) -> None:
    c = world.client
    issuer_id = world.chamber_ids["DE-hamburg"]
    old = world.chambers["DE-hamburg"]
    new = test_account("hamburg-2")
    before = world.now()
    with reverts("IssuerRegistryNotIssuerOrAuthority"):
        governance.rotate_key(c, stranger, issuer_id, new.address, key=new)
    governance.rotate_key(c, old, issuer_id, new.address, key=new)
    rotated = world.now()
    assert governance.issuer_info(c, issuer_id).signing_key == new.address
    assert governance.standing_at(c, old.address, before)[1] is Standing.ACCREDITED
    assert governance.standing_at(c, old.address, rotated)[1] is Standing.KEY_RETIRED
    assert governance.standing_at(c, new.address, rotated) == (issuer_id, Standing.ACCREDITED)
    assert c.call(c.issuers.functions.standingOf(old.address)) == [issuer_id, Standing.KEY_RETIRED]
    # The authority may rotate too, and a retired key can never come back.
    with reverts("IssuerRegistryKeyAlreadyUsed"):
        governance.rotate_key(c, world.authorities["DE"], issuer_id, old.address, key=old)
    third = test_account("hamburg-3")
    with reverts("IssuerRegistryNotIssuerOrAuthority"):
        governance.rotate_key(c, old, issuer_id, third.address, key=third)
    # Suspension applies to the body whatever key it uses now.
    governance.suspend(c, world.authorities["DE"], issuer_id)
    assert governance.standing_at(c, new.address, world.now())[1] is Standing.SUSPENDED
