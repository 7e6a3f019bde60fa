"""The auditor: replay the ledger from its events, rebuild the state independently, check every
rule the contracts are meant to enforce, cross-check with the contracts' views, reconcile issuers'
archives, and report (JSON, CSV, one self-contained HTML page).

>>> from origincert.audit import AuditOptions, run_audit          # doctest: +SKIP
>>> result = run_audit(client, AuditOptions(archives=(Path("archive"),)))  # doctest: +SKIP
>>> [f.code for f in result.findings]                              # doctest: +SKIP
[]
"""

from origincert.audit.findings import Finding, Severity
from origincert.audit.run import AuditOptions, AuditResult, run_audit

__all__ = ["AuditOptions", "AuditResult", "Finding", "Severity", "run_audit"]
