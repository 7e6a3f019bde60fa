"""Serving the portal: gunicorn with several worker processes, each building its own app.

Each worker calls the factory after the fork, so no database connection, web3 session or rate
limit counter is shared between processes by accident.
"""

from __future__ import annotations

import contextlib
import gc
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.http import wsgi as gunicorn_wsgi

__all__ = ["GunicornServer", "gunicorn_options", "private_redis"]


def _without_server_banner() -> None:
    """gunicorn writes ``Server: gunicorn`` before the app's headers; drop it (it only helps an
    attacker pick exploits). gunicorn has no setting for this."""
    response = gunicorn_wsgi.Response
    if getattr(response, "_origincert_no_banner", False):
        return
    default_headers = response.default_headers

    def headers(self: Any) -> list[str]:
        return [h for h in default_headers(self) if not h.startswith("Server:")]

    response.default_headers = headers
    response._origincert_no_banner = True


class GunicornServer(BaseApplication):  # type: ignore[misc]
    def __init__(self, factory: Callable[[], Flask], options: dict[str, Any]) -> None:
        _without_server_banner()
        self._factory = factory
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        app = self._factory()
        # Everything built so far (modules, the app, pydantic schemas) lives as long as the worker:
        # keep it out of the garbage collector's full passes, which would otherwise walk it all
        # again and again under load and show up as latency spikes.
        gc.collect()
        gc.freeze()
        return app


def gunicorn_options(
    bind: str,
    workers: int,
    threads: int,
    *,
    access_log: bool,
    timeout: int = 30,
    certfile: str | None = None,
    keyfile: str | None = None,
) -> dict[str, Any]:
    """gunicorn's settings; with ``certfile`` and ``keyfile`` it serves HTTPS itself (phones
    on a LAN need HTTPS for the camera; behind a TLS proxy leave both out)."""
    options: dict[str, Any] = {
        "bind": bind,
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync",
        "timeout": timeout,
        "graceful_timeout": 10,
        "preload_app": False,
        "errorlog": "-",
        "loglevel": "info",
        "limit_request_line": 8190,
        "limit_request_fields": 100,
        "proc_name": "origincert-portal",
    }
    if access_log:
        options["accesslog"] = "-"
    if certfile or keyfile:
        if not (certfile and keyfile):
            raise ValueError("HTTPS needs both a certificate file and its key file")
        options["certfile"] = certfile
        options["keyfile"] = keyfile
    return options


@contextlib.contextmanager
def private_redis(folder: Path) -> Iterator[str]:
    """A Redis server for this portal alone, on a Unix socket only its owner can open; its
    storage URI. Rate limits then hold across every worker (memory storage is per process).

    Stopped when the block ends, in the process that started it only (forked gunicorn workers
    leave through the same block).
    """
    binary = shutil.which("redis-server")
    if binary is None:
        raise FileNotFoundError("redis-server")
    home = Path(
        tempfile.mkdtemp(prefix="ocp-redis-", dir=folder if len(str(folder)) < 60 else None)
    )
    home.chmod(0o700)
    socket = home / "redis.sock"
    owner = os.getpid()
    server = subprocess.Popen(
        [binary, "--port", "0", "--unixsocket", str(socket), "--unixsocketperm", "700",
         "--save", "", "--appendonly", "no", "--dir", str(home)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while not socket.exists():
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)
        yield f"redis+unix://{socket}"
    finally:
        if os.getpid() == owner:
            server.terminate()
            server.wait(timeout=10)
            shutil.rmtree(home, ignore_errors=True)
