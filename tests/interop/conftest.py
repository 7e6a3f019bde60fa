"""Shared fixtures of the interop tests: the vendored W3C vectors and an offline loader for them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from origincert.interop.loader import OfflineLoader, shipped_loader

VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "vc"
ECDSA = VECTORS / "vc-di-ecdsa"

_TEST_CONTEXTS = {
    "https://www.w3.org/ns/credentials/examples/v2": "credentials-examples-v2.jsonld",
    "https://w3id.org/citizenship/v4rc1": "citizenship-v4rc1.jsonld",
}


def read_json(path: Path) -> Any:
    return json.loads(path.read_text("utf-8"))


@pytest.fixture(scope="session")
def vector_loader() -> OfflineLoader:
    """The shipped contexts plus the two example contexts the W3C vectors use."""
    extra = {url: read_json(VECTORS / "contexts" / name) for url, name in _TEST_CONTEXTS.items()}
    return shipped_loader().with_documents(extra)
