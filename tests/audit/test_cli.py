"""``origincert audit``: reports written, exit code 0 / 3 by --fail-on, 1 for bad input, 4 when the node is down."""

from __future__ import annotations

import os
from pathlib import Path

from chainutil import World, test_account
from click.testing import CliRunner

from audit.auditkit import issued_file, leaf_of, single
from origincert import governance
from origincert.cli import main


def run(world: World, manifest_path: Path, *args: str, url: str | None = None):
    return CliRunner().invoke(
        main,
        ["--rpc-url", url or world.client.url, "--manifest", str(manifest_path), "audit", *args],
    )


def test_a_clean_ledger_exits_0_and_writes_the_report(
    world: World, manifest_path: Path, tmp_path: Path
) -> None:
    single(world, world.chambers["DE-berlin"])
    result = run(world, manifest_path, "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "no anomalies found" in result.output and "1 anchors" in result.output
    assert (tmp_path / "out" / "report.html").exists() and (
        tmp_path / "out" / "anomalies.csv"
    ).exists()
    quiet = run(world, manifest_path, "--out", str(tmp_path / "q"), "--quiet", "--format", "json")
    assert (quiet.exit_code, quiet.output) == (0, "")
    assert sorted(p.name for p in (tmp_path / "q").iterdir()) == ["report.json"]


def test_fail_on_chooses_the_severity_that_fails_the_run(
    world: World, manifest_path: Path, tmp_path: Path
) -> None:
    key = test_account("chamber-cli-lapsing")
    now = world.now()
    governance.accredit(
        world.client,
        world.authorities["DE"],
        name="Lapsing",
        signing_key=key.address,
        key=key,
        valid_from=now - 5,
        valid_until=now + 50,
    )
    world.advance(100)  # a warning: issuer.accreditation_lapsed
    assert run(world, manifest_path, "--out", str(tmp_path / "a"), "-q").exit_code == 0
    failed = run(world, manifest_path, "--out", str(tmp_path / "b"), "-q", "--fail-on", "warning")
    assert failed.exit_code == 3 and "1 anomaly at or above warning" in failed.output
    assert (
        run(world, manifest_path, "--out", str(tmp_path / "c"), "-q", "--fail-on", "info").exit_code
        == 3
    )


def test_a_critical_finding_fails_by_default_and_is_summarised(
    world: World, manifest_path: Path, tmp_path: Path
) -> None:
    archive = tmp_path / "archive"
    ghost = os.urandom(32)
    issued_file(
        archive, world, "DE-GHOST-1", ghost, leaf_of(ghost), [], signer=world.chambers["DE-berlin"]
    )
    result = run(world, manifest_path, "--out", str(tmp_path / "out"), "--archive", str(archive))
    assert result.exit_code == 3
    assert "[critical] reconciliation.not_anchored" in result.output and "archive" in result.output


def test_checkpoint_runs_say_they_continued(
    world: World, manifest_path: Path, tmp_path: Path
) -> None:
    args = ("--out", str(tmp_path / "out"), "--checkpoint", str(tmp_path / "cp"))
    assert "continued from the checkpoint" not in run(world, manifest_path, *args).output
    single(world, world.chambers["SG-sicc"])
    second = run(world, manifest_path, *args)
    assert second.exit_code == 0 and "(continued from the checkpoint): 1 events" in second.output


def test_bad_input_exits_1_and_an_unreachable_node_4(
    world: World, manifest_path: Path, tmp_path: Path
) -> None:
    bad = run(
        world,
        manifest_path,
        "--out",
        str(tmp_path / "o"),
        "--explorer-url",
        "javascript:alert(1)//{tx}",
    )
    assert bad.exit_code == 1 and "bad_explorer_url" in bad.output
    down = run(world, manifest_path, "--out", str(tmp_path / "o"), url="http://127.0.0.1:9")
    assert down.exit_code == 4 and "node_unreachable" in down.output


def test_json_prints_the_one_envelope(world: World, manifest_path: Path, tmp_path: Path) -> None:
    import json

    single(world, world.chambers["DE-berlin"])
    result = run(world, manifest_path, "--out", str(tmp_path / "j"), "--json", "--fail-on", "info")
    data = json.loads(result.stdout)
    assert set(data) == {"command", "ok", "summary", "results", "error"}
    assert data["command"] == "audit" and data["error"] is None
    assert data["ok"] is (result.exit_code == 0)
    assert data["summary"]["anchors"] >= 1 and len(data["results"]) == data["summary"]["findings"]
