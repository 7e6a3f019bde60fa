"""Audit fixtures: a chamber's issuing key and journal, for archives made by the real issuer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from origincert.issuer import Journal
from origincert.signing import LocalSigner


@pytest.fixture
def berlin_signer(world) -> LocalSigner:
    """The Berlin chamber's key (accredited, economy DE), as the issuer library takes it."""
    return LocalSigner(world.chambers["DE-berlin"])


@pytest.fixture
def journal_path(tmp_path: Path) -> Path:
    return tmp_path / "journal.sqlite"


@pytest.fixture
def journal(journal_path: Path) -> Iterator[Journal]:
    with Journal.open(journal_path) as j:
        yield j
