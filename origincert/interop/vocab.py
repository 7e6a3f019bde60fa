"""The origincert JSON-LD context for certificates of origin, built from the model and ``TERMS``.

Every term is defined explicitly (no ``@vocab``: an undefined term must be an error, not a
statement in someone else's namespace) and protected. ``name`` and ``description`` come from
the VC 2.0 context (schema.org), which protects them. The shipped file
``contexts/origincert-coo-v1.jsonld`` is this function's output; a test keeps them equal.
"""

from __future__ import annotations

from typing import Any

from origincert.interop.mapping import ANCHOR_TYPE, SUBJECT_TYPE, model_paths, term_path

__all__ = ["CREDENTIAL_TYPE", "NAMESPACE", "build_context", "model_paths"]

NAMESPACE = "https://origincert.org/ns/coo#"
CREDENTIAL_TYPE = "CertificateOfOriginCredential"
_FROM_VC = frozenset({"name", "description"})
_LISTS = {"includedConsignmentItems"}


def build_context() -> dict[str, Any]:
    """The context document (``{"@context": {...}}``)."""
    terms: dict[str, Any] = {"@protected": True}
    for type_name in (CREDENTIAL_TYPE, SUBJECT_TYPE, ANCHOR_TYPE):
        terms[type_name] = NAMESPACE + type_name
    for path in model_paths():
        term = term_path(path)
        if term in _FROM_VC:
            continue
        terms[term] = (
            {"@id": NAMESPACE + term, "@container": "@set"} if term in _LISTS else NAMESPACE + term
        )
    terms["ledgerAnchor"] = {"@id": NAMESPACE + "ledgerAnchor", "@type": "@json"}
    terms["fieldSalts"] = {"@id": NAMESPACE + "fieldSalts", "@container": "@set"}
    terms["fieldPath"] = NAMESPACE + "fieldPath"
    terms["salt"] = NAMESPACE + "salt"
    return {"@context": terms}
