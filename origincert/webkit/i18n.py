"""Translations for a Flask app (Flask-Babel): English and German, the user's own choice first,
then the browser's languages. The portal and the desk each keep their own catalogue
(``<app package>/translations``) and say where a user's choice is kept (``chosen``).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, request
from flask_babel import Babel, gettext

__all__ = ["DEFAULT", "LANGUAGES", "init_app", "locale_selector"]

LANGUAGES = {"en": "English", "de": "Deutsch"}
DEFAULT = "en"


def locale_selector(chosen: Callable[[], str | None]) -> Callable[[], str]:
    """The locale of a request: ``chosen()`` when it names a language we have, else the best
    match of the browser's ``Accept-Language``."""

    def select() -> str:
        wanted = chosen()
        if wanted in LANGUAGES:
            return str(wanted)
        return request.accept_languages.best_match(list(LANGUAGES), DEFAULT) or DEFAULT

    return select


def init_app(app: Flask, chosen: Callable[[], str | None]) -> Callable[[], str]:
    """Babel on ``app`` with the shared language list; the selector is returned for callers."""
    select = locale_selector(chosen)
    Babel(app, locale_selector=select)
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    app.jinja_env.globals["current_language"] = select
    # a message marked N_ where it is defined is translated where it is shown
    app.jinja_env.globals["t_"] = gettext
    return select
