"""What an audit reports: findings with a stable code, a severity and where on the ledger to look.

A finding's ``code`` is ``<kind>.<what>`` (``anchor.not_accredited``); the kind is the family a
reader filters on (anchor, revocation, replacement, council, authority, issuer, ledger,
crosscheck, reconciliation, pattern). Every code, with its severity, lives in one table
(``origincert.audit.codes``); :func:`finding` builds a finding from it, and a ``Finding`` with a
code or severity the table does not give is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from origincert.audit.codes import FINDINGS, Severity

__all__ = ["Finding", "Severity", "finding", "utc", "worst"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One anomaly: ``code`` says what, ``message`` says it to a person, the rest says where."""

    code: str
    severity: Severity
    message: str
    tx_hash: str | None = None
    block: int | None = None
    issuer_id: int | None = None
    subject: str | None = None  # the root, leaf, key, proposal or file the finding is about
    details: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        known = FINDINGS.get(self.code)
        if known is None:
            raise ValueError(f"{self.code!r} is not a finding code (origincert.audit.codes)")
        if self.severity is not known.severity:
            raise ValueError(f"{self.code} is {known.severity.label}, not {self.severity.label}")

    @property
    def title(self) -> str:
        return FINDINGS[self.code].title

    @property
    def kind(self) -> str:
        return self.code.split(".", 1)[0]

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "kind": self.kind,
            "severity": self.severity.label,
            "message": self.message,
            "tx_hash": self.tx_hash,
            "block": self.block,
            "issuer_id": self.issuer_id,
            "subject": self.subject,
            "details": dict(self.details),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Finding:
        return cls(
            code=str(data["code"]),
            severity=Severity.parse(str(data["severity"])),
            message=str(data["message"]),
            tx_hash=data.get("tx_hash"),
            block=data.get("block"),
            issuer_id=data.get("issuer_id"),
            subject=data.get("subject"),
            details=dict(data.get("details") or {}),
        )


def finding(
    code: str,
    message: str,
    *,
    tx_hash: str | None = None,
    block: int | None = None,
    issuer_id: int | None = None,
    subject: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> Finding:
    """A finding of a registered ``code``, at the severity the table gives it."""
    known = FINDINGS.get(code)
    if known is None:
        raise ValueError(f"{code!r} is not a finding code (origincert.audit.codes)")
    return Finding(
        code, known.severity, message, tx_hash, block, issuer_id, subject, dict(details or {})
    )


def worst(findings: list[Finding]) -> Severity | None:
    """The highest severity among the findings, None when there are none."""
    return max((f.severity for f in findings), default=None)


def utc(timestamp: int) -> str:
    """A block timestamp as people read it: ``2026-03-01 14:05 UTC``."""
    return datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")
