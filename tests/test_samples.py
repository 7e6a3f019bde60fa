"""Sample certificates: always valid and canonical, reproducible, varied like real trade."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from origincert.devtools.samples import ECONOMIES, sample_batch, sample_certificate
from origincert.document import FORMS, parse_certificate
from origincert.errors import DocumentError
from origincert.fields import commit
from origincert.issued import FORMAT_ID
from origincert.verifier import Verifier


@settings(max_examples=400, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**64))
def test_every_sample_is_valid_and_canonical(seed: int) -> None:
    c = sample_certificate(random.Random(seed))
    assert parse_certificate(c).to_json() == c


@settings(max_examples=100, deadline=None)
@given(
    seed=st.integers(0, 2**32), economy=st.sampled_from(sorted(ECONOMIES)), items=st.integers(1, 50)
)
def test_economy_and_item_count_are_honoured(seed: int, economy: str, items: int) -> None:
    c = sample_certificate(random.Random(seed), economy=economy, items=items)
    parse_certificate(c)
    assert c["issuing_body"]["economy"] == c["exporter"]["country"] == economy
    assert len(c["goods"]) == items


def test_number_is_honoured() -> None:
    assert sample_certificate(random.Random(1), number="CHAMBER-42")["number"] == "CHAMBER-42"


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"economy": "ZZ"}, "sample_unknown_economy"),
        ({"items": 0}, "sample_bad_items"),
        ({"items": 51}, "sample_bad_items"),
    ],
)
def test_bad_arguments(kwargs: dict, code: str) -> None:
    with pytest.raises(DocumentError) as err:
        sample_certificate(random.Random(1), **kwargs)
    assert err.value.code == code


def test_bad_batch_size() -> None:
    with pytest.raises(DocumentError) as err:
        sample_batch(-1, 0)
    assert err.value.code == "sample_bad_count"


@pytest.fixture(scope="module")
def batch() -> list[dict]:
    return sample_batch(1500, seed=2024)


def test_batch_is_reproducible_and_numbers_unique(batch: list[dict]) -> None:
    assert sample_batch(20, seed=2024) == batch[:20]
    assert sample_batch(20, seed=2025) != batch[:20]
    assert len({c["number"] for c in batch}) == len(batch)
    assert not {c["number"] for c in sample_batch(200, seed=7)} & {
        c["number"] for c in sample_batch(200, seed=8)
    }


def test_batch_covers_every_form_and_many_economies(batch: list[dict]) -> None:
    forms = Counter(c["form"] for c in batch)
    assert set(forms) == set(FORMS)
    assert len({c["issuing_body"]["economy"] for c in batch}) >= 40
    assert len({g["hs_code"][:6] for c in batch for g in c["goods"]}) >= 50


def test_batch_item_counts_look_like_trade(batch: list[dict]) -> None:
    sizes = [len(c["goods"]) for c in batch]
    assert sum(n <= 5 for n in sizes) / len(sizes) > 0.8
    assert max(sizes) > 20 and max(sizes) <= 50
    assert all(len(c["goods"]) <= 20 for c in batch if c["form"] == "FORM_E")


def test_batch_contains_the_special_cases(batch: list[dict]) -> None:
    flags = Counter(k for c in batch for k, v in c["flags"].items() if v)
    for flag in (
        "issued_retroactively",
        "back_to_back",
        "third_party_invoicing",
        "duplicate",
        "de_minimis",
        "accumulation",
    ):
        assert flags[flag] >= 3, flag
    assert any("replaces" in c for c in batch)
    assert any(c["producer"] in ("SAME", "UNKNOWN", "AVAILABLE_UPON_REQUEST") for c in batch)
    assert any(isinstance(c["producer"], dict) for c in batch)
    assert any(c["consignee"]["name"].startswith("TO ORDER") for c in batch)


def test_origin_criteria_fit_the_goods(batch: list[dict]) -> None:
    for c in batch:
        for g in c["goods"]:
            criterion = g.get("origin_criterion")
            if criterion and criterion["code"] == "RVC":
                assert 40 <= int(criterion["percentage"]) <= 85 and "fob_value" in g
    criteria = Counter(
        g["origin_criterion"]["code"] for c in batch for g in c["goods"] if "origin_criterion" in g
    )
    assert {"WO", "RVC", "CTH", "PE", "P", "W"} <= set(criteria)


def test_back_to_back_origin_is_the_first_party(batch: list[dict]) -> None:
    b2b = [c for c in batch if c["flags"]["back_to_back"]]
    assert b2b
    for c in b2b:
        first = c["original_proof"]["issuing_country"]
        assert first != c["issuing_body"]["economy"]
        assert (
            {g["country_of_origin"] for g in c["goods"]}
            == {c["original_proof"]["country_of_origin"]}
            == {first}
        )


def _validity_today(doc: dict[str, Any]) -> tuple[str, str]:
    """The verifier's validity check on ``doc`` with its own (real) clock: (status, code)."""
    seed = bytes(range(32))
    c = commit(doc, seed)
    issued = {
        "format": FORMAT_ID,
        "document": doc,
        "proof": {
            "seed": "0x" + seed.hex(),
            "field_hashes": {p: "0x" + h.hex() for p, h in c.field_hashes.items()},
            "shape": dict(c.shape),
            "target_hash": "0x" + c.target_hash.hex(),
            "leaf": "0x" + "11" * 32,
            "merkle_proof": [],
            "root": "0x" + "11" * 32,
            "leaf_index": 0,
            "batch_size": 1,
            "signature": "0x" + "44" * 65,
            "signer": "0x" + "AB" * 20,
            "chain_id": 31337,
            "registry": "0x" + "cd" * 20,
            "issuer_id": 1,
            "epoch": 0,
            "deadline": 1_900_000_000,
        },
    }
    result = Verifier.offline().verify(issued)
    (check,) = [c for c in result.checks if c.name == "validity"]
    return check.status.value, check.code


@pytest.mark.parametrize("seed", range(12))
def test_a_fresh_sample_is_in_force_today(seed: int) -> None:
    """Samples are issued today unless pinned: a fresh one never verifies EXPIRED (a generator
    pinned to a past year made every demo and benchmark certificate expired)."""
    doc = sample_certificate(random.Random(seed), ledger_id=1)
    assert doc["issue_date"] == datetime.now(UTC).date().isoformat()
    assert _validity_today(doc) == ("ok", "within_validity")


def test_a_sample_pinned_to_a_past_year_is_expired_today() -> None:
    doc = sample_certificate(random.Random(3), ledger_id=1, issued_on=date(2021, 3, 1))
    assert _validity_today(doc) == ("failed", "expired")
