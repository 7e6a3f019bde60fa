"""Verifying for the portal: one verifier per worker process, and the log entry for every result.

The verifier is built from ``RPC_URL`` and ``MANIFEST`` on first use in each process (a web3
connection must not cross a fork). Requests do not call it directly: a :class:`Batcher` hands
concurrent files to it together (its batch mode reads the ledger once per group, with the same
checks and verdicts), and another writes concurrent log entries in one transaction. Nothing is
cached between groups: every verdict is read from the ledger for its own request.

``ChainUnavailable`` is left to the error handlers, which say "ledger unreachable" (HTTP 503)
and never a verdict.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app
from sqlalchemy import insert
from sqlalchemy.orm import sessionmaker

from origincert.errors import DocumentError
from origincert.pdfqr import Printed
from origincert.portal import db
from origincert.portal.batching import Batcher
from origincert.portal.catalogue import N_
from origincert.portal.db import Verification, utcnow
from origincert.portal.vcwords import VC_CHANNELS
from origincert.safejson import load_json
from origincert.verdict import CheckStatus, VerificationResult

if TYPE_CHECKING:
    from origincert.interop.registration import VcKeyRegistry
    from origincert.verifier import Verifier

__all__ = [
    "CHANNELS",
    "Actor",
    "Ledger",
    "init_app",
    "make_verifier",
    "record",
    "record_attempt",
    "stored_result",
    "verify_file",
    "verify_printed",
    "verify_qr",
]

_log = logging.getLogger(__name__)

CHANNELS = {
    "file": N_("uploaded file"),
    "bulk": N_("several files at once"),
    "pdf": N_("PDF of the certificate"),
    "qr_photo": N_("photo of QR code"),
    "qr_scan": N_("QR code scanned by camera"),
    "qr_paste": N_("QR code text pasted"),
    "number": N_("certificate number"),
    "api_file": N_("API: file"),
    "api_qr": N_("API: QR payload"),
    "api_number": N_("API: number"),
    "api_pdf": N_("API: PDF"),
    "api_photo": N_("API: photo"),
    **VC_CHANNELS,  # W3C and UNTP credentials, on the form and through the API
}

# What an attempt that reached no verdict is logged as, beside the verdicts.
ATTEMPT_OUTCOMES = ("NOT_FOUND", "UNREADABLE", "REFUSED")


def make_verifier(rpc_url: str | None, manifest_path: str) -> Verifier:
    """The library's verifier for these settings; offline when there is no RPC URL."""
    from origincert.chain import Manifest
    from origincert.verifier import Verifier

    if not rpc_url:
        return Verifier.offline()
    return Verifier.connect(rpc_url, Manifest.load(manifest_path))


class Ledger:
    """The process's verifier, used by one thread for every request thread of the process.

    The verifier is connected on first use and again after a failed connect (the node may come
    back); until then each group's callers get the ``ChainUnavailable``.
    """

    def __init__(self, rpc_url: str | None, manifest_path: str, *, max_group: int = 32) -> None:
        self._settings = (rpc_url, manifest_path)
        self._verifier: Verifier | None = None
        self._batcher: Batcher[tuple[str, Any], VerificationResult] = Batcher(
            self._verify_group, name="origincert-verifier", max_batch=max_group
        )

    def verify_bytes(self, raw: bytes) -> VerificationResult:
        return self._batcher.submit(("file", raw))

    def vc_key_registry(self) -> VcKeyRegistry:
        """The ledger's answer on a credential's VC key (no answer when the portal is offline)."""
        from origincert.governance import ledger_vc_key_registry
        from origincert.interop.registration import unsupported_registry

        if self._verifier is None:
            self._verifier = make_verifier(*self._settings)
        client = self._verifier.client
        return unsupported_registry if client is None else ledger_vc_key_registry(client)

    def verify_qr(self, text: str) -> VerificationResult:
        return self._batcher.submit(("qr", text))

    def verify_printed(self, printed: Printed) -> VerificationResult:
        return self._batcher.submit(("printed", printed))

    def _verify_group(
        self, jobs: Sequence[tuple[str, Any]]
    ) -> list[VerificationResult | BaseException]:
        if self._verifier is None:
            self._verifier = make_verifier(*self._settings)
        verifier = self._verifier
        results: list[VerificationResult | BaseException] = [RuntimeError("not verified")] * len(
            jobs
        )
        files = [i for i, (kind, _) in enumerate(jobs) if kind == "file"]
        if files:
            for i, result in zip(
                files, verifier.verify_many_bytes([jobs[i][1] for i in files]), strict=True
            ):
                results[i] = result
        for i, (kind, job) in enumerate(jobs):
            if kind in ("qr", "printed"):
                try:
                    results[i] = (
                        verifier.verify_qr(job) if kind == "qr" else verifier.verify_printed(job)
                    )
                except Exception as exc:  # noqa: BLE001 - this caller's own error (ChainUnavailable)
                    results[i] = exc
        return results


class _LogWriter:
    """Writes the log entries of concurrent requests in one transaction ("group commit"), as
    one multi-row INSERT that returns the new ids in order."""

    def __init__(self, sessions: sessionmaker[Any]) -> None:
        self._sessions = sessions
        self._batcher: Batcher[dict[str, Any], int] = Batcher(
            self._insert, name="origincert-log", max_batch=256
        )

    def add(self, entry: dict[str, Any]) -> int:
        return self._batcher.submit(entry)

    def _insert(self, entries: Sequence[dict[str, Any]]) -> list[int | BaseException]:
        statement = insert(Verification).returning(Verification.id, sort_by_parameter_order=True)
        try:
            with self._sessions() as session:
                ids = list(session.scalars(statement, list(entries)))
                session.commit()
            return ids
        except Exception:  # noqa: BLE001 - one bad row must not fail the others: one by one
            _log.exception(
                "a batch of %d log entries failed; writing them one by one", len(entries)
            )
        return [self._insert_one(entry) for entry in entries]

    def _insert_one(self, entry: dict[str, Any]) -> int | BaseException:
        """One entry; if the database refuses it, the entry with every text made storable."""
        statement = insert(Verification).returning(Verification.id)
        last: BaseException | None = None
        for attempt in (entry, _storable(entry)):
            try:
                with self._sessions() as session:
                    entry_id = session.scalar(statement, [attempt])
                    session.commit()
                return int(entry_id)
            except Exception as exc:  # noqa: BLE001 - handed to this entry's caller only
                last = exc
        assert last is not None
        return last


class _PerProcess:
    """The process's ledger and log writer, made again in a forked child."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._ledger: Ledger | None = None
        self._log: _LogWriter | None = None

    def get(self) -> tuple[Ledger, _LogWriter]:
        if self._pid != os.getpid() or self._ledger is None or self._log is None:
            with self._lock:
                if self._pid != os.getpid() or self._ledger is None or self._log is None:
                    cfg = current_app.config
                    self._ledger = Ledger(cfg["RPC_URL"] or None, cfg["MANIFEST"])
                    self._log = _LogWriter(current_app.extensions["origincert_db"])
                    self._pid = os.getpid()
        return self._ledger, self._log


def init_app(app: Flask) -> None:
    app.extensions["origincert_verification"] = _PerProcess()
    from origincert.portal.render import reason_words

    app.add_template_filter(reason_words, "reason_words")  # the log's reasons in words


def verify_file(raw: bytes) -> VerificationResult:
    """Verify an issued file's bytes (MALFORMED for anything else; ChainUnavailable when down)."""
    db.release()  # no pooled connection held while waiting: the log writer may need it
    return _per_process().get()[0].verify_bytes(raw)


def verify_qr(text: str) -> VerificationResult:
    """Verify a QR code's text."""
    db.release()
    return _per_process().get()[0].verify_qr(text)


def vc_key_registry() -> VcKeyRegistry:
    """Whether a credential's VC key was its issuer's on the ledger when its batch was anchored."""
    return _per_process().get()[0].vc_key_registry()


def verify_printed(printed: Printed) -> VerificationResult:
    """Verify a PDF already read: its attached issued file, checked against its QR code."""
    db.release()
    return _per_process().get()[0].verify_printed(printed)


def _per_process() -> _PerProcess:
    return current_app.extensions["origincert_verification"]  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class Actor:
    """Who asked: an officer (``officer_id``) or an API token (``officer_id`` None)."""

    name: str
    office_code: str
    officer_id: int | None = None


def record(result: VerificationResult, *, channel: str, actor: Actor) -> int:
    """Write the log entry for ``result`` (committed when this returns); its id."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    document = result.document if isinstance(result.document, dict) else None
    entry = {
        "created_at": utcnow(),
        "actor": actor.name,
        "officer_id": actor.officer_id,
        "office_code": actor.office_code,
        "channel": channel,
        "certificate_number": _text(_certificate_number(result, document), 64),
        "issuer": _text(_issuer_name(result, document), 200),
        "verdict": result.verdict.value,
        "reason_code": _reason_code(result),
        "result_json": json.dumps(
            {"result": result.to_json(), "document": document}, sort_keys=True, default=str
        ),
    }
    db.release()
    return _per_process().get()[1].add(entry)


def record_attempt(
    outcome: str,
    *,
    channel: str,
    actor: Actor,
    reason_code: str,
    message: str,
    number: str | None = None,
) -> int:
    """Log an attempt that reached no verdict (an unknown number, an unreadable photo or PDF),
    so the log shows who asked about what, and how, even when there was nothing to verify."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    if outcome not in ATTEMPT_OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    result = {"verdict": outcome, "summary": message, "checks": [], "evidence": {}, "withheld": []}
    entry = {
        "created_at": utcnow(),
        "actor": actor.name,
        "officer_id": actor.officer_id,
        "office_code": actor.office_code,
        "channel": channel,
        "certificate_number": _text(number, 64),
        "issuer": None,
        "verdict": outcome,
        "reason_code": reason_code[:64],
        "result_json": json.dumps({"result": result, "document": None}, sort_keys=True),
    }
    db.release()
    return _per_process().get()[1].add(entry)


def stored_result(entry: Verification) -> dict[str, Any]:
    """The result as recorded: ``{"result": VerificationResult.to_json(), "document": ...}``.

    Read with the bounded reader; text that cannot be shown (a lone surrogate, stored before
    they were refused at input) is shown as U+FFFD, so an old entry's page always renders.
    """
    text = entry.result_json
    try:
        return load_json(text, max_bytes=_MAX_STORED)
    except DocumentError as exc:
        if exc.code != "json_not_utf8":
            _log.error("log entry %s cannot be read: %s", entry.id, exc)
            return {"result": {}, "document": None}
    try:
        return load_json(_LONE_ESCAPE.sub(r"\\ufffd", text), max_bytes=_MAX_STORED)
    except DocumentError as exc:
        _log.error("log entry %s cannot be read: %s", entry.id, exc)
        return {"result": {}, "document": None}


_MAX_STORED = 64 * 1024 * 1024  # written by us: the result and a document of at most 1 MB
# a \uD800-\uDBFF escape not followed by a low one, or a \uDC00-\uDFFF escape not after a high one
_LONE_ESCAPE = re.compile(
    r"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    r"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)


def _storable(entry: dict[str, Any]) -> dict[str, Any]:
    """``entry`` with every text encodable as UTF-8 (a lone surrogate becomes U+FFFD)."""
    return {k: _clean(v) if isinstance(v, str) else v for k, v in entry.items()}


_SURROGATE = re.compile("[\ud800-\udfff]")  # in a str, every surrogate is a lone one


def _clean(text: str) -> str:
    return _SURROGATE.sub("\ufffd", text)


def _reason_code(result: VerificationResult) -> str:
    for status in (CheckStatus.FAILED, CheckStatus.SKIPPED):
        for check in result.checks:
            if check.status is status:
                return check.code[:64]
    return "all_checks_passed"


def _certificate_number(result: VerificationResult, document: dict[str, Any] | None) -> Any:
    if document is not None and document.get("number"):
        return document["number"]
    shown = result.evidence.get("certificate")  # a QR reference names its certificate there
    return shown.get("number") if isinstance(shown, dict) else None


def _issuer_name(result: VerificationResult, document: dict[str, Any] | None) -> Any:
    issuer = result.evidence.get("issuer")
    if isinstance(issuer, dict) and issuer.get("name"):
        return issuer["name"]
    body = document.get("issuing_body") if document is not None else None
    return body.get("name") if isinstance(body, dict) else None


def _text(value: Any, limit: int) -> str | None:
    return _clean(value[:limit]) if isinstance(value, str) and value else None
