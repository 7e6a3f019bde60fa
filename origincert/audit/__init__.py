"""The auditor: replay the ledger from its events, rebuild the state independently, check every
rule the contracts are meant to enforce, cross-check with the contracts' views, reconcile issuers'
archives, and report (JSON, CSV, one self-contained HTML page).

>>> from origincert.audit import AuditOptions, run_audit          # doctest: +SKIP
>>> result = run_audit(client, AuditOptions(archives=(Path("archive"),)))  # doctest: +SKIP
>>> [f.code for f in result.findings]                              # doctest: +SKIP
[]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from origincert.audit.findings import Finding, Severity

if TYPE_CHECKING:
    from origincert.audit.run import AuditOptions, AuditResult, run_audit

__all__ = ["AuditOptions", "AuditResult", "Finding", "Severity", "run_audit"]


def __getattr__(name: str) -> Any:
    """The runner is imported on first use: archive-reading workers import this package and
    must not pay for web3."""
    if name in ("AuditOptions", "AuditResult", "run_audit"):
        from origincert.audit import run

        return getattr(run, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
