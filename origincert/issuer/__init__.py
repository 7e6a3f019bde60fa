"""Issuing certificates of origin: the daily work of a chamber of commerce.

``pipeline`` is the pure core (documents -> commitments -> tree -> issued files), ``journal`` the
durable record that makes a crash harmless; the steps with the ledger are ``issuing`` (issue a
batch), ``actions`` (revoke, replace) and ``resuming`` (finish what a crash interrupted).

    with Journal.open(".origincert/journal.sqlite") as journal:
        files = issue_documents(client, signer, [document], journal=journal, out_dir="issued")

The names below are imported on first use (PEP 562), so a command that only shows its help or
reads a constant does not load web3 and SQLAlchemy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from origincert.issuer.actions import ActionResult, replace, revoke
    from origincert.issuer.errors import IssuingError, NotAccredited
    from origincert.issuer.issuing import IssueResult, issue_batch, issue_documents, issue_each
    from origincert.issuer.journal import BatchState, CertificateStatus, Journal, OtherJournals
    from origincert.issuer.pipeline import (
        PreparedCertificate,
        issued_file,
        prepare_certificate,
        safe_file_name,
    )
    from origincert.issuer.reasons import REVOCATION_REASONS, parse_reason
    from origincert.issuer.resuming import ResumeReport, resume

DEFAULT_JOURNAL = ".origincert/journal.sqlite"
"""Where a journal is kept unless told otherwise (a path: SQLite)."""

# public name -> the module of this package that defines it
_EXPORTS = {
    "ActionResult": "actions",
    "replace": "actions",
    "revoke": "actions",
    "IssuingError": "errors",
    "NotAccredited": "errors",
    "IssueResult": "issuing",
    "issue_batch": "issuing",
    "issue_documents": "issuing",
    "issue_each": "issuing",
    "BatchState": "journal",
    "CertificateStatus": "journal",
    "Journal": "journal",
    "OtherJournals": "journal",
    "PreparedCertificate": "pipeline",
    "issued_file": "pipeline",
    "prepare_certificate": "pipeline",
    "safe_file_name": "pipeline",
    "REVOCATION_REASONS": "reasons",
    "parse_reason": "reasons",
    "ResumeReport": "resuming",
    "resume": "resuming",
}

__all__ = [
    "DEFAULT_JOURNAL",
    "REVOCATION_REASONS",
    "ActionResult",
    "BatchState",
    "CertificateStatus",
    "IssueResult",
    "IssuingError",
    "Journal",
    "NotAccredited",
    "OtherJournals",
    "PreparedCertificate",
    "ResumeReport",
    "issue_batch",
    "issue_documents",
    "issue_each",
    "issued_file",
    "parse_reason",
    "prepare_certificate",
    "replace",
    "resume",
    "revoke",
    "safe_file_name",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # once imported, a plain attribute
    return value
