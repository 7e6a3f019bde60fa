"""The model <-> credential mapping: exact inverse, one term per field, context in sync."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from origincert.devtools.samples import sample_certificate
from origincert.fields import flatten
from origincert.interop.errors import InteropError
from origincert.interop.loader import shipped_loader
from origincert.interop.mapping import (
    document_to_subject,
    model_path_of_pointer,
    pointer_of,
    subject_to_document,
    term_path,
)
from origincert.interop.vocab import build_context, model_paths

CONTEXT_FILE = "origincert/interop/contexts/origincert-coo-v1.jsonld"


def _doc(seed: int, items: int = 3) -> dict:
    return json.loads(
        json.dumps(sample_certificate(random.Random(seed), items=items, economy="VN"))
    )


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32), items=st.integers(1, 4))
def test_subject_to_document_is_the_exact_inverse(seed: int, items: int) -> None:
    doc = _doc(seed, items)
    assert subject_to_document(document_to_subject(doc)) == doc


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_field_path_round_trips_through_its_pointer(seed: int) -> None:
    for path in flatten(_doc(seed)):
        assert model_path_of_pointer(pointer_of(path)) == path


def test_terms_are_unique_among_siblings() -> None:
    paths = model_paths()
    by_parent: dict[str, list[str]] = {}
    for p in paths:
        parent = p.rsplit(".", 1)[0] if "." in p else ""
        by_parent.setdefault(parent, []).append(term_path(p))
    for parent, terms in by_parent.items():
        assert len(terms) == len(set(terms)), parent


def test_shipped_context_is_the_generated_one() -> None:
    """Regenerate with: python -c 'import json; from origincert.interop.vocab import build_context;
    print(json.dumps(build_context(), indent=2))' > origincert/interop/contexts/origincert-coo-v1.jsonld"""
    shipped = shipped_loader().documents["https://origincert.org/ns/coo/v1"]
    assert shipped == build_context()
    assert "@vocab" not in json.dumps(shipped)


def test_an_unknown_term_is_refused_on_import() -> None:
    subject = document_to_subject(_doc(4))
    subject["consignor"]["nickname"] = "x"
    with pytest.raises(InteropError) as info:
        subject_to_document(subject)
    assert info.value.code == "vc_unmapped_term"


def test_a_snake_case_key_smuggled_as_a_term_is_refused() -> None:
    subject = document_to_subject(_doc(5))
    subject["issue_date"] = subject.pop("issueDate")
    with pytest.raises(InteropError):
        subject_to_document(subject)


def test_an_overridden_key_cannot_come_back_under_its_camel_case_name() -> None:
    subject = document_to_subject(_doc(6))
    subject["exporter"] = subject.pop("consignor")
    with pytest.raises(InteropError) as info:
        subject_to_document(subject)
    assert info.value.code == "vc_unmapped_term"
