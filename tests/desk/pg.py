"""A throw-away PostgreSQL server for the desk tests: initdb in a temporary folder, started on
a free loopback port, stopped and removed afterwards (as the ``postgres`` user when run as root,
since PostgreSQL refuses to run as root)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from chainutil import free_port

BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def _bin(name: str) -> str:
    for d in BIN_DIRS:
        if (d / name).exists():
            return str(d / name)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(
            f"{name} not found: scripts/setup installs PostgreSQL (Debian postgresql)"
        )
    return found


def _run(args: list[str]) -> None:
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--", *args]
    subprocess.run(args, check=True, capture_output=True, timeout=120)


@contextmanager
def postgres_server() -> Iterator[str]:
    """Yields an SQLAlchemy URL of an empty database ``desk``."""
    folder = Path(tempfile.mkdtemp(prefix="desk-pg-"))
    os.chmod(folder, 0o755)
    data = folder / "data"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
        shutil.chown(data, "postgres", "postgres")
    port = free_port()
    try:
        _run([_bin("initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8"])
        _run([
            _bin("pg_ctl"), "-D", str(data), "-w", "-l", str(data / "log"), "-o",
            f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start",
        ])  # fmt: skip
        try:
            _run([_bin("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "desk"])
            yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/desk"
        finally:
            _run([_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
