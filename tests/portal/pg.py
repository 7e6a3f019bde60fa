"""A throw-away PostgreSQL server for the portal tests: ``initdb`` in a temporary folder, started
with ``pg_ctl`` on a free loopback port, removed afterwards. Debian's ``postgresql`` package
provides the binaries (scripts/setup installs it). PostgreSQL refuses to run as root, so under
root the server runs as the ``postgres`` user (or ``nobody``)."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from chainutil import free_port
from sqlalchemy import create_engine, text


def _binary(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


needs_postgres = pytest.mark.skipif(
    _binary("initdb") is None or _binary("pg_ctl") is None,
    reason="PostgreSQL is not installed (Debian package postgresql, see scripts/setup)",
)


@dataclass
class Postgres:
    port: int

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database: its SQLAlchemy URL."""
        name = "t_" + uuid.uuid4().hex[:12]
        engine = create_engine(self.url(), isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        return self.url(name)


def _run_as() -> str | None:
    if os.geteuid() != 0:
        return None
    for user in ("postgres", "nobody"):
        try:
            pwd.getpwnam(user)
            return user
        except KeyError:
            continue
    raise RuntimeError("running as root and there is no user to run PostgreSQL as")


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    assert initdb and pg_ctl
    user = _run_as()
    folder = Path(tempfile.mkdtemp(prefix="origincert-pg-"))
    data, log = folder / "data", folder / "server.log"
    if user is not None:
        entry = pwd.getpwnam(user)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
    port = free_port()
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off"
    subprocess.run(
        [initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale"],
        check=True,
        capture_output=True,
        user=user,
        timeout=120,
    )
    subprocess.run(
        [pg_ctl, "-D", str(data), "-l", str(log), "-o", options, "-w", "-t", "60", "start"],
        check=True,
        capture_output=True,
        user=user,
        timeout=90,
    )
    try:
        yield Postgres(port)
    finally:
        subprocess.run(
            [pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop"],
            capture_output=True,
            user=user,
            timeout=60,
            check=False,
        )
        shutil.rmtree(folder, ignore_errors=True)
