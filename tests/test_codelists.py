"""The JSON Schema documents the code lists (issue 11): every unit, package and origin-criterion
code the package knows (the portal's names, the PDF's words, the forms' rules) is described in
the shipped schema, with examples that the schema itself accepts."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest

from origincert import pdf
from origincert.document import FORMS, SCHEMA_PATH
from origincert.portal import names
from origincert.schema import codelists

SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
DEFS = SCHEMA["$defs"]


def field(model: str, name: str) -> dict:
    return DEFS[model]["properties"][name]


def described(description: str) -> set[str]:
    """The codes a description explains: each ``CODE: meaning``."""
    return set(re.findall(r"(?:^|; |: )([A-Z0-9]{1,4}): [a-z]", description))


@pytest.mark.parametrize(
    ("model", "name", "known"),
    [
        ("Quantity", "unit", set(names.UNITS)),
        ("Packages", "kind", set(names.PACKAGES) | set(pdf._PACKAGES)),
        (
            "OriginCriterion",
            "code",
            {c for rule in FORMS.values() if rule.criteria for c in rule.criteria},
        ),
    ],
)
def test_every_code_the_package_knows_is_described(model: str, name: str, known: set[str]) -> None:
    spec = field(model, name)
    missing = known - described(spec["description"])
    assert not missing, f"{model}.{name}: no description for {sorted(missing)}"
    assert spec["examples"]
    pattern = spec.get("pattern")
    for example in spec["examples"]:
        assert pattern is None or re.fullmatch(pattern.strip("^$"), example)
        if "enum" in spec:
            assert example in spec["enum"]


def test_the_criterion_description_names_each_forms_codes() -> None:
    text = field("OriginCriterion", "code")["description"]
    for form, rule in FORMS.items():
        if rule.criteria is None:
            assert form in text.split("have no criterion box")[0]
        else:
            assert f"{form}: {' '.join(sorted(rule.criteria))}" in text


def test_the_code_lists_agree_with_the_schema_and_are_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert set(codelists.CRITERIA) == set(field("OriginCriterion", "code")["enum"])
