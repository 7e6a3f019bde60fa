"""The verification result: a verdict word, ordered named checks and the evidence.

Pure data. A result has no truthiness on purpose (``bool(result)`` raises), so that nobody writes
``if verify(...):`` and mistakes an UNCONFIRMED or INVALID certificate for a good one.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["SEVERITY", "Check", "CheckStatus", "Verdict", "VerificationResult", "worst"]


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
    UNREADABLE = "UNREADABLE"  # no QR code could be read from a photo or PDF: take it again

    def __bool__(self) -> bool:  # pragma: no cover - the guard is the point
        raise TypeError("a Verdict has no truth value: compare with Verdict.VALID")


# Worst first: when several checks fail, the verdict is the worst of the words they point to.
# A revocation is a definite act, so it outranks a doubt about the issuer; a doubt about the issuer
# outranks a replacement or an expiry, which are ordinary ends of a lawful certificate.
SEVERITY: tuple[Verdict, ...] = (
    Verdict.UNREADABLE,
    Verdict.MALFORMED,
    Verdict.INVALID,
    Verdict.REVOKED,
    Verdict.SUSPECT,
    Verdict.REPLACED,
    Verdict.EXPIRED,
    Verdict.UNCONFIRMED,
    Verdict.VALID,
)


def worst(verdicts: Iterable[Verdict]) -> Verdict:
    """The most severe of ``verdicts`` (VALID for none)."""
    return min(verdicts, key=SEVERITY.index, default=Verdict.VALID)


class CheckStatus(enum.Enum):
    OK = "ok"
    FAILED = "failed"
    SKIPPED = "skipped"

    def __bool__(self) -> bool:  # pragma: no cover - the guard is the point
        raise TypeError("a CheckStatus has no truth value: compare with CheckStatus.OK")


@dataclass(frozen=True, slots=True)
class Check:
    """One named check: ``name`` (e.g. ``integrity``), status, a stable ``code`` and a sentence.

    ``fields`` names the certificate fields the check is about (the altered ones for integrity),
    so a portal can highlight them without parsing the sentence.
    """

    name: str
    status: CheckStatus
    code: str
    message: str
    fields: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "status": self.status.value,
            "code": self.code,
            "message": self.message,
        }
        if self.fields:
            out["fields"] = list(self.fields)
        return out


@dataclass(frozen=True, slots=True)
class VerificationResult:
    verdict: Verdict
    checks: tuple[Check, ...]
    evidence: dict[str, Any] = field(default_factory=dict)
    # the certificate as shown (withheld fields absent), and the withheld field paths
    document: dict[str, Any] | None = None
    withheld: tuple[str, ...] = ()
    # one sentence for people: what the verdict means for this certificate
    summary: str = ""

    def __bool__(self) -> bool:
        raise TypeError(
            "a VerificationResult has no truth value: test result.verdict is Verdict.VALID"
        )

    @property
    def is_valid(self) -> bool:
        return self.verdict is Verdict.VALID

    def failed(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if c.status is CheckStatus.FAILED)

    def check(self, name: str) -> Check:
        """The check called ``name``; KeyError when the verifier did not run it."""
        for c in self.checks:
            if c.name == name:
                return c
        raise KeyError(name)

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict.value,
            "summary": self.summary,
            "checks": [c.to_json() for c in self.checks],
            "evidence": self.evidence,
            "withheld": list(self.withheld),
        }
