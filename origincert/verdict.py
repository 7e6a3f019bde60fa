"""The verification result: a verdict word, ordered named checks and the evidence.

Pure data. A result has no truthiness on purpose (``bool(result)`` raises), so that nobody writes
``if verify(...):`` and mistakes an UNCONFIRMED or INVALID certificate for a good one.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Verdict", "CheckStatus", "Check", "VerificationResult"]


class Verdict(enum.Enum):
    """One word on top of the checks, worst first in ``SEVERITY``."""

    VALID = "VALID"
    INVALID = "INVALID"  # forged, altered, wrong signer, bad proof, not anchored, wrong network
    REVOKED = "REVOKED"  # the issuing body or its authority revoked it
    REPLACED = "REPLACED"  # superseded by another certificate
    EXPIRED = "EXPIRED"  # outside its validity window
    SUSPECT = "SUSPECT"  # the issuer was later withdrawn for fraud or is suspended
    UNCONFIRMED = "UNCONFIRMED"  # everything checkable offline passed; the chain was not consulted
    MALFORMED = "MALFORMED"  # not a certificate file at all

    def __bool__(self) -> bool:  # pragma: no cover - the guard is the point
        raise TypeError("a Verdict has no truth value: compare with Verdict.VALID")


class CheckStatus(enum.Enum):
    OK = "ok"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class Check:
    """One named check: ``name`` (e.g. ``integrity``), status, a stable ``code`` and a sentence."""

    name: str
    status: CheckStatus
    code: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "status": self.status.value, "code": self.code, "message": self.message}


@dataclass(frozen=True, slots=True)
class VerificationResult:
    verdict: Verdict
    checks: tuple[Check, ...]
    evidence: dict[str, Any] = field(default_factory=dict)
    # the certificate as shown (withheld fields absent), and the withheld field paths
    document: dict[str, Any] | None = None
    withheld: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        raise TypeError("a VerificationResult has no truth value: test result.verdict is Verdict.VALID")

    @property
    def is_valid(self) -> bool:
        return self.verdict is Verdict.VALID

    def failed(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if c.status is CheckStatus.FAILED)

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict.value,
            "checks": [c.to_json() for c in self.checks],
            "evidence": self.evidence,
            "withheld": list(self.withheld),
        }
