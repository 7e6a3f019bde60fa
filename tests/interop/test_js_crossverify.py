"""Cross-verification with independent JavaScript implementations, offline (versions pinned in
package-lock.json): digitalbazaar's ecdsa-sd-2023 suite (derive and verify both ways, sign in JS
and verify here) and TrustVC's ``verifyDocument`` (every fragment, with the status list)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from origincert.interop.credential import derive_credential
from origincert.interop.did import did_web_document
from origincert.interop.ecdsa_sd import verify_sd_base, verify_sd_derived
from origincert.interop.status import status_list_credential

from . import test_credential as tc
from .jsbridge import base_documents, node_available, run

LIST_URL = "https://chamber.example/status/1"  # the exported credential's list; its index is 7


@pytest.fixture(scope="module", autouse=True)
def _node() -> None:
    assert node_available(), "node and node_modules are needed: run ./scripts/setup"


def _documents(revoked: list[int], *, multibase: bool = False) -> dict[str, Any]:
    didoc = did_web_document(
        tc.DID,
        tc.VC_KEY.public_multikey,
        ledger_address=tc.LEDGER_KEY.address,
        chain_id=tc.CHAIN_ID,
    )
    status = status_list_credential(
        list_url=LIST_URL, revoked=revoked, issuer_did=tc.DID, verification_method=tc.VM,
        key=tc.VC_KEY, valid_from="2025-01-01T00:00:00Z", created="2025-01-01T00:00:00Z",
        loader=tc.LOADER, multibase=multibase,
    )  # fmt: skip
    return {**base_documents(), tc.DID: didoc, LIST_URL: status}


@pytest.fixture(scope="module")
def vc() -> dict[str, Any]:
    return tc._export(tc._issued(seed=11))


@pytest.fixture(scope="module")
def derived(vc) -> dict[str, Any]:
    return derive_credential(vc, ["consignee", "goods[0].invoice"], tc.LOADER)


def test_digitalbazaar_verifies_our_derived_credential(derived) -> None:
    assert run("verify-sd", credential=derived, documents=_documents([]))["verified"] is True
    forged = copy.deepcopy(derived)
    forged["credentialSubject"]["consignor"]["name"] = "Forged AG"
    assert run("verify-sd", credential=forged, documents=_documents([]))["verified"] is False


def test_digitalbazaar_derives_from_our_base_proof_and_we_verify_it(vc) -> None:
    out = run(
        "derive-sd",
        credential=vc,
        selectivePointers=["/credentialSubject/consignor", "/credentialSubject/importCountry"],
        documents=_documents([]),
    )["credential"]
    assert "consignee" not in out["credentialSubject"]
    assert verify_sd_derived(out, tc.VC_KEY.public_multikey, tc.LOADER) is True


def test_digitalbazaar_signs_a_base_proof_we_verify_and_derive(vc) -> None:
    unsigned = {k: v for k, v in vc.items() if k != "proof"}
    signed = run(
        "sign-sd",
        credential=unsigned,
        keyPair={
            "type": "Multikey",
            "id": tc.VM,
            "controller": tc.DID,
            "publicKeyMultibase": tc.VC_KEY.public_multikey,
            "secretKeyMultibase": tc.VC_KEY.secret_multikey,
        },
        mandatoryPointers=["/issuer", "/evidence/ledgerAnchor"],
        created="2026-01-05T10:00:00Z",
        documents=_documents([]),
    )["credential"]
    assert verify_sd_base(signed, tc.VC_KEY.public_multikey, tc.LOADER) is True
    again = derive_credential(signed, ["producer"], tc.LOADER)
    assert verify_sd_derived(again, tc.VC_KEY.public_multikey, tc.LOADER) is True
    assert run("verify-sd", credential=again, documents=_documents([]))["verified"] is True


def _fragments(out: dict[str, Any]) -> dict[str, str]:
    return {f["name"]: f["status"] for f in out["fragments"]}


def test_trustvc_verify_document_passes_an_exported_redacted_certificate(derived) -> None:
    out = run("trustvc-verify", credential=derived, documents=_documents([3, 9]))
    statuses = _fragments(out)
    assert statuses["EcdsaW3CSignatureIntegrity"] == "VALID"
    assert statuses["W3CCredentialStatus"] == "VALID"
    assert statuses["W3CIssuerIdentity"] == "VALID"
    assert set(statuses.values()) <= {"VALID", "SKIPPED"}
    assert out["isValid"] is True


def test_trustvc_sees_a_revoked_certificate_and_a_forgery(derived) -> None:
    revoked = run("trustvc-verify", credential=derived, documents=_documents([7]))
    assert _fragments(revoked)["W3CCredentialStatus"] == "INVALID"
    assert revoked["isValid"] is False
    forged = copy.deepcopy(derived)
    forged["credentialSubject"]["consignor"]["name"] = "Forged AG"
    out = run("trustvc-verify", credential=forged, documents=_documents([]))
    assert _fragments(out)["EcdsaW3CSignatureIntegrity"] == "INVALID"
    assert out["isValid"] is False


def test_trustvc_rejects_the_multibase_encoded_list_the_recommendation_specifies(derived) -> None:
    """Known incompatibility: TrustVC 2.11 decodes encodedList without the 'u' multibase prefix."""
    out = run("trustvc-verify", credential=derived, documents=_documents([], multibase=True))
    assert _fragments(out)["W3CCredentialStatus"] == "ERROR"


def test_trustvc_derive_of_our_export_verifies_here(vc) -> None:
    out = run(
        "trustvc-derive",
        credential=vc,
        selectivePointers=["/credentialSubject/consignor/name", "/credentialSubject/importCountry"],
        documents=_documents([]),
    )["credential"]
    assert "consignee" not in out["credentialSubject"]
    assert verify_sd_derived(out, tc.VC_KEY.public_multikey, tc.LOADER) is True
    result = tc._verify(out)
    assert result.check("vc_proof").code == "ok"


def test_a_trustvc_signed_credential_verifies_here(vc) -> None:
    unsigned = {k: v for k, v in vc.items() if k != "proof"}
    signed = run(
        "trustvc-sign",
        credential=unsigned,
        keyPair={
            "type": "Multikey",
            "id": tc.VM,
            "controller": tc.DID,
            "publicKeyMultibase": tc.VC_KEY.public_multikey,
            "secretKeyMultibase": tc.VC_KEY.secret_multikey,
        },
        mandatoryPointers=["/issuer", "/credentialSubject/certificateNumber"],
        documents=_documents([]),
    )["credential"]
    assert signed["proof"]["cryptosuite"] == "ecdsa-sd-2023"
    assert verify_sd_base(signed, tc.VC_KEY.public_multikey, tc.LOADER) is True
    result = tc._verify(signed)
    assert [c.status.value for c in result.checks[:6]] == ["ok"] * 6
