"""A signed-in session as both web apps keep it in Flask's signed cookie: the user's id, the
user's ``session_epoch`` (moved on sign-out, a new password, a role change or deactivation, so
every session of that user ends at once) and two times, sign-in and last activity; and the one
safe way to follow a ``next`` address after sign-in."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any
from urllib.parse import urlsplit

__all__ = ["expired", "safe_next", "start", "touch"]

SEEN_RESOLUTION = 60  # seconds: "last activity" is rewritten at most once a minute


def start(session: MutableMapping[str, Any], key: str, user_id: int, epoch: int, now: int) -> None:
    """A fresh session for ``user_id`` (nothing of an earlier one is kept: no fixation)."""
    session.clear()
    session.update({key: user_id, "epoch": epoch, "since": now, "seen": now})


def expired(session: MutableMapping[str, Any], now: int, *, idle_s: int, max_s: int) -> bool:
    """Idle for longer than ``idle_s``, or signed in longer ago than ``max_s``."""
    seen, since = session.get("seen", 0), session.get("since", 0)
    return now - seen > idle_s or now - since > max_s


def touch(session: MutableMapping[str, Any], now: int) -> None:
    """Record activity (at most once a minute, so most responses set no cookie)."""
    if now - session.get("seen", 0) >= SEEN_RESOLUTION:
        session["seen"] = now


def safe_next(target: str | None, default: str) -> str:
    """Only a path on this site: never an open redirect to another site, never a control
    character (urlsplit drops CR, LF and TAB before checking, the Location header would not)."""
    if target and len(target) <= 2048 and target.isprintable():
        parts = urlsplit(target)
        local = not parts.scheme and not parts.netloc
        if local and target.startswith("/") and not target.startswith("//") and "\\" not in target:
            return target
    return default
