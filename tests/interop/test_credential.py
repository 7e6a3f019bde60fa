"""Export, redact (derive), import and verify a certificate credential, offline."""

from __future__ import annotations

import copy
import json
import random
from datetime import date
from typing import Any

import pytest
from eth_account import Account
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from verifier import builder

from origincert.devtools.samples import sample_certificate
from origincert.fields import flatten
from origincert.interop.credential import (
    StatusEntry,
    derive_credential,
    export_credential,
    import_credential,
)
from origincert.interop.did import TrustList, did_web, did_web_document
from origincert.interop.ecdsa_sd import verify_sd_base, verify_sd_derived
from origincert.interop.errors import InteropError
from origincert.interop.loader import shipped_loader
from origincert.interop.mapping import MANDATORY_FIELDS
from origincert.interop.p256 import P256KeyPair
from origincert.interop.verify import verify_credential
from origincert.redact import covers, reveal_commitment
from origincert.verdict import CheckStatus, Verdict
from origincert.verifier import Verifier

LOADER = shipped_loader()
DID = did_web("chamber.example")
VM = f"{DID}#vc-key-1"
VC_KEY = P256KeyPair.from_secret(bytes(range(1, 33)))
LEDGER_KEY = Account.from_key(b"\x11" * 32)
REGISTRY = "0x" + "ab" * 20
CHAIN_ID = 31337
DAY = date(2026, 3, 1)


def _issued(seed: int = 3, items: int = 3) -> dict[str, Any]:
    rng = random.Random(seed)
    doc = json.loads(json.dumps(sample_certificate(rng, items=items, economy="DE")))
    doc["issuing_body"]["ledger_id"] = 1  # the builder's default terms: issuer 1
    files, _, _ = builder.build([doc], LEDGER_KEY, chain_id=CHAIN_ID, registry=REGISTRY)
    return files[0]


def _export(issued: dict[str, Any], key: P256KeyPair = VC_KEY) -> dict[str, Any]:
    return export_credential(
        issued,
        key=key,
        issuer_did=DID,
        verification_method=VM,
        created="2026-01-05T10:00:00Z",
        status=StatusEntry("https://chamber.example/status/1", 7),
        loader=LOADER,
    )


def _trust(address: str = LEDGER_KEY.address) -> TrustList:
    doc = did_web_document(DID, VC_KEY.public_multikey, ledger_address=address, chain_id=CHAIN_ID)
    return TrustList({DID: doc})


def _verify(vc: Any, trust: TrustList | None = None):
    issued_on = (
        date.fromisoformat(vc["validFrom"][:10])
        if isinstance(vc, dict) and "validFrom" in vc
        else DAY
    )
    offline = Verifier.offline(clock=lambda: issued_on)  # judged on its issue day: in force
    return verify_credential(
        vc, trust=trust or _trust(), loader=LOADER, verify_issued=offline.verify
    )


@pytest.fixture(scope="module")
def issued() -> dict[str, Any]:
    return _issued()


@pytest.fixture(scope="module")
def vc(issued: dict[str, Any]) -> dict[str, Any]:
    return _export(issued)


def _target(issued: dict[str, Any]) -> bytes:
    return reveal_commitment(issued).commitment.target_hash


def test_export_never_carries_the_seed_and_keeps_the_input(issued, vc) -> None:
    before = copy.deepcopy(issued)
    _export(issued)
    assert issued == before
    text = json.dumps(vc)
    assert issued["proof"]["seed"] not in text
    assert vc["issuer"] == DID and vc["proof"]["verificationMethod"] == VM
    assert vc["credentialStatus"]["type"] == "BitstringStatusListEntry"


def test_export_then_import_gives_the_same_document_and_target_hash(issued, vc) -> None:
    back = import_credential(vc)
    assert back["document"] == issued["document"]
    assert _target(back) == _target(issued)
    assert back["proof"]["target_hash"] == issued["proof"]["target_hash"]


def test_base_proof_verifies_and_a_changed_value_does_not(vc) -> None:
    assert verify_sd_base(vc, VC_KEY.public_multikey, LOADER) is True
    changed = copy.deepcopy(vc)
    changed["credentialSubject"]["consignor"]["name"] = "Someone Else GmbH"
    assert verify_sd_base(changed, VC_KEY.public_multikey, LOADER) is False


def test_redaction_hides_value_and_salt_and_keeps_the_target_hash(issued, vc) -> None:
    derived = derive_credential(vc, ["consignee", "goods[1].invoice"], LOADER)
    subject = derived["credentialSubject"]
    assert "consignee" not in subject
    assert "invoiceReference" not in subject["includedConsignmentItems"][1]
    salted = {e["fieldPath"] for e in derived["evidence"]["fieldSalts"]}
    assert not any(p.startswith("consignee") for p in salted)
    assert verify_sd_derived(derived, VC_KEY.public_multikey, LOADER) is True
    back = import_credential(derived)
    assert _target(back) == _target(issued)
    assert "consignee.name" in back["proof"]["withheld"]


@pytest.mark.parametrize("field", ["number", "schema", "goods[0].item_number", "nothing.here"])
def test_a_mandatory_or_unknown_field_cannot_be_hidden(vc, field: str) -> None:
    with pytest.raises(InteropError) as info:
        derive_credential(vc, [field], LOADER)
    assert info.value.code in {"field_mandatory", "field_unknown"}


def test_a_good_credential_passes_every_layer_offline(vc) -> None:
    result = _verify(vc)
    names = [c.name for c in result.checks]
    assert names[:7] == [
        "vc_format",
        "vc_terms",
        "vc_issuer",
        "vc_key",
        "vc_proof",
        "vc_dates",
        "vc_key_registered",
    ]
    assert result.check("vc_proof").status is CheckStatus.OK
    assert result.check("vc_key_registered").status is CheckStatus.SKIPPED
    assert result.check("integrity").status is CheckStatus.OK
    assert result.check("signature").status is CheckStatus.OK
    assert result.verdict is Verdict.UNCONFIRMED  # offline: never VALID


def test_a_derived_credential_passes_offline(vc) -> None:
    derived = derive_credential(vc, ["producer", "goods[0].invoice"], LOADER)
    result = _verify(derived)
    assert result.verdict is Verdict.UNCONFIRMED
    assert "producer.name" in result.withheld or "producer" in result.withheld


def _failed(result) -> tuple[str, str]:
    failed = result.failed()
    assert failed, result.checks
    return failed[0].name, failed[0].code


def test_layers_name_what_failed(vc) -> None:
    tampered = copy.deepcopy(vc)
    tampered["credentialSubject"]["consignor"]["name"] = "Forged AG"
    assert _failed(_verify(tampered)) == ("vc_proof", "proof_invalid")

    extra = copy.deepcopy(vc)
    extra["credentialSubject"]["surprise"] = "unsigned"
    assert _failed(_verify(extra)) == ("vc_terms", "vc_undefined_term")

    other = copy.deepcopy(vc)
    other["issuer"] = "did:web:other.example"
    assert _failed(_verify(other)) == ("vc_issuer", "issuer_mismatch")

    assert _failed(_verify(vc, TrustList({})))[1] == "key_unknown"
    assert _failed(_verify(vc, _trust("0x" + "22" * 20))) == ("vc_key", "key_not_bound")

    vocab = copy.deepcopy(vc)
    vocab["@context"] = [*vc["@context"], {"@vocab": "https://evil.example/#"}]
    assert _failed(_verify(vocab)) == ("vc_format", "context_unknown")

    proofs = copy.deepcopy(vc)
    proofs["proof"] = [vc["proof"], vc["proof"]]
    assert _failed(_verify(proofs)) == ("vc_format", "proof_set")


def test_a_credential_signed_by_another_key_of_the_same_did_fails(issued) -> None:
    thief = _export(issued, key=P256KeyPair.from_secret(b"\x05" * 32))
    result = _verify(thief)
    assert result.verdict is Verdict.INVALID
    assert _failed(result) == ("vc_proof", "proof_invalid")


def test_a_tampered_issued_file_is_not_exported(issued) -> None:
    bad = copy.deepcopy(issued)
    bad["document"]["exporter"]["name"] = "Forged AG"
    with pytest.raises(InteropError) as info:
        _export(bad)
    assert info.value.code == "issued_tampered"


def test_hiding_a_whole_goods_item_keeps_its_number_and_the_target_hash(issued, vc) -> None:
    derived = derive_credential(vc, ["goods[1]"], LOADER)
    items = derived["credentialSubject"]["includedConsignmentItems"]
    assert items[1] == {"sequenceNumber": 2}
    back = import_credential(derived)
    assert _target(back) == _target(issued)
    assert _verify(derived).verdict is Verdict.UNCONFIRMED


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 2**16), data=st.data())
def test_any_redaction_verifies_and_keeps_the_target_hash(seed: int, data: st.DataObject) -> None:
    issued = _issued(seed=seed, items=2)
    vc = _export(issued)
    hideable = sorted(
        p
        for p in flatten(issued["document"])
        if not any(covers(f, p) for f in MANDATORY_FIELDS) and not p.endswith("item_number")
    )
    prefixes = sorted({p.split(".")[0] for p in hideable} | set(hideable))
    hide = data.draw(st.lists(st.sampled_from(prefixes), max_size=4, unique=True))
    derived = derive_credential(vc, hide, LOADER)
    assert verify_sd_derived(derived, VC_KEY.public_multikey, LOADER) is True
    back = import_credential(derived)
    assert _target(back) == _target(issued)
    shown = flatten(back["document"])
    leaked = [p for p in shown if any(covers(h, p) for h in hide) and not p.endswith("item_number")]
    assert leaked == []
