"""``origincert portal``: accounts and tokens from the shell, reindexing, and serving with gunicorn."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from chainutil import free_port
from click.testing import CliRunner

from origincert.cli import main
from origincert.portal import accounts, create_app, db

from .support import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def invoke(
    runner: CliRunner,
    instance: Path,
    *args: str,
    env: dict[str, str] | None = None,
    input: str | None = None,
):  # type: ignore[no-untyped-def]
    return runner.invoke(
        main,
        ["portal", *args, "--instance", str(instance)],
        env=env,
        input=input,
        catch_exceptions=False,
    )


def test_add_officer_creates_a_working_account(runner: CliRunner, tmp_path: Path) -> None:
    result = invoke(
        runner,
        tmp_path,
        "add-officer",
        "Anna",
        "--name",
        "Anna Becker",
        "--office",
        "deham-1",
        "--office-name",
        "Hamburg",
        env={"ORIGINCERT_PORTAL_PASSWORD": PASSWORD},
    )
    assert result.exit_code == 0, result.output
    assert "officer anna (Anna Becker) created in office DEHAM-1" in result.output
    app = create_app({"ARGON2_PROFILE": "CHEAPEST"}, instance_path=tmp_path)
    with app.app_context():
        outcome = accounts.authenticate(
            db.session(), accounts.hasher(), "anna", PASSWORD, accounts.LoginPolicy(), source="cli"
        )
        assert outcome.code == "ok"


def test_add_officer_prompts_for_the_password_twice(runner: CliRunner, tmp_path: Path) -> None:
    result = invoke(
        runner,
        tmp_path,
        "add-officer",
        "boss",
        "--name",
        "Bea",
        "--office",
        "X-1",
        "--office-name",
        "X",
        "--admin",
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "administrator boss" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--office", "NEW-1"], "[office_name_missing] office NEW-1 does not exist yet"),
        (["--office", "?", "--office-name", "x"], "[office_code_invalid]"),
    ],
)
def test_add_officer_errors_are_clear(
    runner: CliRunner, tmp_path: Path, args: list[str], message: str
) -> None:
    result = invoke(
        runner,
        tmp_path,
        "add-officer",
        "anna",
        "--name",
        "A",
        *args,
        env={"ORIGINCERT_PORTAL_PASSWORD": PASSWORD},
    )
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_weak_password_and_taken_username(runner: CliRunner, tmp_path: Path) -> None:
    base = ["add-officer", "anna", "--name", "A", "--office", "X-1", "--office-name", "X"]
    weak = invoke(runner, tmp_path, *base, env={"ORIGINCERT_PORTAL_PASSWORD": "short"})
    assert weak.exit_code == 1 and "[password_too_short]" in weak.output
    password_file = tmp_path / "pw"
    password_file.write_text(PASSWORD + "\n")
    assert invoke(runner, tmp_path, *base, "--password-file", str(password_file)).exit_code == 0
    taken = invoke(runner, tmp_path, *base, "--password-file", str(password_file))
    assert taken.exit_code == 1 and "[username_taken]" in taken.output
    missing = invoke(runner, tmp_path, *base, "--password-file", str(tmp_path / "nope"))
    assert missing.exit_code == 1 and "cannot read the password file" in missing.output


def test_issue_and_revoke_a_token(runner: CliRunner, tmp_path: Path) -> None:
    invoke(
        runner,
        tmp_path,
        "add-officer",
        "anna",
        "--name",
        "A",
        "--office",
        "X-1",
        "--office-name",
        "X",
        env={"ORIGINCERT_PORTAL_PASSWORD": PASSWORD},
    )
    shown = invoke(runner, tmp_path, "issue-token", "ATLAS", "--office", "X-1")
    assert shown.exit_code == 0 and re.fullmatch(r"oct_[A-Za-z0-9_-]{43}\n", shown.output)
    out = tmp_path / "token"
    written = invoke(
        runner, tmp_path, "issue-token", "Batch job", "--office", "x-1", "--output", str(out)
    )
    assert written.exit_code == 0 and str(out) in written.output
    assert out.stat().st_mode & 0o777 == 0o600
    clear = out.read_text().strip()
    prefix = clear[:10]
    revoked = invoke(runner, tmp_path, "revoke-token", prefix)
    assert revoked.exit_code == 0 and "revoked API token" in revoked.output
    again = invoke(runner, tmp_path, "revoke-token", prefix)
    assert again.exit_code == 1 and "0 live tokens" in again.output
    unknown_office = invoke(runner, tmp_path, "issue-token", "x", "--office", "NOPE-1")
    assert unknown_office.exit_code == 1 and "does not exist yet" in unknown_office.output


def test_reindex(runner: CliRunner, tmp_path: Path, issued: bytes) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "c.coo.json").write_bytes(issued)
    result = invoke(runner, tmp_path / "i", "reindex", "--archive-dir", str(archive))
    assert result.exit_code == 0 and "1 added" in result.output
    missing = invoke(runner, tmp_path / "i", "reindex", "--archive-dir", str(tmp_path / "nope"))
    assert missing.exit_code == 1 and "[archive_missing]" in missing.output


def test_serve_refuses_a_bad_bind_and_a_missing_manifest(runner: CliRunner, tmp_path: Path) -> None:
    bad = runner.invoke(
        main, ["portal", "serve", "--offline", "--bind", "8000", "--instance", str(tmp_path)]
    )
    assert bad.exit_code == 2 and "--bind must be HOST:PORT" in bad.output
    no_manifest = runner.invoke(
        main,
        ["--manifest", str(tmp_path / "none.json"), "portal", "serve", "--instance", str(tmp_path)],
    )
    assert no_manifest.exit_code == 1 and "[manifest_missing]" in no_manifest.output


def workers_of(pid: int, expected: int, timeout: float = 15, name: str = "gunicorn") -> int:
    """How many child processes ``pid`` has whose command line names ``name`` (gunicorn's workers;
    the private redis-server is a child too), waiting up to ``timeout`` for ``expected``."""
    deadline = time.monotonic() + timeout
    while True:
        children = subprocess.run(
            ["pgrep", "-P", str(pid)], check=False, capture_output=True, text=True
        ).stdout.split()
        count = sum(name in _cmdline(int(child)) for child in children)
        if count >= expected or time.monotonic() > deadline:
            return count
        time.sleep(0.2)


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def test_serve_runs_gunicorn_with_several_workers(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "ORIGINCERT_PORTAL_ARGON2_PROFILE": '"CHEAPEST"'}
    command = [
        str(Path(sys.executable).parent / "origincert"), "portal", "serve", "--offline", "--insecure-http", "--no-access-log",
        "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "2", "--instance", str(tmp_path),
    ]  # fmt: skip
    server = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = requests.get(f"http://127.0.0.1:{port}/login", timeout=10)
                break
            except (requests.ConnectionError, requests.Timeout):
                assert server.poll() is None, server.stdout.read().decode() if server.stdout else ""
                assert time.monotonic() < deadline, "the portal did not start"
                time.sleep(0.2)
        assert response.status_code == 200 and "Sign in" in response.text
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
        assert workers_of(server.pid, 2, name="origincert") == 2  # two workers under the master
        # several workers share their rate limits in a private redis-server, started by serve
        assert workers_of(server.pid, 1, name="redis-server") == 1
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
        output = server.communicate(timeout=30)[0].decode()
    assert "Booting worker" in output and "Traceback" not in output
