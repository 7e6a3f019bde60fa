"""``origincert issue / revoke / replace`` in process: exit codes, summaries, refusals that record nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from chainutil import free_port
from click.testing import CliRunner

from issuer.kit import PASSWORD, write_docs, write_keystore
from origincert.cli import main
from origincert.issuer import CertificateStatus, Journal
from origincert.issuer.ledger import certificate_status


@pytest.fixture
def cli(world, manifest_path, tmp_path, monkeypatch):
    """Run ``origincert`` against the test node as the Berlin chamber; returns (runner, invoke)."""
    monkeypatch.chdir(tmp_path)
    key = write_keystore(tmp_path / "berlin.json", world.chambers["DE-berlin"])
    env = {
        "ORIGINCERT_RPC_URL": world.client.url,
        "ORIGINCERT_MANIFEST": str(manifest_path),
        "ORIGINCERT_PASSWORD": PASSWORD,
    }
    runner = CliRunner()

    def invoke(*args: str, key_path: Path = key, extra_env: dict[str, str] | None = None):
        return runner.invoke(
            main, [*args, "--key", str(key_path)], env={**env, **(extra_env or {})}
        )

    return invoke


def test_issue_a_folder_as_one_batch_with_defaults(cli, make_docs, tmp_path):
    docs = make_docs(3)
    write_docs(tmp_path / "todo", docs)
    result = cli("issue", "todo")
    assert result.exit_code == 0, result.output
    assert (
        "issued 3 certificates in batch #1" in result.output and "transaction 0x" in result.output
    )
    assert "gas" in result.output
    files = sorted(p.name for p in (tmp_path / "issued").iterdir())
    assert files == sorted(f"{d['number']}.coo.json" for d in docs)
    journal_file = tmp_path / ".origincert" / "journal.sqlite"
    assert journal_file.stat().st_mode & 0o777 == 0o600
    with Journal.open(journal_file) as j:
        assert j.counts() == {"anchored": 3}


def test_issue_single_anchors_each_on_its_own(cli, make_docs, tmp_path):
    paths = write_docs(tmp_path / "todo", make_docs(2))
    result = cli("issue", *map(str, paths), "--single", "--out", "out", "--journal", "j.sqlite")
    assert result.exit_code == 0, result.output
    assert result.output.count("issued 1 certificate in batch") == 2
    roots = {json.loads(p.read_text())["proof"]["root"] for p in (tmp_path / "out").iterdir()}
    assert len(roots) == 2


def test_wrong_password_exits_1_and_records_nothing(cli, make_docs, tmp_path):
    write_docs(tmp_path / "todo", make_docs(1))
    result = cli("issue", "todo", extra_env={"ORIGINCERT_PASSWORD": "wrong"})
    assert result.exit_code == 1
    assert "[wrong_password]" in result.output
    assert not (tmp_path / ".origincert" / "journal.sqlite").exists()
    assert not (tmp_path / "issued").exists()


def test_node_down_exits_4_and_records_nothing(cli, make_docs, tmp_path):
    write_docs(tmp_path / "todo", make_docs(1))
    result = cli(
        "issue", "todo", extra_env={"ORIGINCERT_RPC_URL": f"http://127.0.0.1:{free_port()}"}
    )
    assert result.exit_code == 4
    assert "[node_unreachable]" in result.output
    assert not (tmp_path / ".origincert" / "journal.sqlite").exists()


def test_invalid_document_exits_1_naming_the_file(cli, make_docs, tmp_path):
    docs = make_docs(2)
    docs[1]["goods"][0]["hs_code"] = "12"
    write_docs(tmp_path / "todo", docs)
    result = cli("issue", "todo")
    assert result.exit_code == 1
    assert f"{docs[1]['number']}.json" in result.output and "goods[0].hs_code" in result.output
    with Journal.open(tmp_path / ".origincert" / "journal.sqlite") as j:
        assert j.batches() == []


def test_issue_needs_files_or_resume(cli):
    assert cli("issue").exit_code == 2
    result = cli("issue", "--resume")
    assert result.exit_code == 0 and "nothing to resume" in result.output


def test_revoke_and_replace_commands(cli, world, make_docs, tmp_path):
    old, other, new = make_docs(3)
    write_docs(tmp_path / "todo", [old, other])
    assert cli("issue", "todo").exit_code == 0
    result = cli("revoke", other["number"], "--reason", "issued_in_error", "--yes")
    assert result.exit_code == 0, result.output
    assert f"revoked {other['number']} (reason 1)" in result.output

    [new_path] = write_docs(tmp_path / "new", [new])
    result = cli("replace", old["number"], str(new_path), "--reason", "amended invoice")
    assert result.exit_code == 0, result.output
    assert f"{old['number']} replaced by {new['number']}" in result.output
    with Journal.open(tmp_path / ".origincert" / "journal.sqlite") as j:
        assert j.status(old["number"]) is CertificateStatus.REPLACED
        assert j.status(other["number"]) is CertificateStatus.REVOKED
        batch, cert = j.locate(other["number"])
    assert certificate_status(
        world.client, world.chamber_ids["DE-berlin"], batch.root, cert.leaf
    ).revoked

    result = cli("revoke", "NO-SUCH-1", "--reason", "lost", "--yes")
    assert result.exit_code == 1 and "[unknown_number]" in result.output


def test_issuing_the_same_folder_twice_names_the_duplicate_numbers(cli, make_docs, tmp_path):
    docs = make_docs(2)
    write_docs(tmp_path / "todo", docs)
    assert cli("issue", "todo").exit_code == 0
    again = cli("issue", "todo")
    assert (
        again.exit_code == 1
        and "[duplicate_number]" in again.output
        and docs[0]["number"] in again.output
    )


def test_single_reports_what_was_issued_before_a_refusal(cli, make_docs, tmp_path):
    good, bad = make_docs(2)
    bad["goods"][0]["hs_code"] = "12"
    paths = write_docs(tmp_path / "todo", [good, bad])
    result = cli("issue", *map(str, paths), "--single")
    assert result.exit_code == 1
    assert f"issued 1 certificate in batch #1 ({good['number']})" in result.output
    assert "goods[0].hs_code" in result.output
    with Journal.open(tmp_path / ".origincert" / "journal.sqlite") as j:
        assert j.counts() == {"anchored": 1}


def test_json_is_one_envelope_for_issue_and_revoke(cli, make_docs, tmp_path):
    docs = make_docs(2)
    write_docs(tmp_path / "todo", docs)
    issued = json.loads(cli("issue", "todo", "--json").output)
    assert issued["command"] == "issue" and issued["ok"] is True and issued["error"] is None
    assert issued["summary"] == {"batches": 1, "certificates": 2}
    assert issued["results"][0]["numbers"] == [d["number"] for d in docs]

    revoked = cli("revoke", docs[0]["number"], "--reason", "lost", "--yes", "--json")
    data = json.loads(revoked.stdout)
    assert set(data) == set(issued) and data["results"][0]["kind"] == "revoke"
    assert data["results"][0]["number"] == docs[0]["number"]


def test_json_error_still_prints_the_envelope(cli, make_docs, tmp_path):
    write_docs(tmp_path / "todo", make_docs(1))
    down = f"http://127.0.0.1:{free_port()}"
    result = cli("issue", "todo", "--json", extra_env={"ORIGINCERT_RPC_URL": down})
    assert result.exit_code == 4
    data = json.loads(result.stdout)
    assert data["ok"] is False and data["results"] == []
    assert data["error"]["code"] == "node_unreachable"


def test_revoke_dry_run_shows_the_transaction_and_sends_nothing(cli, world, make_docs, tmp_path):
    docs = make_docs(2)
    write_docs(tmp_path / "todo", docs)
    assert cli("issue", "todo").exit_code == 0
    number = docs[1]["number"]
    result = cli("revoke", number, "--reason", "issued_in_error", "--dry-run")
    assert result.exit_code == 0, result.output
    assert (
        "CertificateRegistry.revokeLeaf(" in result.output and "nothing was sent" in result.output
    )
    assert f"certificate {number} (batch #1 of 2) becomes REVOKED" in result.output
    with Journal.open(tmp_path / ".origincert" / "journal.sqlite") as j:
        batch, cert = j.locate(number)
    berlin_id = world.chamber_ids["DE-berlin"]
    assert not certificate_status(world.client, berlin_id, batch.root, cert.leaf).revoked


def test_revoke_asks_and_a_no_sends_nothing(cli, world, make_docs, tmp_path, monkeypatch):
    from origincert.cli import common

    docs = make_docs(1)
    write_docs(tmp_path / "todo", docs)
    assert cli("issue", "todo").exit_code == 0
    number = docs[0]["number"]
    # without a terminal and without --yes: refused as a usage error, nothing sent
    result = cli("revoke", number, "--reason", "lost")
    assert result.exit_code == 2 and "--yes" in result.output
    monkeypatch.setattr(common, "_interactive", lambda: True)
    runner_result = cli("revoke", number, "--reason", "lost")  # CliRunner's stdin is empty: "no"
    assert runner_result.exit_code == 2 and "nothing was sent" in runner_result.output
    assert "CertificateRegistry.revokeRoot(" in runner_result.output
    with Journal.open(tmp_path / ".origincert" / "journal.sqlite") as j:
        batch, cert = j.locate(number)
    berlin_id = world.chamber_ids["DE-berlin"]
    assert not certificate_status(world.client, berlin_id, batch.root, cert.leaf).revoked


def test_other_journals_of_the_body_refuse_a_number_already_given(cli, make_docs, tmp_path):
    taken, fresh = make_docs(2)
    write_docs(tmp_path / "monday", [taken])
    desk_a = "journals/desk-a.sqlite"
    assert cli("issue", "monday", "--journal", desk_a, "--out", "out-a").exit_code == 0
    write_docs(tmp_path / "tuesday", [fresh, taken])
    desk_b = "journals/desk-b.sqlite"
    for option in (["--other-journal", desk_a], ["--journal-dir", "journals"]):
        for mode in ("--batch", "--single"):
            result = cli("issue", "tuesday", "--journal", desk_b, "--out", "out-b", mode, *option)
            assert result.exit_code == 1, result.output
            assert "[duplicate_number]" in result.output and taken["number"] in result.output
            assert "desk-a.sqlite" in result.output
    # The duplicate sorts first, so even --single refused before issuing anything: nothing
    # recorded in desk B, no file written.
    with Journal.open(tmp_path / desk_b) as j:
        assert j.batches() == []
    assert not any((tmp_path / "out-b").glob("*.coo.json"))
    # The folder holds the journal being written too: it is not "another" journal.
    write_docs(tmp_path / "wednesday", make_docs(1))
    result = cli("issue", "wednesday", "--journal", desk_b, "--journal-dir", "journals")
    assert result.exit_code == 0, result.output


def test_an_other_journal_that_cannot_be_read_is_named(cli, make_docs, tmp_path):
    write_docs(tmp_path / "todo", make_docs(1))
    (tmp_path / "broken.sqlite").write_bytes(b"\0not a database" * 300)
    for option in (["--other-journal", "nowhere.sqlite"], ["--journal-dir", "."]):
        result = cli("issue", "todo", *option)
        assert result.exit_code == 1 and "[journal_unreadable]" in result.output, result.output
    assert not (tmp_path / "issued").exists()


def test_replace_refuses_a_successor_number_another_desk_gave(cli, world, make_docs, tmp_path):
    old, elsewhere = make_docs(2)
    write_docs(tmp_path / "a", [elsewhere])
    assert cli("issue", "a", "--journal", "desks/a.sqlite", "--out", "out-a").exit_code == 0
    write_docs(tmp_path / "b", [old])
    assert cli("issue", "b", "--journal", "desks/b.sqlite", "--out", "out-b").exit_code == 0
    successor = {**elsewhere}  # the successor reuses desk A's number
    [new_path] = write_docs(tmp_path / "new", [successor])
    block = world.client.block_number()
    result = cli(
        "replace", old["number"], str(new_path), "--reason", "amended invoice",
        "--journal", "desks/b.sqlite", "--out", "out-b", "--journal-dir", "desks",
    )  # fmt: skip
    assert result.exit_code == 1 and "[duplicate_number]" in result.output, result.output
    assert "a.sqlite" in result.output
    assert world.client.block_number() == block
    with Journal.open(tmp_path / "desks" / "b.sqlite") as j:
        assert j.status(old["number"]) is CertificateStatus.ANCHORED and j.actions() == []
