"""The document's issuing body against the ledger's: the pure rule the issuer applies at issue
time and the verifier's ledger checks rely on."""

from __future__ import annotations

from origincert.binding import LedgerBody, body_problems, same_name

BODY = LedgerBody(7, "IHK Berlin", "DE")


def test_a_v2_body_must_match_by_id_name_and_economy() -> None:
    assert body_problems({"ledger_id": 7, "name": "IHK  Berlin", "economy": "DE"}, BODY) == []
    paths = lambda body: [p for p, _ in body_problems(body, BODY)]
    assert paths({"ledger_id": 8, "name": "IHK Berlin", "economy": "DE"}) == [
        "issuing_body.ledger_id"
    ]
    assert paths({"ledger_id": 7, "name": "IHK Hamburg", "economy": "DE"}) == ["issuing_body.name"]
    assert paths({"ledger_id": 7, "name": "ihk berlin", "economy": "DE"}) == ["issuing_body.name"]
    assert paths({"ledger_id": 7, "economy": "DE"}) == ["issuing_body.name"]
    assert paths({"ledger_id": 7, "name": "IHK Berlin", "economy": "FR"}) == [
        "issuing_body.economy"
    ]


def test_a_v1_body_without_ledger_id_is_judged_on_its_economy() -> None:
    assert body_problems({"name": "anything", "economy": "DE"}, BODY) == []
    assert [p for p, _ in body_problems({"name": "x", "economy": "SG"}, BODY)] == [
        "issuing_body.economy"
    ]


def test_names_compare_after_nfc_and_whitespace_only() -> None:
    assert same_name("Handelskammer Du\u0308sseldorf", "Handelskammer Düsseldorf")
    assert same_name(" IHK\tBerlin ", "IHK Berlin")
    assert not same_name("IHK Berlin", "IHK Berlín")
    assert not same_name("IHK Berlin", "IHK Berlin e.V.")
