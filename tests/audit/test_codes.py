"""The audit's one table of finding codes: every finding comes from it, every code in it is used
and documented, and nothing else makes a finding."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from origincert.audit.codes import FINDINGS, Severity
from origincert.audit.findings import Finding, finding

AUDIT = Path(__file__).resolve().parents[2] / "origincert" / "audit"
DOC = Path(__file__).resolve().parents[2] / "docs" / "FINDINGS.md"
KINDS = sorted({code.split(".", 1)[0] for code in FINDINGS})
CODE_LIKE = re.compile(rf"^(?:{'|'.join(KINDS)})\.[a-z_]+$")


def _sources() -> dict[Path, ast.Module]:
    return {p: ast.parse(p.read_text()) for p in sorted(AUDIT.glob("*.py")) if p.name != "codes.py"}


def _literals() -> set[str]:
    return {
        n.value
        for tree in _sources().values()
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str)
    }


def test_every_code_is_used_by_the_audit() -> None:
    assert sorted(set(FINDINGS) - _literals()) == []


def test_every_code_the_audit_names_is_in_the_table() -> None:
    """A code-shaped string in the audit's sources that the table lacks would fail at runtime."""
    assert sorted(s for s in _literals() if CODE_LIKE.match(s) and s not in FINDINGS) == []


def test_findings_are_built_only_through_the_table() -> None:
    """``Finding(...)`` is only called in findings.py; everywhere else ``finding(code, ...)``
    takes the severity from the table."""
    direct = [
        f"{path.name}:{n.lineno}"
        for path, tree in _sources().items()
        if path.name != "findings.py"
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "Finding"
    ]
    assert direct == []


@pytest.mark.parametrize(
    "make",
    [
        lambda: finding("anchor is not accredited", "free text"),
        lambda: finding("anchor.no_such_code", "a code nobody registered"),
        lambda: Finding("pattern.off hours", Severity.INFO, "free text"),
        lambda: Finding("anchor.not_accredited", Severity.INFO, "a critical code made harmless"),
        lambda: Finding.from_json(
            {"code": "issuer.anything", "severity": "critical", "message": "from a file"}
        ),
    ],
)
def test_a_finding_from_free_text_or_another_severity_is_refused(
    make: Callable[[], object],
) -> None:
    with pytest.raises(ValueError, match="finding code|is critical"):
        make()


def test_the_table_gives_the_severity() -> None:
    f = finding("pattern.off_hours", "anchored at 3 a.m.", issuer_id=2)
    assert f.severity is Severity.INFO and f.title == FINDINGS["pattern.off_hours"].title
    assert Finding.from_json(f.to_json()) == f


def test_every_code_is_documented_with_its_severity_and_title() -> None:
    rows = {
        m.group(1): (m.group(2), m.group(3), m.group(4))
        for m in re.finditer(
            r"^\| `([a-z_.]+)` \| (\w+) \| ([^|]+) \| ([^|]+) \|$", DOC.read_text(), re.MULTILINE
        )
    }
    assert set(rows) == set(FINDINGS)
    for code, c in FINDINGS.items():
        assert rows[code] == (c.severity.label, c.title, c.explanation), code


def test_titles_and_explanations_are_sentences_people_read() -> None:
    for code, c in FINDINGS.items():
        assert c.title and c.title[0].isupper() and not c.title.endswith("."), code
        assert c.explanation[0].isupper() and c.explanation.endswith("."), code
