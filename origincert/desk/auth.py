"""Signing in and out of the desk (session cookie: user id, its epoch, last activity)."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

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
from werkzeug.wrappers import Response

from origincert.desk import accounts
from origincert.desk.models import Role
from origincert.desk.web import db, password_hasher
from origincert.webkit.security import limiter

__all__ = ["bp", "init_app"]

bp = Blueprint("auth", __name__)


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
        user = accounts.authenticate(
            db(), password_hasher(), request.form.get("email", ""), request.form.get("password", "")
        )
        if user is None:
            flash(_("Wrong e-mail or password."))
            return render_template("login.html"), 401  # type: ignore[return-value]
        db().commit()
        session.clear()
        session.update(uid=user.id, epoch=user.session_epoch, seen=int(time.time()))
        target = request.args.get("next", "")
        if not target.startswith("/") or target.startswith("//") or urlsplit(target).netloc:
            target = home_for(user.role)
        return redirect(target)
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
