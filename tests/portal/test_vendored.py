"""The public page's decoders are exact copies of the npm packages (scripts/vendor-static), each
beside its licence, so the portal works on an offline customs network."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "origincert" / "portal" / "static" / "vendor"


@pytest.mark.parametrize(
    ("folder", "copies"),
    [
        (
            "pako",
            {"pako_inflate.min.js": "pako/dist/pako_inflate.min.js", "LICENSE": "pako/LICENSE"},
        ),
        ("js-sha3", {"sha3.min.js": "js-sha3/build/sha3.min.js", "LICENSE": "js-sha3/LICENSE.txt"}),
    ],
)
def test_vendored_copies_equal_node_modules(folder: str, copies: dict[str, str]) -> None:
    for name, source in copies.items():
        vendored = VENDOR / folder / name
        assert vendored.read_bytes() == (ROOT / "node_modules" / source).read_bytes(), name
    assert "see LICENSE" in (VENDOR / folder / "README").read_text()
