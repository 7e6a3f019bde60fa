"""A QR code's text verified against what the portal holds: a reference is checked by its anchor.

A QR *reference* carries a certificate number and an anchor (target hash). The ledger vouches for
the anchor only; the number is the paper's claim. When the portal holds the file for that anchor
it verifies the file, and a reference whose number differs from the file's is INVALID with the
named check ``qr_number_mismatch``. When nothing is held, the sentence says that the number is
the paper's claim, not the ledger's.
"""

from __future__ import annotations

import dataclasses

from sqlalchemy.orm import Session

from origincert.portal import certindex, verification
from origincert.verdict import Check, CheckStatus, Verdict, VerificationResult

__all__ = ["MISMATCH", "verify_qr_text"]

MISMATCH = "qr_number_mismatch"


def verify_qr_text(dbs: Session, text: str) -> VerificationResult:
    """Verify a QR code's text as the portal best can (ChainUnavailable when the ledger is down)."""
    held = certindex.file_for_qr(dbs, text)
    if held is None:
        return verification.verify_qr(text)  # embedded, or not readable: the verifier says
    if held.raw is None:
        return _claim_only(verification.verify_qr(text), held.claimed)
    result = verification.verify_file(held.raw)
    return _mismatch(result, held) if held.number_differs else result


def _claim_only(result: VerificationResult, claimed: str) -> VerificationResult:
    """A reference the portal holds no file for: say whose word the number is."""
    if not any(c.code == "reference_only" for c in result.checks):
        return result
    return dataclasses.replace(
        result,
        summary=f"{result.summary} The number {claimed!r} is the paper's claim, not the "
        "ledger's: the ledger records the anchor, not the number, and this portal holds no "
        "file for this anchor to compare it with.",
    )


def _mismatch(genuine: VerificationResult, held: certindex.HeldReference) -> VerificationResult:
    """INVALID: the anchor is real but belongs to another certificate number."""
    message = (
        f"The QR code names certificate {held.claimed!r}, but its anchor belongs to certificate "
        f"{held.held_number}, whose file this portal holds. The number on the paper is not the "
        "one the anchor was issued for."
    )
    check = Check("reference", CheckStatus.FAILED, MISMATCH, message, fields=("number",))
    return dataclasses.replace(
        genuine,
        verdict=Verdict.INVALID,
        checks=(check, *genuine.checks),
        evidence={**genuine.evidence, "claimed_number": held.claimed},
        summary=f"Forged or altered. {message} The certificate shown is the genuine one for "
        "that anchor: compare it with the paper.",
    )
