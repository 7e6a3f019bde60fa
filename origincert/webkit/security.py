"""CSRF protection, rate limits and the security headers of every response, for a Flask app.

The content security policy allows the app's own scripts, styles and images only, with no
inline script or style, so an injected ``<script>`` in an application field cannot run even if
escaping ever failed.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

__all__ = ["CSP", "csrf", "init_app", "limiter"]

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _headers(response: Response) -> Response:
    for name, value in _HEADERS.items():
        response.headers.setdefault(name, value)
    if current_app.config.get("SECURE_COOKIES"):
        response.headers.setdefault("Strict-Transport-Security", "max-age=63072000")
    if request.endpoint != "static":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    csrf.init_app(app)
    limiter.init_app(app)
    app.after_request(_headers)
