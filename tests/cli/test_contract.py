"""The CLI's contract with people and scripts: lazy start-up, the command table, global options in
any position, exit codes, the hung-node timeout, and the clerk's template and validate commands."""

from __future__ import annotations

import importlib
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from origincert.cli import COMMANDS, GLOBAL_OPTIONS, hoist_global_options, load_command, main
from origincert.cli.common import ExitCode
from origincert.document import FORMS, parse_certificate
from origincert.templates import FORMS_WITH_TEMPLATES, template

README = Path(__file__).resolve().parents[2] / "README.md"


def test_help_imports_no_area_and_no_heavy_library() -> None:
    code = (
        "import sys; from click.testing import CliRunner; from origincert.cli import main;"
        "r = CliRunner().invoke(main, ['--help']); assert r.exit_code == 0, r.output;"
        "heavy = [m for m in ('web3', 'eth_account', 'sqlalchemy', 'flask', 'fpdf', 'pydantic')"
        " if m in sys.modules];"
        "areas = [m for m in sys.modules if m.startswith('origincert.cli.') and m != 'origincert.cli.common'];"
        "print(heavy, areas)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[] []"


_HELP_IMPORTS = """
import contextlib, io, sys
from origincert.cli import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    try:
        main([sys.argv[1], "--help"], prog_name="origincert")
    except SystemExit as exc:
        assert exc.code == 0, exc.code
assert "Usage: origincert " + sys.argv[1] in out.getvalue(), out.getvalue()
print(sorted(m for m in ("web3", "eth_account", "flask") if m in sys.modules))
"""


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_commands_help_imports_neither_web3_nor_eth_account_nor_flask(command: str) -> None:
    """Heavy libraries load inside the command that runs, not for its help (a fresh process each,
    as a user's shell starts one)."""
    out = subprocess.run(
        [sys.executable, "-c", _HELP_IMPORTS, command], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_the_command_table_matches_what_each_area_registers() -> None:
    """Every command an area's ``register`` adds is in the table, with the help --help shows."""
    modules = {m for entry, _ in COMMANDS.values() for m in entry.split(",")}
    registered: dict[str, list[tuple[str, click.Command]]] = {}
    for module in modules:
        group = click.Group()
        importlib.import_module(f"origincert.cli.{module}").register(group)
        for name, cmd in group.commands.items():
            owners = COMMANDS.get(name, ("",))[0].split(",")
            assert module in owners, f"{name} (from {module}) missing from COMMANDS"
            registered.setdefault(name, []).append((module, cmd))
    assert set(registered) == set(COMMANDS)
    for name, (entry, help_) in COMMANDS.items():
        first = dict(registered[name])[entry.split(",")[0]]
        assert first.get_short_help_str(limit=1000) == help_, name


def test_a_group_two_areas_add_to_keeps_the_commands_of_both() -> None:
    issuer = load_command("issuer")
    assert isinstance(issuer, click.Group)
    assert {"rotate-key", "show", "vc-key", "did"} <= set(issuer.commands)


def test_unknown_command_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["frobnicate"])
    assert result.exit_code == ExitCode.USAGE and "No such command" in result.output


@pytest.mark.parametrize(
    ("args", "own", "hoisted", "rest"),
    [
        (["a", "--manifest", "m", "-x"], set(), ["--manifest", "m"], ["a", "-x"]),
        (["--rpc-url=u", "a"], set(), ["--rpc-url=u"], ["a"]),
        (["a", "--", "--timeout", "3"], set(), [], ["a", "--", "--timeout", "3"]),
        (["--timeout", "3", "a"], {"--timeout"}, [], ["--timeout", "3", "a"]),
    ],
)
def test_hoisting_global_options(
    args: list[str], own: set[str], hoisted: list[str], rest: list[str]
) -> None:
    assert hoist_global_options(args, own) == (hoisted, rest)


def test_global_options_are_the_groups_own() -> None:
    assert set(GLOBAL_OPTIONS) <= {o for p in main.params for o in p.opts}


def test_readme_exit_code_table_is_the_code() -> None:
    text = README.read_text()
    for code in ExitCode:
        assert f"| {code.value} |" in text, f"exit code {code.value} missing from the README"


@pytest.fixture
def hung_node() -> Iterator[str]:
    """A port that accepts connections and never answers: a node that hangs."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    server.close()
    for c in held:
        c.close()


def test_timeout_bounds_the_wait_for_a_hung_node(hung_node: str, tmp_path: Path) -> None:
    manifest = {
        "chain_id": 31337,
        "issuer_registry": {"address": "0x" + "11" * 20, "block": 1, "abi_sha256": "00"},
        "certificate_registry": {"address": "0x" + "22" * 20, "block": 1, "abi_sha256": "00"},
        "compiler": "test",
    }
    (tmp_path / "m.json").write_text(json.dumps(manifest))
    (tmp_path / "a.coo.json").write_text("{}")
    start = time.monotonic()
    result = CliRunner().invoke(
        main,
        ["verify", str(tmp_path / "a.coo.json"), "--json", "--timeout", "0.5"]
        + ["--manifest", str(tmp_path / "m.json"), "--rpc-url", hung_node],
    )
    elapsed = time.monotonic() - start
    assert result.exit_code == ExitCode.UNREACHABLE, result.output
    assert "[node_timeout]" in result.output
    assert elapsed < 5, f"gave up after {elapsed:.1f} s with --timeout 0.5"


# ---------------------------------------------------------------- clerks: template and validate


@pytest.mark.parametrize("form", FORMS_WITH_TEMPLATES)
def test_every_template_is_a_valid_document_today(form: str) -> None:
    doc = template(form, today=datetime.now(UTC).date())
    assert parse_certificate(doc).form == form


def test_templates_cover_the_forms_clerks_asked_for() -> None:
    assert {"ICC_CO", "EUR1", "FORM_A", "FORM_D", "FORM_E", "RCEP"} <= set(FORMS_WITH_TEMPLATES)
    assert set(FORMS_WITH_TEMPLATES) <= set(FORMS)


def test_template_command_then_validate(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "eur1.json"
    made = runner.invoke(main, ["template", "EUR.1", "-o", str(out)])
    assert made.exit_code == 0, made.output
    assert json.loads(out.read_text())["form"] == "EUR1"
    again = runner.invoke(main, ["template", "EUR1", "-o", str(out)])
    assert again.exit_code == ExitCode.USAGE and "exists" in again.output
    printed = runner.invoke(main, ["template", "form a"])
    assert json.loads(printed.stdout)["form"] == "FORM_A"
    unknown = runner.invoke(main, ["template", "FORM_Z"])
    assert unknown.exit_code == ExitCode.USAGE and "no template" in unknown.output
    listed = runner.invoke(main, ["template", "--list"])
    assert listed.exit_code == 0 and "RCEP" in listed.output

    ok = runner.invoke(main, ["validate", str(out)])
    assert ok.exit_code == 0 and "1 document: 1 valid, 0 invalid" in ok.output


def test_validate_lists_every_problem_and_duplicate_numbers(tmp_path: Path) -> None:
    today = datetime.now(UTC).date()
    good = template("ICC_CO", today=today)
    bad = template("FORM_D", today=today)
    bad["goods"][0]["hs_code"] = "12"  # the model's own rule
    cross = template("FORM_E", today=today)
    cross["transport"]["departure_date"] = "2000-01-01"  # a cross-field rule: dates out of order
    twin = dict(good)
    folder = tmp_path / "drafts"
    folder.mkdir()
    (folder / "good.json").write_text(json.dumps(good))
    (folder / "bad.json").write_text(json.dumps(bad))
    (folder / "cross.json").write_text(json.dumps(cross))
    (folder / "twin.json").write_text(json.dumps(twin))
    (folder / "old.coo.json").write_text("not looked at")
    (folder / "broken.json").write_text('{"number": ')
    result = CliRunner().invoke(main, ["validate", str(folder)])
    assert result.exit_code == ExitCode.NOT_VALID
    assert "goods[0].hs_code" in result.output and "issued_retroactively" in result.output
    assert "is also used by" in result.output and "old.coo.json" not in result.output
    assert result.output.strip().endswith("5 documents: 0 valid, 5 invalid")

    data = json.loads(CliRunner().invoke(main, ["validate", str(folder), "--json"]).stdout)
    assert data["command"] == "validate" and data["summary"]["invalid"] == 5
    codes = {Path(r["input"]).name: r["code"] for r in data["results"]}
    assert codes["broken.json"] != "document_invalid"  # a syntax error has its own code
    assert codes["good.json"] == "duplicate_number"


def test_redact_and_pdf_default_to_the_current_folder_not_the_archive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from origincert.cli.pdf import default_output as pdf_output
    from origincert.cli.redact import default_output as redact_output

    archive = tmp_path / "issued"
    holder = tmp_path / "holder"
    holder.mkdir()
    monkeypatch.chdir(holder)
    source = archive / "DE-1.coo.json"
    assert redact_output(source) == holder / "DE-1.redacted.coo.json"
    assert pdf_output(source) == holder / "DE-1.pdf"
