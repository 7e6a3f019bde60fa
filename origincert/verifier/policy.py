"""One interface for every check, the runner that applies an ordered list of them, and the verdict.

A check is a small named policy: ``evaluate(ctx) -> Check``. The runner owns the rules every check
shares, so no check can forget them: a check whose prerequisite did not pass is skipped
(``not_checked``); a check that needs the ledger is skipped offline (``offline``); a check that
needs the certificate's content is skipped for a QR reference (``reference_only``).

The verdict can be VALID only when every mandatory check ran and passed: a shorter list, an
offline run or a reference can at best be UNCONFIRMED.
"""

from __future__ import annotations

import abc
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from origincert.verdict import Check, CheckStatus, Verdict, worst
from origincert.verifier.codes import verdict_for_code
from origincert.verifier.facts import LedgerFacts
from origincert.verifier.subject import FormatProblem, IssuedFile, Reference

__all__ = [
    "MANDATORY",
    "NOT_CHECKED",
    "OFFLINE",
    "REFERENCE_ONLY",
    "Context",
    "Network",
    "Policy",
    "continue_policies",
    "run_policies",
    "split_at_ledger",
    "verdict_for_code",
    "verdict_of",
]

NOT_CHECKED = "not_checked"  # a prerequisite did not pass
OFFLINE = "offline"  # the ledger was not consulted
REFERENCE_ONLY = "reference_only"  # a QR reference carries no content to check

# Every check a VALID verdict needs, in their order.
MANDATORY: tuple[str, ...] = (
    "format",
    "schema",
    "integrity",
    "merkle",
    "signature",
    "network",
    "anchored",
    "issuer_known",
    "issuer_accredited",
    "not_revoked",
    "not_replaced",
    "validity",
)


@dataclass(frozen=True, slots=True)
class Network:
    """The ledger this verifier trusts: the manifest's chain id and CertificateRegistry address."""

    chain_id: int
    registry: str  # lowercase 0x address


@dataclass(frozen=True, slots=True)
class Context:
    """What a check may look at. ``subject`` is None when the input could not be parsed."""

    subject: IssuedFile | Reference | None
    problem: FormatProblem | None
    network: Network | None  # None: offline without a manifest
    ledger: LedgerFacts | None  # None: offline
    on: date  # the day validity is judged for
    done: Mapping[str, Check]  # the checks run so far, by name


class Policy(abc.ABC):
    """A named check. Subclasses set ``name`` and ``requires`` and implement ``evaluate``."""

    name: ClassVar[str]
    requires: ClassVar[tuple[str, ...]] = ()  # checks that must pass first
    needs_ledger: ClassVar[bool] = False
    needs_content: ClassVar[bool] = True  # False: also meaningful for a QR reference
    needs_subject: ClassVar[bool] = True  # False: runs even when the input could not be parsed

    @abc.abstractmethod
    def evaluate(self, ctx: Context) -> Check:
        """Judge one certificate. Only called when prerequisites passed and inputs are there."""

    def ok(self, code: str, message: str, fields: Sequence[str] = ()) -> Check:
        return Check(self.name, CheckStatus.OK, code, message, tuple(fields))

    def fail(self, code: str, message: str, fields: Sequence[str] = ()) -> Check:
        return Check(self.name, CheckStatus.FAILED, code, message, tuple(fields))

    def skip(self, code: str, message: str) -> Check:
        return _skipped(self.name, code, message)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


@functools.lru_cache(maxsize=1024)
def _skipped(name: str, code: str, message: str) -> Check:
    """A skipped check is the same immutable value for every certificate it is skipped for (five
    of them for each certificate verified offline): made once, not once per certificate."""
    return Check(name, CheckStatus.SKIPPED, code, message)


def _unmet(requirement: str, done: Mapping[str, Check]) -> bool:
    c = done.get(requirement)
    if c is None or c.status is CheckStatus.FAILED:
        return True
    return c.status is CheckStatus.SKIPPED and c.code in (NOT_CHECKED, OFFLINE)


def run_policies(policies: Sequence[Policy], ctx: Context) -> tuple[Check, ...]:
    """Apply the policies in order; each sees the checks before it in ``ctx.done``."""
    if not policies:
        raise ValueError("a verifier needs at least one check: an empty list would pass anything")
    return tuple(continue_policies(policies, ctx, {}).values())


def continue_policies(
    policies: Sequence[Policy], ctx: Context, done: dict[str, Check]
) -> dict[str, Check]:
    """Apply ``policies`` after the checks already ``done`` (which it extends and returns).

    Lets a verifier run the checks before the first ledger check while the ledger is being read.
    """
    here = Context(ctx.subject, ctx.problem, ctx.network, ctx.ledger, ctx.on, done)
    for policy in policies:  # ``here.done`` is ``done``: each policy sees the checks before it
        done[policy.name] = _run_one(policy, here)
    return done


def split_at_ledger(policies: Sequence[Policy]) -> tuple[tuple[Policy, ...], tuple[Policy, ...]]:
    """The policies before the first one that needs the ledger, and the rest."""
    i = next((i for i, p in enumerate(policies) if p.needs_ledger), len(policies))
    return tuple(policies[:i]), tuple(policies[i:])


def _run_one(policy: Policy, ctx: Context) -> Check:
    if ctx.subject is None and policy.needs_subject:
        return policy.skip(NOT_CHECKED, "Not checked: the file is not a readable certificate file.")
    for requirement in policy.requires:
        if _unmet(requirement, ctx.done):
            return policy.skip(
                NOT_CHECKED, f"Not checked, because the {requirement} check did not pass."
            )
    if policy.needs_content and isinstance(ctx.subject, Reference):
        return policy.skip(
            REFERENCE_ONLY,
            "Not checked: the QR code carries only a reference; compare the paper with the issuing body's record.",
        )
    if (
        policy.needs_ledger
        and isinstance(ctx.subject, Reference)
        and policy.name != "anchored"
        and _unmet("merkle", ctx.done)
    ):  # issue 9 item 6: never "not revoked" or "in good standing" for an untied fingerprint
        return policy.skip(
            NOT_CHECKED,
            "Not checked: the reference's fingerprint could not be tied to an anchored batch.",
        )
    if policy.needs_ledger and ctx.ledger is None:
        return policy.skip(
            OFFLINE, "Not checked: the ledger was not consulted (offline verification)."
        )
    return policy.evaluate(ctx)


def verdict_of(checks: Sequence[Check]) -> Verdict:
    """The verdict word: the worst a failed check points to; VALID only if every mandatory check passed."""
    failed = [c for c in checks if c.status is CheckStatus.FAILED]
    if failed:
        return worst(verdict_for_code(c.code) for c in failed)
    passed = {c.name for c in checks if c.status is CheckStatus.OK}
    if all(c.status is CheckStatus.OK for c in checks) and passed.issuperset(MANDATORY):
        return Verdict.VALID
    return Verdict.UNCONFIRMED
