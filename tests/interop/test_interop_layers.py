"""The interop layer is pure but for its edges: no web3, chain, CLI, Flask or network library;
only ``keystore`` and ``files`` touch the disk."""

from __future__ import annotations

from pathlib import Path

from test_layers import imports, under

INTEROP = Path(__file__).resolve().parents[2] / "origincert" / "interop"
NEVER = ("web3", "requests", "http", "urllib", "socket", "flask", "click", "sqlalchemy",
         "origincert.chain", "origincert.issuer", "origincert.portal", "origincert.cli",
         "origincert.audit")  # fmt: skip


def test_interop_imports_no_io_library_and_no_higher_layer() -> None:
    bad = [
        f"{p.name} imports {n}"
        for p in sorted(INTEROP.glob("*.py"))
        for n in imports(p)
        if under(n, NEVER)
    ]
    assert bad == []


def test_only_the_edges_open_files() -> None:
    opening = [
        p.name
        for p in sorted(INTEROP.glob("*.py"))
        if any(
            w in p.read_text() for w in (".open(", "read_bytes(", "write_bytes(", "_write_private")
        )
    ]
    assert opening == ["files.py", "keystore.py"]
