"""The words of the credential path (check labels, log channels), apart so that the render and
log modules can use them without importing the verification machinery."""

from __future__ import annotations

from origincert.portal.catalogue import N_

__all__ = ["VC_CHANNELS", "VC_CHECK_LABELS", "VC_SENTENCES", "vc_sentence"]

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

# What a credential check says, by (check, code), marked for translation: the library's sentences
# are English, and an officer reading German should not get them.
VC_SENTENCES = {
    ("vc_format", "ok"): N_("The credential has the expected shape and contexts."),
    ("vc_terms", "ok"): N_("Every property is defined by the known contexts."),
    ("vc_issuer", "ok"): N_("The credential was signed with a key of its issuer."),
    ("vc_key", "ok"): N_("The key is the trusted issuer's, bound to its ledger account."),
    ("vc_proof", "ok"): N_("The credential's signature verifies."),
    ("vc_dates", "ok"): N_("The credential's validity dates are the certificate's."),
    ("vc_content", "ok"): N_("Every field of the UNTP credential is the anchored certificate's."),
    ("vc_key_registered", "ok"): N_(
        "The ledger registered this credential key for the issuer when it anchored."
    ),
    ("vc_key_registered", "vc_key_registry_not_consulted"): N_(
        "The ledger was not asked about the credential key; the trust list vouches for it."
    ),
    ("vc_key_registered", "vc_key_unregistered"): N_(
        "The ledger has no record of this credential key for any issuer."
    ),
    ("vc_key_registered", "vc_key_other_issuer"): N_(
        "The ledger registered this credential key for another issuer."
    ),
    ("vc_key_registered", "vc_key_registered_after_issue"): N_(
        "The issuer registered this credential key only after the certificate was anchored."
    ),
    ("vc_key_registered", "vc_key_retired"): N_(
        "The issuer had retired this credential key before the certificate was anchored."
    ),
    ("vc_status", "ok"): N_("The issuer's status list shows the certificate as active."),
    ("vc_status", "status_revoked"): N_(
        "The issuer's status list marks this certificate as revoked."
    ),
    ("vc_status", "status_absent"): N_("The credential names no status list."),
    ("vc_status", "status_list_not_configured"): N_(
        "No status lists are configured here; revocation is read from the ledger."
    ),
    ("vc_status", "status_list_unknown"): N_(
        "The credential's status list is not held here; revocation is read from the ledger."
    ),
    ("vc_proof", "proof_invalid"): N_("The credential's signature does not verify."),
    ("vc_proof", "jwt_signature_invalid"): N_("The credential's signature does not verify."),
    ("vc_key", "key_unknown"): N_(
        "The credential's key is not a trusted issuer's (its DID is not in the trust list)."
    ),
    ("vc_key", "key_not_bound"): N_(
        "The issuer's DID document does not name the ledger account that signed the anchor."
    ),
    ("vc_issuer", "issuer_mismatch"): N_(
        "The credential was signed with a key of another DID than its issuer."
    ),
    ("vc_content", "dcc_mismatch"): N_(
        "The UNTP credential says something the certificate it carries does not."
    ),
}


def vc_sentence(name: str, code: str) -> str | None:
    """The marked sentence for a credential check, None for any other check or code."""
    return VC_SENTENCES.get((name, code))
