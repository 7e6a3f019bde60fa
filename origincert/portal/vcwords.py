"""The words of the credential path (check labels, log channels), apart so that the render and
log modules can use them without importing the verification machinery."""

from __future__ import annotations

from origincert.portal.catalogue import N_

__all__ = ["VC_CHANNELS", "VC_CHECK_LABELS"]

VC_CHANNELS = {
    "vc": N_("Verifiable Credential (W3C)"),
    "vc_jwt": N_("UNTP credential (JWT)"),
    "api_vc": N_("API: Verifiable Credential"),
    "api_vc_jwt": N_("API: UNTP credential"),
}

VC_CHECK_LABELS = {
    "vc_format": N_("Credential format"),
    "vc_terms": N_("Credential vocabulary"),
    "vc_issuer": N_("Credential issuer"),
    "vc_key": N_("Issuer's credential key"),
    "vc_proof": N_("Credential signature"),
    "vc_dates": N_("Credential dates"),
    "vc_content": N_("Credential content"),
    "vc_evidence": N_("Ledger evidence in the credential"),
    "vc_key_registered": N_("Credential key on the ledger"),
    "vc_status": N_("Issuer's status list"),
}
