"""The sign-in throttle's counting under concurrency, on the database itself (SQLite and a real
PostgreSQL): a burst of parallel attempts gets exactly ``free`` password checks and one report,
whatever the interleaving."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from origincert.portal import throttle
from origincert.portal.db import create_schema, make_engine

from .pg import Postgres, needs_postgres, postgres  # noqa: F401

RULE = throttle.Rule(free=5, base_ms=30_000, max_ms=900_000, forget_ms=3_600_000)
WIDE = throttle.Rule(free=1000, base_ms=30_000, max_ms=900_000, forget_ms=3_600_000)
NOW = 1_800_000_000_000


def burst(engine: Engine, n: int = 24) -> list[tuple[throttle.Admission, throttle.Admission]]:
    start = threading.Barrier(n)

    def attempt(_: int) -> tuple[throttle.Admission, throttle.Admission]:
        with Session(engine) as dbs:
            start.wait()
            return throttle.admit(
                dbs, "anna", "203.0.113.9", per_account=RULE, per_source=WIDE, now_ms=NOW
            )

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(attempt, range(n)))


def check_exact(engine: Engine) -> None:
    create_schema(engine)
    outcomes = burst(engine)
    allowed = [pair.allowed and addr.allowed for pair, addr in outcomes]
    assert allowed.count(True) == RULE.free
    assert sum(pair.started_delay for pair, _ in outcomes) == 1
    assert not any(addr.started_delay for _, addr in outcomes)
    # once the delay is over, exactly one of the next burst gets its check
    later = []
    for _ in range(3):
        with Session(engine) as dbs:
            pair, _ = throttle.admit(
                dbs, "anna", "203.0.113.9", per_account=RULE, per_source=WIDE,
                now_ms=NOW + RULE.base_ms + 1,
            )  # fmt: skip
        later.append(pair.allowed)
    assert later == [True, False, False]


def test_sqlite_counts_a_parallel_burst_exactly(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'portal.db'}")
    try:
        check_exact(engine)
    finally:
        engine.dispose()


@needs_postgres
def test_postgres_counts_a_parallel_burst_exactly(postgres: Postgres) -> None:  # noqa: F811
    engine = make_engine(postgres.new_database())
    try:
        check_exact(engine)
    finally:
        engine.dispose()
