"""``origincert desk init``: migrations, the chamber and its first admin, who can then sign in;
a second init of the same chamber is refused with its reason code."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from origincert.cli import main
from origincert.desk import create_app
from origincert.desk.db import engine_for, session_factory
from origincert.desk.models import Chamber, User

ARGS = ["desk", "init", "--chamber", "DEHAM", "--name", "Hamburg Chamber of Commerce",
        "--economy", "DE", "--place", "Hamburg", "--admin-email", "admin@hk.example"]  # fmt: skip


def test_init_creates_the_chamber_and_an_admin_who_signs_in(tmp_path: Path) -> None:
    instance = tmp_path / "desk"
    env = {"ORIGINCERT_DESK_ADMIN_PASSWORD": "a long first password"}
    result = CliRunner().invoke(main, [*ARGS, "--instance", str(instance)], env=env)
    assert result.exit_code == 0, result.output
    url = f"sqlite:///{instance / 'desk.sqlite'}"
    engine = engine_for(url)
    with session_factory(engine)() as db:
        assert db.scalar(select(Chamber.code)) == "DEHAM"
        assert db.scalar(select(User.role)) == "chamber-admin"
    engine.dispose()
    app = create_app(
        {"DATABASE_URL": url, "SECURE_COOKIES": False, "WTF_CSRF_ENABLED": False},
        instance_path=instance,
    )
    client = app.test_client()
    login = client.post(
        "/login", data={"email": "admin@hk.example", "password": "a long first password"}
    )
    assert login.status_code == 302 and login.headers["Location"] == "/clerk/"
    assert client.get("/admin/").status_code == 200
    again = CliRunner().invoke(main, [*ARGS, "--instance", str(instance)], env=env)
    assert again.exit_code == 1 and "[chamber_exists]" in again.output


def test_init_needs_the_admin_password(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, [*ARGS, "--instance", str(tmp_path / "d")], env={})
    assert result.exit_code == 2 and "ORIGINCERT_DESK_ADMIN_PASSWORD" in result.output


def test_demo_seeds_exporters_clerks_and_a_waiting_queue(tmp_path: Path) -> None:
    instance = tmp_path / "desk"
    env = {"ORIGINCERT_DESK_ADMIN_PASSWORD": "a long first password"}
    assert CliRunner().invoke(main, [*ARGS, "--instance", str(instance)], env=env).exit_code == 0
    result = CliRunner().invoke(
        main, ["desk", "demo", "--chamber", "DEHAM", "--waiting", "5", "--instance", str(instance)],
        env=env,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    app = create_app(
        {"DATABASE_URL": f"sqlite:///{instance / 'desk.sqlite'}", "SECURE_COOKIES": False,
         "WTF_CSRF_ENABLED": False},
        instance_path=instance,
    )  # fmt: skip
    client = app.test_client()
    client.post(
        "/login", data={"email": "clerk1@demo.example", "password": "a long first password"}
    )
    assert client.get("/clerk/").get_data(as_text=True).count("DEHAM-") == 5


def test_events_exports_the_chambers_log_for_the_audit(tmp_path: Path) -> None:
    import json

    from origincert.audit.desklog import read_desk_log

    instance = tmp_path / "desk"
    env = {"ORIGINCERT_DESK_ADMIN_PASSWORD": "a long first password"}
    assert CliRunner().invoke(main, [*ARGS, "--instance", str(instance)], env=env).exit_code == 0
    demo = ["desk", "demo", "--chamber", "DEHAM", "--waiting", "2", "--instance", str(instance)]
    assert CliRunner().invoke(main, demo, env=env).exit_code == 0
    out = tmp_path / "events.jsonl"
    args = ["desk", "events", "--chamber", "DEHAM", "-o", str(out), "--instance", str(instance)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    log = read_desk_log(out)
    assert log.by_action["submit"] == 2 and log.by_action["created"] == 2
    assert json.loads(out.read_text().splitlines()[0])["format"] == "origincert-desk-events/1"
    unknown = ["desk", "events", "--chamber", "NOPE", "--instance", str(instance)]
    refused = CliRunner().invoke(main, unknown)
    assert refused.exit_code == 1 and "no chamber NOPE" in refused.output
