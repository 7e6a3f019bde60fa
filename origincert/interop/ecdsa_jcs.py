"""The ``ecdsa-jcs-2019`` cryptosuite with P-256 (W3C Data Integrity ECDSA Cryptosuites 1.0, 3.3).

Like ecdsa-rdfc-2019 but canonicalized with JCS (RFC 8785) instead of RDF: no JSON-LD
processing, so it needs no context loader. The proof carries the document's ``@context``.
"""

from __future__ import annotations

from typing import Any

import multibase
import rfc8785

from origincert.interop.errors import ProofError
from origincert.interop.multikey import decode_multibase
from origincert.interop.p256 import P256KeyPair, verify_p256
from origincert.interop.proofs import ProofOptions, proof_config, sha256, unsecured

__all__ = ["CRYPTOSUITE", "hash_data", "sign_jcs", "verify_jcs"]

CRYPTOSUITE = "ecdsa-jcs-2019"


def hash_data(document: dict[str, Any], proof: dict[str, Any]) -> bytes:
    """``sha256(JCS(proof config)) || sha256(JCS(document))``."""
    if "@context" in proof and proof["@context"] != document.get("@context"):
        raise ProofError("the proof's @context differs from the document's", code="proof_malformed")
    config = proof_config(proof, document, CRYPTOSUITE)
    return sha256(rfc8785.dumps(config)) + sha256(rfc8785.dumps(unsecured(document)))


def sign_jcs(document: dict[str, Any], key: P256KeyPair, options: ProofOptions) -> dict[str, Any]:
    """A copy of ``document`` secured with an ecdsa-jcs-2019 proof."""
    if "proof" in document:
        raise ProofError(
            "the document already carries a proof; proof sets are refused", code="proof_set"
        )
    proof = options.as_proof()
    if "@context" in document:
        proof["@context"] = document["@context"]
    signature = key.sign(hash_data(document, proof))
    proof["proofValue"] = multibase.encode("base58btc", signature).decode("ascii")
    return {**document, "proof": proof}


def verify_jcs(document: dict[str, Any], public_multikey: str) -> bool:
    """True when the document's ecdsa-jcs-2019 proof verifies with ``public_multikey``."""
    proof = document.get("proof")
    if not isinstance(proof, dict):
        raise ProofError("the document has no single proof object", code="proof_missing")
    signature = decode_multibase(proof.get("proofValue", ""), expected_prefix="z")
    return verify_p256(public_multikey, hash_data(unsecured(document), proof), signature)
