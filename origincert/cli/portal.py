"""``origincert portal``: serve the customs portal and manage its accounts from the shell.

Flask is imported only when a command runs, so ``origincert --help`` stays fast.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from origincert.cli.common import Context, OriginCertClickError, handle_errors

F = TypeVar("F", bound=Callable[..., Any])


def _instance_option(fn: F) -> F:
    return click.option(
        "--instance",
        envvar="ORIGINCERT_PORTAL_INSTANCE",
        default=".origincert/portal",
        show_default=True,
        type=click.Path(file_okay=False),
        help="The portal's instance folder (database, secret key, portal.cfg).",
    )(fn)


def _config(obj: Context, **overrides: Any) -> dict[str, Any]:
    """The group's ledger options plus the command's own (None: not given, keep the setting)."""
    config = {"RPC_URL": obj.rpc_url, "MANIFEST": obj.manifest_path}
    config.update({k: v for k, v in overrides.items() if v is not None})
    return config


def _app(obj: Context, instance: str, **overrides: Any) -> Any:
    from origincert.portal import create_app

    return create_app(_config(obj, **overrides), instance_path=instance)


def _read_password(password_file: str | None, password_env: str) -> str:
    if password_file:
        try:
            return Path(password_file).read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise OriginCertClickError(
                f"cannot read the password file {password_file}: {exc.strerror}"
            ) from exc
    if os.environ.get(password_env):
        return os.environ[password_env]
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


@click.group("portal")
def portal() -> None:
    """The customs verification portal: serve it, add officers, issue API tokens."""


@portal.command("add-officer")
@click.argument("username")
@click.option("--name", "full_name", required=True, help="The officer's full name.")
@click.option("--office", required=True, help="Customs office code, e.g. DEHAM-1.")
@click.option("--office-name", help="The office's name, to create the office if it is new.")
@click.option("--admin", "is_admin", is_flag=True, help="Make the officer a portal administrator.")
@click.option(
    "--password-file", type=click.Path(dir_okay=False), help="File holding the initial password."
)
@click.option(
    "--password-env",
    default="ORIGINCERT_PORTAL_PASSWORD",
    show_default=True,
    help="Variable holding the password (used when set).",
)
@_instance_option
@click.pass_obj
@handle_errors
def add_officer(
    obj: Context,
    username: str,
    full_name: str,
    office: str,
    office_name: str | None,
    is_admin: bool,
    password_file: str | None,
    password_env: str,
    instance: str,
) -> None:
    """Create an officer account (and its office, given --office-name)."""
    from origincert.portal import accounts, db

    password = _read_password(password_file, password_env)
    app = _app(obj, instance)
    with app.app_context():
        dbs = db.session()
        the_office = accounts.ensure_office(dbs, office.strip().upper(), office_name)
        officer = accounts.create_officer(
            dbs,
            accounts.hasher(app.config["ARGON2_PROFILE"]),
            username=username.strip().lower(),
            full_name=full_name,
            office=the_office,
            password=password,
            is_admin=is_admin,
        )
        dbs.commit()
        role = "administrator" if is_admin else "officer"
        click.echo(
            f"{role} {officer.username} ({officer.full_name}) created in office {the_office.code}"
        )


@portal.command("issue-token")
@click.argument("name")
@click.option("--office", required=True, help="Customs office code the calling system belongs to.")
@click.option(
    "--output",
    type=click.Path(dir_okay=False),
    help="Write the token to this file (mode 600) instead of the screen.",
)
@_instance_option
@click.pass_obj
@handle_errors
def issue_token(obj: Context, name: str, office: str, output: str | None, instance: str) -> None:
    """Issue an API token for a customs system. The token is shown once; only its hash is kept."""
    from origincert.portal import accounts, db

    app = _app(obj, instance)
    with app.app_context():
        dbs = db.session()
        the_office = accounts.ensure_office(dbs, office.strip().upper())
        token, clear = accounts.issue_token(dbs, name=name, office=the_office, created_by="cli")
        dbs.commit()
    if output:
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(clear + "\n")
        click.echo(
            f"API token {token.prefix}… for {token.name} ({the_office.code}) written to {output}"
        )
    else:
        click.echo(clear)


@portal.command("revoke-token")
@click.argument("prefix")
@_instance_option
@click.pass_obj
@handle_errors
def revoke_token(obj: Context, prefix: str, instance: str) -> None:
    """Revoke the API token whose shown prefix (e.g. oct_AbC123) is PREFIX."""
    from sqlalchemy import select

    from origincert.portal import accounts, db
    from origincert.portal.db import ApiToken

    app = _app(obj, instance)
    with app.app_context():
        dbs = db.session()
        tokens = dbs.scalars(
            select(ApiToken).where(ApiToken.prefix == prefix, ApiToken.revoked_at.is_(None))
        ).all()
        if len(tokens) != 1:
            raise OriginCertClickError(
                f"{len(tokens)} live tokens have the prefix {prefix}; expected exactly one"
            )
        accounts.revoke_token(tokens[0])
        dbs.commit()
        click.echo(f"revoked API token {prefix}… ({tokens[0].name})")


@portal.command("reindex")
@click.option(
    "--archive-dir",
    "archive_dirs",
    multiple=True,
    type=click.Path(file_okay=False),
    help="Archive folder (repeat); default: the configured ARCHIVE_DIRS.",
)
@_instance_option
@click.pass_obj
@handle_errors
def reindex(obj: Context, archive_dirs: tuple[str, ...], instance: str) -> None:
    """Bring the certificate index up to date with the archive folders."""
    from origincert.portal import certindex, db

    app = _app(obj, instance, ARCHIVE_DIRS=list(archive_dirs) or None)
    with app.app_context():
        dbs = db.session()
        report = certindex.scan_archives(dbs, app.config["ARCHIVE_DIRS"])
        dbs.commit()
        click.echo(f"certificate index: {report}")


@portal.command("serve")
@click.option(
    "--bind",
    default="127.0.0.1:8000",
    show_default=True,
    help="Address and port (gunicorn syntax).",
)
@click.option(
    "--workers",
    default=lambda: os.cpu_count() or 2,
    show_default="one per CPU",
    type=click.IntRange(1, 64),
    help="Worker processes.",
)
@click.option(
    "--threads",
    default=8,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Threads per worker; concurrent requests in a worker share ledger reads.",
)
@click.option(
    "--archive-dir",
    "archive_dirs",
    multiple=True,
    type=click.Path(file_okay=False),
    help="Archive folder of issued files (repeat).",
)
@click.option(
    "--database-url",
    help="SQLAlchemy URL of the portal's database (default: SQLite in the instance folder).",
)
@click.option(
    "--offline", is_flag=True, help="Do not consult the ledger: verdicts are at best UNCONFIRMED."
)
@click.option(
    "--insecure-http",
    is_flag=True,
    help="Allow the session cookie over plain HTTP (a loopback demo only).",
)
@click.option(
    "--cert",
    "certfile",
    type=click.Path(dir_okay=False, exists=True),
    help="Serve HTTPS with this certificate (PEM); needs --key. Phones need HTTPS for the camera.",
)
@click.option(
    "--key",
    "keyfile",
    type=click.Path(dir_okay=False, exists=True),
    help="The private key (PEM) of --cert.",
)
@click.option(
    "--redis-url",
    help="Rate-limit storage shared by every worker and host (redis://HOST:PORT). Default with "
    "several workers: a private redis-server on a Unix socket.",
)
@click.option("--access-log/--no-access-log", default=True, show_default=True)
@click.option(
    "--debug", is_flag=True, help="Flask's development server in one process, for development only."
)
@_instance_option
@click.pass_obj
@handle_errors
def serve(
    obj: Context,
    bind: str,
    workers: int,
    threads: int,
    archive_dirs: tuple[str, ...],
    database_url: str | None,
    offline: bool,
    insecure_http: bool,
    access_log: bool,
    certfile: str | None,
    keyfile: str | None,
    debug: bool,
    instance: str,
    redis_url: str | None = None,
) -> None:
    """Serve the portal with gunicorn (or Flask's development server under --debug)."""
    if bool(certfile) != bool(keyfile):
        raise click.UsageError("--cert and --key go together: give both, or neither")
    from origincert.errors import ChainUnavailable
    from origincert.portal import certindex, db
    from origincert.portal.verification import make_verifier

    host, _, port = bind.rpartition(":")
    if not host or not port.isdigit():
        raise click.UsageError(f"--bind must be HOST:PORT, got {bind!r}")
    overrides: dict[str, Any] = {
        "ARCHIVE_DIRS": list(archive_dirs) or None,
        "DATABASE_URL": database_url,
        "RPC_URL": "" if offline else obj.rpc_url,
    }
    if insecure_http or debug:
        overrides["SECURE_COOKIES"] = False
    if redis_url:
        overrides["RATELIMIT_STORAGE_URI"] = redis_url
    # Once in the master: check the settings, create the tables and the secret key, index the
    # archives, so that the workers start on a ready database.
    app = _app(obj, instance, **overrides)
    with app.app_context():
        dbs = db.session()
        if app.config["ARCHIVE_DIRS"]:
            click.echo(
                f"certificate index: {certindex.scan_archives(dbs, app.config['ARCHIVE_DIRS'])}"
            )
            dbs.commit()
    try:
        make_verifier(app.config["RPC_URL"] or None, app.config["MANIFEST"])
    except ChainUnavailable as exc:
        click.echo(
            f"warning: the ledger is unreachable now ({exc}); the portal will retry on each verification",
            err=True,
        )
    if app.config["SECURE_COOKIES"] and not certfile:
        click.echo(
            "note: sign-in cookies travel over HTTPS only: serve behind a TLS proxy (and set "
            "ORIGINCERT_PORTAL_TRUSTED_PROXIES), or use --insecure-http for a loopback trial",
            err=True,
        )
    if debug:
        click.echo("development server (--debug): not for production", err=True)
        app.run(
            host=host.strip("[]"),
            port=int(port),
            debug=True,
            use_reloader=False,
            use_debugger=False,
            ssl_context=(certfile, keyfile) if certfile and keyfile else None,
        )
        return
    from origincert.portal import create_app
    from origincert.portal.server import GunicornServer, gunicorn_options, private_redis

    with contextlib.ExitStack() as stack:
        if workers > 1 and str(app.config["RATELIMIT_STORAGE_URI"]).startswith("memory:"):
            # counters in memory are per worker: every limit would be multiplied and forgotten
            try:
                overrides["RATELIMIT_STORAGE_URI"] = stack.enter_context(
                    private_redis(Path(app.instance_path))
                )
            except FileNotFoundError:
                raise click.UsageError(
                    "several workers need shared rate-limit storage: install redis-server, "
                    "give --redis-url, or serve with --workers 1"
                ) from None
        config = _config(obj, **overrides)
        GunicornServer(
            lambda: create_app(config, instance_path=instance),
            gunicorn_options(
                bind, workers, threads, access_log=access_log, certfile=certfile, keyfile=keyfile
            ),
        ).run()


def register(group: click.Group) -> None:
    group.add_command(portal)
