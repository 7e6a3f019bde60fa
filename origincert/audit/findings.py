"""What an audit reports: findings with a stable code, a severity and where on the ledger to look.

A finding's ``code`` is ``<kind>.<what>`` (``anchor.not_accredited``); the kind is the family a
reader filters on (anchor, revocation, replacement, council, authority, issuer, ledger,
crosscheck, reconciliation, pattern). Codes are stable: schedulers and dashboards key on them.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

__all__ = ["Finding", "Severity", "utc", "worst"]


class Severity(enum.IntEnum):
    """Ordered, so ``--fail-on warning`` means warning or worse."""

    INFO = 1
    WARNING = 2
    CRITICAL = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.upper()]


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


def worst(findings: list[Finding]) -> Severity | None:
    """The highest severity among the findings, None when there are none."""
    return max((f.severity for f in findings), default=None)


def utc(timestamp: int) -> str:
    """A block timestamp as people read it: ``2026-03-01 14:05 UTC``."""
    return datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")
