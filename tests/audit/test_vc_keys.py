"""The audit replays VcKeyChanged: the VC key history rebuilt from events, cross-checked with the
contract's views, and the rules a buggy or upgraded contract could break (sender, standing, one
hash once, the chain of previous hashes, the epoch)."""

from __future__ import annotations

from chainutil import World

from audit.auditkit import AUTH_DE, KEY_1, KEY_2, anchor, audit, consortium, h32, judged
from origincert import governance
from origincert.audit import events as ev
from origincert.audit.crosscheck import crosscheck
from origincert.audit.node import NodeRpc
from origincert.interop.p256 import P256KeyPair, generate_key_pair
from origincert.interop.registration import vc_key_hash, vc_key_possession

ZERO = "0x" + "0" * 64


def register(world: World, label: str, key: P256KeyPair, sender=None) -> None:
    issuer_id = world.chamber_ids[label]
    possession = vc_key_possession(
        key, issuer_id, world.client.chain_id, world.manifest.issuer_registry.address
    )
    governance.set_vc_key(world.client, sender or world.chambers[label], issuer_id, possession)


def test_the_vc_key_history_is_rebuilt_and_matches_the_contract(world: World) -> None:
    first, second, hamburgs = generate_key_pair(), generate_key_pair(), generate_key_pair()
    berlin, hamburg = world.chamber_ids["DE-berlin"], world.chamber_ids["DE-hamburg"]
    register(world, "DE-berlin", first)
    anchor(world, world.chambers["DE-berlin"], bytes.fromhex(h32("vc-a")[2:]))
    register(world, "DE-berlin", second)
    governance.suspend(world.client, world.authorities["DE"], hamburg)
    register(world, "DE-hamburg", hamburgs, sender=world.authorities["DE"])  # lawful: authority
    with audit(world) as r:
        assert r.findings == []
        s = r.state
        h1, h2 = ("0x" + vc_key_hash(k.public_multikey).hex() for k in (first, second))
        assert s.issuers[berlin].vc_keys == [h1, h2]
        old = s.vc_keys[h1]
        assert (old.issuer_id, old.until_epoch) == (berlin, s.vc_keys[h2].from_epoch)
        for epoch in range(s.issuers[berlin].epoch + 2):
            expected = "0x" + governance.vc_key_at(world.client, berlin, epoch).hex()
            assert s.vc_key_at(berlin, epoch) == expected
        assert "vc_key_changed" in [e["what"] for e in s.issuers[hamburg].events]
        assert r.crosscheck is not None and r.crosscheck.compared["VC keys"] == 3

        # A doctored log (or a contract changing keys silently) shows as a mismatch.
        s.vc_keys[h2].since += 1
        s.issuers[hamburg].vc_keys.clear()
        found, _ = crosscheck(
            NodeRpc(world.client), world.manifest, s, block=world.client.block_number()
        )
        assert sorted(f.code for f in found) == [
            "crosscheck.vc_key_at_mismatch",
            "crosscheck.vc_key_mismatch",
        ]


def _changed(previous: str, new: str, epoch: int, issuer_id: int = 1) -> tuple[type, dict]:
    return (
        ev.VcKeyChanged,
        {"issuer_id": issuer_id, "previous_hash": previous, "new_hash": new, "epoch": epoch},
    )


def _epoch(issuer_id: int, epoch: int) -> tuple[type, dict]:
    return (ev.IssuerEpochChanged, {"issuer_id": issuer_id, "epoch": epoch})


def test_lawful_vc_key_changes_have_no_findings() -> None:
    t = consortium()  # the hand-built accreditations leave both bodies at epoch 0
    t.tx(KEY_1, _changed(ZERO, h32("k1"), 1), _epoch(1, 1))
    t.tx(KEY_1, _changed(h32("k1"), h32("k2"), 2), _epoch(1, 2))
    t.tx(AUTH_DE, (ev.IssuerSuspended, {"issuer_id": 1, "reason": 1}), _epoch(1, 3))
    t.tx(AUTH_DE, _changed(h32("k2"), h32("k3"), 4), _epoch(1, 4))
    assert judged(t) == []


def test_vc_key_changes_the_contract_must_refuse_are_reported() -> None:
    t = consortium()
    t.tx(KEY_2, _changed(ZERO, h32("k1"), 1), _epoch(1, 1))  # another body's key
    t.tx(KEY_1, _changed(ZERO, h32("k2"), 2), _epoch(1, 2))  # previous is k1, not zero
    t.tx(KEY_2, _changed(ZERO, h32("k1"), 1, issuer_id=2), _epoch(2, 1))  # k1 again, body 2
    t.tx(KEY_1, _changed(h32("k2"), h32("k4"), 9), _epoch(1, 9))  # epoch jumps
    t.tx(AUTH_DE, (ev.IssuerSuspended, {"issuer_id": 1, "reason": 1}), _epoch(1, 10))
    t.tx(KEY_1, _changed(h32("k4"), h32("k5"), 11), _epoch(1, 11))  # suspended body's own key
    t.tx(None, _changed(ZERO, h32("k6"), 1, issuer_id=99))  # a body never accredited
    assert judged(t) == sorted(
        [
            "issuer.act_not_by_authority",
            "issuer.vc_key_mismatch",
            "issuer.vc_key_reused",
            "issuer.vc_key_epoch",
            "issuer.vc_key_not_in_good_standing",
            "issuer.unknown",
        ]
    )
