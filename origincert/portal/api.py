"""The JSON API for customs systems: verify by file, QR payload or number, with a bearer token.

Answers are ``VerificationResult.to_json()``; failures are ``{"error": {"code", "message"}}``
with the matching HTTP status. Described by ``static/openapi.json``, served at
``/api/v1/openapi.json``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from flask import Blueprint, Flask, current_app, g, jsonify, request
from flask_limiter.util import get_remote_address
from werkzeug.wrappers import Response

from origincert.errors import DocumentError, OriginCertError
from origincert.portal import (
    accounts,
    certindex,
    credentials,
    db,
    references,
    seclog,
    verification,
)
from origincert.portal.errors import error_response
from origincert.portal.namesakes import namesake_warning, namesakes
from origincert.portal.security import csrf, spend, spend_check
from origincert.portal.verification import Actor, record
from origincert.safejson import load_json
from origincert.verdict import VerificationResult

__all__ = ["bp", "token_required"]

bp = Blueprint("api", __name__, url_prefix="/api/v1")
F = TypeVar("F", bound=Callable[..., Any])
MAX_QR_PAYLOAD = 8192
# exactly what static/openapi.json says: the API takes no surrounding space, unlike the form
_API_NUMBER = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9./-]{0,38}[A-Za-z0-9])?")
_TARGET = re.compile(r"0x[0-9a-fA-F]{64}")
# what \s means in the document's patterns (ECMA-262), which is not str.isspace (\x1c-\x1f, \x85)
_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def token_required(view: F) -> F:
    """The token is checked first; then the call counts against that token's limit. A refused
    token counts against the caller's address instead, so rotating made-up tokens gains nothing."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        cfg = current_app.config
        address = get_remote_address()
        if not spend_check(cfg["RATELIMIT_API_FAILURES"], "api_failures", address):
            return _too_many()
        clear = _bearer()
        holder = accounts.token_for(db.session(), clear) if clear else None
        if holder is None:
            spend(cfg["RATELIMIT_API_FAILURES"], "api_failures", address)
            code, message = (
                ("token_missing", "Send an API token as 'Authorization: Bearer <token>'.")
                if clear is None
                else ("token_invalid", "The API token is unknown or has been revoked.")
            )
            seclog.event("api_token_refused", reason=code)
            response = error_response(401, code, message)
            response.headers["WWW-Authenticate"] = 'Bearer realm="origincert"'
            return response
        if not spend(cfg["RATELIMIT_API"], "api", f"token:{holder.token_id}"):
            return _too_many()
        g.api_token_id = holder.token_id
        g.api_actor = Actor(name=f"api:{holder.name}", office_code=holder.office_code)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def _too_many() -> Response:
    response = error_response(429, "rate_limited", "Too many requests: wait a minute.")
    response.headers["Retry-After"] = "60"
    return response


def _answer(result: VerificationResult, channel: str) -> Response:
    entry_id = record(result, channel=channel, actor=g.api_actor)
    same_number = namesakes(db.session(), result.evidence)
    warnings = [namesake_warning(same_number)] if same_number else []
    response = jsonify({**result.to_json(), "warnings": warnings})
    response.headers["X-Verification-Id"] = str(entry_id)
    return response


def _json_body(*, allowed: frozenset[str] | None = None) -> dict[str, Any] | Response:
    """The body as a JSON object, read by the one bounded reader (origincert.safejson); with
    ``allowed``, a key outside it is refused (the OpenAPI document forbids other keys)."""
    body = _parsed_body()
    if isinstance(body, dict) and allowed is not None:
        unknown = sorted(set(body) - allowed)
        if unknown:
            return error_response(
                400,
                "body_invalid",
                f"Unknown field {unknown[0]!r}: the body takes only {', '.join(sorted(allowed))}.",
                reason="field_unknown",
            )
    return body


def _parsed_body(max_bytes: int = 64 * 1024) -> dict[str, Any] | Response:
    if not request.is_json:
        return error_response(
            415, "content_type", "Send a JSON body with 'Content-Type: application/json'."
        )
    try:
        return load_json(request.get_data(cache=False), max_bytes=max_bytes)
    except DocumentError as exc:
        return error_response(
            400, "body_invalid", f"The body must be a JSON object: {exc.message}.", reason=exc.code
        )


@functools.cache
def _openapi_document() -> dict[str, Any]:
    return load_json((Path(__file__).parent / "static" / "openapi.json").read_bytes())


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(_openapi_document())


@bp.post("/verify/file")
@token_required
def verify_file() -> Response:
    mimetype = request.mimetype or ""
    if mimetype == "application/pdf" or mimetype.startswith("image/"):
        return _verify_printed(request.get_data(cache=False), mimetype)  # the PDF or a photo
    if mimetype in credentials.MEDIA_TYPES:  # a credential sent as what it is
        return _verify_credential(request.get_data(cache=False), mimetype)
    if not request.is_json:
        return error_response(
            415,
            "content_type",
            "Send the issued certificate file as the body with 'Content-Type: application/json' "
            "(or the printed PDF as application/pdf, or a photo of its QR code as image/jpeg or image/png).",
        )
    raw = request.get_data()
    body = _parsed_body(max_bytes=certindex.MAX_FILE_BYTES)  # not a JSON object: 400, not a verdict
    if isinstance(body, Response):
        return body
    credential = credentials.sniff(raw)  # a W3C VC or a UNTP envelope sent as plain JSON
    if credential is not None:
        return _answer(credentials.verify(credential), credentials.channel(credential, api=True))
    return _answer(verification.verify_file(raw), "api_file")


def _verify_credential(raw: bytes, mimetype: str) -> Response:
    """A body sent as application/vc or application/vc+jwt must be a credential of that form."""
    credential = (
        credentials.sniff_as(raw, mimetype) if len(raw) <= certindex.MAX_FILE_BYTES else None
    )
    if credential is None:
        return error_response(
            400,
            "body_invalid",
            "The body is not a credential: send a W3C VC (JSON-LD) as application/vc, or a "
            "compact vc+jwt as application/vc+jwt.",
            reason="credential_unreadable",
        )
    return _answer(credentials.verify(credential), credentials.channel(credential, api=True))


def _verify_printed(raw: bytes, mimetype: str) -> Response:
    """The printed PDF (its attached issued file, else its QR code) or a photo of its QR code."""
    from origincert import qrlink, retake
    from origincert.portal.verify import read_printed, read_qr_photo

    channel = "api_pdf" if mimetype == "application/pdf" else "api_photo"
    try:
        if channel == "api_pdf":
            printed = read_printed(raw)
            if printed.attached is not None:
                return _answer(verification.verify_printed(printed), channel)
            if printed.qr_text is None:
                assert printed.qr_error is not None
                raise printed.qr_error
            text = qrlink.payload_of(printed.qr_text)
        else:
            text = qrlink.payload_of(read_qr_photo(raw))
    except OriginCertError as exc:
        outcome = "UNREADABLE" if exc.code in retake.READER_CODES else "REFUSED"
        message = (
            retake.advice("pdf" if channel == "api_pdf" else "photo", exc.message)
            if outcome == "UNREADABLE"
            else exc.message[:1].upper() + exc.message[1:] + "."
        )
        verification.record_attempt(
            outcome, channel=channel, actor=g.api_actor, reason_code=exc.code, message=message
        )
        return error_response(422, exc.code, message, verdict=outcome)
    return _answer(references.verify_qr_text(db.session(), text), channel)


@bp.post("/verify/qr")
@token_required
def verify_qr() -> Response:
    body = _json_body(allowed=frozenset({"payload"}))
    if isinstance(body, Response):
        return body
    payload = body.get("payload")
    if not isinstance(payload, str) or not payload.strip(_SPACE):
        return error_response(
            400, "payload_missing", 'Give the QR code\'s text as {"payload": "OC1..."}.'
        )
    if len(payload) > MAX_QR_PAYLOAD:
        return error_response(
            400, "payload_too_long", f"A QR payload has at most {MAX_QR_PAYLOAD} characters."
        )
    return _answer(references.verify_qr_text(db.session(), payload.strip(_SPACE)), "api_qr")


@bp.post("/verify/number")
@token_required
def verify_number() -> Response:
    body = _json_body(allowed=frozenset({"number", "target_hash"}))
    if isinstance(body, Response):
        return body
    number, target = body.get("number"), body.get("target_hash")
    if not isinstance(number, str):
        return error_response(
            400, "number_missing", 'Give the certificate number as {"number": "..."}.'
        )
    if not _API_NUMBER.fullmatch(number):
        return error_response(
            400,
            "number_invalid",
            "A certificate number is 1 to 40 characters of A-Z, 0-9, '.', '/' and '-'.",
        )
    if target is not None and not (isinstance(target, str) and _TARGET.fullmatch(target)):
        return error_response(
            400, "target_hash_invalid", "target_hash is 0x and 64 hexadecimal digits."
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
