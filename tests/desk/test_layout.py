"""No web module of the desk can reach the signing key: only the issuing worker (``issuing``,
``jobs``) imports the issuer, the keys or the signing code."""

from __future__ import annotations

import ast
from pathlib import Path

DESK = Path(__file__).resolve().parents[2] / "origincert" / "desk"
KEY_HOLDERS = {"issuing.py", "jobs.py"}
KEY_CODE = (
    "origincert.issuer",
    "origincert.keys",
    "origincert.signing",
    "origincert.desk.issuing",
    "origincert.desk.jobs",
)


def imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_web_module_imports_the_key_or_the_issuer() -> None:
    web = [
        p for p in DESK.rglob("*.py") if p.name not in KEY_HOLDERS and "migrations" not in p.parts
    ]
    assert len(web) >= 10
    bad = [
        f"{p.name} imports {n}"
        for p in web
        for n in imports(p)
        if any(n == k or n.startswith(k + ".") for k in KEY_CODE)
    ]
    assert bad == []


def test_the_web_app_loads_without_the_issuer() -> None:
    import subprocess
    import sys

    code = (
        "import sys; import origincert.desk; origincert.desk.create_app; "
        "bad = [m for m in sys.modules if m.startswith(('origincert.issuer', 'origincert.keys', 'origincert.signing'))]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stdout + r.stderr
