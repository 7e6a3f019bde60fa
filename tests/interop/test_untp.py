"""UNTP DCC 0.6.0 as vc+jwt: valid against the vendored schema (jsonschema here, ajv in node),
verified by ``jose`` in node and by origincert; ``alg: none`` and other algorithms refused."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from jsonschema.validators import validator_for

from origincert.interop.credential import StatusEntry
from origincert.interop.did import TrustList
from origincert.interop.errors import InteropError
from origincert.interop.loader import CREDENTIALS_V2, ORIGINCERT_COO_V1, shipped_loader
from origincert.interop.p256 import P256KeyPair
from origincert.interop.rdf import compact, expand
from origincert.interop.untp import (
    DCC_CONTEXT,
    UNTP_EXTENSION,
    build_dcc,
    enveloped,
    sign_vc_jwt,
    verify_vc_jwt,
)

from . import test_credential as tc
from .jsbridge import node_available, run

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[1] / "vectors" / "untp" / "dcc-0.6.0.schema.json").read_text()
)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.fixture(scope="module")
def dcc() -> dict[str, Any]:
    issued = tc._issued(seed=5)
    issued["document"]["agreement"] = issued["document"].get("agreement")
    return build_dcc(issued, tc.DID, StatusEntry("https://chamber.example/status/1", 7))


@pytest.fixture(scope="module")
def token(dcc) -> str:
    return sign_vc_jwt(dcc, tc.VC_KEY, tc.VM)


def test_dcc_is_valid_against_the_schema(dcc) -> None:
    assert validator_for(SCHEMA) is Draft202012Validator
    errors = sorted(
        Draft202012Validator(
            SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER
        ).iter_errors(dcc),
        key=str,
    )
    assert errors == []
    subject = dcc["credentialSubject"]
    assert subject["attestationType"] == "certification" and subject["assessorLevel"] == "3rdParty"
    assert len(subject["assessment"]) == len(tc._issued(seed=5)["document"]["goods"])
    assert "seed" not in json.dumps(dcc)


def test_schema_catches_a_broken_dcc(dcc) -> None:
    broken = json.loads(json.dumps(dcc))
    broken["credentialSubject"]["assessorLevel"] = "Myself"
    assert list(Draft202012Validator(SCHEMA).iter_errors(broken))


def test_jwt_round_trip_and_envelope(dcc, token) -> None:
    trust = tc._trust()
    assert verify_vc_jwt(token, trust) == dcc
    env = enveloped(token)
    assert env["type"] == "EnvelopedVerifiableCredential" and env["id"].endswith(token)
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header == {"alg": "ES256", "typ": "vc+jwt", "cty": "vc", "kid": tc.VM}


def test_alg_none_other_algorithms_and_forgeries_are_refused(dcc, token) -> None:
    trust = tc._trust()
    _, payload, signature = token.split(".")
    none = (
        _b64(json.dumps({"alg": "none", "typ": "vc+jwt", "kid": tc.VM}).encode())
        + "."
        + payload
        + "."
    )
    hs = (
        _b64(json.dumps({"alg": "HS256", "typ": "vc+jwt", "kid": tc.VM}).encode())
        + "."
        + payload
        + "."
        + signature
    )
    for bad in (none, hs):
        with pytest.raises(InteropError) as info:
            verify_vc_jwt(bad, trust)
        assert info.value.code in {"jwt_alg_refused", "jwt_malformed"}
    forged = dict(dcc, validUntil="2099-01-01T00:00:00Z")
    tampered = token.split(".")[0] + "." + _b64(json.dumps(forged).encode()) + "." + signature
    with pytest.raises(InteropError) as info:
        verify_vc_jwt(tampered, trust)
    assert info.value.code == "jwt_signature_invalid"
    thief = sign_vc_jwt(dcc, P256KeyPair.from_secret(b"\x09" * 32), tc.VM)
    with pytest.raises(InteropError) as info:
        verify_vc_jwt(thief, trust)
    assert info.value.code == "jwt_signature_invalid"
    with pytest.raises(InteropError) as info:
        verify_vc_jwt(token, TrustList({}))
    assert info.value.code == "key_unknown"


def _public_jwk() -> dict[str, str]:
    from cryptography.hazmat.primitives.asymmetric import ec

    numbers = ec.EllipticCurvePublicKey.from_encoded_point(
        ec.SECP256R1(), tc.VC_KEY.public
    ).public_numbers()
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": _b64(numbers.x.to_bytes(32, "big")),
        "y": _b64(numbers.y.to_bytes(32, "big")),
    }


def test_node_jose_verifies_and_ajv_validates(dcc, token) -> None:
    assert node_available(), "node and node_modules are needed: run ./scripts/setup"
    out = run("jose-verify", token=token, jwk=_public_jwk())
    assert out["verified"] is True and out["payload"] == dcc and out["header"]["typ"] == "vc+jwt"
    bad = run(
        "jose-verify",
        token=token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB"),
        jwk=_public_jwk(),
    )
    assert bad["verified"] is False
    assert run("ajv-validate", schema=SCHEMA, instance=dcc) == {"valid": True, "errors": []}
    broken = json.loads(json.dumps(dcc))
    del broken["credentialSubject"]["issuedToParty"]
    assert run("ajv-validate", schema=SCHEMA, instance=broken)["valid"] is False


# The UNTP extension context. The DCC 0.6.0 context itself is not vendored (only its schema is),
# so the whole DCC cannot be expanded offline: the extension is tested on what it defines, with
# VC 2.0 for id/type/name, and the schema stands in for "what DCC defines".

EXT = shipped_loader().documents[UNTP_EXTENSION]
UNTP = "https://origincert.org/ns/untp-coo#"


def _walk(node: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def test_extension_context_is_protected_has_no_vocab_and_its_own_iris() -> None:
    ctx = EXT["@context"]
    assert ctx["@protected"] is True
    assert all(key != "@vocab" for key, _ in _walk(EXT))
    iris = [v["@id"] if isinstance(v, dict) else v for k, v in _walk(EXT) if not k.startswith("@")]
    assert iris and all(iri.startswith(UNTP) for iri in iris)
    scoped = ctx["certificateOfOrigin"]["@context"]
    assert scoped["certificate"]["@context"] == ORIGINCERT_COO_V1  # the VC form's terms, reused


def test_extension_defines_exactly_what_the_dcc_schema_lacks(dcc) -> None:
    defs = SCHEMA["$defs"]
    subject = dcc["credentialSubject"]
    extra = set(subject) - set(defs["ConformityAttestation"]["properties"])
    for assessment in subject["assessment"]:
        extra |= set(assessment) - set(defs["ConformityAssessment"]["properties"])
    assert extra == {"certificateOfOrigin", "hsCode", "originCountry"}
    assert extra <= set(EXT["@context"])


def _subtree(dcc: dict[str, Any]) -> dict[str, Any]:
    subject = dcc["credentialSubject"]
    return {
        "@context": [CREDENTIALS_V2, UNTP_EXTENSION],
        "id": subject["id"],
        "certificateOfOrigin": subject["certificateOfOrigin"],
        "@included": [
            {"id": a["id"], "hsCode": a["hsCode"], "originCountry": a["originCountry"]}
            for a in subject["assessment"]
        ],
    }


def _keys(node: Any) -> set[str]:
    return {key for key, _ in _walk(node) if key != "@context"}


def test_extension_context_drops_no_property(dcc) -> None:
    loader = shipped_loader()
    doc = _subtree(dcc)
    assert {"transport", "flags", "consignee"} <= set(doc["certificateOfOrigin"])
    expanded = expand(doc, loader)
    again = compact(expanded, {"@context": doc["@context"]}, loader)
    assert _keys(again) == _keys(doc) and again == doc  # as verify's vc_terms check does
    iris = {key for key, _ in _walk(expanded) if not key.startswith("@")}
    assert f"{UNTP}hsCode" in iris and f"{UNTP}departureDate" in iris
    assert "https://origincert.org/ns/coo#certificateNumber" in iris  # coo terms under certificate
    undefined = json.loads(json.dumps(doc))
    undefined["certificateOfOrigin"]["transport"]["vessel"] = "X"  # a term nobody defines
    assert compact(expand(undefined, loader), {"@context": doc["@context"]}, loader) != undefined


def test_the_dcc_context_itself_is_not_offline(dcc) -> None:
    with pytest.raises(InteropError) as info:
        expand(dcc, shipped_loader())
    assert info.value.code == "context_unknown" and DCC_CONTEXT in str(info.value)
