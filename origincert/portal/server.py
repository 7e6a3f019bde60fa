"""Serving the portal: gunicorn with several worker processes, each building its own app.

Each worker calls the factory after the fork, so no database connection, web3 session or rate
limit counter is shared between processes by accident.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

__all__ = ["GunicornServer", "gunicorn_options"]


class GunicornServer(BaseApplication):  # type: ignore[misc]
    def __init__(self, factory: Callable[[], Flask], options: dict[str, Any]) -> None:
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
