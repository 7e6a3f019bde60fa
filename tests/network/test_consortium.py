"""The whole system on a real four-node geth Clique network with 1-second blocks: status, issue,
verify, revoke, replace, audit and the portal's API, through the CLI as a member would run it."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from issuer.kit import PASSWORD, write_docs, write_keystore
from portal.support import Scene, make_app
from portal.test_api import auth, new_token

from origincert import network
from origincert.cli import main

from .netkit import Net

pytestmark = pytest.mark.network


def cli(net: Net, *args: str, rpc: str | None = None, cwd: Path | None = None):
    return CliRunner().invoke(
        main,
        ["--rpc-url", rpc or net.rpc_url, "--manifest", str(net.manifest_path), *args],
        env={"ORIGINCERT_PASSWORD": PASSWORD, "ORIGINCERT_CONFIRMATIONS": "2"},
    )


def test_status_shows_four_signers_agreeing(net: Net) -> None:
    for _ in range(20):  # a block may land between two nodes' answers: ask again
        s = network.status(net.folder)
        if s.agreed:
            break
        time.sleep(0.5)
    assert s.agreed and all(r.up for r in s.reports)
    assert all(r.peers == 3 for r in s.reports)
    validators = {n.validator.lower() for n in net.spec.nodes}
    assert {a.lower() for a in s.reports[0].signers} == validators
    result = CliRunner().invoke(main, ["network", "status", "--dir", str(net.folder), "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["agreed"] and [n["name"] for n in body["nodes"]] == [
        "node-1",
        "node-2",
        "node-3",
        "node-4",
    ]
    # Blocks are sealed by more than one validator (Clique takes turns).
    client = net.world.client
    head = client.block_number()
    sealers = {
        client.w3.provider.make_request("clique_getSigner", [hex(b)])["result"]
        for b in range(max(1, head - 8), head + 1)
    }
    assert len(sealers) >= 2


def test_issue_verify_revoke_replace_audit(net: Net, make_docs, tmp_path: Path) -> None:
    key = write_keystore(tmp_path / "berlin.json", net.world.chambers["DE-berlin"])
    docs = make_docs(3, prefix="DE-NET")
    write_docs(tmp_path / "todo", docs[:2])
    journal = tmp_path / "journal.sqlite"
    issued = tmp_path / "issued"
    k = ["--key", str(key), "--journal", str(journal)]
    result = cli(net, "issue", str(tmp_path / "todo"), "--out", str(issued), *k)
    assert result.exit_code == 0, result.output
    assert "issued 2 certificates in batch #1" in result.output

    files = sorted(issued.glob("*.coo.json"))
    result = cli(net, "verify", *map(str, files))
    assert result.exit_code == 0, result.output
    assert result.output.count("VALID") >= 2

    old, other = (d["number"] for d in docs[:2])
    result = cli(net, "revoke", other, "--reason", "issued_in_error", "--yes", *k)
    assert result.exit_code == 0, result.output
    [new_path] = write_docs(tmp_path / "new", [docs[2]])
    result = cli(
        net,
        "replace",
        old,
        str(new_path),
        "--reason",
        "amended invoice",
        "--out",
        str(issued),
        *k,
    )
    assert result.exit_code == 0, result.output

    verdicts = {}
    for f in files:
        r = cli(net, "verify", str(f), "--json")
        verdicts[f.name] = json.loads(r.output)["results"][0]["verdict"]
    assert verdicts == {f"{old}.coo.json": "REPLACED", f"{other}.coo.json": "REVOKED"}
    replacement = issued / f"{docs[2]['number']}.coo.json"
    assert (
        json.loads(cli(net, "verify", str(replacement), "--json").output)["results"][0]["verdict"]
        == "VALID"
    )


def test_audit_with_the_archive(net: Net, make_docs, tmp_path: Path) -> None:
    key = write_keystore(tmp_path / "sicc.json", net.world.chambers["SG-sicc"])
    write_docs(tmp_path / "todo", make_docs(2, prefix="SG-AUDIT", economy="SG"))
    issued = tmp_path / "issued"
    k = ["--key", str(key), "--journal", str(tmp_path / "j.sqlite")]
    result = cli(net, "issue", str(tmp_path / "todo"), "--out", str(issued), *k)
    assert result.exit_code == 0, result.output
    out = tmp_path / "audit"
    result = cli(
        net, "audit", "--archive", str(issued), "--out", str(out), "-q", "--format", "json"
    )
    # Exit 3 when anomalies are found: other tests' anchors are not in this archive.
    assert result.exit_code in (0, 3), result.output
    report = json.loads((out / "report.json").read_text())
    roots = {json.loads(f.read_text())["proof"]["root"] for f in issued.glob("*.coo.json")}
    # Only this test's chamber archive is given: nothing is wrong with its anchors.
    assert not [f for f in report["findings"] if f.get("subject") in roots]
    assert report["summary"]["anchors"] >= 1


def test_portal_api_verifies_against_the_network(net: Net, make_docs, tmp_path: Path) -> None:
    from origincert.issuer import Journal, issue_documents
    from origincert.signing import LocalSigner

    [doc] = make_docs(1, prefix="DE-NETAPI")
    with Journal.open(tmp_path / "j.sqlite") as journal:
        [issued] = issue_documents(
            net.world.client, LocalSigner(net.world.chambers["DE-hamburg"]), [doc], journal=journal
        )
    app = make_app(tmp_path, Scene(rpc_url=net.rpc_url, manifest_path=net.manifest_path))
    token = new_token(app)
    response = app.test_client().post(
        "/api/v1/verify/file",
        data=json.dumps(issued).encode(),
        headers=auth(token),
        content_type="application/json",
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.get_json()["verdict"] == "VALID"
