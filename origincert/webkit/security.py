"""CSRF protection, request bodies, rate limits and the security headers every response carries,
for the portal and the desk alike; each app states its own ``Policy`` (what its pages need).

Bodies: each endpoint takes no more than it needs (``Policy.body_limits``), and with
``form_only`` an HTML endpoint takes form encoding only, so a JSON body never reaches a form
parser with no bound on its nesting.

The content security policy allows the app's own scripts, styles and images only: no inline
script or style anywhere, so an injected ``<script>`` in a field has no way to run even if
escaping ever failed.

``csrf`` and ``limiter`` here are the desk's; the portal makes its own (``new_limiter``), since
a limiter keeps the settings of the app it was last initialised with.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from flask import Flask, Response, abort, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect
from limits import parse_many
from werkzeug.middleware.proxy_fix import ProxyFix

__all__ = [
    "CSP",
    "Policy",
    "csrf",
    "init_app",
    "limiter",
    "new_limiter",
    "spend",
    "spend_check",
]

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)
_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_DRAIN_LIMIT = 16 * 1024 * 1024  # twice the largest upload


@dataclass(frozen=True)
class Policy:
    """What one app allows: its CSP and Permissions-Policy, and how much each endpoint reads
    (bytes; ``default_body_limit`` None: ``MAX_CONTENT_LENGTH`` everywhere)."""

    csp: str = CSP
    permissions: str = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
    body_limits: Mapping[str, int] = field(default_factory=dict)
    default_body_limit: int | None = 64 * 1024
    full_body_endpoints: frozenset[str] = frozenset()  # these keep MAX_CONTENT_LENGTH
    # endpoint -> media types that keep MAX_CONTENT_LENGTH there ("image/" matches the family)
    full_body_types: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    form_only: bool = True  # HTML endpoints (not ``api.*``) take form encoding only


def new_limiter() -> Limiter:
    return Limiter(key_func=get_remote_address)


csrf = CSRFProtect()
limiter = new_limiter()


def _bound_body(policy: Policy) -> None:
    """Before anything reads the body: its size limit, and form encoding for HTML forms."""
    if request.method in _SAFE_METHODS or request.routing_exception is not None:
        return  # 404 and 405 come first, and read no body
    endpoint = request.endpoint or ""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    bound = policy.body_limits.get(endpoint, policy.default_body_limit)
    if bound is not None and not _keeps_full_body(policy, endpoint):
        limit = bound if limit is None else min(bound, limit)
        request.max_content_length = limit
    length = request.content_length or 0
    if limit is not None and length > limit:
        _drain(length)
        abort(413)
    if endpoint.startswith("api.") or not policy.form_only:
        return  # an API reads JSON itself, through origincert.safejson
    if request.mimetype not in _FORM_TYPES and length > 0:
        _drain(length)
        abort(415, "This address takes an HTML form (form encoding) only.")


def _keeps_full_body(policy: Policy, endpoint: str) -> bool:
    if endpoint in policy.full_body_endpoints:
        return True
    kind = request.mimetype
    return any(
        kind == t or (t.endswith("/") and kind.startswith(t))
        for t in policy.full_body_types.get(endpoint, ())
    )


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


def spend(limit: str, *key: str, limiter: Limiter = limiter) -> bool:
    """Count one hit of ``limit`` ("20 per minute;100 per day") for ``key`` in the limiter's
    shared storage; False when any of its windows is already full.

    If the storage (Redis) is down, the call is let through and the outage logged: the app
    must not stop with it, and every costly path has its own bound.
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


def spend_check(limit: str, *key: str, limiter: Limiter = limiter) -> bool:
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
    setting = current_app.config.get("HSTS")
    return bool(request.is_secure) if setting is None else bool(setting)


def _headers(policy: Policy, response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", policy.csp)
    response.headers.setdefault("Permissions-Policy", policy.permissions)
    for name, value in _HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers.pop("Server", None)
    if _hsts_wanted():
        response.headers.setdefault(
            "Strict-Transport-Security", "max-age=63072000; includeSubDomains"
        )
    if request.endpoint != "static":
        # pages carry certificate content and the user's session: never cache them
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(
    app: Flask,
    policy: Policy,
    *,
    csrf: CSRFProtect = csrf,
    limiter: Limiter = limiter,
) -> None:
    """Proxy headers (``TRUSTED_PROXIES``), body bounds, CSRF, rate limits and headers."""
    proxies = int(app.config.get("TRUSTED_PROXIES", 0))
    if proxies:
        # behind N reverse proxies (TLS termination): take the client's address and scheme from
        # their X-Forwarded-* headers, or every client would share the proxy's rate limits
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.before_request(lambda: _bound_body(policy))  # before CSRF's check, which reads the form
    csrf.init_app(app)
    limiter.init_app(app)
    app.after_request(lambda response: _headers(policy, response))
