"""The adversarial UNTP corpus: forged vc+jwt credentials, each refused with the layer and reason
code the report names, never VALID nor UNCONFIRMED (offline verifier here; the portal test runs
the same corpus against the real chain). ``JWT_CORPUS`` entries take the genuine token and DCC."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from joserfc import jws
from joserfc.jwk import ECKey

from origincert.interop.credential import StatusEntry
from origincert.interop.did import TrustList, did_web_document
from origincert.interop.inputs import Form, sniff_credential
from origincert.interop.loader import CREDENTIALS_V2
from origincert.interop.p256 import P256KeyPair
from origincert.interop.untp import build_dcc, enveloped, sign_vc_jwt
from origincert.interop.verify_jwt import verify_jwt_credential
from origincert.verdict import Verdict
from origincert.verifier import Verifier

from . import test_credential as tc

THIEF = P256KeyPair.from_secret(b"\x09" * 32)
Forge = Callable[[str, dict[str, Any]], Any]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _header(**changes: Any) -> dict[str, Any]:
    return {"alg": "ES256", "typ": "vc+jwt", "cty": "vc", "kid": tc.VM, **changes}


def _sign(header: dict[str, Any], payload: dict[str, Any], key: P256KeyPair) -> str:
    from cryptography.hazmat.primitives.asymmetric import ec

    secret = ec.derive_private_key(int.from_bytes(key.secret, "big"), ec.SECP256R1())
    return jws.serialize_compact(
        header, json.dumps(payload).encode(), ECKey.import_key(secret), algorithms=["ES256"]
    )


def _stolen(change: Callable[[dict[str, Any]], None]) -> Forge:
    """The DCC changed by ``change`` and re-signed with the chamber's own (stolen) VC key."""

    def forge(token: str, dcc: dict[str, Any]) -> str:
        forged = copy.deepcopy(dcc)
        change(forged)
        return sign_vc_jwt(forged, tc.VC_KEY, tc.VM)

    return forge


def _set(*path: Any, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(node: dict[str, Any]) -> None:
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return change


def _alg(alg: str) -> Forge:
    def forge(token: str, dcc: dict[str, Any]) -> str:
        _, payload, signature = token.split(".")
        return f"{_b64(json.dumps(_header(alg=alg)).encode())}.{payload}.{signature if alg != 'none' else ''}"

    return forge


def _payload_swapped(token: str, dcc: dict[str, Any]) -> str:
    head, _, signature = token.split(".")
    forged = dict(dcc, validUntil="2099-12-31T23:59:59Z")
    return f"{head}.{_b64(json.dumps(forged).encode())}.{signature}"


def _other_did_kid(token: str, dcc: dict[str, Any]) -> str:
    forged = copy.deepcopy(dcc)
    forged["issuer"]["id"] = "did:web:thief.example"
    return _sign(_header(kid="did:web:thief.example#vc-key-1"), forged, THIEF)


def _kid_not_the_issuers(token: str, dcc: dict[str, Any]) -> str:
    forged = copy.deepcopy(dcc)
    forged["issuer"]["id"] = "did:web:thief.example"
    return _sign(_header(), forged, tc.VC_KEY)


def _evidence_of_another(token: str, dcc: dict[str, Any]) -> str:
    other = build_dcc(tc._issued(seed=78), tc.DID, None)
    forged = copy.deepcopy(dcc)
    forged["evidence"] = other["evidence"]
    return sign_vc_jwt(forged, tc.VC_KEY, tc.VM)


def _consistently_forged(token: str, dcc: dict[str, Any]) -> str:
    """The certificate and its UNTP copy changed together: only the anchor can tell."""
    forged = copy.deepcopy(dcc)
    coo = forged["credentialSubject"]["certificateOfOrigin"]
    coo["certificate"]["consignor"]["name"] = "Forged AG"
    coo["consignor"]["name"] = "Forged AG"
    forged["credentialSubject"]["issuedToParty"]["name"] = "Forged AG"
    return sign_vc_jwt(forged, tc.VC_KEY, tc.VM)


def _without_certificate(token: str, dcc: dict[str, Any]) -> str:
    forged = copy.deepcopy(dcc)
    del forged["credentialSubject"]["certificateOfOrigin"]["certificate"]
    return sign_vc_jwt(forged, tc.VC_KEY, tc.VM)


JWT_CORPUS: dict[str, tuple[Forge, tuple[str, ...]]] = {
    "alg none": (_alg("none"), ("jwt_alg_refused",)),
    "HS256 (the public key as an HMAC secret)": (_alg("HS256"), ("jwt_alg_refused",)),
    "ES384 declared": (_alg("ES384"), ("jwt_alg_refused",)),
    "payload changed, signature kept": (_payload_swapped, ("jwt_signature_invalid",)),
    "signed by a thief under the chamber's kid": (
        lambda token, dcc: sign_vc_jwt(dcc, THIEF, tc.VM),
        ("jwt_signature_invalid",),
    ),
    "untrusted DID, own key": (_other_did_kid, ("key_unknown",)),
    "kid of another DID than the issuer": (_kid_not_the_issuers, ("issuer_mismatch",)),
    "not typed vc+jwt": (
        lambda token, dcc: _sign(_header(typ="JWT"), dcc, tc.VC_KEY),
        ("jwt_malformed",),
    ),
    "envelope of another media type": (
        lambda token, dcc: {
            "@context": CREDENTIALS_V2,
            "type": "EnvelopedVerifiableCredential",
            "id": f"data:application/vc+sd-jwt,{token}",
        },
        ("jwt_malformed",),
    ),
    "UNTP HS code changed, re-signed with the stolen VC key": (
        _stolen(_set("credentialSubject", "assessment", 0, "hsCode", value="999999")),
        ("dcc_mismatch",),
    ),
    "validity extended, re-signed with the stolen VC key": (
        _stolen(_set("validUntil", value="2099-12-31T23:59:59Z")),
        ("dcc_mismatch",),
    ),
    "certificate and UNTP copy forged together, re-signed with the stolen VC key": (
        _consistently_forged,
        ("issued_tampered",),
    ),
    "evidence of another certificate, re-signed with the stolen VC key": (
        _evidence_of_another,
        ("issued_tampered", "withheld_forbidden", "vc_malformed"),
    ),
    "no certificate carried (cannot reach the ledger)": (
        _without_certificate,
        ("vc_no_certificate",),
    ),
}


@pytest.fixture(scope="module")
def dcc() -> dict[str, Any]:
    return build_dcc(tc._issued(seed=23), tc.DID, StatusEntry("https://chamber.example/s/1", 3))


@pytest.fixture(scope="module")
def token(dcc: dict[str, Any]) -> str:
    return sign_vc_jwt(dcc, tc.VC_KEY, tc.VM)


def _verify(payload: Any, trust: TrustList | None = None) -> Any:
    issued_on = tc._issued(seed=23)["document"]["issue_date"]
    offline = Verifier.offline(clock=lambda: date.fromisoformat(issued_on))
    return verify_jwt_credential(
        payload, trust=trust or tc._trust(), loader=tc.LOADER, verify_issued=offline.verify
    )


def test_the_genuine_token_passes_every_credential_layer(token: str) -> None:
    for raw in (
        token.encode(),
        b"  " + token.encode() + b"\r\n",
        json.dumps(enveloped(token)).encode(),
    ):
        sniffed = sniff_credential(raw)
        assert sniffed is not None and sniffed[0] is Form.JWT
        result = _verify(sniffed[1])
        assert result.verdict is Verdict.UNCONFIRMED  # offline: the ledger was not consulted
        assert [c.name for c in result.checks[:6]] == [
            "vc_format", "vc_issuer", "vc_key", "vc_proof", "vc_content", "vc_key_registered"
        ]  # fmt: skip
        assert not result.failed()


@pytest.mark.parametrize("name", JWT_CORPUS)
def test_every_forged_token_is_refused_with_its_reason(
    token: str, dcc: dict[str, Any], name: str
) -> None:
    make, codes = JWT_CORPUS[name]
    forged = make(token, copy.deepcopy(dcc))
    sniffed = sniff_credential(
        json.dumps(forged).encode() if isinstance(forged, dict) else forged.encode()
    )
    assert sniffed is not None and sniffed[0] is Form.JWT, name
    result = _verify(sniffed[1])
    assert result.verdict not in (Verdict.VALID, Verdict.UNCONFIRMED)
    assert result.failed()[0].code in codes, [c.to_json() for c in result.failed()]


def test_a_key_bound_to_another_ledger_account_is_refused(token: str) -> None:
    doc = did_web_document(
        tc.DID, tc.VC_KEY.public_multikey, ledger_address="0x" + "cd" * 20, chain_id=tc.CHAIN_ID
    )
    result = _verify(token, TrustList({tc.DID: doc}))
    assert result.verdict is Verdict.INVALID
    assert [(c.name, c.code) for c in result.failed()] == [("vc_key", "key_not_bound")]


def test_a_fifty_item_certificate_s_token_verifies() -> None:
    """About 200 kB of payload: over joserfc's default limit (128 kB), which once made a genuine
    large certificate look like a forged signature."""
    issued = tc._issued(seed=9, items=50)
    token = sign_vc_jwt(build_dcc(issued, tc.DID, None), tc.VC_KEY, tc.VM)
    assert len(token) > 150_000
    offline = Verifier.offline(clock=lambda: date.fromisoformat(issued["document"]["issue_date"]))
    result = verify_jwt_credential(
        token, trust=tc._trust(), loader=tc.LOADER, verify_issued=offline.verify
    )
    assert result.verdict is Verdict.UNCONFIRMED and not result.failed()
