"""Every reason code a check can give: which check, what it means, and (for a failure) the verdict.

Codes are stable: programs, logs and the portal's statistics rely on them. A new code is added
here first; a test runs the adversarial corpus and fails on any code missing from this table.
"""

from __future__ import annotations

from dataclasses import dataclass

from origincert.retake import READER_CODES
from origincert.verdict import CheckStatus, Verdict

__all__ = ["REASONS", "Reason", "verdict_for_code"]

OK, FAILED, SKIPPED = CheckStatus.OK, CheckStatus.FAILED, CheckStatus.SKIPPED


@dataclass(frozen=True, slots=True)
class Reason:
    check: str  # the check that gives it ("*" for the runner's own skips)
    status: CheckStatus
    meaning: str
    verdict: Verdict | None = None  # for failures: the verdict it points to


def _r(check: str, status: CheckStatus, meaning: str, verdict: Verdict | None = None) -> Reason:
    if status is CheckStatus.FAILED and verdict is None:
        verdict = Verdict.INVALID
    return Reason(check, status, meaning, verdict)


_M, _I = Verdict.MALFORMED, Verdict.INVALID

REASONS: dict[str, Reason] = {
    # the runner
    "not_checked": _r("*", SKIPPED, "a prerequisite check did not pass"),
    "offline": _r("*", SKIPPED, "the ledger was not consulted"),
    "reference_only": _r("*", SKIPPED, "a QR reference carries no content to check"),
    # format
    "format_ok": _r("format", OK, "an issued certificate file"),
    "reference": _r("format", OK, "a QR reference to a certificate"),
    # the portal's own check of a QR reference against the file it holds for the anchor
    "qr_number_mismatch": _r(
        "reference", FAILED, "a QR reference's number is not the number its anchor was issued for"
    ),
    "input_empty": _r("format", FAILED, "the input is empty", _M),
    "input_too_large": _r("format", FAILED, "the input exceeds the size limit", _M),
    "input_not_utf8": _r("format", FAILED, "the input is not UTF-8 text", _M),
    "input_not_json": _r(
        "format", FAILED, "the input is not valid JSON (or uses NaN/Infinity)", _M
    ),
    "input_duplicate_key": _r("format", FAILED, "a JSON object repeats a key", _M),
    "input_too_deep": _r("format", FAILED, "the JSON is nested too deeply", _M),
    "format_unknown": _r("format", FAILED, "no or another format marker", _M),
    "format_v1": _r(
        "format", FAILED, "a version 1 file, refused: its withheld fields are not bound", _M
    ),
    "withheld_forbidden": _r(
        "format", FAILED, "the file withholds a field that can never be withheld", _I
    ),
    "format_invalid": _r(
        "format", FAILED, "the file's structure or a proof value is malformed", _M
    ),
    "qr_unreadable": _r("format", FAILED, "no readable origincert QR code", _M),
    # the issued file attached to a PDF (origincert.pdfqr)
    "pdf_attachments_too_many": _r("format", FAILED, "the PDF lists too many attached files", _M),
    "pdf_attachment_ambiguous": _r(
        "format", FAILED, "the PDF has more than one certificate file attached", _M
    ),
    "pdf_attachment_too_large": _r(
        "format", FAILED, "the file attached to the PDF exceeds a certificate file's size", _M
    ),
    "pdf_qr_mismatch": _r(
        "format", FAILED, "the PDF's attached certificate file and its QR code differ", _I
    ),
    # a photo or PDF from which no QR code could be read: take it again (origincert.retake)
    **{
        code: _r("format", FAILED, meaning, Verdict.UNREADABLE)
        for code, meaning in READER_CODES.items()
    },
    # schema
    "schema_ok": _r("schema", OK, "a valid certificate of origin"),
    "schema_invalid": _r("schema", FAILED, "the document breaks the certificate model"),
    # integrity
    "integrity_ok": _r("integrity", OK, "every shown field is as issued"),
    "field_altered": _r("integrity", FAILED, "named fields differ from their issued hashes"),
    "field_added": _r("integrity", FAILED, "named fields were not in the issued certificate"),
    "field_removed": _r("integrity", FAILED, "named issued fields are missing"),
    "target_mismatch": _r("integrity", FAILED, "the content does not add up to the target hash"),
    "hash_list_mismatch": _r(
        "integrity", FAILED, "the content is authentic but the file's hash list was edited"
    ),
    "shape_mismatch": _r(
        "integrity", FAILED, "a list has more or fewer items than the certificate was issued with"
    ),
    "content_unreadable": _r(
        "integrity", FAILED, "the document holds something that cannot be hashed"
    ),
    # merkle
    "merkle_ok": _r("merkle", OK, "the certificate is in the anchored batch"),
    "leaf_mismatch": _r("merkle", FAILED, "the file's leaf is not its target hash's leaf"),
    "proof_invalid": _r("merkle", FAILED, "the proof does not lead to the root"),
    # signature
    "signature_ok": _r("signature", OK, "the root's signature recovers a key"),
    "signature_invalid": _r("signature", FAILED, "not a valid (canonical) signature"),
    "issuer_id_mismatch": _r(
        "signature",
        FAILED,
        "the document's ledger id is not the issuer id its batch was signed for",
    ),
    "signer_mismatch": _r(
        "signature", FAILED, "the signature recovers another key than the file names"
    ),
    # network
    "network_ok": _r("network", OK, "the file names the trusted chain and registry"),
    "no_manifest": _r("network", SKIPPED, "no manifest names the trusted ledger"),
    "wrong_chain": _r("network", FAILED, "the file names another chain id"),
    "wrong_registry": _r("network", FAILED, "the file names another CertificateRegistry"),
    # anchored
    "anchored": _r("anchored", OK, "the root is on the ledger"),
    "not_anchored": _r("anchored", FAILED, "the root was never anchored"),
    "batch_size_mismatch": _r(
        "anchored", FAILED, "the ledger's batch size differs from the file's"
    ),
    "anchor_tx_mismatch": _r("anchored", FAILED, "the file names another anchoring transaction"),
    "anchor_epoch_mismatch": _r(
        "anchored", FAILED, "the file's signed epoch is not the one the ledger recorded"
    ),
    # given by both the anchored and the issuer_known check
    "issuer_binding_mismatch": _r(
        "*", FAILED, "the body the document or file names is not the one that anchored it"
    ),
    "not_in_batch": _r(
        "anchored", FAILED, "a reference's fingerprint is not the anchored single certificate"
    ),
    # issuer_known
    "issuer_known": _r("issuer_known", OK, "the signing key belongs to the anchoring issuing body"),
    "signer_unknown": _r("issuer_known", FAILED, "the signing key belongs to no issuing body"),
    "issuer_mismatch": _r(
        "issuer_known", FAILED, "signed by one issuing body, anchored by another"
    ),
    "signer_not_anchorer": _r(
        "issuer_known", FAILED, "signed with another key than the one that anchored"
    ),
    "issuer_name_mismatch": _r(
        "issuer_known",
        FAILED,
        "the document names the issuing body by another name than the ledger",
    ),
    "issuer_economy_mismatch": _r(
        "issuer_known", FAILED, "the document names an issuing body of another economy"
    ),
    # issuer_accredited
    "accredited_at_issue": _r(
        "issuer_accredited", OK, "accredited when anchored (later ordinary ends noted)"
    ),
    "issuer_not_yet_valid_at_issue": _r(
        "issuer_accredited", FAILED, "accreditation had not started"
    ),
    "issuer_expired_at_issue": _r("issuer_accredited", FAILED, "accreditation had expired"),
    "issuer_suspended_at_issue": _r("issuer_accredited", FAILED, "the issuing body was suspended"),
    "issuer_withdrawn_at_issue": _r("issuer_accredited", FAILED, "the issuing body was withdrawn"),
    "issuer_fraud_at_issue": _r(
        "issuer_accredited", FAILED, "the issuing body was withdrawn for fraud"
    ),
    "key_not_yet_active_at_issue": _r("issuer_accredited", FAILED, "the key was registered later"),
    "key_retired_at_issue": _r("issuer_accredited", FAILED, "the key had been replaced"),
    "issuer_withdrawn_for_fraud": _r(
        "issuer_accredited", FAILED, "withdrawn for fraud since", Verdict.SUSPECT
    ),
    "issuer_suspended": _r("issuer_accredited", FAILED, "suspended now", Verdict.SUSPECT),
    # not_revoked
    "not_revoked": _r("not_revoked", OK, "neither the certificate nor its batch is revoked"),
    "root_revoked": _r("not_revoked", FAILED, "the whole batch was revoked", Verdict.REVOKED),
    "leaf_revoked": _r("not_revoked", FAILED, "the certificate was revoked", Verdict.REVOKED),
    # not_replaced
    "not_replaced": _r("not_replaced", OK, "not replaced"),
    "replaced": _r("not_replaced", FAILED, "replaced by another certificate", Verdict.REPLACED),
    # validity
    "within_validity": _r("validity", OK, "the day checked is within issue date .. valid until"),
    "validity_missing": _r("validity", FAILED, "the issue date or end of validity is not shown"),
    "expired": _r("validity", FAILED, "after valid_until", Verdict.EXPIRED),
    "before_issue_date": _r("validity", FAILED, "before the issue date", Verdict.EXPIRED),
}


def verdict_for_code(code: str) -> Verdict:
    """The verdict a failed check with ``code`` points to (INVALID for a code not listed: an
    unknown failure is never treated as a soft one)."""
    reason = REASONS.get(code)
    return reason.verdict if reason is not None and reason.verdict is not None else _I
