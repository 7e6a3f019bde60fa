"""Signing in and out, session expiry, and the access-check decorators every other page uses.

The session cookie holds the officer id, the officer's ``session_epoch`` and two times (sign-in,
last activity). A session ends after ``SESSION_IDLE_MINUTES`` without a request, after
``SESSION_MAX_HOURS`` in all, and at once everywhere when the epoch moves (sign-out, new
password, deactivation).
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response

from origincert.portal import accounts, db, seclog
from origincert.portal.db import Officer
from origincert.portal.forms import LoginForm, PasswordForm
from origincert.portal.security import limiter
from origincert.webkit import sessions

__all__ = ["admin_required", "bp", "login_required", "password_hasher"]

bp = Blueprint("auth", __name__)
# The one answer to every refused sign-in, whatever the reason: it tells no name from another.
REFUSED = (
    "Sign-in refused. Check your username and password. After several failed attempts, "
    "sign-in from this address slows down: wait a few minutes before trying again."
)
F = TypeVar("F", bound=Callable[..., Any])


def password_hasher() -> accounts.PasswordHasher:
    ext = current_app.extensions
    if "origincert_hasher" not in ext:
        ext["origincert_hasher"] = accounts.hasher(current_app.config["ARGON2_PROFILE"])
    return ext["origincert_hasher"]  # type: ignore[no-any-return]


def _policy() -> accounts.LoginPolicy:
    cfg = current_app.config
    return accounts.LoginPolicy(
        max_failures=cfg["LOGIN_MAX_FAILURES"],
        lockout=timedelta(minutes=cfg["LOGIN_LOCKOUT_MINUTES"]),
        first_delay=timedelta(seconds=cfg["LOGIN_FIRST_DELAY_SECONDS"]),
        source_max_failures=cfg["LOGIN_SOURCE_MAX_FAILURES"],
    )


@bp.before_app_request
def load_officer() -> None:
    g.officer = None
    g.session_expired = False
    if request.endpoint == "static" or "officer_id" not in session:
        return
    now = int(time.time())
    cfg = current_app.config
    idle_s, max_s = cfg["SESSION_IDLE_MINUTES"] * 60, cfg["SESSION_MAX_HOURS"] * 3600
    if sessions.expired(session, now, idle_s=idle_s, max_s=max_s):
        session.clear()
        g.session_expired = True
        return
    officer = db.session().get(Officer, session["officer_id"])
    if officer is None or not officer.active or officer.session_epoch != session.get("epoch"):
        session.clear()
        g.session_expired = True
        return
    g.officer = officer
    sessions.touch(session, now)


def login_required(view: F) -> F:
    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if g.officer is None:
            if g.session_expired:
                flash("Your session has ended. Sign in again to continue.", "warning")
            target = request.full_path.rstrip("?") if request.method == "GET" else None
            return redirect(url_for("auth.login", next=target))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def admin_required(view: F) -> F:
    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not g.officer.is_admin:
            abort(403, "Only a portal administrator may open this page.")
        return view(*args, **kwargs)

    return login_required(wrapped)  # type: ignore[return-value]


def _safe_next(target: str | None) -> str:
    return sessions.safe_next(target, url_for("verify.index"))


def _start_session(officer: Officer) -> None:
    sessions.start(session, "officer_id", officer.id, officer.session_epoch, int(time.time()))
    session.permanent = True


@bp.route("/login", methods=("GET", "POST"))
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"])
def login() -> Response | tuple[str, int] | str:
    form = LoginForm()
    if request.method == "GET":
        if g.officer is not None:
            return redirect(url_for("verify.index"))
        form.next.data = request.args.get("next", "")
        return render_template("login.html", form=form, error=None)
    if not form.validate_on_submit():
        return render_template(
            "login.html", form=form, error="Enter your username and password."
        ), 400
    dbs = db.session()
    username = form.username.data or ""
    outcome = accounts.authenticate(
        dbs,
        password_hasher(),
        username,
        form.password.data or "",
        _policy(),
        source=request.remote_addr or "unknown",
    )
    dbs.commit()
    if outcome.code == "ok":
        assert outcome.officer is not None
        _start_session(outcome.officer)
        seclog.event("sign_in", level=logging.INFO, username=outcome.officer.username)
        return redirect(_safe_next(form.next.data))
    seclog.event("sign_in_refused", username=username[:64], reason=outcome.reason)
    if outcome.throttle_started:
        # each new delay is reported: administrators see it in the log and on their page
        seclog.event(
            "sign_in_throttled",
            level=logging.ERROR,
            username=username[:64],
            until=outcome.wait_until,
        )
    return render_template("login.html", form=form, error=REFUSED), 401


@bp.post("/logout")
@login_required
def logout() -> Response:
    g.officer.session_epoch += 1  # every copy of this session cookie stops working
    db.session().commit()
    session.clear()
    flash("You have signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=("GET", "POST"))
@login_required
def account() -> Response | tuple[str, int] | str:
    form = PasswordForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("account.html", form=form), 400
        ph = password_hasher()
        if not accounts.verify_password(ph, g.officer.password_hash, form.current.data or ""):
            form.current.errors = ["This is not your current password."]
            return render_template("account.html", form=form), 400
        try:
            accounts.set_password(g.officer, ph, form.new.data or "")
        except accounts.AccountError as exc:
            form.new.errors = [exc.message]
            return render_template("account.html", form=form), 400
        db.session().commit()
        _start_session(g.officer)
        flash("Your password has been changed. Other sessions were signed out.", "info")
        return redirect(url_for("auth.account"))
    return render_template("account.html", form=form)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
