"""``origincert desk``: create the chamber's desk, serve it, run its issuing worker."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from origincert.cli.common import Context, InfrastructureError, handle_errors, key_options

DEFAULT_INSTANCE = ".origincert/desk"


def _db_option(fn: Any) -> Any:
    return click.option(
        "--db",
        "db_url",
        envvar="ORIGINCERT_DESK_DB",
        default=None,
        help="SQLAlchemy URL of the desk database (default: SQLite in the instance folder).",
    )(fn)


def _instance_option(fn: Any) -> Any:
    return click.option(
        "--instance",
        envvar="ORIGINCERT_DESK_INSTANCE",
        default=DEFAULT_INSTANCE,
        show_default=True,
        type=click.Path(file_okay=False),
        help="Folder of the desk's database, attachments, journal and issued files.",
    )(fn)


def _url(db_url: str | None, instance: str) -> str:
    if db_url:
        return db_url
    os.makedirs(instance, exist_ok=True)
    return f"sqlite:///{Path(instance).resolve() / 'desk.sqlite'}"


@click.group()
def desk() -> None:
    """The chamber's e-CO desk: exporters apply, clerks review, the worker issues in batches."""


@desk.command()
@click.option("--chamber", "code", required=True, help="Chamber code, the certificate prefix.")
@click.option("--name", required=True, help="The issuing body's name as on the ledger.")
@click.option("--economy", required=True, help="Its economy (ISO 3166 alpha-2).")
@click.option("--place", required=True, help="Place of issue printed on certificates.")
@click.option("--admin-email", required=True)
@click.option(
    "--admin-password-env",
    default="ORIGINCERT_DESK_ADMIN_PASSWORD",
    show_default=True,
    help="Environment variable holding the chamber admin's first password.",
)
@click.option("--four-eyes-first", default=0, show_default=True, type=click.IntRange(0, 10_000))
@_db_option
@_instance_option
@handle_errors
def init(
    code: str,
    name: str,
    economy: str,
    place: str,
    admin_email: str,
    admin_password_env: str,
    four_eyes_first: int,
    db_url: str | None,
    instance: str,
) -> None:
    """Create the database (migrations), the chamber and its first admin."""
    from origincert.desk import accounts
    from origincert.desk.db import engine_for, migrate, session_factory
    from origincert.desk.jobs import queue_app
    from origincert.desk.models import Role
    from origincert.webkit.passwords import hasher

    password = os.environ.get(admin_password_env)
    if not password:
        raise click.UsageError(f"set {admin_password_env} to the admin's first password")
    url = _url(db_url, instance)
    migrate(url)
    if url.startswith("postgresql"):
        with queue_app(url).open() as q:
            q.schema_manager.apply_schema()
    engine = engine_for(url)
    with session_factory(engine).begin() as db:
        chamber = accounts.create_chamber(
            db, code=code, name=name, economy=economy, place=place, four_eyes_first=four_eyes_first
        )
        accounts.create_user(
            db, hasher(), email=admin_email, name="Chamber admin", password=password,
            role=Role.CHAMBER_ADMIN, chamber=chamber,
        )  # fmt: skip
    engine.dispose()
    click.echo(f"desk ready: chamber {code}, admin {admin_email}, database {url}")


@desk.command()
@click.option("--chamber", "code", required=True, help="The chamber whose event log to export.")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
    help="File to write (default: standard output).",
)  # fmt: skip
@_db_option
@_instance_option
@handle_errors
def events(code: str, output: str | None, db_url: str | None, instance: str) -> None:
    """Export the chamber's event log as JSON Lines, for `origincert audit --desk-events`."""
    from sqlalchemy import select

    from origincert.desk.administration import events_jsonl
    from origincert.desk.db import engine_for, session_factory
    from origincert.desk.errors import NotFound
    from origincert.desk.models import Chamber

    engine = engine_for(_url(db_url, instance))
    try:
        with session_factory(engine)() as db:
            chamber = db.scalar(select(Chamber).where(Chamber.code == code))
            if chamber is None:
                raise NotFound(f"no chamber {code} in the desk database", code="chamber_unknown")
            with click.open_file(output or "-", "w", encoding="utf-8") as out:
                for line in events_jsonl(db, chamber.id):
                    out.write(line)
    finally:
        engine.dispose()


@desk.command()
@click.option("--bind", default="127.0.0.1:8090", show_default=True, help="HOST:PORT")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--insecure-http", is_flag=True, help="Session cookie over plain HTTP (loopback demo)."
)
@click.option("--debug", is_flag=True, help="Flask's development server, for development only.")
@_db_option
@_instance_option
@handle_errors
def serve(
    bind: str, workers: int, threads: int, insecure_http: bool, debug: bool, db_url: str | None,
    instance: str,
) -> None:  # fmt: skip
    """Serve the desk with gunicorn (exporters, clerks, chamber admin, REST API); it never holds
    the signing key."""
    import contextlib

    from origincert.desk import create_app

    host, _, port = bind.rpartition(":")
    if not host or not port.isdigit():
        raise InfrastructureError(f"--bind must be HOST:PORT, got {bind!r}")
    config: dict[str, Any] = {
        "DATABASE_URL": _url(db_url, instance),
        "SECURE_COOKIES": not (insecure_http or debug),
    }
    app = create_app(config, instance_path=instance)  # once here: settings, secret key checked
    if debug:
        app.run(host, int(port), debug=False, use_reloader=False, threaded=True)
        return
    from origincert.portal.server import GunicornServer, gunicorn_options, private_redis

    with contextlib.ExitStack() as stack:
        if workers > 1 and str(app.config["RATELIMIT_STORAGE_URI"]).startswith("memory:"):
            try:  # counters in memory are per worker: share them
                config["RATELIMIT_STORAGE_URI"] = stack.enter_context(
                    private_redis(Path(app.instance_path))
                )
            except FileNotFoundError:
                raise InfrastructureError(
                    "several workers need shared rate-limit storage: install redis-server "
                    "or serve with --workers 1"
                ) from None
        options = gunicorn_options(bind, workers, threads, access_log=False)
        options["proc_name"] = "origincert-desk"
        GunicornServer(lambda: create_app(config, instance_path=instance), options).run()


@desk.command()
@click.option("--chamber", "code", required=True, help="The chamber whose approvals to issue.")
@click.option("--journal", "journal_location", default=None, help="Journal (default: instance).")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--batch-wait", default=10.0, show_default=True, type=click.FloatRange(0, 3600))
@click.option(
    "--once", is_flag=True, help="One tick (resume, reconcile, a batch if due), then exit."
)
@_db_option
@_instance_option
@key_options
@click.pass_obj
def worker(
    obj: Context,
    signer: Any,
    code: str,
    journal_location: str | None,
    batch_size: int,
    batch_wait: float,
    once: bool,
    db_url: str | None,
    instance: str,
) -> None:
    """The chamber's issuing worker: the only process with the signing key."""
    from sqlalchemy import select

    from origincert.desk.db import engine_for, session_factory
    from origincert.desk.errors import NotFound
    from origincert.desk.issuing import BatchPolicy, IssuingWorker
    from origincert.desk.jobs import CONTEXT_KEY, queue_app
    from origincert.desk.models import Chamber
    from origincert.issuer import Journal

    url = _url(db_url, instance)
    sessions = session_factory(engine_for(url))
    with sessions() as db:
        chamber = db.scalar(select(Chamber).where(Chamber.code == code))
    if chamber is None:
        raise NotFound(f"no chamber {code} in the desk database", code="chamber_unknown")
    journal = Journal.open(journal_location or Path(instance) / "journal.sqlite")
    issuing = IssuingWorker(
        sessions=sessions,
        journal=journal,
        client=obj.client(),
        signer=signer,
        chamber_id=chamber.id,
        files_dir=Path(instance).resolve() / "issued",
        policy=BatchPolicy(size=batch_size, wait=batch_wait),
    )
    try:
        if once:
            report = issuing.tick()
            click.echo(
                f"issued {len(report.issued)}, resumed {report.resumed} batch(es), "
                f"waiting {report.waiting}"
                + (", ledger unreachable" if report.ledger_unavailable else "")
            )
            if report.ledger_unavailable:
                raise InfrastructureError("the ledger is unreachable; approved applications wait")
            return
        queue_app(url).run_worker(
            queues=["issuing"],
            additional_context={CONTEXT_KEY: issuing},
            install_signal_handlers=True,
        )
    finally:
        journal.close()


@desk.command()
@click.option("--waiting", default=8, show_default=True, type=click.IntRange(0, 1000))
@click.option(
    "--password-env",
    default="ORIGINCERT_DESK_ADMIN_PASSWORD",
    show_default=True,
    help="Environment variable holding the demo users' password.",
)
@click.option("--chamber", "code", required=True, help="The chamber (made by desk init).")
@_db_option
@_instance_option
@handle_errors
def demo(waiting: int, password_env: str, code: str, db_url: str | None, instance: str) -> None:
    """Sample exporters (two accepted, one pending), two clerks and a queue that is waiting."""
    from sqlalchemy import select

    from origincert.desk.db import engine_for, session_factory
    from origincert.desk.demo import seed_demo
    from origincert.desk.errors import NotFound
    from origincert.desk.models import Chamber
    from origincert.webkit.passwords import hasher

    password = os.environ.get(password_env)
    if not password:
        raise click.UsageError(f"set {password_env} to the demo users' password")
    engine = engine_for(_url(db_url, instance))
    with session_factory(engine).begin() as db:
        chamber = db.scalar(select(Chamber).where(Chamber.code == code))
        if chamber is None:
            raise NotFound(f"no chamber {code}: run desk init first", code="chamber_unknown")
        logins = seed_demo(db, hasher(), chamber, password=password, waiting=waiting)
    engine.dispose()
    click.echo(f"exporters: {', '.join(logins.exporters)}")
    click.echo(f"clerks: {', '.join(logins.clerks)}")
    click.echo(f"{waiting} applications wait in the review queue")


@desk.command("send-mail")
@click.option("--smtp", "smtp_at", default="127.0.0.1:25", show_default=True, help="HOST:PORT")
@click.option("--sender", required=True, help="The From address of the desk's mails.")
@click.option("--base-url", required=True, help="The desk's address, put before each link.")
@click.option("--starttls", is_flag=True, help="Upgrade the connection with STARTTLS.")
@click.option("--username", envvar="ORIGINCERT_DESK_SMTP_USER", default=None)
@click.option("--interval", default=5.0, show_default=True, type=click.FloatRange(0.5, 3600))
@click.option("--once", is_flag=True, help="Send what is due, then exit.")
@_db_option
@_instance_option
@handle_errors
def send_mail(
    smtp_at: str,
    sender: str,
    base_url: str,
    starttls: bool,
    username: str | None,
    interval: float,
    once: bool,
    db_url: str | None,
    instance: str,
) -> None:
    """Send the status e-mails of the outbox by SMTP (retried; never one twice)."""
    import time

    from sqlalchemy import func, select

    from origincert.desk.db import engine_for, session_factory
    from origincert.desk.mailer import SmtpSettings, send_due
    from origincert.desk.models import OutboxMail

    host, _, port = smtp_at.rpartition(":")
    if not host or not port.isdigit():
        raise click.BadParameter("give HOST:PORT", param_hint="--smtp")
    settings = SmtpSettings(
        host=host, port=int(port), sender=sender, base_url=base_url, starttls=starttls,
        username=username, password=os.environ.get("ORIGINCERT_DESK_SMTP_PASSWORD"),
    )  # fmt: skip
    engine = engine_for(_url(db_url, instance))
    sessions = session_factory(engine)
    try:
        while True:
            report = send_due(sessions, settings)
            if report.sent or report.retrying or report.failed or once:
                click.echo(
                    f"sent {len(report.sent)}, to retry {len(report.retrying)}, "
                    f"failed {len(report.failed)}"
                )
            if once:
                with sessions() as db:
                    stuck = db.scalar(
                        select(func.count(OutboxMail.id)).where(OutboxMail.status == "sending")
                    )
                if stuck:
                    click.echo(f"{stuck} mail(s) left sending by an interrupted run: not resent")
                return
            time.sleep(interval)
    finally:
        engine.dispose()


def register(main: click.Group) -> None:
    main.add_command(desk)
