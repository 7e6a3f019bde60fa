"""The rule checks as pure functions on hand-built ledgers: what a buggy or upgraded contract could let through."""

from __future__ import annotations

from audit.auditkit import (
    AUTH_DE,
    AUTH_SG,
    COUNCIL,
    KEY_1,
    KEY_2,
    Tape,
    addr,
    consortium,
    h32,
    judged,
)
from origincert.audit import events as ev
from origincert.audit.findings import Severity
from origincert.audit.rules import audit_transactions
from origincert.audit.state import standing_at
from origincert.governance import Standing

STRANGER = addr("stranger")
KEY_1B = addr("chamber-1-new")


def test_a_lawful_history_has_no_findings() -> None:
    t = consortium()
    t.anchor(KEY_1, h32("a"), 1).anchor(KEY_1, h32("batch"), 1, 4).anchor(KEY_2, h32("s"), 2)
    t.revoke_root(KEY_1, h32("a"), 1)  # by the issuer's key
    t.revoke_root(AUTH_SG, h32("s"), 2, reason=2)  # by its authority
    t.revoke_leaf(KEY_1, h32("batch"), h32("leaf-in-batch"))
    t.anchor(KEY_1, h32("b"), 1).anchor(KEY_1, h32("c"), 1)
    t.replace(KEY_1, h32("b"), h32("c"))
    t.tx(AUTH_DE, (ev.IssuerSuspended, {"issuer_id": 1, "reason": 7}))
    t.tx(AUTH_DE, (ev.IssuerReinstated, {"issuer_id": 1}))
    t.tx(AUTH_DE, (ev.IssuerRenewed, {"issuer_id": 1, "valid_until": t.timestamp + 900 * 86_400}))
    t.tx(KEY_1, (ev.SigningKeyRotated, {"issuer_id": 1, "previous_key": KEY_1, "new_key": KEY_1B}))
    t.anchor(KEY_1B, h32("d"), 1)
    t.revoke_root(KEY_1B, h32("d"), 1)
    t.tx(AUTH_SG, (ev.IssuerWithdrawn, {"issuer_id": 2, "fraud": False}))
    assert judged(t) == []


# ---------------------------------------------------------------------- anchors


def test_anchor_by_a_suspended_issuer() -> None:
    t = consortium()
    t.tx(AUTH_DE, (ev.IssuerSuspended, {"issuer_id": 1, "reason": 1}))
    t.anchor(KEY_1, h32("a"), 1)
    state, findings = audit_transactions(t.txs)
    assert [(f.code, f.details["standing"], f.severity, f.tx_hash, f.block) for f in findings] == [
        (
            "anchor.not_accredited",
            "suspended",
            Severity.CRITICAL,
            t.txs[-1].tx_hash,
            t.txs[-1].block,
        )
    ]
    state.store.close()


def test_anchor_with_a_retired_key_after_expiry_and_after_withdrawal() -> None:
    t = consortium()
    t.tx(KEY_1, (ev.SigningKeyRotated, {"issuer_id": 1, "previous_key": KEY_1, "new_key": KEY_1B}))
    t.anchor(KEY_1, h32("old key"), 1)
    t.at(t.timestamp + 400 * 86_400).anchor(KEY_2, h32("expired"), 2)
    t.tx(AUTH_DE, (ev.IssuerWithdrawn, {"issuer_id": 1, "fraud": True}))
    t.anchor(KEY_1B, h32("withdrawn"), 1)
    state, findings = audit_transactions(t.txs)
    assert [(f.code, f.details.get("standing")) for f in findings] == [
        ("anchor.not_accredited", "key_retired"),
        ("anchor.not_accredited", "expired"),
        ("issuer.withdrawn_for_fraud", None),
        ("anchor.not_accredited", "withdrawn_for_fraud"),
    ]
    state.store.close()


def test_anchor_by_an_unknown_key_misattributed_duplicate_or_empty() -> None:
    t = consortium()
    t.anchor(STRANGER, h32("forged"), 1)
    t.anchor(KEY_2, h32("mine"), 1)  # signed by issuer 2's key, credited to issuer 1
    t.anchor(KEY_1, h32("twice"), 1).anchor(KEY_1, h32("twice"), 1)
    t.anchor(KEY_1, h32("empty"), 1, 0)
    assert judged(t) == [
        "anchor.duplicate_root",
        "anchor.empty_batch",
        "anchor.issuer_mismatch",
        "anchor.unknown_signer",
    ]


# ---------------------------------------------------------------------- revocations


def test_revocation_by_a_stranger_another_authority_or_a_retired_key() -> None:
    t = (
        consortium()
        .anchor(KEY_1, h32("a"), 1)
        .anchor(KEY_1, h32("b"), 1)
        .anchor(KEY_1, h32("c"), 1)
    )
    t.revoke_root(STRANGER, h32("a"), 1)
    t.revoke_root(AUTH_SG, h32("b"), 1)  # the authority of another economy
    t.tx(KEY_1, (ev.SigningKeyRotated, {"issuer_id": 1, "previous_key": KEY_1, "new_key": KEY_1B}))
    t.revoke_leaf(KEY_1, h32("c"), h32("c"))  # the key was retired
    state, findings = audit_transactions(t.txs)
    assert [(f.code, f.details["by"]) for f in findings] == [
        ("revocation.not_allowed", STRANGER),
        ("revocation.not_allowed", AUTH_SG),
        ("revocation.not_allowed", KEY_1),
    ]
    state.store.close()


def test_revocations_that_the_contract_must_refuse() -> None:
    t = consortium().anchor(KEY_1, h32("a"), 1).anchor(KEY_1, h32("batch"), 1, 3)
    t.revoke_root(KEY_1, h32("never anchored"), 1)
    t.revoke_root(KEY_1, h32("a"), 1).revoke_root(KEY_1, h32("a"), 1)  # twice
    t.revoke_root(KEY_1, h32("batch"), 1, reason=0)
    t.revoke_leaf(KEY_1, h32("batch"), h32("leaf"))  # its batch is already revoked
    t.revoke_root(KEY_2, h32("a"), 2)  # issuer 2 never anchored it: roots are per issuer
    assert judged(t) == [
        "revocation.already_revoked",
        "revocation.already_revoked",
        "revocation.invalid_reason",
        "revocation.unknown_root",
        "revocation.unknown_root",
    ]


# ---------------------------------------------------------------------- replacements


def test_replacement_chain_is_lawful_and_a_cycle_is_not() -> None:
    t = consortium()
    for x in "abc":
        t.anchor(KEY_1, h32(x), 1)
    t.replace(KEY_1, h32("a"), h32("b")).replace(KEY_1, h32("b"), h32("c"))
    assert judged(t) == []
    t.replace(KEY_1, h32("c"), h32("a"))
    state, findings = audit_transactions(t.txs)
    assert [(f.code, f.details.get("chain")) for f in findings] == [
        ("replacement.successor_not_later", None),  # v2 refuses it: a is older than c
        ("replacement.cycle", [h32("a"), h32("b"), h32("c")]),
    ]
    state.store.close()


def test_replacement_fork_self_merge_and_other_refusals() -> None:
    t = consortium()
    for x in "adefhibcg":  # successors (b, c, g) anchored after what they replace
        t.anchor(KEY_1, h32(x), 1)
    t.anchor(KEY_2, h32("sg"), 2)
    t.replace(KEY_1, h32("a"), h32("b")).replace(KEY_1, h32("a"), h32("c"))  # fork
    t.replace(KEY_1, h32("d"), h32("d"))  # itself
    t.replace(KEY_1, h32("e"), h32("b"))  # b now replaces a and e: a merge
    t.replace(KEY_1, h32("f"), h32("sg"))  # issuer 2's root is no root of issuer 1
    t.revoke_root(KEY_1, h32("h"), 1).replace(KEY_1, h32("h"), h32("g"))  # a revoked certificate
    t.replace(STRANGER, h32("i"), h32("c"))
    t.replace(KEY_1, h32("c"), h32("a"))  # to an older certificate, already replaced
    assert judged(t) == [
        "replacement.cycle",
        "replacement.fork",
        "replacement.merge",
        "replacement.not_allowed",
        "replacement.of_revoked",
        "replacement.successor_not_later",
        "replacement.to_superseded",
        "replacement.unknown_root",
    ]


# ---------------------------------------------------------------------- council


def test_council_act_with_too_few_approvals() -> None:
    t = Tape().genesis(COUNCIL, 2)
    t.council_act(
        "registerAuthority",
        [b"DE", AUTH_DE, "Authority DE"],
        [
            (
                ev.AuthorityRegistered,
                {"economy": "DE", "account": AUTH_DE, "authority_name": "Authority DE"},
            )
        ],
        proposer=COUNCIL[0],
        approvers=[],
    )
    state, findings = audit_transactions(t.txs)
    assert [
        (f.code, f.details["approvals"], f.details["threshold"], f.details["act"]) for f in findings
    ] == [
        (
            "council.insufficient_approvals",
            1,
            2,
            f"registerAuthority('DE', {AUTH_DE}, 'Authority DE')",
        )
    ]
    state.store.close()


def test_approvals_of_strangers_and_removed_members_do_not_count() -> None:
    t = Tape().genesis(COUNCIL, 2)
    t.council_act(
        "removeCouncilMember",
        [COUNCIL[2]],
        [(ev.CouncilMemberRemoved, {"member": COUNCIL[2]})],
        proposer=COUNCIL[0],
        approvers=[COUNCIL[1]],
    )
    assert judged(t) == []
    # Approved by a removed member and a stranger; the event claims 3 approvals.
    t.council_act(
        "setThreshold",
        [1],
        [(ev.ThresholdChanged, {"previous": 2, "new": 1})],
        proposer=COUNCIL[0],
        approvers=[COUNCIL[2], STRANGER],
        approvals=3,
    )
    assert judged(t) == [
        "council.approval_count_mismatch",  # the stranger's approval event claims 3
        "council.approval_count_mismatch",  # ... and the execution claims 3 where 1 counts
        "council.approval_count_mismatch",  # the removed member's approval event claims 2
        "council.insufficient_approvals",
        "council.not_member",  # the removed member approving
        "council.not_member",  # the stranger approving
    ]


def test_council_acts_without_or_against_their_proposal() -> None:
    t = Tape().genesis(COUNCIL, 2)
    t.tx(
        COUNCIL[0],
        (ev.AuthorityRegistered, {"economy": "DE", "account": AUTH_DE, "authority_name": "DE"}),
    )
    t.council_act(
        "registerAuthority",
        [b"SG", AUTH_SG, "Authority SG"],
        [
            (
                ev.AuthorityRegistered,
                {"economy": "SG", "account": STRANGER, "authority_name": "Authority SG"},
            )
        ],
        proposer=COUNCIL[0],
        approvers=[COUNCIL[1]],
    )
    state, findings = audit_transactions(t.txs)
    assert [f.code for f in findings] == ["council.act_without_proposal", "council.act_mismatch"]
    assert findings[1].details["expected"] == [
        ["AuthorityRegistered", "SG", AUTH_SG, "Authority SG"]
    ]
    state.store.close()


def test_genesis_acts_need_no_proposal_but_later_threshold_must_fit() -> None:
    t = Tape().genesis(COUNCIL, 2)
    assert judged(t) == []
    t.council_act(
        "setThreshold",
        [5],
        [(ev.ThresholdChanged, {"previous": 2, "new": 5})],
        proposer=COUNCIL[0],
        approvers=[COUNCIL[1]],
    )
    assert judged(t) == ["council.threshold_invalid"]


# ---------------------------------------------------------------------- authorities and issuers


def test_accreditation_acts_by_someone_else_than_the_authority() -> None:
    t = consortium()
    t.accredit(STRANGER, 3, "DE", addr("chamber-3"))
    t.accredit(AUTH_SG, 4, "DE", addr("chamber-4"))
    t.tx(AUTH_SG, (ev.IssuerSuspended, {"issuer_id": 1, "reason": 1}))
    t.tx(
        STRANGER,
        (ev.SigningKeyRotated, {"issuer_id": 2, "previous_key": KEY_2, "new_key": addr("x")}),
    )
    state, findings = audit_transactions(t.txs)
    assert [(f.code, f.subject, f.issuer_id) for f in findings] == [
        ("issuer.act_not_by_authority", STRANGER, 3),
        ("issuer.act_not_by_authority", AUTH_SG, 4),
        ("issuer.act_not_by_authority", AUTH_SG, 1),
        ("issuer.act_not_by_authority", STRANGER, 2),
    ]
    state.store.close()


def test_issuer_transitions_keys_and_windows_the_contract_must_refuse() -> None:
    t = consortium()
    t.tx(AUTH_DE, (ev.IssuerReinstated, {"issuer_id": 1}))  # not suspended
    t.accredit(AUTH_DE, 3, "DE", KEY_2)  # key of issuer 2
    t.accredit(AUTH_DE, 9, "DE", addr("chamber-9"))  # ids are sequential
    t.at(t.timestamp + 400 * 86_400).tx(
        AUTH_SG, (ev.IssuerRenewed, {"issuer_id": 2, "valid_until": t.timestamp + 10**7})
    )
    t.tx(AUTH_DE, (ev.IssuerSuspended, {"issuer_id": 42, "reason": 1}))
    assert judged(t) == [
        "issuer.id_out_of_order",
        "issuer.invalid_transition",
        "issuer.key_reused",
        "issuer.renewed_after_expiry",
        "issuer.unknown",
    ]


def test_standing_history_follows_the_contract_semantics() -> None:
    t = consortium()
    accredited = t.txs[-2].timestamp
    suspended = t.tx(AUTH_DE, (ev.IssuerSuspended, {"issuer_id": 1, "reason": 1})).timestamp
    reinstated = t.tx(AUTH_DE, (ev.IssuerReinstated, {"issuer_id": 1})).timestamp
    rotated = t.tx(
        KEY_1, (ev.SigningKeyRotated, {"issuer_id": 1, "previous_key": KEY_1, "new_key": KEY_1B})
    ).timestamp
    state, _ = audit_transactions(t.txs)
    assert [
        standing_at(state, KEY_1, x)[1]
        for x in (accredited - 1, accredited, suspended, reinstated - 1, reinstated, rotated)
    ] == [
        Standing.KEY_NOT_YET_ACTIVE,
        Standing.ACCREDITED,
        Standing.SUSPENDED,
        Standing.SUSPENDED,
        Standing.ACCREDITED,
        Standing.KEY_RETIRED,
    ]
    assert standing_at(state, KEY_1B, rotated) == (1, Standing.ACCREDITED)
    assert standing_at(state, STRANGER, rotated) == (0, Standing.UNKNOWN)
    state.store.close()


def test_v2_roots_are_per_issuer_and_a_revoked_leaf_anchored_again_is_reported() -> None:
    """A root anchored by two bodies is two records (a warning, not a duplicate); a body that
    anchors again a leaf it revoked under another root is told it stays revoked."""
    t = consortium()
    t.anchor(KEY_1, h32("batch"), 1, 2).anchor(KEY_2, h32("batch"), 2, 2)
    t.revoke_root(KEY_1, h32("batch"), 1)
    t.revoke_leaf(KEY_1, h32("batch"), h32("leaf"))  # the batch is revoked already
    t.anchor(KEY_1, h32("other"), 1, 2).revoke_leaf(KEY_1, h32("other"), h32("leaf2"))
    t.anchor(KEY_1, h32("leaf2"), 1)  # its own revoked leaf, as a batch of one
    assert judged(t) == [
        "anchor.leaf_already_revoked",
        "anchor.root_of_another_issuer",
        "revocation.already_revoked",
    ]
