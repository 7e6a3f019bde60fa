"""The portal in the officer's language: one catalogue per language (Flask-Babel), English and
German complete (tests/portal/test_i18n.py checks that every message has a translation).

An officer's choice is kept with their account; before sign-in the browser's languages decide.
Messages are marked ``_()`` in templates and ``gettext`` / ``N_`` in Python; the catalogue is
``origincert/portal/translations/<lang>/LC_MESSAGES/messages.po`` (compiled to ``.mo``), made
with ``pybabel extract -F babel.cfg`` (see babel.cfg at the repository root).
"""

from __future__ import annotations

from flask import Blueprint, Flask, g, redirect, request, url_for
from werkzeug.wrappers import Response

from origincert.portal import db
from origincert.portal.auth import login_required
from origincert.webkit import i18n

__all__ = ["LANGUAGES", "bp", "init_app", "select_locale"]

LANGUAGES = i18n.LANGUAGES
DEFAULT = i18n.DEFAULT

bp = Blueprint("i18n", __name__)


def _chosen() -> str | None:
    return getattr(getattr(g, "officer", None), "language", None)


select_locale = i18n.locale_selector(_chosen)


@bp.post("/account/language")
@login_required
def choose() -> Response:
    """Keep the officer's language with their account (every device they sign in on)."""
    wanted = request.form.get("language", "")
    if wanted in LANGUAGES:
        g.officer.language = wanted
        db.session().commit()
    return redirect(request.referrer or url_for("auth.account"))


def init_app(app: Flask) -> None:
    i18n.init_app(app, _chosen)
    app.register_blueprint(bp)
