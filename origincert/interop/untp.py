"""A certificate as a UNTP Digital Conformity Credential 0.6.0, secured as VC-JOSE (vc+jwt, ES256).

The UNTP profile asks for VC 2.0, did:web, Bitstring Status List and JOSE. The certificate is a
``ConformityAttestation`` (certification by a third party, the accredited issuing body), with one
``ConformityAssessment`` per goods item: origin criterion as ``assessmentCriteria``, the RVC
percentage as ``declaredValue``, the agreement as ``referenceRegulation``. What DCC has no place
for (HS code, origin, parties, transport, flags) goes under origincert's UNTP extension context.
JWT has no selective disclosure: redact the issued file before exporting it this way.

So that a verifier can go from the JWT to the ledger, the DCC also carries the certificate as
origincert's VC form does (``certificateOfOrigin.certificate``, the same terms) and the same
``evidence`` (ledger anchor and one salt per shown field): the issued file is rebuilt from these,
and the whole DCC is then rebuilt from that file and must be equal, so no UNTP field can say
anything the anchored certificate does not (:mod:`origincert.interop.verify_jwt`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from joserfc import jws
from joserfc.errors import ExceededSizeError, JoseError
from joserfc.jwk import ECKey
from joserfc.jws import JWSRegistry

from origincert.interop.credential import StatusEntry
from origincert.interop.did import TrustList, did_of
from origincert.interop.errors import InteropError
from origincert.interop.loader import CREDENTIALS_V2, ORIGINCERT_UNTP_COO_V1
from origincert.interop.mapping import document_to_subject, evidence_of
from origincert.interop.multikey import decode_public_multikey
from origincert.interop.p256 import P256KeyPair

__all__ = [
    "DCC_CONTEXT",
    "UNTP_EXTENSION",
    "build_dcc",
    "enveloped",
    "sign_vc_jwt",
    "verify_vc_jwt",
]

DCC_CONTEXT = "https://test.uncefact.org/vocabulary/untp/dcc/0.6.0/"
UNTP_EXTENSION = ORIGINCERT_UNTP_COO_V1
TOPIC = "governance.compliance"  # DCC 0.6.0 has no origin topic; compliance with a trade rule
MAX_JWT = 2_000_000


def _registry() -> JWSRegistry:
    """ES256 only, and room for a 50-item certificate (joserfc's default payload limit, 128 kB,
    refused one with about 200 kB as if its signature were wrong)."""
    registry = JWSRegistry(algorithms=["ES256"])
    registry.max_payload_length = MAX_JWT
    return registry


def _party(kind: str, number: str, party: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": f"urn:origincert:{number}:{kind}", "name": party["name"]}


def _assessment(doc: Mapping[str, Any], item: Mapping[str, Any]) -> dict[str, Any]:
    number, n = doc["number"], item["item_number"]
    out: dict[str, Any] = {
        "type": ["ConformityAssessment", "Declaration"],
        "id": f"urn:origincert:{number}:item:{n}",
        "name": f"Origin of item {n}: {item['description'][:80]}",
        "conformance": True,
        "conformityTopic": TOPIC,
        "assessmentDate": doc["issue_date"],
        "hsCode": item["hs_code"],
        "originCountry": item["country_of_origin"],
    }
    criterion = item.get("origin_criterion")
    if criterion:
        out["assessmentCriteria"] = [
            {
                "type": ["Criterion"],
                "id": f"urn:origincert:origin-criterion:{criterion['code']}",
                "name": criterion["code"],
                "description": f"Origin criterion {criterion['code']} of the {doc.get('agreement') or 'applicable'} rules of origin",
                "conformityTopic": TOPIC,
                "status": "active",
            }
        ]
        if criterion.get("percentage") is not None:
            out["declaredValue"] = [
                {
                    "type": ["Metric"],
                    "metricName": "Regional value content",
                    "metricValue": {
                        "type": ["Measure"],
                        "value": int(criterion["percentage"]),
                        "unit": "P1",
                    },
                }
            ]
    if doc.get("agreement"):
        out["referenceRegulation"] = {
            "type": ["Regulation"],
            "id": f"urn:origincert:agreement:{doc['agreement']}",
            "name": f"{doc['agreement']} rules of origin",
            "jurisdictionCountry": doc["issuing_body"]["economy"],
            "administeredBy": {
                "id": f"urn:origincert:agreement:{doc['agreement']}:parties",
                "name": f"Parties to {doc['agreement']}",
            },
        }
    return out


def build_dcc(
    issued: Mapping[str, Any], issuer_did: str, status: StatusEntry | None
) -> dict[str, Any]:
    """The DCC 0.6.0 credential of an issued file (unsigned)."""
    doc = issued.get("document")
    if not isinstance(doc, dict):
        raise InteropError("the issued file has no document", code="issued_malformed")
    evidence = evidence_of(issued)  # refuses a tampered file; the anchor goes along
    number = doc["number"]
    body = doc["issuing_body"]
    subject: dict[str, Any] = {
        "type": ["ConformityAttestation", "Attestation"],
        "id": f"urn:origincert:{number}",
        "name": f"Certificate of origin {number} ({doc['form']})",
        "assessorLevel": "3rdParty",
        "assessmentLevel": "Accredited",
        "attestationType": "certification",
        "issuedToParty": _party("exporter", number, doc["exporter"]),
        "authorisation": [
            {
                "type": ["Endorsement"],
                "id": f"urn:origincert:accreditation:{issued['proof'].get('chain_id')}:{issued['proof'].get('signer')}",
                "name": f"Accreditation of {body['name']} recorded on the origincert ledger",
                "issuingAuthority": {
                    "id": f"urn:origincert:authority:{body['economy']}",
                    "name": f"Competent authority of {body['economy']}",
                },
            }
        ],
        "assessment": [_assessment(doc, item) for item in doc["goods"] if item is not None],
        "certificateOfOrigin": {
            "formCode": doc["form"],
            "importCountry": doc["importing_country"],
            "consignor": doc["exporter"],
            **({"consignee": doc["consignee"]} if "consignee" in doc else {}),
            **({"transport": doc["transport"]} if "transport" in doc else {}),
            **({"flags": doc["flags"]} if "flags" in doc else {}),
            "certificate": document_to_subject(doc),
        },
    }
    vc: dict[str, Any] = {
        "@context": [CREDENTIALS_V2, DCC_CONTEXT, UNTP_EXTENSION],
        "type": ["DigitalConformityCredential", "VerifiableCredential"],
        "id": f"urn:origincert:dcc:{number}",
        "issuer": {"type": ["CredentialIssuer"], "id": issuer_did, "name": body["name"]},
        "validFrom": f"{doc['issue_date']}T00:00:00Z",
    }
    if doc.get("valid_until"):
        vc["validUntil"] = f"{doc['valid_until']}T23:59:59Z"
    vc["credentialSubject"] = subject
    if status is not None:
        vc["credentialStatus"] = status.to_json()
    vc["evidence"] = evidence
    return vc


def _jwk(public: bytes, secret: bytes | None = None) -> ECKey:
    from cryptography.hazmat.primitives.asymmetric import ec

    point = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), public)
    if secret is None:
        return ECKey.import_key(point)
    return ECKey.import_key(ec.derive_private_key(int.from_bytes(secret, "big"), ec.SECP256R1()))


def sign_vc_jwt(vc: Mapping[str, Any], key: P256KeyPair, verification_method: str) -> str:
    """The credential as a compact JWS: ``typ: vc+jwt``, ``cty: vc``, ES256, ``kid`` the method."""
    issuer = vc.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if did_of(verification_method) != issuer_id:
        raise InteropError("the key must belong to the issuer's DID", code="issuer_mismatch")
    header = {"alg": "ES256", "typ": "vc+jwt", "cty": "vc", "kid": verification_method}
    payload = json.dumps(vc, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return jws.serialize_compact(
        header, payload, _jwk(key.public, key.secret), algorithms=["ES256"]
    )


def enveloped(token: str) -> dict[str, Any]:
    """The ``EnvelopedVerifiableCredential`` that carries the JWT in a VC 2.0 presentation."""
    return {
        "@context": CREDENTIALS_V2,
        "id": f"data:application/vc+jwt,{token}",
        "type": "EnvelopedVerifiableCredential",
    }


def verify_vc_jwt(token: str, trust: TrustList) -> dict[str, Any]:
    """The credential inside a vc+jwt after checking: ES256 only (``none`` and every other
    algorithm refused), ``kid`` a trusted assertion key of the issuer's DID, the signature."""
    if not isinstance(token, str) or len(token) > MAX_JWT or token.count(".") != 2:
        raise InteropError("not a compact JWS", code="jwt_malformed")
    try:
        header = json.loads(_b64(token.split(".")[0]))
    except ValueError as exc:
        raise InteropError("the JWT header is not JSON", code="jwt_malformed") from exc
    if not isinstance(header, dict) or header.get("alg") != "ES256":
        raise InteropError("the JWT must be signed with ES256", code="jwt_alg_refused")
    if header.get("typ") != "vc+jwt" or not isinstance(header.get("kid"), str):
        raise InteropError("the JWT is not a vc+jwt with a kid", code="jwt_malformed")
    method = trust.assertion_key(header["kid"])
    key = _jwk(decode_public_multikey(method["publicKeyMultibase"]))
    try:
        obj = jws.deserialize_compact(token, key, algorithms=["ES256"], registry=_registry())
    except ExceededSizeError as exc:
        raise InteropError(f"the JWT is too large: {exc}", code="jwt_too_large") from exc
    except JoseError as exc:
        raise InteropError(
            "the JWT signature does not verify", code="jwt_signature_invalid"
        ) from exc
    try:
        vc = json.loads(obj.payload)
    except ValueError as exc:
        raise InteropError("the JWT payload is not JSON", code="jwt_malformed") from exc
    issuer = vc.get("issuer") if isinstance(vc, dict) else None
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if issuer_id != did_of(header["kid"]):
        raise InteropError("the JWT was signed with a key of another DID", code="issuer_mismatch")
    return vc


def _b64(text: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
