"""Credentials on the portal: a W3C VC or a UNTP vc+jwt verified like an issued file, and the
files outsiders' verifiers fetch (each body's status list, origincert's JSON-LD context).

Settings: ``VC_TRUST_LIST`` (folder of trusted DID documents; none: every credential's key is
unknown, so none is VALID), ``STATUS_LISTS`` (folder of published status lists: served at
``/status/<name>`` and read for each credential's revocation bit) and
``STATUS_LIST_MAX_AGE_HOURS`` (24: an older list is stale). A list that cannot be relied on is
an infrastructure failure (503, like an unreachable ledger), never a verdict.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, request

from origincert.errors import ConfigError, StatusListUnavailable
from origincert.interop.did import TrustList
from origincert.interop.files import read_status_lists, read_trust_list
from origincert.interop.inputs import Form, sniff_credential
from origincert.interop.loader import ORIGINCERT_COO_V1, ORIGINCERT_UNTP_COO_V1, shipped_loader
from origincert.interop.statuscheck import StatusLists
from origincert.interop.verify import verify_credential
from origincert.interop.verify_jwt import verify_jwt_credential
from origincert.portal import verification
from origincert.portal.catalogue import gettext
from origincert.portal.errors import error_response
from origincert.verdict import VerificationResult

__all__ = ["MEDIA_TYPES", "bp", "channel", "init_app", "sniff", "sniff_as", "verify"]

bp = Blueprint("credentials", __name__)

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
MEDIA_TYPES = ("application/vc", "application/vc+jwt")  # VC 2.0 and VC-JOSE media types
LIST_MAX_AGE = 300  # seconds a verifier may cache a status list: a revocation reaches it this fast
CONTEXT_MAX_AGE = 31_536_000  # a versioned context never changes (a change is a new URL)


def sniff(raw: bytes) -> tuple[Form, Any] | None:
    """The credential form of an uploaded or posted body, None when it is not a credential."""
    return sniff_credential(raw)


def sniff_as(raw: bytes, mimetype: str) -> tuple[Form, Any] | None:
    """The credential a body sent with a credential media type is, exactly as the API document
    says: ``application/vc+jwt`` a bare compact JWS, ``application/vc`` a JSON object with an
    ``@context`` (a VC, or an envelope) and no issued-file ``format``. None otherwise."""
    sniffed = sniff_credential(raw)
    if sniffed is None:
        return None
    if mimetype == "application/vc+jwt":
        return sniffed if isinstance(sniffed[1], str) and sniffed[1].encode() == raw else None
    payload = sniffed[1]
    return sniffed if isinstance(payload, dict) and "@context" in payload else None


def channel(sniffed: tuple[Form, Any], *, api: bool) -> str:
    """The log channel of a credential: which form, and whether it came through the API."""
    return ("api_" if api else "") + sniffed[0].value


def _trust() -> TrustList:
    folder = current_app.config["VC_TRUST_LIST"]
    return read_trust_list(Path(folder)) if folder else TrustList({})


def _lists() -> StatusLists | None:
    folder = current_app.config["STATUS_LISTS"]
    if not folder:
        return None
    hours = current_app.config["STATUS_LIST_MAX_AGE_HOURS"]
    return read_status_lists(Path(folder), max_age=timedelta(hours=hours))


def verify(sniffed: tuple[Form, Any]) -> VerificationResult:
    """The verdict on a credential: its own layers, then the issued file inside it through the
    portal's verifier (same batching, same ledger reads as an uploaded file)."""
    form, payload = sniffed
    check = verify_credential if form is Form.DATA_INTEGRITY else verify_jwt_credential
    return check(
        payload,
        trust=_trust(),
        loader=shipped_loader(),
        verify_issued=lambda issued: verification.verify_file(
            json.dumps(issued, ensure_ascii=False).encode("utf-8")
        ),
        registry=verification.vc_key_registry(),
        status_lists=_lists(),
    )


def _cached(
    data: bytes,
    mimetype: str,
    max_age: int,
    *,
    immutable: bool = False,
    modified: datetime | None = None,
) -> Response:
    """``data`` with the headers a verifier needs to cache it and revalidate cheaply (ETag and,
    for a file, Last-Modified: a conditional request gets 304 Not Modified)."""
    response = Response(data, mimetype=mimetype)
    response.last_modified = modified
    response.set_etag(hashlib.sha256(data).hexdigest())
    response.headers["Cache-Control"] = f"public, max-age={max_age}" + (
        ", immutable" if immutable else ""
    )
    response.headers["Access-Control-Allow-Origin"] = "*"  # browser-based verifiers fetch these
    response.make_conditional(request)
    return response


@bp.get("/status/<name>")
def status_list(name: str) -> Response:
    """A published status list, as the chamber signed it (``<name>.json`` in STATUS_LISTS)."""
    folder = current_app.config["STATUS_LISTS"]
    if not folder or not _NAME.fullmatch(name):
        abort(404, "There is no status list at this address.")
    path = Path(folder) / f"{name.removesuffix('.json')}.json"
    try:
        data = path.read_bytes()
        modified = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except FileNotFoundError:
        abort(404, "There is no status list at this address.")
    except OSError:
        current_app.logger.error("status list %s cannot be read", path)
        abort(503, "The status list cannot be read now.")
    return _cached(data, "application/vc", LIST_MAX_AGE, modified=modified)


def _context(url: str) -> Response:
    """A shipped JSON-LD context, the very file the offline loader serves to verifiers."""
    document = shipped_loader().documents[url]
    data = json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8")
    return _cached(data, "application/ld+json", CONTEXT_MAX_AGE, immutable=True)


@bp.get("/ns/coo/v1")
def coo_context() -> Response:
    """origincert's context for the certificate as a VC."""
    return _context(ORIGINCERT_COO_V1)


@bp.get("/ns/untp-coo/v1")
def untp_coo_context() -> Response:
    """origincert's extension to the UNTP DCC context (HS code, origin, parties, transport)."""
    return _context(ORIGINCERT_UNTP_COO_V1)


def _unavailable(exc: StatusListUnavailable) -> Response:
    current_app.logger.warning("status list unavailable [%s]: %s", exc.code, exc)
    return error_response(
        503,
        code=exc.code,
        message=gettext(
            "The issuer's status list cannot be relied on (%(detail)s), so the credential has "
            "NOT been checked. Try again later; if it persists, ask the issuing body to "
            "republish its list or call the portal's operator.",
            detail=str(exc),
        ),
    )


def init_app(app: Flask) -> None:
    app.config.setdefault("VC_TRUST_LIST", None)
    app.config.setdefault("STATUS_LISTS", None)
    app.config.setdefault("STATUS_LIST_MAX_AGE_HOURS", 24)
    for key in ("VC_TRUST_LIST", "STATUS_LISTS"):
        folder = app.config[key]
        if folder and not Path(folder).is_dir():
            raise ConfigError(f"{key} must be a folder, not {folder!r}")
    hours = app.config["STATUS_LIST_MAX_AGE_HOURS"]
    if not isinstance(hours, int) or isinstance(hours, bool) or hours < 1:
        raise ConfigError(
            f"STATUS_LIST_MAX_AGE_HOURS must be a whole number of at least 1, not {hours!r}"
        )
    app.register_blueprint(bp)
    app.register_error_handler(StatusListUnavailable, _unavailable)
