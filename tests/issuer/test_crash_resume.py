"""Kill a real ``origincert issue`` process (SIGKILL) between every two journal steps, then
``--resume``: every certificate anchored exactly once, every file written, the journal consistent,
and nothing sent again that the ledger already holds."""

from __future__ import annotations

import json
import os
import signal
import subprocess

import pytest
from click.testing import CliRunner
from stepkill import killed_at

from issuer.kit import PASSWORD, verdict_of, write_docs, write_keystore
from origincert.cli import main
from origincert.issuer import Journal
from origincert.issuer.issuing import STEPS
from origincert.issuer.ledger import anchor_of, find_event

# point -> (state the journal holds after the kill, whether the ledger already holds the root)
EXPECTED = {
    "during_prepare": (None, False),  # the transaction never committed: nothing recorded
    "after_prepare": ("prepared", False),
    "after_sign": ("signed", False),
    "before_broadcast": ("submitted", False),
    "after_submit": ("submitted", True),
    "after_anchor_before_files": ("anchored", True),
    "mid_files": ("anchored", True),
}


def test_every_crash_point_is_tested():
    assert set(EXPECTED) == set(STEPS)


@pytest.mark.parametrize("point", list(EXPECTED))
def test_kill_then_resume(point, world, manifest_path, make_docs, tmp_path):
    chamber = world.chambers["DE-berlin"]
    key = write_keystore(tmp_path / "berlin.json", chamber)
    docs = make_docs(5)
    write_docs(tmp_path / "todo", docs)
    journal_path, out = tmp_path / "journal.sqlite", tmp_path / "out"
    env = {
        **os.environ,
        "ORIGINCERT_RPC_URL": world.client.url,
        "ORIGINCERT_MANIFEST": str(manifest_path),
        "ORIGINCERT_PASSWORD": PASSWORD,
    }
    args = ["issue", "--key", str(key), "--journal", str(journal_path), "--out", str(out)]
    killed = subprocess.run(
        [*killed_at(point), *args, str(tmp_path / "todo")],
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()

    state, on_ledger = EXPECTED[point]
    if state is None:
        with Journal.open(journal_path) as j:
            assert j.batches() == [] and j.counts() == {}
        nothing = CliRunner().invoke(main, [*args, "--resume"], env=env)
        assert nothing.exit_code == 0 and "nothing to resume" in nothing.output
        again = CliRunner().invoke(
            main, [*args, str(tmp_path / "todo")], env=env
        )  # so issue it again
        assert again.exit_code == 0, again.output
        with Journal.open(journal_path) as j:
            assert j.counts() == {"anchored": 5}
        assert len(list(out.iterdir())) == 5
        return
    with Journal.open(journal_path) as j:
        assert j.counts() == {state: 5}
        [batch] = j.batches()
    if batch.root is not None:
        assert (
            anchor_of(world.client, world.chamber_ids["DE-berlin"], batch.root) is not None
        ) == on_ledger
    files_before = sorted(p.name for p in out.iterdir()) if out.exists() else []
    if point == "mid_files":
        assert 0 < len([f for f in files_before if f.endswith(".coo.json")]) < 5
    nonce_before = world.client.w3.eth.get_transaction_count(chamber.address)

    resumed = CliRunner().invoke(main, [*args, "--resume"], env=env)
    assert resumed.exit_code == 0, resumed.output
    assert ("found anchored on the ledger" in resumed.output) == (
        on_ledger and point == "after_submit"
    )
    sent = world.client.w3.eth.get_transaction_count(chamber.address) - nonce_before
    assert sent == (0 if on_ledger else 1)  # nothing the ledger held was sent again

    with Journal.open(journal_path) as j:
        assert j.counts() == {"anchored": 5}
        [batch] = j.batches()
        assert batch.files_written and j.batches(unfinished=True) == []
    anchor = anchor_of(world.client, world.chamber_ids["DE-berlin"], batch.root)
    assert anchor is not None and anchor.leaf_count == 5
    logs = world.client.certificates.events.Anchored().get_logs(
        argument_filters={"root": batch.root}, from_block=0, to_block="latest"
    )
    assert len(logs) == 1  # anchored exactly once
    event = find_event(world.client, "Anchored", [batch.root], from_block=0)
    assert batch.tx_hash == event.tx_hash and batch.block_number == event.block_number

    files = sorted(out.iterdir())
    assert [p.name for p in files] == sorted(
        f"{d['number']}.coo.json" for d in docs
    )  # no temp files left
    issued = [json.loads(p.read_text()) for p in files]
    assert {f["proof"]["tx_hash"] for f in issued} == {event.tx_hash}
    assert verdict_of(world.client, issued[0]) == "VALID"

    again = CliRunner().invoke(main, [*args, "--resume"], env=env)
    assert again.exit_code == 0 and "nothing to resume" in again.output


def test_resume_with_node_down_keeps_the_journal_then_finishes(
    world, manifest_path, make_docs, tmp_path
):
    from chainutil import free_port

    key = write_keystore(tmp_path / "berlin.json", world.chambers["DE-berlin"])
    write_docs(tmp_path / "todo", make_docs(2))
    journal_path = tmp_path / "journal.sqlite"
    env = {**os.environ, "ORIGINCERT_MANIFEST": str(manifest_path), "ORIGINCERT_PASSWORD": PASSWORD}
    args = [
        "issue",
        "--key",
        str(key),
        "--journal",
        str(journal_path),
        "--out",
        str(tmp_path / "out"),
    ]
    killed = subprocess.run(
        [*killed_at("after_sign"), *args, str(tmp_path / "todo")],
        env={**env, "ORIGINCERT_RPC_URL": world.client.url},
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL

    down = CliRunner().invoke(
        main,
        [*args, "--resume"],
        env={**env, "ORIGINCERT_RPC_URL": f"http://127.0.0.1:{free_port()}"},
    )
    assert down.exit_code == 4 and "[node_unreachable]" in down.output
    with Journal.open(journal_path) as j:
        assert j.counts() == {"signed": 2}

    up = CliRunner().invoke(
        main, [*args, "--resume"], env={**env, "ORIGINCERT_RPC_URL": world.client.url}
    )
    assert up.exit_code == 0, up.output
    with Journal.open(journal_path) as j:
        assert j.counts() == {"anchored": 2}
