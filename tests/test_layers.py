"""The layering of ARCHITECTURE.md, kept by walking the sources: a lower layer never imports a
higher one, the pure core imports no I/O library, only the portal imports Flask and only the CLI
imports Click."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "origincert"

PURE = ("document", "fields", "merkle", "signing", "redact", "qr", "verdict", "devtools/samples")
IO_LIBRARIES = ("web3", "requests", "http", "sqlalchemy", "flask", "click", "socket", "urllib")
# What each layer may not import (ARCHITECTURE.md: data flows down on issue, up on verify).
FORBIDDEN = {
    "chain": (
        "origincert.issuer",
        "origincert.verifier",
        "origincert.audit",
        "origincert.portal",
        "origincert.cli",
    ),
    "issuer": ("origincert.verifier", "origincert.audit", "origincert.portal", "origincert.cli"),
    "verifier": ("origincert.issuer", "origincert.audit", "origincert.portal", "origincert.cli"),
    "audit": ("origincert.verifier", "origincert.portal", "origincert.cli"),
    "portal": ("origincert.cli", "origincert.issuer", "origincert.audit"),
    "webkit": ("origincert.cli", "origincert.issuer", "origincert.portal", "origincert.desk"),
    "desk": ("origincert.cli", "origincert.portal", "origincert.audit"),
}


@functools.cache  # each file parsed once for all the tests below (4 s each otherwise on a loaded machine)
def imports(path: Path) -> frozenset[str]:
    """Every module a file imports, at the top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return frozenset(names)


def layer(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def under(name: str, roots: tuple[str, ...]) -> bool:
    return any(name == r or name.startswith(r + ".") for r in roots)


@pytest.mark.parametrize("module", PURE)
def test_the_pure_core_does_no_io_and_knows_no_higher_layer(module: str) -> None:
    found = imports(PACKAGE / f"{module}.py")
    assert not {n for n in found if under(n, IO_LIBRARIES)}
    assert not {n for n in found if under(n, FORBIDDEN["chain"] + ("origincert.chain",))}


def test_lower_layers_never_import_higher_ones() -> None:
    bad = [
        f"{p.relative_to(PACKAGE)} imports {n}"
        for p in sources()
        if layer(p) in FORBIDDEN
        for n in imports(p)
        if under(n, FORBIDDEN[layer(p)])
    ]
    assert bad == []


def test_only_the_portal_imports_flask_and_only_the_cli_imports_click() -> None:
    flask = [
        str(p)
        for p in sources()
        if layer(p) not in ("portal", "desk", "webkit")
        and any(under(n, ("flask",)) for n in imports(p))
    ]
    click = [
        str(p)
        for p in sources()
        if layer(p) != "cli" and any(under(n, ("click",)) for n in imports(p))
    ]
    assert flask == [] and click == []


def test_only_the_chain_package_opens_connections_to_a_node() -> None:
    """web3's provider, http.client and requests are how JSON-RPC is spoken: chain/ (and the dev node)."""
    talkers = [
        f"{p.relative_to(PACKAGE)} imports {n}"
        for p in sources()
        if layer(p) != "chain" and p != PACKAGE / "devtools" / "devchain.py"
        for n in imports(p)
        if under(n, ("http.client", "requests")) or n in ("web3.providers", "web3.providers.rpc")
    ]
    assert talkers == []


def test_the_library_never_imports_the_development_tools() -> None:
    """devtools (samples, dev node, demo, contract build) serve the CLI's dev commands and the
    desk's demo seeding only; nothing a chamber or a customs service runs depends on them."""
    allowed = {PACKAGE / "desk" / "demo.py"}
    users = [
        f"{p.relative_to(PACKAGE)} imports {n}"
        for p in sources()
        if layer(p) not in ("devtools", "cli") and p not in allowed
        for n in imports(p)
        if under(n, ("origincert.devtools",))
    ]
    assert users == []
