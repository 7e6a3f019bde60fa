"""CSRF protection, rate limits and the security headers every response carries.

The content security policy allows scripts, styles and images from the portal itself only:
no inline script or style anywhere, so an injected ``<script>`` in a certificate field has no
way to run even if escaping ever failed.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

__all__ = ["CSP", "api_rate_key", "csrf", "init_app", "limiter"]

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob: mediastream:; connect-src 'self'; font-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)

_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(self), microphone=(), geolocation=(), payment=(), usb=()",
}


def api_rate_key() -> str:
    """API calls are limited per token (its authenticated id), falling back to the address."""
    token_id = g.get("api_token_id")
    return f"token:{token_id}" if token_id is not None else f"addr:{get_remote_address()}"


def _headers(response: Response) -> Response:
    for name, value in _HEADERS.items():
        response.headers.setdefault(name, value)
    if current_app.config["HSTS"]:
        response.headers.setdefault(
            "Strict-Transport-Security", "max-age=63072000; includeSubDomains"
        )
    if request.endpoint != "static":
        # pages carry certificate content and the officer's session: never cache them
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies:
        # behind N reverse proxies (TLS termination): take the client's address and scheme from
        # their X-Forwarded-* headers, or every client would share the proxy's rate limits
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    csrf.init_app(app)
    limiter.init_app(app)
    app.after_request(_headers)
