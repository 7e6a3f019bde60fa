"""What every desk page and API call shares: the request's database session, who is acting
(a signed-in user or an API key), the access decorators and the error answers.

A DeskError becomes its HTTP status with ``{"error": code, "message", "problems": [...]}`` on the
API, and a page with the problems listed by field on the web.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any, TypeVar

from flask import (
    Flask,
    Response,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException

from origincert.desk import accounts
from origincert.desk.blobs import BlobStore
from origincert.desk.db import engine_for, session_factory
from origincert.desk.errors import DeskError
from origincert.desk.models import User
from origincert.desk.service import Actor
from origincert.webkit import sessions
from origincert.webkit.passwords import hasher

__all__ = ["actor", "api_auth", "blobs", "db", "init_app", "login_required", "role_required"]

F = TypeVar("F", bound=Callable[..., Any])


def init_app(app: Flask) -> None:
    engine = engine_for(app.config["DATABASE_URL"])
    app.extensions["desk_engine"] = engine
    app.extensions["desk_sessions"] = session_factory(engine)
    app.extensions["desk_hasher"] = hasher(app.config["ARGON2_PROFILE"])
    app.extensions["desk_blobs"] = BlobStore(
        app.config["BLOB_DIR"], app.config["MAX_ATTACHMENT_BYTES"]
    )
    app.teardown_appcontext(_close)
    app.before_request(_load_user)
    app.register_error_handler(DeskError, _desk_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(OperationalError, _busy)


def db() -> Session:
    if "desk_db" not in g:
        g.desk_db = current_app.extensions["desk_sessions"]()
    return g.desk_db  # type: ignore[no-any-return]


def blobs() -> BlobStore:
    return current_app.extensions["desk_blobs"]  # type: ignore[no-any-return]


def password_hasher() -> Any:
    return current_app.extensions["desk_hasher"]


def _close(_exc: BaseException | None) -> None:
    s = g.pop("desk_db", None)
    if s is not None:
        s.rollback()
        s.close()


def _is_api() -> bool:
    return request.path.startswith("/api/")


def _load_user() -> None:
    g.user = None
    if _is_api():
        return
    uid = session.get("uid")
    if uid is None or request.endpoint == "static":
        return
    cfg, now = current_app.config, int(time.time())
    idle_s, max_s = cfg["SESSION_IDLE_MINUTES"] * 60, cfg["SESSION_MAX_HOURS"] * 3600
    if sessions.expired(session, now, idle_s=idle_s, max_s=max_s):
        session.clear()
        return
    user = db().get(User, uid)
    if user is None or not user.active or user.session_epoch != session.get("epoch"):
        session.clear()
        return
    sessions.touch(session, now)
    g.user = user


def actor() -> Actor:
    user: User = g.user
    return Actor(user, g.get("actor_label") or user.email, request.remote_addr)


def login_required(fn: F) -> F:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if g.get("user") is None:
            return redirect(url_for("auth.login", next=request.path))
        return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def role_required(*roles: str) -> Callable[[F], F]:
    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        @login_required
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if g.user.role not in roles:
                abort(403)
            return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def api_auth(fn: F) -> F:
    """``Authorization: Bearer ocd_...``: the key's company's exporter acts; 401 otherwise."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        header = request.headers.get("Authorization", "")
        scheme, _, key = header.partition(" ")
        holder = accounts.holder_of_key(db(), key.strip()) if scheme.lower() == "bearer" else None
        if holder is None:
            response = jsonify(error="unauthorized", message="a valid API key is required")
            response.status_code = 401
            response.headers["WWW-Authenticate"] = "Bearer"
            return response
        g.user = holder.user
        g.actor_label = f"api:{holder.key.prefix}"
        g.api_key_id = holder.key.id
        return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _desk_error(exc: DeskError) -> Any:
    db().rollback()  # nothing half-saved
    if _is_api():
        response = jsonify(
            error=exc.code,
            message=str(exc),
            problems=[{"field": f, "message": m} for f, m in exc.problems],
        )
        response.status_code = exc.http_status
        return response
    return (
        render_template("error.html", code=exc.code, message=str(exc), problems=exc.problems),
        exc.http_status,
    )


def _http_error(exc: HTTPException) -> Any:
    if _is_api():
        response = jsonify(
            error=(exc.name or "error").lower().replace(" ", "_"), message=exc.description
        )
        response.status_code = exc.code or 500
        return response
    return exc


def _busy(exc: OperationalError) -> Response:
    """SQLite's writer lock held too long: a retry will do (503, Retry-After)."""
    db().rollback()
    response = jsonify(error="busy", message="the desk is busy; retry shortly")
    response.status_code = 503
    response.headers["Retry-After"] = "1"
    return response
