"""The desk in the user's language: each user picks English or German on their account (kept with
the user, every device), before sign-in the browser decides. Catalogue:
``origincert/desk/translations`` (``scripts/i18n`` extracts and compiles it; a test fails while a
message lacks its German translation)."""

from __future__ import annotations

from flask import Blueprint, Flask, g, redirect, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from origincert.desk.messages import N_
from origincert.desk.web import db, login_required
from origincert.webkit import i18n

__all__ = ["LABELS", "STATUS_LABELS", "bp", "init_app", "label", "status_label"]

bp = Blueprint("i18n", __name__)


STATUS_LABELS = {
    "draft": N_("draft"),
    "submitted": N_("submitted"),
    "in_review": N_("in review"),
    "amendment_requested": N_("amendment requested"),
    "approved": N_("approved"),
    "issued": N_("issued"),
    "rejected": N_("rejected"),
    "revoked": N_("revoked"),
    "replaced": N_("replaced"),
}


# roles and company statuses, shown by the ``label`` filter
LABELS = {
    "exporter": N_("exporter"),
    "exporter-admin": N_("exporter admin"),
    "clerk": N_("clerk"),
    "chamber-admin": N_("chamber admin"),
    "pending": N_("pending"),
    "active": N_("accepted"),
    "suspended": N_("suspended"),
}


def label(code: str) -> str:
    """A role or a company status in words, in the user's language."""
    return gettext(LABELS[code]) if code in LABELS else code


def status_label(status: str) -> str:
    """An application's status in words, in the user's language."""
    return gettext(STATUS_LABELS[status]) if status in STATUS_LABELS else status


def _chosen() -> str | None:
    user = g.get("user")
    return getattr(user, "language", None)


@bp.post("/account/language")
@login_required
def choose() -> Response:
    wanted = request.form.get("language", "")
    if wanted in i18n.LANGUAGES:
        g.user.language = wanted
        db().commit()
    target = request.referrer or ""
    if not target.startswith(request.host_url):
        target = url_for("auth.index")
    return redirect(target)


def init_app(app: Flask) -> None:
    i18n.init_app(app, _chosen)
    app.jinja_env.filters["status"] = status_label
    app.jinja_env.filters["label"] = label
    app.register_blueprint(bp)
