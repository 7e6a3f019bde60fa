"""The verdict page's data, built from stored results: pure functions, no Flask."""

from __future__ import annotations

import random
from typing import Any

import pytest

from origincert.devtools.samples import sample_certificate
from origincert.portal.render import (
    certificate_view,
    display_value,
    evidence_sections,
    issuer_view,
    page_view,
    verdict_view,
    when,
)
from origincert.verdict import Verdict


@pytest.fixture
def document() -> dict[str, Any]:
    return sample_certificate(random.Random(11), number="SG-2025-000001", economy="SG", items=3)


def cell_at(view: Any, path: str) -> Any:
    every = [c for _, cs in view.header for c in cs]
    every += [c for box in view.boxes + view.references for _, cs in box.rows for c in cs]
    every += [c for item in view.goods for cs in item for c in cs]
    every += [c for _, c in view.flags] + list(view.other)
    found = [c for c in every if c.path == path]
    assert found, f"{path} is not on the page"
    return found[0]


def test_every_field_of_a_certificate_is_placed_somewhere(document: dict[str, Any]) -> None:
    from origincert.fields import flatten

    view = certificate_view(document)
    shown_flags = {f"flags.{k}" for k, v in document["flags"].items() if v}
    for path, value in flatten(document).items():
        if path == "schema" or (path.startswith("flags.") and path not in shown_flags):
            continue  # the format, and unticked boxes (shown by their absence)
        cell = cell_at(view, path)
        assert cell.state == "shown"
        if path in ("producer", "form", "kind", "transport.mode"):
            continue  # codes spelled out in words (tested below)
        text = ("Yes" if value else "No") if isinstance(value, bool) else str(value)
        assert cell.value == display_value(path, text)
        assert text in cell.value or path.endswith((".unit", ".kind"))  # a code stays visible
    assert view.other == ()  # the layout knows every field of the model
    assert len(view.goods) == 3
    assert view.title.startswith("Certificate of origin") or "certificate" in view.title.lower()


def test_withheld_fields_are_marked_not_absent(document: dict[str, Any]) -> None:
    del document["exporter"]["address"]
    del document["goods"][1]["invoice"]
    withheld = ("exporter.address", "goods[1].invoice.number", "goods[1].invoice.date")
    view = certificate_view(document, withheld)
    assert cell_at(view, "exporter.address").state == "withheld"
    invoice = cell_at(view, "goods[1].invoice.number")
    assert invoice.state == "withheld"
    assert cell_at(view, "goods[0].invoice.number").state == "shown"
    assert view.withheld_count == 3


def test_a_withheld_last_goods_item_still_has_its_row(document: dict[str, Any]) -> None:
    del document["goods"][2]
    withheld = ("goods[2].hs_code", "goods[2].description")
    view = certificate_view(document, withheld)
    assert len(view.goods) == 3
    assert cell_at(view, "goods[2].hs_code").state == "withheld"


def test_flagged_fields_are_highlighted(document: dict[str, Any]) -> None:
    view = certificate_view(document, flagged=["goods[0].gross_weight_kg", "exporter"])
    assert cell_at(view, "goods[0].gross_weight_kg").flagged
    assert cell_at(view, "exporter.name").flagged  # a whole object named
    assert not cell_at(view, "goods[1].gross_weight_kg").flagged


def test_unknown_fields_are_listed_not_hidden(document: dict[str, Any]) -> None:
    document["customs_note"] = "<b>extra</b>"
    view = certificate_view(document)
    assert [(c.path, c.value) for c in view.other] == [("customs_note", "<b>extra</b>")]


def test_a_document_that_cannot_be_laid_out_is_shown_raw() -> None:
    view = certificate_view({"Weird Key": 1.5})
    assert view.raw is not None and "Weird Key" in view.raw


def test_producer_statement_is_spelled_out(document: dict[str, Any]) -> None:
    document["producer"] = "AVAILABLE_UPON_REQUEST"
    view = certificate_view(document)
    assert cell_at(view, "producer").value == "Available to the authorised body upon request"


def test_codes_are_spelled_out_and_unknown_codes_shown_as_they_are(
    document: dict[str, Any],
) -> None:
    document["form"], document["kind"], document["transport"]["mode"] = (
        "FORM_D",
        "preferential",
        "sea",
    )
    view = certificate_view(document)
    assert [cell_at(view, p).value for p in ("form", "kind", "transport.mode")] == [
        "Form D",
        "Preferential",
        "Sea",
    ]
    document["form"] = "FORM_ZZ"
    assert cell_at(certificate_view(document), "form").value == "FORM_ZZ"


def test_columns_empty_on_every_item_are_left_out(document: dict[str, Any]) -> None:
    for item in document["goods"]:
        item.pop("fob_value", None)
    view = certificate_view(document)
    assert "FOB value" not in view.goods_columns
    assert all(len(row) == len(view.goods_columns) for row in view.goods)
    flagged = certificate_view(document, flagged=["goods[0].fob_value"])
    assert "FOB value" in flagged.goods_columns  # a missing field a check names is shown missing


def test_ticked_boxes_only(document: dict[str, Any]) -> None:
    document["flags"]["third_party_invoicing"] = True
    view = certificate_view(document)
    assert [label for label, _ in view.flags] == ["Third-party invoicing"]


@pytest.mark.parametrize("verdict", [v.value for v in Verdict])
def test_every_verdict_has_a_tone_and_headline(verdict: str) -> None:
    view = verdict_view(verdict)
    assert view.word == verdict and view.headline
    # nothing read is no accusation: UNREADABLE is neutral, as UNCONFIRMED
    assert view.tone == {"VALID": "good", "UNCONFIRMED": "neutral", "UNREADABLE": "neutral"}.get(
        verdict, "bad" if verdict in ("INVALID", "REVOKED", "MALFORMED") else "warn"
    )


def test_an_unknown_verdict_is_never_shown_as_good() -> None:
    assert verdict_view("MAYBE").tone == "bad"


EVIDENCE = {
    "certificate": {"number": "SG-1"},
    "signer": "0xabc",
    "batch": {"root": "0x01", "leaf": "0x02", "size": 4},
    "ledger": {"chain_id": 31337, "registry": "0xreg", "block": 90, "time": "2025-01-02T00:00:00Z"},
    "anchor": {
        "tx": "0xtx",
        "block": 12,
        "time": "2025-01-01T00:00:00Z",
        "timestamp": 1735689600,
        "issuer_id": 2,
        "signer": "0xabc",
        "leaf_count": 4,
    },
    "issuer": {"id": 2, "name": "SICC", "economy": "SG", "status": "active"},
    "revocation": {
        "scope": "leaf",
        "time": "2025-01-03T00:00:00Z",
        "reason_code": 1,
        "reason": "issued in error",
        "by": "0xdef",
        "by_role": "issuing body",
        "tx": "0xrev",
    },
}


def test_evidence_sections_in_reading_order() -> None:
    sections = evidence_sections(EVIDENCE)
    assert [s.title for s in sections] == ["Anchoring", "Revocation", "Batch", "Ledger read"]
    anchoring = {r.label: r for r in sections[0].rows}
    assert anchoring["Transaction"].value == "0xtx" and anchoring["Transaction"].mono
    assert anchoring["Block"].value == "12"
    assert "Timestamp" not in anchoring  # the same fact as Time
    assert anchoring["Time"].value == "2025-01-01 00:00:00 UTC"
    assert [r.label for r in sections[0].rows].count("Signing key") == 1  # the signer, once
    revocation = {r.label: r.value for r in sections[1].rows}
    assert revocation["Reason"] == "issued in error"


def test_unknown_evidence_is_still_shown() -> None:
    sections = evidence_sections({"oracle": {"said": "yes"}, "note": "free"})
    assert [s.title for s in sections] == ["Anchoring", "Oracle"]


def test_issuer_from_the_ledger_with_accreditation() -> None:
    checks = [
        {
            "name": "issuer_accredited",
            "status": "ok",
            "code": "accredited_at_issue",
            "message": "SICC was accredited.",
        }
    ]
    view = issuer_view(EVIDENCE, {"issuing_body": {"name": "Claimed", "economy": "XX"}}, checks)
    assert (view.name, view.economy, view.status, view.tone, view.source) == (
        "SICC",
        "SG",
        "Accredited at issue",
        "good",
        "ledger",
    )
    suspended = [
        {
            "name": "issuer_accredited",
            "status": "failed",
            "code": "issuer_suspended",
            "message": "…",
        }
    ]
    assert issuer_view(EVIDENCE, None, suspended).tone == "warn"


def test_issuer_without_ledger_record_says_it_is_only_claimed() -> None:
    view = issuer_view({}, {"issuing_body": {"name": "Claimed", "economy": "DE"}}, [])
    assert (view.name, view.status, view.source) == ("Claimed", "Not checked", "certificate")


def test_page_view_prefers_the_verifiers_summary(document: dict[str, Any]) -> None:
    stored = {
        "result": {
            "verdict": "INVALID",
            "summary": "Not authentic. The field goods[0].hs_code was altered.",
            "checks": [
                {
                    "name": "integrity",
                    "status": "failed",
                    "code": "field_altered",
                    "message": "m",
                    "fields": ["goods[0].hs_code"],
                }
            ],
            "evidence": {},
            "withheld": [],
        },
        "document": document,
    }
    view = page_view(stored)
    assert view.reason.startswith("Not authentic.")
    assert view.checks[0]["label"] == "Integrity (no field altered)"
    assert cell_at(view.certificate, "goods[0].hs_code").flagged


def test_when() -> None:
    assert when(0.5) == "1970-01-01 00:00:00 UTC"
    assert when(1735689600) == "2025-01-01 00:00:00 UTC"
    assert when("2025-01-01T00:00:00Z") == "2025-01-01 00:00:00 UTC"
    assert when("2025-01-01") == "2025-01-01"
    assert when(True) == "True"
