"""The certificate model: field shapes, cross-field rules, error paths, JSON loading, the schema."""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from origincert.devtools.samples import sample_certificate
from origincert.document import (
    FORMS,
    SCHEMA_ID,
    SCHEMA_PATH,
    Certificate,
    default_valid_until,
    forbidden_withheld,
    json_schema,
    load_json,
    parse_certificate,
    validate_shown,
)
from origincert.errors import DocumentError


def sample(form: str | None = None, items: int = 3, seed: int = 1, **kw: Any) -> dict[str, Any]:
    """A valid certificate, of ``form`` if given, in plain (mutable) JSON form."""
    rng = random.Random(seed)
    for _ in range(2000):
        c = sample_certificate(rng, items=items, **kw)
        if form is None or c["form"] == form:
            return json.loads(json.dumps(c))
    raise AssertionError(f"no {form} sample")


def plain(form: str = "FORM_D", items: int = 3) -> dict[str, Any]:
    """A sample with none of the special cases, so a test changes exactly one thing."""
    c = sample(form, items=items)
    c["flags"] = {k: False for k in c["flags"]}
    for key in ("original_proof", "third_party_invoicer", "copy_of", "duplicate_of", "replaces"):
        c.pop(key, None)
    c["transport"]["departure_date"] = c["issue_date"]
    return c


def problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(DocumentError) as err:
        parse_certificate(data)
    assert err.value.code == "document_invalid"
    return err.value.problems


def problem_at(data: dict[str, Any], path: str) -> str:
    found = [m for p, m in problems(data) if p == path]
    assert found, f"no problem at {path}: {problems(data)}"
    return found[0]


def set_path(doc: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """Return a copy of ``doc`` with ``path`` (a.b[2].c) set to ``value`` (or removed if ...)."""
    out = copy.deepcopy(doc)
    node: Any = out
    parts = path.replace("[", ".[").split(".")
    for part in parts[:-1]:
        node = node[int(part[1:-1])] if part.startswith("[") else node[part]
    last = parts[-1]
    key: Any = int(last[1:-1]) if last.startswith("[") else last
    if value is ...:
        node.pop(key, None)
    else:
        node[key] = value
    return out


# --- happy path ---------------------------------------------------------------------------------


def test_parse_returns_a_frozen_model_and_to_json_round_trips() -> None:
    c = plain()
    cert = parse_certificate(c)
    assert isinstance(cert, Certificate)
    assert cert.to_json() == c
    assert cert.issue_date == date.fromisoformat(c["issue_date"])
    with pytest.raises(ValidationError, match="frozen"):
        cert.number = "X"  # type: ignore[misc]


def test_to_json_omits_absent_fields_and_fills_defaults() -> None:
    c = plain("ICC_CO")
    del c["valid_until"], c["flags"]
    c.pop("remarks", None)
    c["remarks"] = None
    out = parse_certificate(c).to_json()
    assert "remarks" not in out
    assert out["flags"] == {k: False for k in out["flags"]} and len(out["flags"]) == 9
    assert (
        out["valid_until"]
        == default_valid_until(date.fromisoformat(c["issue_date"]), "ICC_CO").isoformat()
    )


@pytest.mark.parametrize(
    ("form", "issued", "until"),
    [
        ("ICC_CO", "2025-03-15", "2026-03-15"),
        ("FORM_D", "2024-02-29", "2025-02-28"),
        ("RCEP", "2025-01-31", "2026-01-31"),
        ("EUR1", "2025-10-31", "2026-02-28"),
        ("EUR1", "2025-01-31", "2025-05-31"),
        ("FORM_A", "2025-05-31", "2026-03-31"),
        ("FORM_E", "2025-12-01", "2026-12-01"),
    ],
)
def test_default_validity_table(form: str, issued: str, until: str) -> None:
    assert default_valid_until(date.fromisoformat(issued), form) == date.fromisoformat(until)


def test_every_form_has_a_rule_and_the_documented_validity() -> None:
    expected = {
        "ICC_CO": 12,
        "EUR1": 4,
        "EUR_MED": 4,
        "FORM_A": 10,
        "FORM_D": 12,
        "FORM_E": 12,
        "RCEP": 12,
    }
    assert {f: FORMS[f].validity_months for f in expected} == expected
    schema_forms = json_schema()["properties"]["form"]["enum"]
    assert sorted(schema_forms) == sorted(FORMS)


# --- field shapes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("goods[1].hs_code", "12345", "must be 6 to 10 digits"),
        ("goods[1].hs_code", "12345678901", "must be 6 to 10 digits"),
        ("goods[1].hs_code", "7701.10", "must be 6 to 10 digits"),
        ("goods[1].hs_code", "770110", "must be 6 to 10 digits starting with an HS chapter"),
        ("goods[1].hs_code", "990110", "must be 6 to 10 digits starting with an HS chapter"),
        ("goods[0].gross_weight_kg", "1e3", "must be a decimal string"),
        ("goods[0].gross_weight_kg", "-5", "must be a decimal string"),
        ("goods[0].gross_weight_kg", "01.5", "must be a decimal string"),
        ("goods[0].gross_weight_kg", "1.", "must be a decimal string"),
        ("goods[0].gross_weight_kg", "0.000", "must be greater than zero"),
        ("goods[0].gross_weight_kg", 12.5, "must be a string"),
        ("goods[0].quantity.value", "1.1234567", "must be a decimal string"),
        ("goods[0].packages.count", "3", "must be a whole number"),
        ("goods[0].packages.count", True, "must be a whole number"),
        ("goods[0].packages.count", 3.0, "must be a whole number"),
        ("goods[0].packages.count", 0, "must be at least 1"),
        ("goods[0].packages.kind", "CARTON", "UN/ECE Rec. 21"),
        ("goods[0].quantity.unit", "kg", "UN/ECE Rec. 20"),
        ("exporter.country", "XX", "is not an assigned ISO 3166-1 alpha-2"),
        ("exporter.country", "sg", "ISO 3166-1 alpha-2 code in capitals"),
        ("exporter.country", "EU", "is not an assigned ISO 3166-1 alpha-2"),
        ("goods[0].country_of_origin", "QQ", "or EU"),
        ("issue_date", "2025-02-30", "is not a real calendar date"),
        ("issue_date", "2025-2-3", "YYYY-MM-DD"),
        ("issue_date", 20250203, "YYYY-MM-DD"),
        ("issue_date", "2025-02-03T00:00:00", "YYYY-MM-DD"),
        ("number", "sg-2025-1", "A-Z, 0-9"),
        ("number", "SG 2025 1", "A-Z, 0-9"),
        ("number", "-SG1", "A-Z, 0-9"),
        ("number", "X" * 41, "A-Z, 0-9"),
        ("kind", "preferred", "must be 'non_preferential' or 'preferential'"),
        ("form", "FORM_Z", "must be 'ICC_CO'"),
        ("transport.mode", "ship", "must be 'sea'"),
        ("goods[0].origin_criterion.code", "XYZ", "must be 'WO'"),
        ("goods[0].origin_criterion.percentage", "40.5", "whole percentage"),
        ("goods[0].origin_criterion.percentage", "101", "whole percentage"),
        ("goods[0].fob_value", {"amount": "10.00", "currency": "usd"}, None),
        (
            "schema",
            "urn:origincert:schema:certificate:1",
            "must be 'urn:origincert:schema:certificate:2'",
        ),
        ("issuing_body.ledger_id", 0, "must be at least 1"),
        ("issuing_body.ledger_id", "1", "must be a whole number"),
        ("issuing_body.ledger_id", True, "must be a whole number"),
        ("producer", 7, "must be a party object or one of SAME"),
        ("producer", "SOMEONE", "must be 'SAME', 'UNKNOWN' or 'AVAILABLE_UPON_REQUEST'"),
        ("producer", {"name": "X"}, None),
        ("exporter", "ACME", "must be an object"),
        ("goods", {"item_number": 1}, "must be a list"),
        ("goods", [], "needs at least 1 item"),
        ("exporter.name", "", "must not be empty"),
        ("exporter.name", "A" * 201, "is too long (at most 200 characters)"),
        ("flags.duplicate", "false", "must be true or false"),
    ],
)
def test_bad_field_is_named_with_a_short_message(
    path: str, value: Any, message: str | None
) -> None:
    c = plain()
    c["goods"][0]["fob_value"] = {"amount": "10.00", "currency": "USD"}
    c["goods"][0]["origin_criterion"] = {"code": "RVC", "percentage": "40"}
    found = problems(set_path(c, path, value))
    assert found, path
    if message is None:  # an object: the problem is inside it
        assert all(p.startswith(path + ".") for p, _ in found), found
        return
    assert (path, found[0][1]) in found and message in dict(found)[path], found


def test_problem_paths_inside_nested_objects() -> None:
    c = set_path(plain(), "goods[2].packages.kind", "carton")
    c = set_path(c, "producer", {"name": "X", "address": "Y", "country": "ZZ", "extra": 1})
    found = dict(problems(c))
    assert "goods[2].packages.kind" in found
    assert found["producer.country"].startswith("is not an assigned")
    assert found["producer.extra"] == "is not an allowed field"


def test_missing_and_extra_fields() -> None:
    c = plain()
    del c["exporter"]["address"]
    c["surprise"] = True
    c["goods"][1]["colour"] = "red"
    found = dict(problems(c))
    assert found == {
        "exporter.address": "is required",
        "surprise": "is not an allowed field",
        "goods[1].colour": "is not an allowed field",
    }


def test_unexpected_keys_are_escaped_in_paths() -> None:
    c = plain()
    c["bad key\x1b[31m"] = 1
    ((path, message),) = problems(c)
    assert path == '["bad key\\u001b[31m"]' and message == "is not an allowed field"


def test_error_message_summarises_problems() -> None:
    c = plain()
    for i in range(3):
        c["goods"][i]["hs_code"] = "1"
    c["exporter"]["country"] = "XX"
    c["importing_country"] = "YY"
    c["issue_place"] = ""
    with pytest.raises(DocumentError) as err:
        parse_certificate(c)
    assert err.value.message.startswith("certificate is invalid (6 problems): ")
    assert "goods[0].hs_code must be 6 to 10 digits" in err.value.message
    assert err.value.message.endswith("and 1 more")


@pytest.mark.parametrize("value", [None, [], "cert", 5])
def test_parse_refuses_a_non_object(value: Any) -> None:
    with pytest.raises(DocumentError) as err:
        parse_certificate(value)
    assert err.value.code == "document_not_object"


# --- text hygiene -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("char", "kind"),
    [("\x00", "a NUL byte"), ("\x1b", "a control character"), ("\x7f", "a control character"),
     ("\x85", "a control character"), ("\r", "a control character"), ("\t", "a control character"),
     ("\u202e", "a bidirectional override"), ("\u202a", "a bidirectional override"),
     ("\u2066", "a bidirectional override"), ("\u2069", "a bidirectional override"),
     ("\ud800", "a lone surrogate")],
)  # fmt: skip
@pytest.mark.parametrize(
    "path",
    [
        "exporter.name",
        "exporter.address",
        "goods[1].description",
        "remarks",
        "declaration.statement",
    ],
)
def test_forbidden_characters_are_refused_everywhere(char: str, kind: str, path: str) -> None:
    c = set_path(plain(), path, f"ACME{char}Ltd")
    message = problem_at(c, path)
    if char == "\ud800":  # pydantic refuses it before our check, without a position
        assert message == "contains a lone surrogate (not valid Unicode text)"
    else:
        assert message == f"contains {kind} (U+{ord(char):04X}) at position 4"


def test_line_breaks_only_in_multiline_fields() -> None:
    c = plain()
    c["exporter"]["address"] = "1 Road\nSingapore"
    c["goods"][0]["marks_and_numbers"] = "A\nB"
    c["remarks"] = "line 1\nline 2"
    assert parse_certificate(c).exporter.address == "1 Road\nSingapore"
    assert problem_at(set_path(c, "exporter.name", "ACME\nLtd"), "exporter.name").startswith(
        "contains a line break"
    )


@pytest.mark.parametrize("value", [" ACME", "ACME ", "\nACME", "\u3000ACME"])
def test_surrounding_whitespace_is_refused_not_stripped(value: str) -> None:
    c = set_path(plain(), "exporter.address", value)
    assert problem_at(c, "exporter.address") == "must not start or end with whitespace"


TEXT = st.text(
    alphabet=st.characters(
        exclude_categories=("Cs", "Cc", "Zl", "Zp"),
        exclude_characters="\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
    ),
    min_size=1,
    max_size=200,
).filter(lambda s: s.strip() == s)


@settings(max_examples=150)
@given(name=TEXT)
def test_any_clean_text_is_kept_exactly(name: str) -> None:
    c = set_path(plain(), "exporter.name", name)
    assert parse_certificate(c).to_json()["exporter"]["name"] == name


@settings(max_examples=150)
@given(prefix=st.text(max_size=5), bad=st.sampled_from(["\x00", "\x01", "\x1f", "\x9b", "\u202d", "\u2067", "\udfff"]),
       suffix=st.text(max_size=5))  # fmt: skip
def test_a_forbidden_character_anywhere_is_reported(prefix: str, bad: str, suffix: str) -> None:
    c = set_path(plain(), "issue_place", f"X{prefix}{bad}{suffix}X")
    assert problem_at(c, "issue_place").startswith("contains ")


# --- cross-field rules --------------------------------------------------------------------------


def mutate(c: dict[str, Any], **changes: Any) -> dict[str, Any]:
    out = copy.deepcopy(c)
    for path, value in changes.items():
        out = set_path(out, path.replace("__", "."), value)
    return out


RULE_CASES: list[tuple[str, str, Callable[[dict[str, Any]], dict[str, Any]], str, str]] = [
    (
        "FORM_D",
        "agreement missing",
        lambda c: set_path(c, "agreement", ...),
        "agreement",
        "is required on a preferential certificate",
    ),
    (
        "ICC_CO",
        "agreement on non-pref",
        lambda c: set_path(c, "agreement", "ATIGA"),
        "agreement",
        "is only used on preferential",
    ),
    (
        "FORM_D",
        "wrong agreement",
        lambda c: set_path(c, "agreement", "ACFTA"),
        "agreement",
        "must be ATIGA for form FORM_D",
    ),
    (
        "FORM_D",
        "kind mismatch",
        lambda c: set_path(c, "kind", "non_preferential"),
        "kind",
        "must be preferential for form FORM_D",
    ),
    (
        "FORM_D",
        "b2b flag without proof",
        lambda c: set_path(c, "flags.back_to_back", True),
        "original_proof",
        "is required when flags.back_to_back is true",
    ),
    (
        "FORM_D",
        "proof without b2b flag",
        lambda c: set_path(
            c,
            "original_proof",
            {
                "number": "TH-1",
                "issue_date": c["issue_date"],
                "issuing_country": "TH" if c["issuing_body"]["economy"] != "TH" else "VN",
                "country_of_origin": "TH",
            },
        ),
        "flags.back_to_back",
        "must be true when original_proof is given",
    ),
    (
        "FORM_D",
        "tpi flag without invoicer",
        lambda c: set_path(c, "flags.third_party_invoicing", True),
        "third_party_invoicer",
        "is required when flags.third_party_invoicing is true",
    ),
    (
        "FORM_D",
        "invoicer without flag",
        lambda c: set_path(c, "third_party_invoicer", {"name": "HK Trading Ltd", "country": "HK"}),
        "flags.third_party_invoicing",
        "must be true when third_party_invoicer is given",
    ),
    (
        "FORM_D",
        "copy flag without copy_of",
        lambda c: set_path(c, "flags.certified_true_copy", True),
        "copy_of",
        "is required when flags.certified_true_copy is true",
    ),
    (
        "FORM_D",
        "copy_of without flag",
        lambda c: set_path(c, "copy_of", {"number": "X-1", "issue_date": c["issue_date"]}),
        "flags.certified_true_copy",
        "must be true when copy_of is given",
    ),
    (
        "EUR1",
        "duplicate flag without duplicate_of",
        lambda c: set_path(c, "flags.duplicate", True),
        "duplicate_of",
        "is required when flags.duplicate is true",
    ),
    (
        "FORM_D",
        "late without retro flag",
        lambda c: set_path(c, "transport.departure_date", "2020-01-01"),
        "flags.issued_retroactively",
        "must be true: issued",
    ),
    (
        "FORM_D",
        "retro flag but on time",
        lambda c: set_path(c, "flags.issued_retroactively", True),
        "flags.issued_retroactively",
        "must be false",
    ),
    (
        "FORM_D",
        "items out of order",
        lambda c: set_path(c, "goods[1].item_number", 3),
        "goods[1].item_number",
        "must be 2 (items are numbered 1 to n in order)",
    ),
    (
        "FORM_D",
        "invoice after issue",
        lambda c: set_path(c, "goods[2].invoice.date", "2099-01-01"),
        "goods[2].invoice.date",
        "must not be after issue_date",
    ),
    (
        "FORM_D",
        "declaration after issue",
        lambda c: set_path(c, "declaration.date", "2099-01-01"),
        "declaration.date",
        "must not be after issue_date",
    ),
    (
        "FORM_D",
        "valid_until before issue",
        lambda c: set_path(c, "valid_until", c["issue_date"]),
        "valid_until",
        "must be after issue_date",
    ),
    (
        "FORM_D",
        "RVC without FOB",
        lambda c: set_path(
            set_path(c, "goods[0].origin_criterion", {"code": "RVC", "percentage": "40"}),
            "goods[0].fob_value",
            ...,
        ),
        "goods[0].fob_value",
        "is required when the origin criterion is RVC",
    ),
    (
        "FORM_D",
        "RVC without percentage",
        lambda c: set_path(c, "goods[0].origin_criterion", {"code": "RVC"}),
        "goods[0].origin_criterion.percentage",
        "is required with criterion RVC",
    ),
    (
        "FORM_D",
        "percentage with WO",
        lambda c: set_path(c, "goods[0].origin_criterion", {"code": "WO", "percentage": "40"}),
        "goods[0].origin_criterion.percentage",
        "is not used with criterion WO",
    ),
    (
        "FORM_D",
        "criterion not on the form",
        lambda c: set_path(c, "goods[0].origin_criterion", {"code": "P"}),
        "goods[0].origin_criterion.code",
        "must be one of CC, CTH, CTSH, PC, PE, RVC, SP, WO on form FORM_D",
    ),
    (
        "FORM_D",
        "criterion missing",
        lambda c: set_path(c, "goods[0].origin_criterion", ...),
        "goods[0].origin_criterion",
        "is required on form FORM_D",
    ),
    (
        "ICC_CO",
        "criterion on ICC",
        lambda c: set_path(c, "goods[0].origin_criterion", {"code": "WO"}),
        "goods[0].origin_criterion",
        "is not used on form ICC_CO",
    ),
    (
        "FORM_E",
        "8-digit HS on form E",
        lambda c: set_path(c, "goods[0].hs_code", c["goods"][0]["hs_code"] + "00"),
        "goods[0].hs_code",
        "must be 6 digits on form FORM_E",
    ),
    (
        "FORM_D",
        "consignee without address",
        lambda c: set_path(c, "consignee", {"name": "ACME", "country": c["importing_country"]}),
        "consignee.address",
        "is required unless the consignee is TO ORDER",
    ),
    (
        "FORM_D",
        "replaces itself",
        lambda c: set_path(
            c, "replaces", {"number": c["number"], "issue_date": c["issue_date"], "reason": "typo"}
        ),
        "replaces.number",
        "must differ from this certificate's number",
    ),
]


@pytest.mark.parametrize(
    ("form", "name", "change", "path", "message"), RULE_CASES, ids=[c[1] for c in RULE_CASES]
)
def test_cross_field_rule(form: str, name: str, change: Callable, path: str, message: str) -> None:
    c = plain(form)
    parse_certificate(c)  # valid before the change
    assert message in problem_at(change(c), path)


def test_retroactive_boundary_is_three_days() -> None:
    c = plain("FORM_D")
    issued = date.fromisoformat(c["issue_date"])
    three = set_path(
        c, "transport.departure_date", date.fromordinal(issued.toordinal() - 3).isoformat()
    )
    parse_certificate(three)
    four = set_path(
        c, "transport.departure_date", date.fromordinal(issued.toordinal() - 4).isoformat()
    )
    assert (
        problem_at(four, "flags.issued_retroactively")
        == "must be true: issued 4 days after departure"
    )
    parse_certificate(set_path(four, "flags.issued_retroactively", True))


def test_to_order_consignee_needs_no_address() -> None:
    c = set_path(plain(), "consignee", {"name": "TO ORDER OF DBS BANK LTD.", "country": "SG"})
    assert parse_certificate(c).consignee.address is None


def test_form_e_item_limit() -> None:
    c = plain("FORM_E", items=20)
    parse_certificate(c)
    extra = copy.deepcopy(c["goods"][0]) | {"item_number": 21}
    c["goods"].append(extra)
    assert problem_at(c, "goods") == "has more than 20 items, the limit of form FORM_E"


def test_fifty_items_at_most() -> None:
    c = plain("ICC_CO", items=50)
    parse_certificate(c)
    c["goods"].append(copy.deepcopy(c["goods"][0]) | {"item_number": 51})
    found = dict(problems(c))
    assert found["goods"] == "has more than 50 items"


def test_rules_run_after_field_checks() -> None:
    c = set_path(plain("FORM_D"), "agreement", ...)
    c["goods"][0]["hs_code"] = "x"
    assert [p for p, _ in problems(c)] == ["goods[0].hs_code"]


# --- redacted documents -------------------------------------------------------------------------


def test_validate_shown_excuses_only_withheld_fields() -> None:
    c = plain("FORM_D")
    del c["exporter"]
    c["goods"][1] = None
    del c["goods"][0]["invoice"]["number"]
    withheld = [
        "exporter.name",
        "exporter.address",
        "exporter.country",
        "goods[1].hs_code",
        "goods[0].invoice.number",
    ]
    validate_shown(c, withheld)
    with pytest.raises(DocumentError) as err:
        validate_shown(c, withheld[:-1])
    assert err.value.problems == [("goods[0].invoice.number", "is required")]
    with pytest.raises(DocumentError) as err:
        validate_shown(set_path(c, "goods[0].hs_code", "1"), withheld)
    assert [p for p, _ in err.value.problems] == ["goods[0].hs_code"]


def test_a_redacted_copy_still_runs_every_rule_whose_inputs_are_shown() -> None:
    """Issue 9, class 2: a withheld field used to stop every cross-field rule (``return``)."""
    c = plain("FORM_D")
    c["goods"][2]["item_number"] = 7  # a rule on shown fields only
    c["goods"][0]["invoice"]["date"] = "2999-01-01"  # after issue_date
    del c["exporter"]["name"]  # withheld: excuses nothing else
    with pytest.raises(DocumentError) as err:
        validate_shown(c, ["exporter.name"])
    assert [p for p, _ in err.value.problems] == ["goods[0].invoice.date", "goods[2].item_number"]


def test_a_rule_is_skipped_only_when_an_input_it_needs_is_withheld() -> None:
    c = plain("FORM_D")
    c["transport"]["departure_date"] = "2000-01-01"  # retroactive, but not ticked
    del c["goods"][1]["invoice"]["date"]
    problems_ = []
    try:
        validate_shown(c, ["goods[1].invoice.date"])
    except DocumentError as exc:
        problems_ = [p for p, _ in exc.problems]
    assert problems_ == ["flags.issued_retroactively"]
    del c["transport"]["departure_date"]
    validate_shown(c, ["goods[1].invoice.date", "transport.departure_date"])  # now unknowable


def test_the_back_to_back_economy_rule_runs_on_a_redacted_copy() -> None:
    c = plain("ICC_CO")
    c["flags"]["back_to_back"] = True
    c["original_proof"] = {
        "number": "X-1", "issue_date": c["issue_date"], "issuing_country": c["issuing_body"]["economy"],
        "country_of_origin": "CN",
    }  # fmt: skip
    del c["exporter"]
    with pytest.raises(DocumentError) as err:
        validate_shown(c, ["exporter.name", "exporter.address", "exporter.country"])
    assert [p for p, _ in err.value.problems] == ["original_proof.issuing_country"]


def test_the_item_limit_counts_hidden_items_from_the_committed_shape() -> None:
    c = plain("FORM_E", items=3)
    c["goods"][1] = None
    hidden = [f"goods[1].{k}" for k in ("item_number", "hs_code")]
    validate_shown(c, hidden, {"goods": 3})
    with pytest.raises(DocumentError) as err:
        validate_shown(c, hidden, {"goods": 21})  # form E allows 20
    assert [p for p, _ in err.value.problems] == ["goods"]


@pytest.mark.parametrize(
    ("path", "forbidden"),
    [("schema", True), ("number", True), ("issuing_body.economy", True),
     ("issuing_body.ledger_id", True), ("issuing_body.name", True), ("valid_until", True),
     ("issue_date", True), ("form", True), ("kind", True), ("replaces.number", True),
     ("flags.duplicate", True), ("exporter.name", False), ("goods[0].fob_value.amount", False),
     ("issue_place", False), ("numbers", False), ("forms", False)],
)  # fmt: skip
def test_the_unhideable_policy(path: str, forbidden: bool) -> None:
    assert (forbidden_withheld([path]) == [path]) is forbidden


def test_validate_shown_without_withheld_is_full_validation() -> None:
    with pytest.raises(DocumentError):
        validate_shown(set_path(plain(), "agreement", ...), [])


# --- load_json ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "code", "fragment"),
    [
        (b"", "json_empty", "empty"),
        (b"  \n ", "json_empty", "empty"),
        (b"\xff\xfe{}", "json_not_utf8", "offset 0"),
        (b'{"a": "\xc3"}', "json_not_utf8", "offset 7"),
        ("\ufeff{}".encode(), "json_malformed", "byte order mark"),
        (b"{", "json_malformed", "line 1, column 2"),
        (b'{\n  "a": 1,\n  "b": \n}', "json_malformed", "line 4, column 1"),
        (b'{"a": NaN}', "json_malformed", "NaN"),
        (b'{"a": -Infinity}', "json_malformed", "Infinity"),
        (b'{"a": ' + b"9" * 5000 + b"}", "json_malformed", "not valid JSON"),
        (b"[1, 2]", "json_not_object", "not an array"),
        (b'"text"', "json_not_object", "not a string"),
        (b"null", "json_not_object", "not null"),
        (b'{"a": 1, "a": 2}', "json_duplicate_key", '"a"'),
        (b'{"x": {"goods": [{"hs": 1, "hs": 1}]}}', "json_duplicate_key", '"hs"'),
        (b"[" * 100_000 + b"]" * 100_000, "json_too_deep", "nested"),
    ],
)
def test_load_json_refusals(raw: bytes, code: str, fragment: str) -> None:
    with pytest.raises(DocumentError) as err:
        load_json(raw)
    assert err.value.code == code
    assert fragment in err.value.message


def test_load_json_nesting_limit_ignores_brackets_in_strings() -> None:
    assert load_json(json.dumps({"a": "[" * 300, "b": '\\"{{{' * 100, "c": [[[1]]]}))["c"] == [
        [[1]]
    ]

    def doc(depth: int) -> str:  # an escaped backslash right before a closing quote, then nesting
        return '{"a": "x\\\\", "d": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"

    assert load_json(doc(100))["a"] == "x\\"
    for text in (doc(101), "[" * 101 + "]" * 101, "{" + '"k": {' * 100 + "}" * 101):
        with pytest.raises(DocumentError) as err:
            load_json(text)
        assert err.value.code == "json_too_deep"


def test_load_json_size_limit() -> None:
    raw = json.dumps({"x": "a" * 100}).encode()
    assert load_json(raw, max_bytes=len(raw)) == {"x": "a" * 100}
    with pytest.raises(DocumentError) as err:
        load_json(raw, max_bytes=len(raw) - 1)
    assert err.value.code == "json_too_large"
    with pytest.raises(DocumentError) as err:
        load_json("é" * 60, max_bytes=100)  # counted in UTF-8 bytes, not characters
    assert err.value.code == "json_too_large"


def test_load_json_accepts_text_and_bytes() -> None:
    c = plain()
    assert load_json(json.dumps(c, ensure_ascii=False)) == c
    assert load_json(json.dumps(c).encode()) == c


# --- JSON Schema ---------------------------------------------------------------------------------


def test_shipped_schema_matches_the_model() -> None:
    shipped = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert shipped == json_schema(), "regenerate with: python -m origincert.document --write-schema"
    assert shipped["$id"] == SCHEMA_ID
    assert shipped["properties"]["schema"]["const"] == SCHEMA_ID
    assert shipped["additionalProperties"] is False


def test_samples_validate_against_the_shipped_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    for seed in range(40):
        validator.validate(sample_certificate(random.Random(seed)))
    bad = set_path(plain(), "goods[0].hs_code", "12")
    assert not validator.is_valid(bad)


# --- the rules on the input (parse_certificate) and on the model's dump (model_validate) ----------


def _via_the_model(data: dict[str, Any]) -> Certificate:
    """The reference: pydantic's validator runs the rules on ``to_json()`` of the model."""
    from origincert.document import _error, _problems

    try:
        return Certificate.model_validate(data)
    except ValidationError as exc:
        raise _error(_problems(exc)) from None


def _outcome(parse: Callable[[dict[str, Any]], Certificate], data: dict[str, Any]) -> Any:
    try:
        return ("ok", parse(data).to_json())
    except DocumentError as exc:
        return ("refused", exc.code, exc.message, exc.problems)


_EDITS: list[tuple[str, list[Any]]] = [
    ("form", sorted(FORMS)),
    ("kind", ["preferential", "non_preferential"]),
    ("agreement", [..., None, "ATIGA", "ACFTA", "GSP", "EU-CH"]),
    ("valid_until", [..., None, "2026-01-01", "2031-12-31"]),
    ("issue_date", ["2026-01-01", "2026-06-30", "2027-02-28"]),
    ("declaration.date", ["2025-12-31", "2026-06-30", "2027-03-01"]),
    ("transport.departure_date", ["2025-12-01", "2026-06-29", "2027-02-28"]),
    ("flags", [..., None, {}, {"issued_retroactively": True}, {"back_to_back": True},
               {"third_party_invoicing": True, "duplicate": True, "certified_true_copy": True}]),
    ("original_proof", [..., None, {"number": "OP-1", "issue_date": "2026-01-01",
                                    "issuing_country": "DE", "country_of_origin": "CN"}]),
    ("third_party_invoicer", [..., None, {"name": "Inv Ltd", "country": "HK"}]),
    ("copy_of", [..., None, {"number": "X-1", "issue_date": "2027-05-01"}]),
    ("duplicate_of", [..., None, {"number": "X-2", "issue_date": "2025-05-01"}]),
    ("replaces", [..., None, {"number": "R-1", "issue_date": "2026-01-01", "reason": "lost"}]),
    ("consignee.address", [..., None, "1 Harbour Road"]),
    ("consignee.name", ["TO ORDER of the bank", "Some Importer"]),
    ("goods[0].item_number", [1, 2]),
    ("goods[0].hs_code", ["847130", "8471300000"]),
    ("goods[0].origin_criterion", [..., None, {"code": "RVC"}, {"code": "RVC", "percentage": "40"},
                                   {"code": "WO", "percentage": "10"}, {"code": "P"}]),
    ("goods[0].fob_value", [..., None, {"amount": "100.50", "currency": "USD"}]),
    ("goods[0].invoice.date", ["2025-12-01", "2027-12-01"]),
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    st.integers(0, 200),
    st.lists(st.tuples(st.integers(0, len(_EDITS) - 1), st.integers(0, 10)), max_size=5),
)
def test_the_rules_read_the_input_as_they_read_the_model(
    seed: int, edits: list[tuple[int, int]]
) -> None:
    data = sample(seed=seed, items=1 + seed % 3)
    for which, choice in edits:
        path, values = _EDITS[which]
        try:
            data = set_path(data, path, values[choice % len(values)])
        except (KeyError, IndexError, TypeError):
            pass  # the path's parent is absent in this sample
    assert _outcome(parse_certificate, data) == _outcome(_via_the_model, data)
