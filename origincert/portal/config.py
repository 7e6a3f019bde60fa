"""The portal's settings: defaults, then ``<instance>/portal.cfg``, then ``ORIGINCERT_PORTAL_*``
environment variables (values parsed as JSON where they can be: ``ORIGINCERT_PORTAL_ARCHIVE_DIRS='["/srv/coo"]'``).
"""

from __future__ import annotations

import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask

from origincert.errors import ConfigError

__all__ = ["DEFAULTS", "ENV_PREFIX", "ConfigError", "load", "make_private_instance"]

ENV_PREFIX = "ORIGINCERT_PORTAL"

DEFAULTS: dict[str, Any] = {
    # the ledger; RPC_URL None (or "") verifies offline: every verdict is at best UNCONFIRMED
    "RPC_URL": os.environ.get("ORIGINCERT_RPC_URL", "http://127.0.0.1:8545"),
    "MANIFEST": os.environ.get("ORIGINCERT_MANIFEST", ".origincert/manifest.json"),
    "DATABASE_URL": None,  # default: sqlite:///<instance>/portal.db
    "ARCHIVE_DIRS": [],  # folders of issued *.json files, searched by certificate number
    "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,  # a phone photo of a QR code fits; the 413 page says so
    # text fields of a form held in memory; werkzeug reads multipart in 64 KiB chunks, so a limit
    # at or near that size refused ordinary photos with 413 depending on where chunks fell
    "MAX_FORM_MEMORY_SIZE": 1024 * 1024,
    "SECURE_COOKIES": True,  # only over HTTPS; set False for a plain-HTTP loopback demo
    "SESSION_IDLE_MINUTES": 30,
    "SESSION_MAX_HOURS": 12,
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_LOCKOUT_MINUTES": 15,  # the longest delay between attempts once throttled
    "LOGIN_FIRST_DELAY_SECONDS": 30,  # then doubling up to LOGIN_LOCKOUT_MINUTES
    "LOGIN_SOURCE_MAX_FAILURES": 30,  # free attempts from one address over every account
    "ARGON2_PROFILE": "RFC_9106_LOW_MEMORY",
    # per address, against floods (each attempt costs an argon2 check); guessing is slowed by the
    # sign-in throttle instead, so no daily budget that one guesser could spend for a whole office
    "RATELIMIT_LOGIN": "30 per minute",
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,  # Redis down: per-process limits meanwhile
    "RATELIMIT_API": "1200 per minute",  # per token, counted once the token is known to be live
    "RATELIMIT_API_FAILURES": "60 per minute",  # refused tokens, per address
    "RATELIMIT_VERIFY": "120 per minute",  # verifications per officer (file, QR, number)
    "RATELIMIT_IMAGE": "20 per minute",  # photo decodes per officer: each can cost a CPU-second
    # shared by every worker and host: redis://host:port; memory:// is for one process only
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_STRATEGY": "moving-window",  # a fixed window lets twice the limit through at its edge
    "SECURITY_LOG": None,  # a file for the JSON security log; default: standard error
    "RATELIMIT_ENABLED": True,
    "HSTS": None,  # None: sent on every HTTPS response; False: never; True: always
    "TRUSTED_PROXIES": 0,  # reverse proxies in front (TLS termination) whose X-Forwarded-* to trust
    "LOG_PAGE_SIZE": 50,
    "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session, which expires on its own
}


def load(app: Flask, overrides: dict[str, Any] | None) -> None:
    """Fill ``app.config``; ``overrides`` (tests, the CLI) replace the file and environment."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("portal.cfg", silent=True)
    app.config.from_prefixed_env(ENV_PREFIX)
    if overrides:
        app.config.from_mapping(overrides)
    cfg = app.config
    if not cfg.get("DATABASE_URL"):
        cfg["DATABASE_URL"] = f"sqlite:///{_private_file(Path(app.instance_path) / 'portal.db')}"
    if not cfg.get("SECRET_KEY"):
        cfg["SECRET_KEY"] = _instance_secret(Path(app.instance_path))
    if isinstance(cfg["ARCHIVE_DIRS"], str):
        cfg["ARCHIVE_DIRS"] = [p for p in cfg["ARCHIVE_DIRS"].split(os.pathsep) if p]
    cfg.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(cfg["SECURE_COOKIES"]),
        SESSION_COOKIE_NAME="origincert_portal",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=int(cfg["SESSION_MAX_HOURS"])),
    )
    for key in (
        "SESSION_IDLE_MINUTES",
        "SESSION_MAX_HOURS",
        "LOGIN_MAX_FAILURES",
        "LOGIN_LOCKOUT_MINUTES",
        "LOGIN_FIRST_DELAY_SECONDS",
        "LOGIN_SOURCE_MAX_FAILURES",
    ):
        if not isinstance(cfg[key], int) or cfg[key] < 1:
            raise ConfigError(f"{key} must be a whole number of at least 1, not {cfg[key]!r}")


def make_private_instance(path: Path) -> None:
    """The instance folder holds password hashes and the log: readable by its owner only."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)


def _private_file(path: Path) -> Path:
    """Create ``path`` owner-only before SQLite does (it would use the umask, often 0644)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    path.chmod(0o600)
    return path


def _instance_secret(instance: Path) -> str:
    """A random key kept in the instance folder, shared by every worker (first writer wins)."""
    path = instance / "secret_key"
    if not path.exists():
        fd, tmp = tempfile.mkstemp(dir=instance, prefix=".secret_key")
        try:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
            os.link(tmp, path)  # atomic, and refuses to replace a key another worker wrote first
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    key = path.read_text().strip()
    if len(key) < 32:
        raise ConfigError(
            f"the secret key in {path} is too short; delete the file to make a new one"
        )
    return key
