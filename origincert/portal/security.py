"""The portal's security policy for the shared web kit (``origincert.webkit.security``): its
CSP (the camera for QR scanning, blob images), the body each endpoint may send, and its own
CSRF and rate-limit instances.

Bodies: an HTML form endpoint takes form encoding only, and each endpoint takes no more than it
needs (a QR payload a few KB, a photo 8 MB).
"""

from __future__ import annotations

from functools import partial

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from origincert.webkit import security as kit

__all__ = ["BODY_LIMITS", "CSP", "POLICY", "csrf", "init_app", "limiter", "spend", "spend_check"]

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob: mediastream:; connect-src 'self'; font-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)

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

POLICY = kit.Policy(
    csp=CSP,
    permissions="camera=(self), microphone=(), geolocation=(), payment=(), usb=()",
    body_limits=BODY_LIMITS,
    full_body_endpoints=frozenset({"verify.upload"}),
    # the API's PDF or phone photo is as large as the form's upload
    full_body_types={"api.verify_file": ("application/pdf", "image/")},
)

csrf = CSRFProtect()
limiter = kit.new_limiter()
spend = partial(kit.spend, limiter=limiter)
spend_check = partial(kit.spend_check, limiter=limiter)


def init_app(app: Flask) -> None:
    kit.init_app(app, POLICY, csrf=csrf, limiter=limiter)
