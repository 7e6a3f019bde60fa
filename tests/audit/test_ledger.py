"""Audits of real ledgers on the test chain: a clean one finds nothing, each injected problem exactly its finding."""

from __future__ import annotations

import pytest
from chainutil import YEAR, World, test_account

from audit.auditkit import (
    anchor,
    at_next_hour,
    audit,
    busy_ledger,
    codes,
    replace,
    revoke_root,
    single,
)
from origincert import governance
from origincert.audit.patterns import PatternPolicy
from origincert.errors import ContractRevert
from origincert.governance import IssuerStatus


def test_a_busy_lawful_ledger_has_no_findings_and_is_rebuilt_in_full(world: World) -> None:
    made = busy_ledger(world)
    with audit(world) as r:
        assert r.findings == []
        s = r.state
        assert (s.anchors, s.certificates, s.revocations, s.replacements) == (6, 9, 2, 2)
        assert s.threshold == 2 and sorted(s.council) == sorted(
            a.address.lower() for a in world.council
        )
        assert sorted(s.authority_of) == ["DE", "SG"]
        munich = s.issuers[made["munich_id"]]
        assert munich.status == IssuerStatus.WITHDRAWN and len(munich.keys) == 2
        assert [e["what"] for e in munich.events] == [
            "accredited",
            "suspended",
            "active",
            "renewed",
            "key_rotated",
            "withdrawn",
        ]
        # The cross-check covered every anchor (6) and the revoked or replaced certificates inside batches (2).
        assert r.crosscheck is not None
        assert r.crosscheck.compared["certificates"] == 6 + 2
        assert r.crosscheck.compared["issuers"] == 4 and r.crosscheck.compared["proposals"] == 10
        assert r.stats["events"] == sum(s.event_counts.values())


def test_an_issuer_whose_accreditation_lapsed(world: World) -> None:
    c, de = world.client, world.authorities["DE"]
    key = test_account("chamber-short-lived")
    now = world.now()
    issuer_id, tx = governance.accredit(
        c,
        de,
        name="Chamber Short",
        signing_key=key.address,
        key=key,
        valid_from=now - 5,
        valid_until=now + 100,
    )
    single(world, key)
    world.advance(200)
    with audit(world) as r:
        assert [(f.code, f.issuer_id, f.tx_hash) for f in r.findings] == [
            ("issuer.accreditation_lapsed", issuer_id, tx.tx_hash)
        ]


def test_a_renewed_or_withdrawn_issuer_has_not_lapsed(world: World) -> None:
    c, de = world.client, world.authorities["DE"]
    keys = [test_account(f"chamber-renewed-{i}") for i in range(2)]
    now = world.now()
    ids = [
        governance.accredit(
            c,
            de,
            name=f"Chamber {i}",
            signing_key=k.address,
            key=k,
            valid_from=now - 5,
            valid_until=now + 100,
        )[0]
        for i, k in enumerate(keys)
    ]
    governance.renew(c, de, ids[0], now + YEAR)
    governance.withdraw(c, de, ids[1], fraud=False)
    world.advance(200)
    with audit(world) as r:
        assert r.findings == []


def test_a_burst_of_revocations(world: World) -> None:
    berlin = world.chambers["DE-berlin"]
    roots = [single(world, berlin)[1] for _ in range(4)]
    at_next_hour(world)
    txs = [revoke_root(world, berlin, root, 1) for root in roots[:3]]
    policy = PatternPolicy(burst_per_hour=3)
    with audit(world, patterns=policy) as r:
        assert [(f.code, f.issuer_id, f.tx_hash, f.details["revocations"]) for f in r.findings] == [
            ("pattern.revocation_burst", world.chamber_ids["DE-berlin"], txs[0].tx_hash, 3)
        ]
    world.advance(3600)
    revoke_root(world, berlin, roots[3], 1)
    with audit(world, patterns=policy) as r:
        assert codes(r) == ["pattern.revocation_burst"]  # the old burst, nothing new


def test_a_replacement_chain_is_lawful_and_closing_it_into_a_cycle_is_caught(world: World) -> None:
    berlin = world.chambers["DE-berlin"]
    berlin_id = world.chamber_ids["DE-berlin"]
    made = [single(world, berlin) for _ in range(3)]
    (ta, a, _), (tb, b, _), (tc, _c, _) = made
    replace(world, berlin, ta, tb)
    replace(world, berlin, tb, tc)
    with audit(world) as r:
        assert r.findings == []
        assert r.state.store.replacement(berlin_id, "0x" + a.hex()).new_leaf == "0x" + b.hex()
    # v1 let c -> a through and only the audit saw the cycle; v2 refuses it (a is older, and
    # already replaced), so the ledger stays a set of chains. The auditor's cycle rule is kept
    # for a ledger written by another contract (tests/audit/test_rules.py).
    with pytest.raises(ContractRevert, match="CertificateRegistrySuccessorNotLater"):
        replace(world, berlin, tc, ta)
    with audit(world) as r:
        assert r.findings == []


def test_fraud_withdrawal_taints_earlier_certificates(world: World) -> None:
    berlin_id = world.chamber_ids["DE-berlin"]
    single(world, world.chambers["DE-berlin"])
    anchor(world, world.chambers["DE-berlin"], b"\x01" * 32, 5)
    tx = governance.withdraw(world.client, world.authorities["DE"], berlin_id, fraud=True)
    with audit(world) as r:
        assert [(f.code, f.tx_hash, f.details) for f in r.findings] == [
            ("issuer.withdrawn_for_fraud", tx.tx_hash, {"anchors": 2, "certificates": 6})
        ]
