"""Issuing certificates of origin: the daily work of a chamber of commerce.

``pipeline`` is the pure core (documents -> commitments -> tree -> issued files), ``journal`` the
durable record that makes a crash harmless, ``workflows`` the steps with the ledger (issue,
resume, revoke, replace).

    with Journal.open(".origincert/journal.sqlite") as journal:
        files = issue_documents(client, signer, [document], journal=journal, out_dir="issued")
"""

from origincert.issuer.errors import IssuingError, NotAccredited
from origincert.issuer.journal import DEFAULT_JOURNAL, BatchState, CertificateStatus, Journal
from origincert.issuer.pipeline import (
    PreparedCertificate,
    issued_file,
    prepare_certificate,
    safe_file_name,
)
from origincert.issuer.reasons import REVOCATION_REASONS, parse_reason
from origincert.issuer.workflows import (
    ActionResult,
    IssueResult,
    ResumeReport,
    issue_batch,
    issue_documents,
    issue_each,
    replace,
    resume,
    revoke,
)

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
