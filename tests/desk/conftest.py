"""Desk fixtures: a migrated SQLite desk database per test, seeded with chambers, companies
and users (``desk``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from origincert.desk.db import engine_for, migrate, session_factory

from .support import Desk, seed


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'desk.sqlite'}"
    migrate(url)
    return url


@pytest.fixture
def sessions(db_url: str) -> sessionmaker[Session]:
    engine = engine_for(db_url)
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture
def desk(sessions: sessionmaker[Session]) -> Desk:
    return seed(sessions)
