"""Every failure becomes a plain page (or JSON under ``/api/``) with a stable code and a sentence.

No stack trace is ever shown: unexpected errors are logged for operators with a reference the
officer can quote, and the page says only that the certificate was not checked.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from origincert.errors import ChainError, ChainUnavailable

__all__ = ["error_response", "init_app", "wants_json"]

# Sentences for officers; codes for programs. Keyed by HTTP status.
_MESSAGES: dict[int, tuple[str, str, str]] = {
    400: ("bad_request", "Bad request", "The request could not be understood."),
    401: ("unauthenticated", "Sign-in needed", "Sign in to continue."),
    403: ("forbidden", "Not allowed", "Your account may not open this page."),
    404: ("not_found", "Not found", "There is nothing at this address."),
    405: (
        "method_not_allowed",
        "Not allowed",
        "This address does not accept that kind of request.",
    ),
    409: ("conflict", "Several matches", "More than one record matches."),
    410: ("gone", "No longer available", "What you asked for is no longer available."),
    413: ("too_large", "File too large", "The file is larger than the portal accepts."),
    415: ("unsupported_type", "Unsupported file", "The portal cannot read this kind of file."),
    422: ("unreadable", "Unreadable", "The portal could not read what was sent."),
    429: (
        "rate_limited",
        "Too many requests",
        "Too many attempts in a short time. Wait a minute and try again.",
    ),
    500: (
        "internal_error",
        "Something went wrong",
        "Something went wrong on the portal. The certificate was not checked.",
    ),
    503: ("ledger_unreachable", "Ledger unreachable", "The ledger could not be reached."),
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(
    status: int, code: str | None = None, message: str | None = None, **extra: Any
) -> Response:
    default_code, title, default_message = _MESSAGES.get(
        status, _MESSAGES[400 if status < 500 else 500]
    )
    code = code or default_code
    message = message or default_message
    if wants_json():
        response = jsonify({"error": {"code": code, "message": message, **extra}})
    else:
        response = current_app.make_response(
            render_template(
                "error.html", status=status, code=code, title=title, message=message, **extra
            )
        )
    response.status_code = status
    return response


def _http(exc: HTTPException) -> Response:
    status = exc.code or 500
    if status == 413:
        # this address's own limit (a sign-in takes 16 KiB, a photo 8 MB: security.BODY_LIMITS)
        limit = request.max_content_length or current_app.config["MAX_CONTENT_LENGTH"]
        size = f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"
        return error_response(
            413, message=f"The upload is larger than the {size} the portal accepts here."
        )
    if status == 429:
        return error_response(429)
    # abort(code, "sentence") explains itself; werkzeug's stock descriptions are not for officers
    own = exc.description if exc.description != type(exc).description else None
    response = error_response(status, message=own)
    if status == 405 and exc.valid_methods:  # type: ignore[attr-defined]
        response.headers["Allow"] = ", ".join(exc.valid_methods)  # type: ignore[attr-defined]
    return response


def _csrf(exc: CSRFError) -> Response:
    return error_response(
        400,
        code="csrf_failed",
        message="This form has expired or did not come from this portal. Go back, reload the page and try again.",
    )


def _chain_unavailable(exc: ChainUnavailable) -> Response:
    current_app.logger.warning("ledger unreachable: %s", exc)
    return error_response(
        503,
        code="ledger_unreachable",
        message="The ledger could not be reached, so the certificate has NOT been checked. "
        "Try again in a moment; if it persists, call the portal's operator.",
    )


def _chain_error(exc: ChainError) -> Response:
    current_app.logger.error("ledger configuration problem [%s]: %s", exc.code, exc)
    return error_response(
        503,
        code=exc.code,
        message="The portal cannot use the ledger (its configuration is wrong), so the certificate has NOT been "
        "checked. Call the portal's operator.",
    )


def _unexpected(exc: Exception) -> Response:
    reference = secrets.token_hex(4)
    current_app.logger.exception("unexpected error, reference %s", reference)
    return error_response(500, reference=reference)


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http)
    app.register_error_handler(CSRFError, _csrf)
    app.register_error_handler(ChainUnavailable, _chain_unavailable)
    app.register_error_handler(ChainError, _chain_error)
    app.register_error_handler(Exception, _unexpected)
