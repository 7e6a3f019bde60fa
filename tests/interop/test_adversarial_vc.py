"""The adversarial credential corpus: every entry is refused (never VALID nor UNCONFIRMED), each
with the layer and reason code the report names. Offline verifier: the ledger layer is covered
by test_cli.py against a real node."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from origincert.interop.credential import derive_credential
from origincert.interop.did import TrustList, did_web_document
from origincert.interop.ecdsa_sd import sign_sd_base
from origincert.interop.p256 import P256KeyPair
from origincert.interop.proofs import ProofOptions
from origincert.verdict import Verdict

from . import test_credential as tc

Mutation = Callable[[dict[str, Any]], Any]
THIEF = P256KeyPair.from_secret(b"\x09" * 32)


def _set(path: list[Any], value: Any) -> Mutation:
    def mutate(vc: dict[str, Any]) -> dict[str, Any]:
        node = vc
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        return vc

    return mutate


def _resign(vc: dict[str, Any], key: P256KeyPair, method: str) -> dict[str, Any]:
    unsigned = {k: v for k, v in vc.items() if k != "proof"}
    return sign_sd_base(unsigned, key, ProofOptions("ecdsa-sd-2023", method, "2026-01-01T00:00:00Z"),
                        ["/issuer"], tc.LOADER)  # fmt: skip


def _swap_anchor(vc: dict[str, Any]) -> dict[str, Any]:
    other = tc._export(tc._issued(seed=77))
    vc["evidence"] = other["evidence"]
    return vc


def _stolen_key_other_did(vc: dict[str, Any]) -> dict[str, Any]:
    vc["issuer"] = "did:web:thief.example"
    return _resign(vc, THIEF, "did:web:thief.example#vc-key-1")


def _derived_without_mandatory(vc: dict[str, Any]) -> dict[str, Any]:
    derived = derive_credential(vc, ["producer"], tc.LOADER)
    del derived["credentialSubject"]["certificateNumber"]
    return derived


def _remote_context(vc: dict[str, Any]) -> dict[str, Any]:
    vc["@context"] = [vc["@context"][0], "https://evil.example/coo.jsonld"]
    return vc


def _deep(vc: dict[str, Any]) -> dict[str, Any]:
    node: dict[str, Any] = {}
    vc["credentialSubject"]["remarks"] = node
    for _ in range(60):
        node["remarks"] = {}
        node = node["remarks"]
    return vc


def _clique(vc: dict[str, Any]) -> dict[str, Any]:
    n = 7
    vc["credentialSubject"]["remarks"] = [
        {"id": f"_:b{i}", "route": [{"id": f"_:b{j}"} for j in range(n) if j != i]}
        for i in range(n)
    ]
    return vc


CORPUS: dict[str, tuple[Mutation, str]] = {
    "changed value": (
        _set(["credentialSubject", "consignor", "name"], "Forged AG"),
        "proof_invalid",
    ),
    "changed HS code": (
        _set(
            ["credentialSubject", "includedConsignmentItems", 0, "harmonisedTariffCode"], "999999"
        ),
        "proof_invalid",
    ),
    "changed validity": (_set(["validUntil"], "2099-01-01T00:00:00Z"), "proof_invalid"),
    "changed status index": (_set(["credentialStatus", "statusListIndex"], "1"), "proof_invalid"),
    "undefined property": (_set(["credentialSubject", "discount"], "50%"), "vc_undefined_term"),
    "remote context": (_remote_context, "context_unknown"),
    "inline @vocab": (
        lambda vc: _set(["@context"], [*vc["@context"], {"@vocab": "https://e.example/#"}])(vc),
        "context_unknown",
    ),
    "embedded context": (
        _set(["credentialSubject", "@context"], {"x": "https://e.example/x"}),
        "context_inline",
    ),
    "too deep": (_deep, "jsonld_too_deep"),
    "proof set": (lambda vc: _set(["proof"], [vc["proof"], vc["proof"]])(vc), "proof_set"),
    "no proof": (lambda vc: {k: v for k, v in vc.items() if k != "proof"}, "proof_missing"),
    "other cryptosuite": (
        _set(["proof", "cryptosuite"], "ecdsa-rdfc-2019"),
        "proof_type_unsupported",
    ),
    "proof by another DID": (
        _set(["proof", "verificationMethod"], "did:web:thief.example#vc-key-1"),
        "issuer_mismatch",
    ),
    "issuer changed": (_set(["issuer"], "did:web:thief.example"), "issuer_mismatch"),
    "untrusted DID, own key": (_stolen_key_other_did, "key_unknown"),
    "another key of the trusted DID": (lambda vc: _resign(vc, THIEF, tc.VM), "proof_invalid"),
    "garbage proof value": (_set(["proof", "proofValue"], "u2V0BAAAA"), "proof_malformed"),
    "evidence of another certificate": (_swap_anchor, "proof_invalid"),
    # the derived proof's statement order follows the base proof's random HMAC key, so the loss
    # shows either as a signature that no longer matches or as a proof whose parts no longer fit
    "mandatory field removed from a derived copy": (
        _derived_without_mandatory,
        ("proof_invalid", "proof_malformed"),
    ),
    "not an object": (lambda vc: [vc], "vc_malformed"),
    "blank-node clique (canonicalization bomb)": (_clique, "jsonld_blank_node_id"),
    "validity extended and re-signed with the stolen VC key": (
        lambda vc: _resign(_set(["validUntil"], "2099-01-01T00:00:00Z")(vc), tc.VC_KEY, tc.VM),
        "vc_dates_mismatch",
    ),
}


@pytest.fixture(scope="module")
def vc() -> dict[str, Any]:
    return tc._export(tc._issued(seed=21))


@pytest.mark.parametrize("name", CORPUS)
def test_every_adversarial_credential_is_refused_with_its_reason(vc, name: str) -> None:
    mutate, codes = CORPUS[name]
    result = tc._verify(mutate(copy.deepcopy(vc)))
    assert result.verdict not in (Verdict.VALID, Verdict.UNCONFIRMED)
    first = [c.code for c in result.failed()][:1]
    assert first and first[0] in ((codes,) if isinstance(codes, str) else codes)


def test_canonicalization_has_a_work_budget(vc) -> None:
    """Even below the verifier's shape checks (a library caller), a clique of look-alike blank
    nodes is refused in well under a second instead of running for hours."""
    import time

    from origincert.interop.errors import InteropError
    from origincert.interop.rdf import canonicalize

    doc = _clique({k: v for k, v in copy.deepcopy(vc).items() if k != "proof"})
    start = time.monotonic()
    with pytest.raises(InteropError) as info:
        canonicalize(doc, tc.LOADER)
    assert info.value.code == "jsonld_too_complex"
    assert time.monotonic() - start < 30


def test_a_key_bound_to_another_ledger_account_is_refused(vc) -> None:
    doc = did_web_document(
        tc.DID, tc.VC_KEY.public_multikey, ledger_address="0x" + "cd" * 20, chain_id=tc.CHAIN_ID
    )
    result = tc._verify(vc, TrustList({tc.DID: doc}))
    assert result.verdict is Verdict.INVALID
    assert result.failed()[0].code == "key_not_bound"


def test_a_valid_credential_of_a_tampered_file_cannot_be_made(vc) -> None:
    """The issuer's own tool refuses; a credential built around a tampered file by hand fails
    the evidence layer (integrity) even with a good VC proof."""
    issued = tc._issued(seed=22)
    good = tc._export(issued)
    forged = copy.deepcopy(good)
    forged["credentialSubject"]["consignor"]["name"] = "Forged AG"
    resigned = _resign(forged, tc.VC_KEY, tc.VM)  # the chamber's stolen VC key
    result = tc._verify(resigned)
    assert result.verdict is Verdict.INVALID
    assert result.check("vc_proof").code == "ok"
    assert result.check("integrity").status.value == "failed"


def test_a_foreign_issuer_dressed_as_ours_is_refused(vc) -> None:
    """A DID trusted for foreign imports (TrustVC chambers name no origincert ledger account)
    signs a credential of our type around a genuine anchor: its key is not bound to the anchor's
    signer, so it never passes, whatever the proof."""
    from origincert.interop.did import did_web

    foreign = did_web("trustvc-chamber.example")
    plain = did_web_document(foreign, THIEF.public_multikey, ledger_address="0x" + "ef" * 20,
                             chain_id=tc.CHAIN_ID)  # fmt: skip
    plain.pop("alsoKnownAs")  # as a TrustVC issuer's document has it
    for doc in (plain, did_web_document(foreign, THIEF.public_multikey,
                                        ledger_address="0x" + "ef" * 20, chain_id=tc.CHAIN_ID)):  # fmt: skip
        trust = TrustList({**tc._trust().documents, foreign: doc})
        dressed = _resign(dict(copy.deepcopy(vc), issuer=foreign), THIEF, f"{foreign}#vc-key-1")
        result = tc._verify(dressed, trust)
        assert result.verdict is Verdict.INVALID
        assert [(c.name, c.code) for c in result.failed()] == [("vc_key", "key_not_bound")]


def test_a_credential_signed_under_a_substituted_context_is_refused(vc) -> None:
    """Context substitution: the chamber's key signs statements meaning something else under a
    context the attacker serves at origincert's URL (consignor and consignee swapped). The
    verifier never fetches: it reads the shipped context, so the statements differ and the
    proof fails."""
    from origincert.interop.loader import ORIGINCERT_COO_V1

    evil = copy.deepcopy(tc.LOADER.documents[ORIGINCERT_COO_V1])
    terms = evil["@context"]
    terms["consignor"], terms["consignee"] = terms["consignee"], terms["consignor"]
    substituted = tc.LOADER.with_documents({ORIGINCERT_COO_V1: evil})
    unsigned = {k: v for k, v in copy.deepcopy(vc).items() if k != "proof"}
    signed = sign_sd_base(unsigned, tc.VC_KEY, ProofOptions("ecdsa-sd-2023", tc.VM, "2026-01-01T00:00:00Z"),
                          ["/issuer"], substituted)  # fmt: skip
    result = tc._verify(signed)
    assert result.verdict is Verdict.INVALID
    assert result.failed()[0].code == "proof_invalid"
