"""Fixtures for the issuing tests: a chamber's signer, its journal, documents it may issue."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from origincert.devtools.samples import sample_certificate
from origincert.issuer import Journal
from origincert.signing import LocalSigner


@pytest.fixture
def berlin(world) -> LocalSigner:
    """The key of the Berlin chamber (accredited, economy DE)."""
    return LocalSigner(world.chambers["DE-berlin"])


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    with Journal.open(tmp_path / "journal.sqlite") as j:
        yield j


@pytest.fixture
def make_docs() -> Callable[..., list[dict[str, Any]]]:
    """``make_docs(n, prefix="DE-T", economy="DE")``: n valid certificates with distinct numbers."""
    counter = iter(range(10**6))

    def make(n: int, prefix: str = "DE-T", economy: str = "DE") -> list[dict[str, Any]]:
        out = []
        for _ in range(n):
            i = next(counter)
            out.append(
                sample_certificate(random.Random(i), number=f"{prefix}-{i:05d}", economy=economy)
            )
        return out

    return make
