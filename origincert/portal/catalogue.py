"""Marking and translating the portal's messages (Flask-Babel's catalogue, see i18n.py).

``N_`` marks a message where it is defined (tables of labels); ``gettext`` translates it where
it is shown, in the officer's language (English outside a request, so pure code stays testable).
"""

from __future__ import annotations

from flask_babel import gettext, ngettext

__all__ = ["N_", "gettext", "ngettext"]


def N_(message: str) -> str:
    return message
