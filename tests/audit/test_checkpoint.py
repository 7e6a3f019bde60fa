"""Incremental audits: a checkpoint carries the state, the next run replays only what is new."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from chainutil import World

from audit.auditkit import AUTH_DE, KEY_1, at_next_hour, audit, consortium, h32, revoke_root, single
from origincert.audit import events as ev
from origincert.audit.checkpoint import CHECKPOINT_FILE, open_checkpoint, save_checkpoint
from origincert.audit.patterns import PatternPolicy
from origincert.audit.rules import audit_transactions
from origincert.audit.state import LedgerState
from origincert.audit.store import Store
from origincert.errors import OriginCertError


def _totals(r) -> tuple[int, ...]:
    s = r.state
    return (s.anchors, s.certificates, s.revocations, s.replacements, len(s.issuers), s.threshold)


def test_the_next_run_replays_only_new_blocks_and_ends_where_a_full_run_ends(
    world: World, tmp_path: Path
) -> None:
    berlin = world.chambers["DE-berlin"]
    roots = [single(world, berlin)[1] for _ in range(3)]
    cp = tmp_path / "cp"
    with audit(world, checkpoint=cp) as first:
        assert first.findings == [] and not first.resumed
        last = first.last_block
    revoke_root(world, berlin, roots[0], 1)  # acts on an anchor of the previous run
    single(world, berlin)
    with audit(world, checkpoint=cp) as second:
        assert second.findings == [] and second.resumed
        assert (second.first_block, second.stats["events"]) == (last + 1, 2)
        assert (
            second.crosscheck.compared["certificates"] == 2
        )  # the new anchor, and the old one revoked
        incremental = _totals(second)
    with audit(world) as full:
        assert _totals(full) == incremental
    with audit(world, checkpoint=cp) as third:  # nothing new
        assert third.stats["events"] == 0 and third.findings == []


def test_a_pattern_is_reported_once_across_runs(world: World, tmp_path: Path) -> None:
    berlin = world.chambers["DE-berlin"]
    roots = [single(world, berlin)[1] for _ in range(3)]
    at_next_hour(world)
    policy = PatternPolicy(burst_per_hour=2)
    cp = tmp_path / "cp"
    revoke_root(world, berlin, roots[0])
    revoke_root(world, berlin, roots[1])
    with audit(world, checkpoint=cp, patterns=policy) as r:
        assert [f.code for f in r.findings] == ["pattern.revocation_burst"]
    revoke_root(world, berlin, roots[2])  # the same hour, the same burst
    with audit(world, checkpoint=cp, patterns=policy) as r:
        assert r.findings == []


def test_history_rewritten_under_a_checkpoint_is_caught_and_the_audit_starts_over(
    world: World, tmp_path: Path
) -> None:
    berlin = world.chambers["DE-berlin"]
    single(world, berlin)
    fork_point = world.rpc("evm_snapshot")["result"]
    single(world, berlin)
    cp = tmp_path / "cp"
    with audit(world, checkpoint=cp) as first:
        seen = first.last_block
    world.rpc("evm_revert", [fork_point])
    world.client.forget_nonces()
    for _ in range(2):  # another history at the same heights
        single(world, world.chambers["SG-sicc"])
    with audit(world, checkpoint=cp) as r:
        assert [(f.code, f.block) for f in r.findings] == [("ledger.history_rewritten", seen)]
        assert not r.resumed
        rebuilt = _totals(r)
    with audit(world) as full:
        assert _totals(full) == rebuilt


def test_rows_written_after_the_last_save_are_cut_on_resume(world: World, tmp_path: Path) -> None:
    berlin = world.chambers["DE-berlin"]
    single(world, berlin)
    cp = tmp_path / "cp"
    with audit(world, checkpoint=cp):
        pass
    _, root, tx = single(world, berlin)
    # A crashed run wrote this anchor to the store but never saved the checkpoint.
    crashed = open_checkpoint(cp, world.manifest)
    crashed.state.store.add_anchor(
        "0x" + root.hex(), 1, berlin.address.lower(), 1, tx.block_number, 0, tx.tx_hash
    )
    crashed.state.store.commit()
    crashed.state.store.close()
    with audit(world, checkpoint=cp) as r:
        assert r.findings == []  # no "anchored twice"
        assert r.state.store.count("anchors") == r.state.anchors


def test_a_checkpoint_of_another_network_is_refused(world: World, tmp_path: Path) -> None:
    cp = tmp_path / "cp"
    with audit(world, checkpoint=cp):
        pass
    data = json.loads((cp / CHECKPOINT_FILE).read_text())
    data["binding"]["chain_id"] = 1
    (cp / CHECKPOINT_FILE).write_text(json.dumps(data))
    with pytest.raises(OriginCertError, match="another network") as e:
        audit(world, checkpoint=cp)
    assert e.value.code == "checkpoint_mismatch"


def test_state_round_trips_through_json(tmp_path: Path) -> None:
    t = consortium().anchor(KEY_1, h32("x"), 1).revoke_root(KEY_1, h32("x"), 1)
    t.tx(AUTH_DE, (ev.IssuerSuspended, {"issuer_id": 1, "reason": 2}))
    t.tx(
        KEY_1,
        (
            ev.SigningKeyRotated,
            {"issuer_id": 1, "previous_key": KEY_1, "new_key": "0x" + "11" * 20},
        ),
    )
    state, findings = audit_transactions(t.txs)
    assert findings == []
    data = json.loads(json.dumps(state.to_json()))
    again = LedgerState.from_json(data, Store(":memory:"))
    assert again.to_json() == state.to_json()
    assert again.issuers[1].status_history == state.issuers[1].status_history
    state.store.close()
    again.store.close()


def test_save_writes_atomically_and_a_fresh_folder_starts_clean(
    world: World, tmp_path: Path
) -> None:
    cp = open_checkpoint(tmp_path / "new", world.manifest)
    assert cp.last_header is None and not cp.resumed
    save_checkpoint(tmp_path / "new", cp, world.manifest)
    cp.state.store.close()
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == [CHECKPOINT_FILE, "store.sqlite"]
