"""The ``ecdsa-sd-2023`` cryptosuite with P-256 (W3C Data Integrity ECDSA Cryptosuites 1.0, 3.3-3.5).

The issuer signs each non-mandatory statement with a one-time key and binds that key and the
mandatory statements with its own key (base proof). A holder reveals a subset (derived proof)
without the issuer; a verifier checks the derived proof. Blank nodes are relabelled by an HMAC
so hidden statements cannot be guessed from their labels.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import cbor2

from origincert.interop.errors import ProofError
from origincert.interop.loader import OfflineLoader
from origincert.interop.multikey import P256_PUB_HEADER, decode_public_multikey_bytes
from origincert.interop.p256 import P256KeyPair, generate_key_pair, verify_p256
from origincert.interop.proofs import ProofOptions, proof_config, sha256, unsecured
from origincert.interop.rdf import canonicalize, canonicalize_nquads, to_nquads
from origincert.interop.sd_primitives import (
    b64url,
    b64url_decode,
    canonicalize_and_group,
    hmac_label_map_factory,
    label_map_factory,
    label_replacement_canonicalize_nquads,
    select_json_ld,
)

__all__ = [
    "CRYPTOSUITE",
    "BaseProofValue",
    "DerivedProofValue",
    "derive_sd",
    "is_base_proof",
    "parse_base_proof_value",
    "parse_derived_proof_value",
    "sign_sd_base",
    "verify_sd_base",
    "verify_sd_derived",
]

CRYPTOSUITE = "ecdsa-sd-2023"
BASE_HEADER = b"\xd9\x5d\x00"
DERIVED_HEADER = b"\xd9\x5d\x01"
MAX_STATEMENTS = 10_000  # a certificate has a few hundred; bounds CPU spent on a hostile proof


@dataclass(frozen=True)
class BaseProofValue:
    base_signature: bytes
    public_key: bytes  # 0x80 0x24 + compressed point
    hmac_key: bytes
    signatures: list[bytes]
    mandatory_pointers: list[str]


@dataclass(frozen=True)
class DerivedProofValue:
    base_signature: bytes
    public_key: bytes
    signatures: list[bytes]
    label_map: dict[str, str]  # c14nN -> uHMAC
    mandatory_indexes: list[int]


def _multibase_u(data: bytes) -> str:
    return "u" + b64url(data)


def _decode_u(value: Any) -> bytes:
    if not isinstance(value, str) or not value.startswith("u"):
        raise ProofError("the proof value is not base64url multibase", code="proof_malformed")
    try:
        return b64url_decode(value[1:])
    except ValueError as exc:
        raise ProofError("the proof value does not decode", code="proof_malformed") from exc


def _cbor(header: bytes, raw: bytes) -> Any:
    if raw[:3] != header:
        raise ProofError(
            "the proof value has the wrong ecdsa-sd-2023 header", code="proof_malformed"
        )
    try:
        return cbor2.loads(raw[3:])
    except Exception as exc:  # cbor2 raises several decoder errors
        raise ProofError("the proof value is not valid CBOR", code="proof_malformed") from exc


def serialize_base_proof_value(value: BaseProofValue) -> str:
    components = [
        value.base_signature,
        value.public_key,
        value.hmac_key,
        list(value.signatures),
        list(value.mandatory_pointers),
    ]
    return _multibase_u(BASE_HEADER + cbor2.dumps(components))


def parse_base_proof_value(proof_value: Any) -> BaseProofValue:
    parts = _cbor(BASE_HEADER, _decode_u(proof_value))
    ok = (
        isinstance(parts, list)
        and len(parts) == 5
        and isinstance(parts[0], bytes)
        and len(parts[0]) == 64
        and isinstance(parts[1], bytes)
        and len(parts[1]) == 35
        and isinstance(parts[2], bytes)
        and len(parts[2]) == 32
        and isinstance(parts[3], list)
        and all(isinstance(s, bytes) and len(s) == 64 for s in parts[3])
        and isinstance(parts[4], list)
        and all(isinstance(p, str) for p in parts[4])
    )
    if not ok:
        raise ProofError("the base proof value has the wrong shape", code="proof_malformed")
    return BaseProofValue(parts[0], parts[1], parts[2], parts[3], parts[4])


def serialize_derived_proof_value(value: DerivedProofValue) -> str:
    compressed = {
        int(k.removeprefix("c14n")): b64url_decode(v[1:]) for k, v in value.label_map.items()
    }
    components = [
        value.base_signature,
        value.public_key,
        list(value.signatures),
        compressed,
        list(value.mandatory_indexes),
    ]
    return _multibase_u(DERIVED_HEADER + cbor2.dumps(components))


def parse_derived_proof_value(proof_value: Any) -> DerivedProofValue:
    parts = _cbor(DERIVED_HEADER, _decode_u(proof_value))
    ok = (
        isinstance(parts, list)
        and len(parts) == 5
        and isinstance(parts[0], bytes)
        and len(parts[0]) == 64
        and isinstance(parts[1], bytes)
        and len(parts[1]) == 35
        and isinstance(parts[2], list)
        and all(isinstance(s, bytes) and len(s) == 64 for s in parts[2])
        and isinstance(parts[3], dict)
        and all(
            isinstance(k, int) and k >= 0 and isinstance(v, bytes) and len(v) == 32
            for k, v in parts[3].items()
        )
        and isinstance(parts[4], list)
        and all(isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in parts[4])
    )
    if not ok:
        raise ProofError("the derived proof value has the wrong shape", code="proof_malformed")
    label_map = {f"c14n{k}": "u" + b64url(v) for k, v in parts[3].items()}
    return DerivedProofValue(parts[0], parts[1], parts[2], label_map, parts[4])


def _proof_hash(proof: dict[str, Any], document: dict[str, Any], loader: OfflineLoader) -> bytes:
    config = proof_config(proof, document, CRYPTOSUITE)
    return sha256("".join(canonicalize(config, loader)).encode("utf-8"))


def _mandatory_hash(mandatory: Sequence[str]) -> bytes:
    return sha256("".join(mandatory).encode("utf-8"))


def sign_sd_base(
    document: dict[str, Any],
    key: P256KeyPair,
    options: ProofOptions,
    mandatory_pointers: Sequence[str],
    loader: OfflineLoader,
    *,
    hmac_key: bytes | None = None,
    proof_key: P256KeyPair | None = None,
) -> dict[str, Any]:
    """A copy of ``document`` with an ecdsa-sd-2023 base proof, for the holder only.

    ``hmac_key`` and ``proof_key`` are fresh per proof unless given (the W3C vectors fix them).
    """
    if "proof" in document:
        raise ProofError(
            "the document already carries a proof; proof sets are refused", code="proof_set"
        )
    hmac_key = hmac_key if hmac_key is not None else os.urandom(32)
    proof_key = proof_key if proof_key is not None else generate_key_pair()
    proof = options.as_proof()
    grouped = canonicalize_and_group(
        document, hmac_label_map_factory(hmac_key), {"mandatory": list(mandatory_pointers)}, loader
    )
    mandatory = grouped.groups["mandatory"]
    if len(grouped.nquads) > MAX_STATEMENTS:
        raise ProofError("the document has too many statements", code="jsonld_too_large")
    proof_hash = _proof_hash(proof, document, loader)
    public_key = P256_PUB_HEADER + proof_key.public
    signatures = [proof_key.sign(nq.encode("utf-8")) for nq in mandatory.non_matching.values()]
    to_sign = proof_hash + public_key + _mandatory_hash(list(mandatory.matching.values()))
    base_signature = key.sign(to_sign)
    proof["proofValue"] = serialize_base_proof_value(
        BaseProofValue(base_signature, public_key, hmac_key, signatures, list(mandatory_pointers))
    )
    return {**document, "proof": proof}


def derive_sd(
    document: dict[str, Any], selective_pointers: Sequence[str], loader: OfflineLoader
) -> dict[str, Any]:
    """The holder's reveal document: mandatory statements plus ``selective_pointers``, with a derived proof."""
    proof = document.get("proof")
    if not isinstance(proof, dict):
        raise ProofError("the document has no single proof object", code="proof_missing")
    base = parse_base_proof_value(proof.get("proofValue"))
    doc = unsecured(document)
    combined = [*base.mandatory_pointers, *selective_pointers]
    grouped = canonicalize_and_group(
        doc,
        hmac_label_map_factory(base.hmac_key),
        {
            "mandatory": base.mandatory_pointers,
            "selective": list(selective_pointers),
            "combined": combined,
        },
        loader,
    )
    mandatory = grouped.groups["mandatory"].matching
    selective = grouped.groups["selective"].matching
    mandatory_indexes = [
        relative
        for relative, absolute in enumerate(grouped.groups["combined"].matching)
        if absolute in mandatory
    ]
    filtered: list[bytes] = []
    index = 0
    for signature in base.signatures:
        while index in mandatory:
            index += 1
        if index in selective:
            filtered.append(signature)
        index += 1
    reveal = select_json_ld(combined, doc)
    if reveal is None:
        raise ProofError("nothing is selected to reveal", code="pointer_invalid")
    _, canonical_id_map = canonicalize_nquads(grouped.groups["combined"].deskolemized_nquads)
    verifier_label_map = {
        c14n: grouped.label_map[original] for original, c14n in canonical_id_map.items()
    }
    new_proof = dict(proof)
    new_proof["proofValue"] = serialize_derived_proof_value(
        DerivedProofValue(
            base.base_signature, base.public_key, filtered, verifier_label_map, mandatory_indexes
        )
    )
    return {**reveal, "proof": new_proof}


@dataclass(frozen=True)
class VerifyData:
    base_signature: bytes
    proof_hash: bytes
    public_key: bytes
    signatures: list[bytes]
    non_mandatory: list[str]
    mandatory_hash: bytes


def create_verify_data(document: dict[str, Any], loader: OfflineLoader) -> VerifyData:
    """createVerifyData: what the verifier recomputes from a reveal document and its proof."""
    proof = document.get("proof")
    if not isinstance(proof, dict):
        raise ProofError("the document has no single proof object", code="proof_missing")
    doc = unsecured(document)
    proof_hash = _proof_hash(proof, doc, loader)
    derived = parse_derived_proof_value(proof.get("proofValue"))
    nquads_in = to_nquads(doc, loader)
    if len(nquads_in) > MAX_STATEMENTS:
        raise ProofError("the document has too many statements", code="jsonld_too_large")
    nquads, _ = label_replacement_canonicalize_nquads(
        nquads_in, label_map_factory(derived.label_map)
    )
    wanted = set(derived.mandatory_indexes)
    if any(i >= len(nquads) for i in wanted):
        raise ProofError("a mandatory index is out of range", code="proof_malformed")
    mandatory = [nq for i, nq in enumerate(nquads) if i in wanted]
    non_mandatory = [nq for i, nq in enumerate(nquads) if i not in wanted]
    return VerifyData(
        derived.base_signature,
        proof_hash,
        derived.public_key,
        derived.signatures,
        non_mandatory,
        _mandatory_hash(mandatory),
    )


def verify_sd_derived(
    document: dict[str, Any], public_multikey: str, loader: OfflineLoader
) -> bool:
    """True when the derived ecdsa-sd-2023 proof verifies with the issuer's ``public_multikey``."""
    data = create_verify_data(document, loader)
    if len(data.signatures) != len(data.non_mandatory):
        return False
    proof_point = decode_public_multikey_bytes(data.public_key)
    to_verify = data.proof_hash + data.public_key + data.mandatory_hash
    if not verify_p256(public_multikey, to_verify, data.base_signature):
        return False
    return all(
        verify_p256(proof_point, nq.encode("utf-8"), sig)
        for nq, sig in zip(data.non_mandatory, data.signatures, strict=True)
    )


def verify_sd_base(document: dict[str, Any], public_multikey: str, loader: OfflineLoader) -> bool:
    """True when a base proof verifies: the holder's check on receipt, and how origincert reads a
    credential that was handed over underived (every statement is then shown).

    It recomputes what the issuer signed from the HMAC key inside the proof, exactly as
    :func:`sign_sd_base` produced it.
    """
    proof = document.get("proof")
    if not isinstance(proof, dict):
        raise ProofError("the document has no single proof object", code="proof_missing")
    base = parse_base_proof_value(proof.get("proofValue"))
    doc = unsecured(document)
    grouped = canonicalize_and_group(
        doc, hmac_label_map_factory(base.hmac_key), {"mandatory": base.mandatory_pointers}, loader
    )
    if len(grouped.nquads) > MAX_STATEMENTS:
        raise ProofError("the document has too many statements", code="jsonld_too_large")
    group = grouped.groups["mandatory"]
    non_mandatory = list(group.non_matching.values())
    if len(base.signatures) != len(non_mandatory):
        return False
    to_verify = (
        _proof_hash(proof, doc, loader)
        + base.public_key
        + _mandatory_hash(list(group.matching.values()))
    )
    if not verify_p256(public_multikey, to_verify, base.base_signature):
        return False
    point = decode_public_multikey_bytes(base.public_key)
    return all(
        verify_p256(point, nq.encode("utf-8"), sig)
        for nq, sig in zip(non_mandatory, base.signatures, strict=True)
    )


def is_base_proof(proof_value: Any) -> bool:
    """True for a base proof value, False for a derived one (either may still be malformed)."""
    try:
        return _decode_u(proof_value)[:3] == BASE_HEADER
    except ProofError:
        return False
