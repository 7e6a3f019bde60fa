"""The JSON API for customs systems: verify by file, QR payload or number, with a bearer token.

Answers are ``VerificationResult.to_json()``; failures are ``{"error": {"code", "message"}}``
with the matching HTTP status. Described by ``static/openapi.json``, served at
``/api/v1/openapi.json``.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from flask import Blueprint, Flask, current_app, g, jsonify, request
from flask_limiter.util import get_remote_address
from werkzeug.wrappers import Response

from origincert.errors import OriginCertError
from origincert.portal import accounts, certindex, db, verification
from origincert.portal.errors import error_response
from origincert.portal.security import csrf, limiter
from origincert.portal.verification import Actor, record
from origincert.verdict import VerificationResult

__all__ = ["bp", "token_required"]

bp = Blueprint("api", __name__, url_prefix="/api/v1")
F = TypeVar("F", bound=Callable[..., Any])
MAX_QR_PAYLOAD = 8192


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _rate_key() -> str:
    """Per token (by a hash of what was sent, so no database read is needed), else per address."""
    token = _bearer()
    if token is not None:
        return "token:" + hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()[:24]
    return "addr:" + get_remote_address()


def token_required(view: F) -> F:
    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        clear = _bearer()
        holder = accounts.token_for(db.session(), clear) if clear else None
        if holder is None:
            code, message = (
                ("token_missing", "Send an API token as 'Authorization: Bearer <token>'.")
                if clear is None
                else ("token_invalid", "The API token is unknown or has been revoked.")
            )
            response = error_response(401, code, message)
            response.headers["WWW-Authenticate"] = 'Bearer realm="origincert"'
            return response
        g.api_actor = Actor(name=f"api:{holder.name}", office_code=holder.office_code)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def _api_limit() -> str:
    return str(current_app.config["RATELIMIT_API"])


def _answer(result: VerificationResult, channel: str) -> Response:
    entry_id = record(result, channel=channel, actor=g.api_actor)
    response = jsonify(result.to_json())
    response.headers["X-Verification-Id"] = str(entry_id)
    return response


def _json_body() -> dict[str, Any] | Response:
    if not request.is_json:
        return error_response(
            415, "content_type", "Send a JSON body with 'Content-Type: application/json'."
        )
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return error_response(400, "body_invalid", "The body must be a JSON object.")
    return body


@functools.cache
def _openapi_document() -> dict[str, Any]:
    return json.loads(
        (Path(__file__).parent / "static" / "openapi.json").read_text(encoding="utf-8")
    )  # type: ignore[no-any-return]


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(_openapi_document())


@bp.post("/verify/file")
@limiter.limit(_api_limit, key_func=_rate_key)
@token_required
def verify_file() -> Response:
    mimetype = request.mimetype or ""
    if mimetype == "application/pdf" or mimetype.startswith("image/"):
        return _verify_printed(request.get_data(cache=False), mimetype)  # the PDF or a photo
    if not request.is_json:
        return error_response(
            415,
            "content_type",
            "Send the issued certificate file as the body with 'Content-Type: application/json' "
            "(or the printed PDF as application/pdf, or a photo of its QR code as image/jpeg or image/png).",
        )
    raw = request.get_data(cache=False)
    return _answer(verification.verify_file(raw), "api_file")


def _verify_printed(raw: bytes, mimetype: str) -> Response:
    """The printed PDF or a photo of its QR code: the QR code is read, then verified."""
    from origincert import qrlink
    from origincert.portal.verify import read_qr_pdf, read_qr_photo

    channel = "api_pdf" if mimetype == "application/pdf" else "api_photo"
    try:
        text = qrlink.payload_of(read_qr_pdf(raw) if channel == "api_pdf" else read_qr_photo(raw))
    except OriginCertError as exc:
        message = f"No certificate QR code could be read: {exc.message}. Retake the photo or send the certificate file."
        verification.record_attempt(
            "UNREADABLE", channel=channel, actor=g.api_actor, reason_code=exc.code, message=message
        )
        return error_response(422, exc.code, message)
    raw_file = certindex.file_for_qr(db.session(), text)
    result = (
        verification.verify_file(raw_file) if raw_file is not None else verification.verify_qr(text)
    )
    return _answer(result, channel)


@bp.post("/verify/qr")
@limiter.limit(_api_limit, key_func=_rate_key)
@token_required
def verify_qr() -> Response:
    body = _json_body()
    if isinstance(body, Response):
        return body
    payload = body.get("payload")
    if not isinstance(payload, str) or not payload.strip():
        return error_response(
            400, "payload_missing", 'Give the QR code\'s text as {"payload": "OC1..."}.'
        )
    if len(payload) > MAX_QR_PAYLOAD:
        return error_response(
            400, "payload_too_long", f"A QR payload has at most {MAX_QR_PAYLOAD} characters."
        )
    text = payload.strip()
    raw = certindex.file_for_qr(db.session(), text)  # a reference to a file the portal holds
    result = verification.verify_file(raw) if raw is not None else verification.verify_qr(text)
    return _answer(result, "api_qr")


@bp.post("/verify/number")
@limiter.limit(_api_limit, key_func=_rate_key)
@token_required
def verify_number() -> Response:
    body = _json_body()
    if isinstance(body, Response):
        return body
    number, target = body.get("number"), body.get("target_hash")
    if not isinstance(number, str):
        return error_response(
            400, "number_missing", 'Give the certificate number as {"number": "..."}.'
        )
    try:
        wanted = certindex.normalise_number(number)
    except OriginCertError as exc:
        return error_response(400, exc.code, exc.message)
    dbs = db.session()
    entries = certindex.find(dbs, wanted, current_app.config["ARCHIVE_DIRS"])
    dbs.commit()
    if isinstance(target, str):
        entries = [e for e in entries if e.target_hash == target.lower()]
    if not entries:
        message = f"No certificate numbered {wanted} is known to this portal."
        verification.record_attempt(
            "NOT_FOUND",
            channel="api_number",
            actor=g.api_actor,
            reason_code="number_unknown",
            message=message,
            number=wanted,
        )
        return error_response(404, "number_unknown", message)
    if len(entries) > 1:
        candidates = [
            {"target_hash": e.target_hash, "issuer": e.issuer_name, "issue_date": e.issue_date}
            for e in entries
        ]
        return error_response(
            409,
            "number_ambiguous",
            f"{len(entries)} different certificates carry the number {wanted}: repeat with one's target_hash.",
            candidates=candidates,
        )
    try:
        raw = certindex.read(entries[0])
    except certindex.ArchiveError as exc:
        return error_response(410, exc.code, exc.message)
    return _answer(verification.verify_file(raw), "api_number")


def init_app(app: Flask) -> None:
    csrf.exempt(bp)  # token-authenticated, no cookies: CSRF cannot apply
    app.register_blueprint(bp)
