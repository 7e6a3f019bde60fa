"""A certificate as a W3C Verifiable Credential 2.0 secured with ecdsa-sd-2023, and back.

``export_credential`` signs a base proof (for the holder: the exporter); ``derive_credential``
is the holder's redaction (hide fields and their salts); ``import_credential`` gives back the
issued file with the same document and target hash. Pure: keys and loader are passed in.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from origincert.fields import flatten
from origincert.interop.ecdsa_sd import derive_sd, sign_sd_base
from origincert.interop.errors import InteropError
from origincert.interop.loader import CREDENTIALS_V2, ORIGINCERT_COO_V1, OfflineLoader
from origincert.interop.mapping import (
    MANDATORY_FIELDS,
    document_to_subject,
    evidence_of,
    issued_from,
    pointer_of,
    subject_to_document,
)
from origincert.interop.p256 import P256KeyPair
from origincert.interop.proofs import ProofOptions
from origincert.interop.vocab import CREDENTIAL_TYPE
from origincert.redact import covers

__all__ = [
    "CONTEXT",
    "StatusEntry",
    "build_credential",
    "derive_credential",
    "export_credential",
    "import_credential",
    "mandatory_pointers",
]

CONTEXT = [CREDENTIALS_V2, ORIGINCERT_COO_V1]
_ENVELOPE_POINTERS = (
    "/issuer",
    "/validFrom",
    "/validUntil",
    "/credentialStatus",
    "/evidence/type",
    "/evidence/ledgerAnchor",
)


@dataclass(frozen=True)
class StatusEntry:
    """Where a verifier finds this certificate's revocation bit (Bitstring Status List 1.0)."""

    list_url: str
    index: int
    purpose: str = "revocation"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": f"{self.list_url}#{self.index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": self.purpose,
            "statusListIndex": str(self.index),
            "statusListCredential": self.list_url,
        }


def build_credential(
    issued: Mapping[str, Any], issuer_did: str, status: StatusEntry | None
) -> dict[str, Any]:
    """The unsigned credential of an issued file (full or redacted copy)."""
    document = issued.get("document")
    if not isinstance(document, dict):
        raise InteropError("the issued file has no document", code="issued_malformed")
    if any(item is None for item in document.get("goods") or []):
        raise InteropError(
            "a file with a hidden goods item cannot be exported as a credential; export the full copy",
            code="vc_hidden_item_unsupported",
        )
    evidence = evidence_of(issued)
    vc: dict[str, Any] = {
        "@context": list(CONTEXT),
        "type": ["VerifiableCredential", CREDENTIAL_TYPE],
        "issuer": issuer_did,
        "validFrom": f"{document['issue_date']}T00:00:00Z",
    }
    if isinstance(document.get("valid_until"), str):
        vc["validUntil"] = f"{document['valid_until']}T23:59:59Z"
    vc["credentialSubject"] = document_to_subject(document)
    if status is not None:
        vc["credentialStatus"] = status.to_json()
    vc["evidence"] = evidence
    return vc


def mandatory_pointers(vc: Mapping[str, Any]) -> list[str]:
    """What every derived credential must show: envelope, evidence anchor, the never-withheld
    fields, and each goods item's number (so items keep their positions when others are hidden)."""
    subject = vc["credentialSubject"]
    pointers = [p for p in _ENVELOPE_POINTERS if p.split("/")[1] in vc]
    document = subject_to_document(subject)
    pointers += [pointer_of(f) for f in MANDATORY_FIELDS if f in document]
    items = subject.get("includedConsignmentItems", [])
    pointers += [pointer_of(f"goods[{i}].item_number") for i in range(len(items))]
    return pointers


def export_credential(
    issued: Mapping[str, Any],
    *,
    key: P256KeyPair,
    issuer_did: str,
    verification_method: str,
    created: str,
    status: StatusEntry | None,
    loader: OfflineLoader,
) -> dict[str, Any]:
    """The issued file as a VC with an ecdsa-sd-2023 base proof by the chamber's VC key."""
    if not verification_method.startswith(issuer_did + "#"):
        raise InteropError(
            "the verification method must belong to the issuer's DID", code="issuer_mismatch"
        )
    vc = build_credential(issued, issuer_did, status)
    options = ProofOptions("ecdsa-sd-2023", verification_method, created)
    return sign_sd_base(vc, key, options, mandatory_pointers(vc), loader)


def derive_credential(
    vc: Mapping[str, Any], hide: Sequence[str], loader: OfflineLoader
) -> dict[str, Any]:
    """A derived credential that hides the fields ``hide`` names (model paths or prefixes).

    Each hidden value goes with its salt; a never-withheld field cannot be hidden.
    """
    document = subject_to_document(vc["credentialSubject"])
    paths = list(flatten(document))
    for prefix in hide:
        if any(covers(prefix, f) or covers(f, prefix) for f in MANDATORY_FIELDS):
            raise InteropError(f"{prefix} is never withheld", code="field_mandatory")
        if prefix.endswith("item_number") or not any(covers(prefix, p) for p in paths):
            raise InteropError(f"{prefix} names no field that can be hidden", code="field_unknown")

    def always(p: str) -> bool:
        return any(covers(f, p) for f in MANDATORY_FIELDS) or bool(
            re.fullmatch(r"goods\[\d+\]\.item_number", p)
        )

    shown = [p for p in paths if always(p) or not any(covers(h, p) for h in hide)]
    selective = [pointer_of(p) for p in shown]
    salts = vc["evidence"].get("fieldSalts", [])
    selective += [
        f"/evidence/fieldSalts/{i}"
        for i, entry in enumerate(salts)
        if isinstance(entry, dict) and entry.get("fieldPath") in shown
    ]
    for extra in ("/type", "/credentialSubject/type"):
        selective.append(extra)
    return derive_sd(copy.deepcopy(dict(vc)), selective, loader)


def import_credential(vc: Mapping[str, Any]) -> dict[str, Any]:
    """The issued file inside a credential (its proof not checked here: verify first)."""
    subject = vc.get("credentialSubject")
    if not isinstance(subject, dict):
        raise InteropError("the credential has no credentialSubject object", code="vc_malformed")
    return issued_from(subject, vc.get("evidence"))
