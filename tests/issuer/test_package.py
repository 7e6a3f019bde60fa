"""The issuer package's surface: lazy exports that all resolve, and no crash hook in the library."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

from origincert import issuer

PACKAGE = Path(__file__).resolve().parents[2] / "origincert"


def test_every_exported_name_resolves_and_none_is_missing() -> None:
    assert set(issuer.__all__) == {"DEFAULT_JOURNAL", *issuer._EXPORTS}
    for name, module in issuer._EXPORTS.items():
        defined = getattr(importlib.import_module(f"origincert.issuer.{module}"), name)
        assert getattr(issuer, name) is defined, name


def test_importing_the_package_or_its_constants_loads_no_ledger_library() -> None:
    code = (
        "import sys; import origincert.issuer;"
        "from origincert.issuer import DEFAULT_JOURNAL;"
        "from origincert.issuer.reasons import REVOCATION_REASONS;"
        "print(sorted(m for m in ('web3', 'eth_account', 'sqlalchemy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_library_has_no_crash_hook() -> None:
    """The crash tests kill through the ``step`` callback they pass (tests/stepkill.py): no module
    reads a crash variable or kills its own process."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text()
        if "ORIGINCERT_TEST_CRASH" in text or "CRASH_ENV" in text:
            found.append(f"{path.relative_to(PACKAGE)} names a crash variable")
        for node in ast.walk(ast.parse(text)):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("kill", "killpg", "raise_signal")
                and any("getpid" in ast.unparse(a) for a in node.args)
            ):
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} kills its own process")
    assert found == []
