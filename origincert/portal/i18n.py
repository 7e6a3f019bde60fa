"""The portal in the officer's language: one catalogue per language (Flask-Babel), English and
German complete (tests/portal/test_i18n.py checks that every message has a translation).

An officer's choice is kept with their account; before sign-in the browser's languages decide.
Messages are marked ``_()`` in templates and ``gettext`` / ``N_`` in Python; the catalogue is
``origincert/portal/translations/<lang>/LC_MESSAGES/messages.po`` (compiled to ``.mo``), made
with ``pybabel extract -F babel.cfg`` (see babel.cfg at the repository root).
"""

from __future__ import annotations

from flask import Blueprint, Flask, g, redirect, request, url_for
from flask_babel import Babel, gettext
from werkzeug.wrappers import Response

from origincert.portal import db
from origincert.portal.auth import login_required

__all__ = ["LANGUAGES", "bp", "init_app", "select_locale"]

LANGUAGES = {"en": "English", "de": "Deutsch"}
DEFAULT = "en"

bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    officer = getattr(g, "officer", None)
    chosen = getattr(officer, "language", None)
    if chosen in LANGUAGES:
        return str(chosen)
    return request.accept_languages.best_match(list(LANGUAGES), DEFAULT) or DEFAULT


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
    Babel(app, locale_selector=select_locale)
    app.register_blueprint(bp)
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    app.jinja_env.globals["current_language"] = select_locale
    app.jinja_env.globals["t_"] = (
        gettext  # a message marked N_ where defined, translated where shown
    )
