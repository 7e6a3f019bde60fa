"""CSRF protection, request bodies, rate limits and the security headers every response carries.

Bodies: an HTML form endpoint takes form encoding only (a JSON body never reaches a form
parser), and each endpoint takes no more than it needs (a QR payload a few KB, a photo 8 MB).

The content security policy allows scripts, styles and images from the portal itself only:
no inline script or style anywhere, so an injected ``<script>`` in a certificate field has no
way to run even if escaping ever failed.
"""

from __future__ import annotations

from flask import Flask, Response, abort, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect
from limits import parse_many
from werkzeug.middleware.proxy_fix import ProxyFix

__all__ = ["BODY_LIMITS", "CSP", "csrf", "init_app", "limiter", "spend", "spend_check"]

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


# The most an endpoint reads, in bytes (MAX_CONTENT_LENGTH for the file upload); others 64 KiB.
BODY_LIMITS = {
    "auth.login": 16 * 1024,
    "auth.logout": 4 * 1024,
    "auth.account": 16 * 1024,
    "verify.qr": 64 * 1024,
    "verify.number": 16 * 1024,
    "api.verify_qr": 64 * 1024,
    "api.verify_number": 16 * 1024,
    "api.verify_file": 1_100_000,  # an issued file is at most 1 MB
}
_DEFAULT_BODY_LIMIT = 64 * 1024
_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _bound_body() -> None:
    """Before anything reads the body: its size limit, and form encoding for HTML forms."""
    if request.method in _SAFE_METHODS or request.routing_exception is not None:
        return  # 404 and 405 come first, and read no body
    endpoint = request.endpoint or ""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    printed = endpoint == "api.verify_file" and (
        request.mimetype == "application/pdf" or request.mimetype.startswith("image/")
    )  # the API's PDF or phone photo is as large as the form's upload
    if endpoint != "verify.upload" and not printed:  # the upload keeps MAX_CONTENT_LENGTH
        limit = min(BODY_LIMITS.get(endpoint, _DEFAULT_BODY_LIMIT), limit)
        request.max_content_length = limit
    length = request.content_length or 0
    if length > limit:
        _drain(length)
        abort(413)
    if endpoint.startswith("api."):
        return  # the API reads JSON itself, through origincert.safejson
    if request.mimetype not in _FORM_TYPES and length > 0:
        # Flask-WTF would otherwise parse a JSON body as form data, with no bound on its nesting
        _drain(length)
        abort(415, "This address takes an HTML form (form encoding) only.")


_DRAIN_LIMIT = 16 * 1024 * 1024  # twice the largest upload


def _drain(length: int) -> None:
    """Read and drop a refused body (up to 16 MB), so the client, still sending, gets the answer
    instead of a reset connection. A bigger body is cut off with the connection."""
    if length > _DRAIN_LIMIT:
        return
    stream = request.environ["wsgi.input"]
    left = length
    while left > 0:
        chunk = stream.read(min(left, 64 * 1024))
        if not chunk:
            break
        left -= len(chunk)


def spend(limit: str, *key: str) -> bool:
    """Count one hit of ``limit`` ("20 per minute;100 per day") for ``key`` in the limiter's
    shared storage; False when any of its windows is already full.

    If the storage (Redis) is down, the call is let through and the outage logged: verification
    must not stop with it, and every costly path has its own bound (photo decoding's rlimits).
    """
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return True
    strategy = limiter.limiter
    items = parse_many(limit)
    try:
        if not all(strategy.test(item, *key) for item in items):
            return False
        hits = [strategy.hit(item, *key) for item in items]  # every window counts this hit
    except Exception:  # the storage's own errors (redis ConnectionError, ...)
        current_app.logger.exception("rate-limit storage unavailable; %s not counted", key)
        return True
    return all(hits)


def spend_check(limit: str, *key: str) -> bool:
    """Whether ``key`` still has room under ``limit``, without counting a hit."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return True
    strategy = limiter.limiter
    try:
        return all(strategy.test(item, *key) for item in parse_many(limit))
    except Exception:  # as in spend()
        current_app.logger.exception("rate-limit storage unavailable; %s not checked", key)
        return True


def _hsts_wanted() -> bool:
    setting = current_app.config["HSTS"]
    return bool(request.is_secure) if setting is None else bool(setting)


def _headers(response: Response) -> Response:
    for name, value in _HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers.pop("Server", None)
    if _hsts_wanted():
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
    app.before_request(_bound_body)  # before CSRF's check, which reads the form
    csrf.init_app(app)
    limiter.init_app(app)
    app.after_request(_headers)
