"""Signing in and out of the desk (session cookie: user id, its epoch, last activity)."""

from __future__ import annotations

import time
from typing import cast

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import Table
from werkzeug.wrappers import Response

from origincert.desk import accounts
from origincert.desk.messages import N_
from origincert.desk.models import LoginThrottle, Role
from origincert.desk.web import db, password_hasher
from origincert.webkit import sessions
from origincert.webkit.security import limiter
from origincert.webkit.throttle import Rule, Throttle

__all__ = ["bp", "init_app"]

bp = Blueprint("auth", __name__)
THROTTLE = Throttle(cast(Table, LoginThrottle.__table__))
# the one answer to every refused sign-in: it tells a wrong password from a throttled one by
# nothing, and the password is checked in every case (the same time)
REFUSED = N_(
    "Sign-in refused. Check your e-mail and password. After several failed attempts, sign-in "
    "from this address slows down: wait a few minutes before trying again."
)


def _rules() -> dict[str, Rule]:
    cfg = current_app.config
    base, top = cfg["LOGIN_DELAY_SECONDS"] * 1000, cfg["LOGIN_MAX_DELAY_SECONDS"] * 1000
    forget = 3600 * 1000
    return {
        "per_account": Rule(cfg["LOGIN_FREE_ATTEMPTS"], base, top, forget),
        "per_source": Rule(cfg["LOGIN_SOURCE_FREE_ATTEMPTS"], base, top, forget),
    }


def home_for(role: str) -> str:
    if role in (Role.CLERK, Role.CHAMBER_ADMIN):
        return url_for("clerk.queue")
    return url_for("exporter.dashboard")


@bp.get("/")
def index() -> Response:
    if g.get("user") is None:
        return redirect(url_for("auth.login"))
    return redirect(home_for(g.user.role))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login() -> str | Response:
    if request.method == "POST":
        email = request.form.get("email", "").strip().lower()[:254]
        source = request.remote_addr or "unknown"
        pair, addr = THROTTLE.admit(
            db(), email, source, **_rules(), now_ms=int(time.time() * 1000)
        )  # counted and committed before the password is checked
        user = accounts.authenticate(
            db(), password_hasher(), email, request.form.get("password", "")
        )
        if user is None or not (pair.allowed and addr.allowed):
            db().rollback()
            flash(_(REFUSED))
            return render_template("login.html"), 401  # type: ignore[return-value]
        THROTTLE.succeeded(db(), email, source)
        db().commit()
        sessions.start(session, "uid", user.id, user.session_epoch, int(time.time()))
        return redirect(sessions.safe_next(request.args.get("next"), home_for(user.role)))
    return render_template("login.html")


@bp.post("/logout")
def logout() -> Response:
    if g.get("user") is not None:
        g.user.session_epoch += 1  # every session of this user ends
        db().commit()
    session.clear()
    return redirect(url_for("auth.login"))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
