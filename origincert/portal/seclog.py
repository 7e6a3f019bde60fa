"""The security log: one JSON line per security event (sign-in refused or throttled, API token
refused, administrators' acts), on its own logger with its own level and handler.

The app logger stays at WARNING under gunicorn, so an ``info`` there is lost; this logger is set
to INFO and writes to ``SECURITY_LOG`` (a file) or to standard error, whatever gunicorn does.
Values are JSON-escaped, so no field can forge a line.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from typing import Any

from flask import Flask, has_request_context, request

from origincert.portal.db import utcnow

__all__ = ["LOGGER_NAME", "event", "init_app"]

LOGGER_NAME = "origincert.security"
_logger = logging.getLogger(LOGGER_NAME)


def event(name: str, *, level: int = logging.WARNING, **fields: Any) -> None:
    """Write one event: its name, the time, the client address and path, and ``fields``."""
    record: dict[str, Any] = {"time": utcnow().isoformat(timespec="milliseconds"), "event": name}
    if has_request_context():
        record["address"] = request.remote_addr
        record["path"] = request.path
    record.update(fields)
    _logger.log(level, json.dumps(record, default=str, sort_keys=True))


def init_app(app: Flask) -> None:
    """Attach the handler once per process (every app of the process shares the logger)."""
    target = app.config.get("SECURITY_LOG") or None
    for old in list(_logger.handlers):
        if getattr(old, "_origincert_target", None) == target:
            return
        _logger.removeHandler(old)
        old.close()
    if target:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        handler: logging.Handler = logging.StreamHandler(os.fdopen(fd, "a", encoding="utf-8"))
    else:
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    handler._origincert_target = target  # type: ignore[attr-defined]
    _logger.addHandler(handler)
    _logger.setLevel(logging.INFO)
    _logger.propagate = False
