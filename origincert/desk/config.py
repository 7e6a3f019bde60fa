"""The desk's settings: defaults, then ``<instance>/desk.cfg``, then ``ORIGINCERT_DESK_*``
environment variables, then the test config."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

__all__ = ["DEFAULTS", "ENV_PREFIX", "load"]

ENV_PREFIX = "ORIGINCERT_DESK"
DEFAULTS: dict[str, Any] = {
    "DATABASE_URL": None,  # default: SQLite in the instance folder
    "BLOB_DIR": None,  # default: <instance>/blobs
    "MAX_ATTACHMENT_BYTES": 10 * 1024 * 1024,
    "MAX_CONTENT_LENGTH": 12 * 1024 * 1024,
    "MAX_BULK": 1000,  # applications in one bulk import
    "ARGON2_PROFILE": "RFC_9106_LOW_MEMORY",
    "SECURE_COOKIES": True,
    "HSTS": None,  # None: sent on every HTTPS response; False: never; True: always
    "TRUSTED_PROXIES": 0,  # reverse proxies in front (TLS termination) whose X-Forwarded-* to trust
    "SESSION_IDLE_MINUTES": 30,
    "SESSION_MAX_HOURS": 12,
    "API_RATE_LIMIT": "6000 per minute",
    "LOGIN_RATE_LIMIT": "10 per minute",
    # sign-in throttle (the web kit's): free attempts per account and address, and per address,
    # then one attempt per delay doubling from LOGIN_DELAY_SECONDS to LOGIN_MAX_DELAY_SECONDS
    "LOGIN_FREE_ATTEMPTS": 5,
    "LOGIN_SOURCE_FREE_ATTEMPTS": 50,
    "LOGIN_DELAY_SECONDS": 30,
    "LOGIN_MAX_DELAY_SECONDS": 900,
    # per process; several processes behind one address want a shared store (redis://...)
    "RATELIMIT_STORAGE_URI": "memory://",
}


def _secret_key(instance: Path) -> str:
    path = instance / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip()


def load(app: Flask, test_config: dict[str, Any] | None) -> None:
    app.config.update(DEFAULTS)
    app.config.from_pyfile("desk.cfg", silent=True)
    app.config.from_prefixed_env(ENV_PREFIX)
    if test_config:
        app.config.update(test_config)
    instance = Path(app.instance_path)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(instance)
    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = f"sqlite:///{instance / 'desk.sqlite'}"
    if not app.config["BLOB_DIR"]:
        app.config["BLOB_DIR"] = str(instance / "blobs")
    secure = bool(app.config["SECURE_COOKIES"])
    app.config.update(
        SESSION_COOKIE_SECURE=secure,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="__Host-desk" if secure else "desk",
    )
