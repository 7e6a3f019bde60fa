"""A TrustVC-signed certificate of origin (signW3C in node, offline) becomes a draft here: its
proof checked against the trust list, its fields mapped, the rest listed as unmapped; never a
verdict (nothing anchors it)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from origincert.interop.did import TrustList
from origincert.interop.errors import InteropError
from origincert.interop.foreign import TRUSTVC_COO_CONTEXT, import_foreign
from origincert.verdict import Verdict

from . import test_credential as tc
from .jsbridge import TRUSTVC_CONTEXTS, base_documents, run

COO = json.loads((TRUSTVC_CONTEXTS / "coo.json").read_text())
LOADER = tc.LOADER.with_documents({TRUSTVC_COO_CONTEXT: COO})

UNSIGNED = {
    "@context": ["https://www.w3.org/ns/credentials/v2", TRUSTVC_COO_CONTEXT],
    "type": ["VerifiableCredential"],
    "issuer": tc.DID,
    "validFrom": "2025-06-01T00:00:00Z",
    "credentialSubject": {
        "type": ["Coo"],
        "cooId": "SG-2025-0001",
        "issueDateTime": "2025-06-01T09:00:00Z",
        "exporterName": "Lion City Electronics Pte Ltd",
        "exporterLine1": "1 Harbourfront Avenue",
        "exporterCityName": "Singapore",
        "exporterPostcode": "098632",
        "exporterCountryCode": "SG",
        "importerName": "Hamburg Import GmbH",
        "importerCountryCode": "DE",
        "importCountryCode": "DE",
        "loadingBaseportLocationName": "Singapore",
        "unloadingBaseportLocationName": "Hamburg",
        "departureDateTime": "2025-06-03T00:00:00Z",
        "supplyChainConsignmentInformation": "Back-to-back shipment",
        "includedConsignmentItems": [
            {
                "originCriteriaText": "WO",
                "manufacturerName": "Johor Components Sdn Bhd",
                "tradeLineItems": [
                    {
                        "sequenceNumber": 1,
                        "tradeProductDescription": "PRINTED CIRCUIT ASSEMBLIES",
                        "harmonisedTariffclassCode": "847330",
                        "originCountryCode": "MY",
                        "invoiceReferenceId": "INV-77",
                        "formattedIssueDateTime": "2025-05-30T00:00:00Z",
                    }
                ],
            }
        ],
    },
}


def _documents() -> dict[str, Any]:
    from origincert.interop.did import did_web_document

    didoc = did_web_document(
        tc.DID,
        tc.VC_KEY.public_multikey,
        ledger_address=tc.LEDGER_KEY.address,
        chain_id=tc.CHAIN_ID,
    )
    return {**base_documents(), TRUSTVC_COO_CONTEXT: COO, tc.DID: didoc}


@pytest.fixture(scope="module")
def signed() -> dict[str, Any]:
    return run(
        "trustvc-sign",
        credential=UNSIGNED,
        keyPair={
            "type": "Multikey",
            "id": tc.VM,
            "controller": tc.DID,
            "publicKeyMultibase": tc.VC_KEY.public_multikey,
            "secretKeyMultibase": tc.VC_KEY.secret_multikey,
        },
        mandatoryPointers=["/issuer"],
        documents=_documents(),
    )["credential"]


def test_a_trustvc_coo_becomes_a_draft_with_its_unmapped_fields(signed) -> None:
    draft = import_foreign(signed, tc._trust(), LOADER)
    doc = draft.document
    assert doc["number"] == "SG-2025-0001" and doc["issue_date"] == "2025-06-01"
    assert doc["exporter"] == {
        "name": "Lion City Electronics Pte Ltd",
        "country": "SG",
        "address": "1 Harbourfront Avenue\nSingapore\n098632",
    }
    assert doc["transport"]["departure_date"] == "2025-06-03"
    assert (
        doc["goods"][0]["hs_code"] == "847330"
        and doc["goods"][0]["invoice"]["date"] == "2025-05-30"
    )
    assert draft.unmapped == {
        "/credentialSubject/supplyChainConsignmentInformation": "Back-to-back shipment",
        "/credentialSubject/includedConsignmentItems/0/manufacturerName": "Johor Components Sdn Bhd",
    }
    assert draft.issuer == tc.DID and draft.source == "trustvc-coo"


def test_a_tampered_or_untrusted_foreign_credential_is_refused(signed) -> None:
    forged = copy.deepcopy(signed)
    forged["credentialSubject"]["harmonisedTariffclassCode"] = "x"  # an added statement
    forged["credentialSubject"]["exporterName"] = "Someone Else"
    with pytest.raises(InteropError) as info:
        import_foreign(forged, tc._trust(), LOADER)
    assert info.value.code == "proof_invalid"
    with pytest.raises(InteropError) as info:
        import_foreign(signed, TrustList({}), LOADER)
    assert info.value.code == "key_unknown"
    with pytest.raises(InteropError) as info:
        import_foreign(
            {**signed, "@context": ["https://www.w3.org/ns/credentials/v2"]}, tc._trust(), LOADER
        )
    assert info.value.code == "vc_type"


def test_import_foreign_on_the_command_line(signed, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    from click.testing import CliRunner

    from origincert.cli import main
    from origincert.interop.did import did_web_document

    trust = tmp_path / "trust"
    trust.mkdir()
    didoc = did_web_document(
        tc.DID,
        tc.VC_KEY.public_multikey,
        ledger_address=tc.LEDGER_KEY.address,
        chain_id=tc.CHAIN_ID,
    )
    (trust / "sg.json").write_text(json.dumps(didoc))
    source = tmp_path / "sg-coo.vc.json"
    source.write_text(json.dumps(signed))
    coo = tmp_path / "coo.json"
    coo.write_text(json.dumps(COO))
    args = [
        "import",
        "--foreign",
        str(source),
        "--trust-list",
        str(trust),
        "--context",
        f"{TRUSTVC_COO_CONTEXT}={coo}",
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    out = json.loads((tmp_path / "sg-coo.draft.json").read_text())
    assert out["draft"]["number"] == "SG-2025-0001" and len(out["unmapped"]) == 2
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 1 and "output_exists" in again.output
    missing = CliRunner().invoke(main, args[:5])
    assert missing.exit_code == 1 and "context_unknown" in missing.output


def test_a_foreign_credential_is_never_a_verdict_of_ours(signed) -> None:
    """Dropped on ``verify`` instead of ``import --foreign``, the TrustVC certificate is refused at
    its first layer (its context is not one a certificate credential may use), never VALID."""
    result = tc._verify(signed)
    assert result.verdict is Verdict.INVALID
    assert [(c.name, c.code) for c in result.failed()] == [("vc_format", "context_unknown")]
