"""What every Data Integrity proof shares: options, the proof configuration, the hashing."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from origincert.interop.errors import ProofError

__all__ = ["ProofOptions", "proof_config", "sha256", "unsecured"]

_XSD_DATETIME = re.compile(r"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


@dataclass(frozen=True)
class ProofOptions:
    """The signed parts of a proof other than its value (VC Data Integrity 1.0, 2.1)."""

    cryptosuite: str
    verification_method: str
    created: str | None = None
    proof_purpose: str = "assertionMethod"

    def as_proof(self) -> dict[str, Any]:
        proof: dict[str, Any] = {"type": "DataIntegrityProof", "cryptosuite": self.cryptosuite}
        if self.created is not None:
            proof["created"] = self.created
        proof["verificationMethod"] = self.verification_method
        proof["proofPurpose"] = self.proof_purpose
        return proof


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def unsecured(document: dict[str, Any]) -> dict[str, Any]:
    """The document without its ``proof`` (a shallow copy; the input is never changed)."""
    return {k: v for k, v in document.items() if k != "proof"}


def proof_config(proof: dict[str, Any], document: dict[str, Any], cryptosuite: str) -> dict:
    """The proof without ``proofValue``, under the document's ``@context``, checked as the spec says."""
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != cryptosuite:
        raise ProofError(
            f"the proof is not a DataIntegrityProof with cryptosuite {cryptosuite}",
            code="proof_type_unsupported",
        )
    created = proof.get("created")
    if created is not None and (not isinstance(created, str) or not _XSD_DATETIME.match(created)):
        raise ProofError(
            "the proof's created is not an XML Schema dateTime", code="proof_malformed"
        )
    if "@context" not in document:
        raise ProofError("the document has no @context", code="context_missing")
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    config["@context"] = document["@context"]
    return config
