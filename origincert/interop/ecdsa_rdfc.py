"""The ``ecdsa-rdfc-2019`` cryptosuite with P-256 (W3C Data Integrity ECDSA Cryptosuites 1.0, 3.2).

Sign: canonicalize the proof configuration and the document (RDFC-1.0), hash each with
SHA-256, sign ``proofHash || docHash`` with ES256; the value is base58btc multibase.
"""

from __future__ import annotations

from typing import Any

import multibase

from origincert.interop.errors import ProofError
from origincert.interop.loader import OfflineLoader
from origincert.interop.multikey import decode_multibase
from origincert.interop.p256 import P256KeyPair, verify_p256
from origincert.interop.proofs import ProofOptions, proof_config, sha256, unsecured
from origincert.interop.rdf import canonicalize

__all__ = ["CRYPTOSUITE", "hash_data", "sign_rdfc", "verify_rdfc"]

CRYPTOSUITE = "ecdsa-rdfc-2019"


def hash_data(document: dict[str, Any], proof: dict[str, Any], loader: OfflineLoader) -> bytes:
    """``sha256(canonical proof config) || sha256(canonical document)``: what is signed."""
    config = proof_config(proof, document, CRYPTOSUITE)
    proof_hash = sha256("".join(canonicalize(config, loader)).encode("utf-8"))
    doc_hash = sha256("".join(canonicalize(unsecured(document), loader)).encode("utf-8"))
    return proof_hash + doc_hash


def sign_rdfc(
    document: dict[str, Any], key: P256KeyPair, options: ProofOptions, loader: OfflineLoader
) -> dict[str, Any]:
    """A copy of ``document`` secured with an ecdsa-rdfc-2019 proof (the input is unchanged)."""
    if "proof" in document:
        raise ProofError(
            "the document already carries a proof; proof sets are refused", code="proof_set"
        )
    proof = options.as_proof()
    signature = key.sign(hash_data(document, proof, loader))
    proof["proofValue"] = multibase.encode("base58btc", signature).decode("ascii")
    return {**document, "proof": proof}


def verify_rdfc(document: dict[str, Any], public_multikey: str, loader: OfflineLoader) -> bool:
    """True when the document's single ecdsa-rdfc-2019 proof verifies with ``public_multikey``.

    Resolving the verification method to the key (and checking it belongs to the issuer) is
    the caller's job; malformed proofs raise ``ProofError``.
    """
    proof = document.get("proof")
    if not isinstance(proof, dict):
        raise ProofError("the document has no single proof object", code="proof_missing")
    signature = decode_multibase(proof.get("proofValue", ""), expected_prefix="z")
    return verify_p256(public_multikey, hash_data(unsecured(document), proof, loader), signature)
