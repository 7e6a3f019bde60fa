"""Faults on the four-node network: a validator stopped in the middle of a run, the member's own
node stopped, the issuer killed while its transaction is pending or before it left."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from issuer.kit import PASSWORD, write_docs, write_keystore
from portal.support import Scene, make_app
from portal.test_api import auth, new_token
from stepkill import killed_at

from origincert import network
from origincert.chain import ChainClient
from origincert.cli import main
from origincert.cli.common import ExitCode
from origincert.issuer import Journal, issue_each
from origincert.issuer.ledger import anchor_of
from origincert.signing import LocalSigner

from .netkit import Net

pytestmark = pytest.mark.network


def anchored_events(client: ChainClient, root: bytes) -> int:
    logs = client.certificates.events.Anchored().get_logs(
        argument_filters={"root": root}, from_block=0, to_block="latest"
    )
    return len(logs)


def audit_of(net: Net, url: str, out: Path) -> dict:
    """The audit of the whole ledger as one node tells it (what does not depend on the time)."""
    result = CliRunner().invoke(
        main,
        ["--rpc-url", url, "--manifest", str(net.manifest_path), "audit"]
        + ["--out", str(out), "-q", "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    return {k: report[k] for k in ("summary", "findings", "issuers", "council")}


def test_a_validator_stopped_mid_run_loses_nothing(
    net_all_up: Net, make_docs, tmp_path: Path
) -> None:
    net = net_all_up
    client = ChainClient.connect(net.rpc_url, net.world.manifest, timeout=5, confirmations=2)
    signer = LocalSigner(net.world.chambers["DE-berlin"])
    docs = make_docs(10, prefix="DE-STOP")
    seen: list[str] = []

    def on_issued(result) -> None:
        seen.append(result.numbers[0])
        if len(seen) == 2:  # mid-run: a validator that is not the member's own node goes away
            stopped = CliRunner().invoke(
                main, ["network", "down", "--dir", str(net.folder), "--node", "3"]
            )
            assert stopped.exit_code == 0 and "stopped node-3" in stopped.output

    with Journal.open(tmp_path / "j.sqlite") as journal:
        first = issue_each(
            client, signer, docs[:6], journal=journal, out_dir=tmp_path / "out", on_issued=on_issued
        )
        assert not network.status(net.folder).reports[2].up
        rest = issue_each(client, signer, docs[6:], journal=journal, out_dir=tmp_path / "out")
        results = first + rest
        assert journal.counts() == {"anchored": 10}
        batches = journal.batches()
    assert [r.numbers[0] for r in results] == [d["number"] for d in docs]
    for b in batches:
        assert b.root is not None and anchored_events(client, b.root) == 1  # none anchored twice

    status = CliRunner().invoke(main, ["network", "status", "--dir", str(net.folder)])
    assert status.exit_code == ExitCode.UNREACHABLE and "not answering: node-3" in status.output
    restarted = CliRunner().invoke(main, ["network", "up", "--dir", str(net.folder), "--node", "3"])
    assert restarted.exit_code == 0, restarted.output  # it restarts and catches up
    assert "ORIGINCERT_RPC_URL=" in restarted.output
    lagging = net.client(2)
    assert lagging.block_number() >= max(r.block_number for r in results)
    # Every node, the restarted one included, holds every anchor of the run.
    issuer_id = net.world.chamber_ids["DE-berlin"]
    for i in range(4):
        node = net.client(i)
        for b in batches:
            assert b.root is not None and anchor_of(node, issuer_id, b.root) is not None


def test_every_nodes_audit_tells_the_same_story(net_all_up: Net, tmp_path: Path) -> None:
    """Run after the restart test: the audit of each node, the caught-up one included, agrees."""
    audits = [
        audit_of(net_all_up, url, tmp_path / f"audit-{i}")
        for i, url in enumerate(net_all_up.spec.urls)
    ]
    assert all(a == audits[0] for a in audits[1:])
    assert audits[0]["summary"]["anchors"] >= 1
    assert audits[0]["findings"] == []


def test_the_members_own_node_stopped(net_all_up: Net, make_docs, tmp_path: Path) -> None:
    net = net_all_up
    key = write_keystore(tmp_path / "hamburg.json", net.world.chambers["DE-hamburg"])
    write_docs(tmp_path / "todo", make_docs(1, prefix="DE-OWN"))
    own, other = net.url(0), net.url(1)
    both = f"{own},{other}"
    base = ["--manifest", str(net.manifest_path)]
    env = {"ORIGINCERT_PASSWORD": PASSWORD}
    runner = CliRunner()
    issued = runner.invoke(
        main,
        ["--rpc-url", both, *base, "issue", str(tmp_path / "todo"), "--key", str(key)]
        + ["--journal", str(tmp_path / "j.sqlite"), "--out", str(tmp_path / "out")],
        env=env,
    )
    assert issued.exit_code == 0, issued.output
    [file] = (tmp_path / "out").glob("*.coo.json")

    network.down(net.folder, nodes=["node-1"])
    verified = runner.invoke(main, ["--rpc-url", both, *base, "verify", str(file)])
    assert verified.exit_code == 0, verified.output  # failed over to the neighbour's node
    assert "VALID" in verified.output
    alone = runner.invoke(main, ["--rpc-url", own, *base, "verify", str(file)])
    assert alone.exit_code == ExitCode.UNREACHABLE, alone.output
    assert "[node_unreachable]" in alone.output and "INVALID" not in alone.output

    body = file.read_bytes()
    for rpc, status, expected in ((both, 200, "VALID"), (own, 503, "ledger_unreachable")):
        app = make_app(
            tmp_path / f"portal-{status}", Scene(rpc_url=rpc, manifest_path=net.manifest_path)
        )
        response = app.test_client().post(
            "/api/v1/verify/file",
            data=body,
            headers=auth(new_token(app)),
            content_type="application/json",
        )
        assert response.status_code == status, response.get_data(as_text=True)[:300]
        answer = response.get_json()
        assert (answer.get("verdict") or answer["error"]["code"]) == expected

    # Issuing goes on through the neighbour's node while the member's own is down.
    write_docs(tmp_path / "more", make_docs(1, prefix="DE-OWN2"))
    again = runner.invoke(
        main,
        ["--rpc-url", both, *base, "issue", str(tmp_path / "more"), "--key", str(key)]
        + ["--journal", str(tmp_path / "j.sqlite"), "--out", str(tmp_path / "out")],
        env=env,
    )
    assert again.exit_code == 0, again.output


def _issue_process(net: Net, tmp_path: Path, key: Path):
    env = {
        **os.environ,
        "ORIGINCERT_RPC_URL": net.url(1),
        "ORIGINCERT_MANIFEST": str(net.manifest_path),
        "ORIGINCERT_PASSWORD": PASSWORD,
        "ORIGINCERT_CONFIRMATIONS": "2",
    }
    args = ["issue", "--key", str(key), "--journal", str(tmp_path / "j.sqlite")]
    args += ["--out", str(tmp_path / "out")]
    return env, args


def test_issuer_killed_while_its_transaction_is_pending(
    net: Net, make_docs, tmp_path: Path
) -> None:
    chamber = net.world.chambers["SG-sicc"]
    key = write_keystore(tmp_path / "sicc.json", chamber)
    docs = make_docs(3, prefix="SG-KILL", economy="SG")
    write_docs(tmp_path / "todo", docs)
    env, args = _issue_process(net, tmp_path, key)
    client = net.world.client
    nonce_before = client.w3.eth.get_transaction_count(chamber.address)
    proc = subprocess.Popen(
        [sys.executable, "-m", "origincert.cli", *args, str(tmp_path / "todo")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    journaled = None
    deadline = time.monotonic() + 60
    while journaled is None and time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        if (tmp_path / "j.sqlite").exists():
            # Read-only, with sqlite3: opening the Journal here would race the child's set-up.
            try:
                with sqlite3.connect(f"file:{tmp_path / 'j.sqlite'}?mode=ro", uri=True) as db:
                    row = db.execute(
                        "SELECT tx_hash FROM batches WHERE state = 'submitted'"
                    ).fetchone()
            except sqlite3.OperationalError:  # tables not created yet, or locked
                row = None
            journaled = row[0] if row else None
        if journaled is None:
            time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert journaled is not None

    resumed = CliRunner().invoke(main, [*args, "--resume"], env=env)
    assert resumed.exit_code == 0, resumed.output
    with Journal.open(tmp_path / "j.sqlite") as j:
        [batch] = j.batches()
        assert j.counts() == {"anchored": 3}
    assert batch.tx_hash == journaled  # the pending transaction, not a second one
    assert anchored_events(client, batch.root) == 1
    assert client.w3.eth.get_transaction_count(chamber.address) - nonce_before == 1
    assert len(list((tmp_path / "out").glob("*.coo.json"))) == 3


def test_a_transaction_that_never_left_is_sent_again_as_signed(
    net: Net, make_docs, tmp_path: Path
) -> None:
    """Killed after journaling the signed transaction, before it reached any node: resume hands
    the nodes those same signed bytes (same hash), never a new signature."""
    chamber = net.world.chambers["DE-hamburg"]
    key = write_keystore(tmp_path / "hh.json", chamber)
    write_docs(tmp_path / "todo", make_docs(2, prefix="DE-LOST"))
    env, args = _issue_process(net, tmp_path, key)
    killed = subprocess.run(
        [*killed_at("before_broadcast"), *args, str(tmp_path / "todo")],
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()
    with Journal.open(tmp_path / "j.sqlite") as j:
        [lost] = j.batches()
        assert lost.state.value == "submitted" and j.signed_transaction(lost.tx_hash)
    client = net.world.client
    assert anchor_of(client, net.world.chamber_ids["DE-hamburg"], lost.root) is None
    resumed = CliRunner().invoke(main, [*args, "--resume"], env=env)
    assert resumed.exit_code == 0, resumed.output
    assert "found anchored" not in resumed.output
    with Journal.open(tmp_path / "j.sqlite") as j:
        [batch] = j.batches()
    assert batch.state.value == "anchored" and batch.tx_hash == lost.tx_hash
    assert anchored_events(client, batch.root) == 1
