"""Verifying for the portal: one verifier per worker process, and the log entry for every result.

The verifier is built from ``RPC_URL`` and ``MANIFEST`` on first use in each process (a web3
connection must not cross a fork). ``ChainUnavailable`` is left to the error handlers, which
say "ledger unreachable" (HTTP 503) and never a verdict.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app
from sqlalchemy.orm import Session

from origincert.portal.db import Verification
from origincert.verdict import CheckStatus, VerificationResult

if TYPE_CHECKING:
    from origincert.verifier import Verifier

__all__ = ["Actor", "init_app", "verifier", "make_verifier", "record", "stored_result", "CHANNELS"]

CHANNELS = {
    "file": "uploaded file",
    "qr_photo": "photo of QR code",
    "qr_scan": "QR code scanned by camera",
    "number": "certificate number",
    "api_file": "API: file",
    "api_qr": "API: QR payload",
    "api_number": "API: number",
}


def make_verifier(rpc_url: str | None, manifest_path: str) -> Verifier:
    """The library's verifier for these settings; offline when there is no RPC URL."""
    from origincert.chain import Manifest
    from origincert.verifier import Verifier

    if not rpc_url:
        return Verifier.offline()
    return Verifier.connect(rpc_url, Manifest.load(manifest_path))


class _Slot:
    """Holds the process's verifier; rebuilt after a fork, retried after a failed connect."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._verifier: Verifier | None = None

    def get(self, rpc_url: str | None, manifest_path: str) -> Verifier:
        pid = os.getpid()
        if self._pid != pid or self._verifier is None:
            with self._lock:
                if self._pid != pid or self._verifier is None:
                    self._verifier = make_verifier(rpc_url, manifest_path)
                    self._pid = pid
        return self._verifier


def init_app(app: Flask) -> None:
    app.extensions["origincert_verifier"] = _Slot()


def verifier() -> Verifier:
    cfg = current_app.config
    slot: _Slot = current_app.extensions["origincert_verifier"]
    return slot.get(cfg["RPC_URL"] or None, cfg["MANIFEST"])


@dataclass(frozen=True, slots=True)
class Actor:
    """Who asked: an officer (``officer_id``) or an API token (``officer_id`` None)."""

    name: str
    office_code: str
    officer_id: int | None = None


def record(db: Session, result: VerificationResult, *, channel: str, actor: Actor) -> Verification:
    """Add the log entry for ``result``; the caller commits."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    document = result.document if isinstance(result.document, dict) else None
    entry = Verification(
        actor=actor.name,
        officer_id=actor.officer_id,
        office_code=actor.office_code,
        channel=channel,
        certificate_number=_text(_certificate_number(result, document), 64),
        issuer=_text(_issuer_name(result, document), 200),
        verdict=result.verdict.value,
        reason_code=_reason_code(result),
        result_json=json.dumps({"result": result.to_json(), "document": document}, sort_keys=True, default=str),
    )
    db.add(entry)
    db.flush()
    return entry


def stored_result(entry: Verification) -> dict[str, Any]:
    """The result as recorded: ``{"result": VerificationResult.to_json(), "document": ...}``."""
    data = json.loads(entry.result_json)
    return data if isinstance(data, dict) else {"result": {}, "document": None}


def _reason_code(result: VerificationResult) -> str:
    for status in (CheckStatus.FAILED, CheckStatus.SKIPPED):
        for check in result.checks:
            if check.status is status:
                return check.code[:64]
    return "all_checks_passed"


def _certificate_number(result: VerificationResult, document: dict[str, Any] | None) -> Any:
    if document is not None and document.get("number"):
        return document["number"]
    return result.evidence.get("certificate_number") or result.evidence.get("number")


def _issuer_name(result: VerificationResult, document: dict[str, Any] | None) -> Any:
    issuer = result.evidence.get("issuer")
    if isinstance(issuer, dict) and issuer.get("name"):
        return issuer["name"]
    body = document.get("issuing_body") if document is not None else None
    return body.get("name") if isinstance(body, dict) else None


def _text(value: Any, limit: int) -> str | None:
    return value[:limit] if isinstance(value, str) and value else None
