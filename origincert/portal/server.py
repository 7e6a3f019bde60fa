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
from gunicorn.http import wsgi as gunicorn_wsgi

__all__ = ["GunicornServer", "gunicorn_options"]


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
    bind: str, workers: int, threads: int, *, access_log: bool, timeout: int = 30
) -> dict[str, Any]:
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
    return options
