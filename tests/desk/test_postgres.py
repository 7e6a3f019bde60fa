"""The desk on PostgreSQL (a server started by the test): the same migration, two clerks
approving at once issue exactly once under real row locking, the events trigger refuses changes
in SQL, and the issuing worker's periodic job runs from procrastinate's PostgreSQL queue."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from issuer.kit import PASSWORD, write_keystore
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from origincert.desk import service
from origincert.desk.db import engine_for, migrate, session_factory
from origincert.desk.errors import Conflict
from origincert.desk.jobs import queue_app
from origincert.desk.models import Application, Event, Status

from .pg import postgres_server
from .support import Desk, fields, seed

_names = itertools.count()


@pytest.fixture(scope="module")
def pg_server():
    with postgres_server() as url:
        yield url


@pytest.fixture
def pg_url(pg_server: str) -> str:
    name = f"desk_{next(_names)}"
    admin = create_engine(pg_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    url = pg_server.rsplit("/", 1)[0] + "/" + name
    migrate(url)
    return url


@pytest.fixture
def pg_desk(pg_url: str):
    engine = create_engine(pg_url, poolclass=NullPool)
    yield seed(session_factory(engine))
    engine.dispose()


def _submitted(desk: Desk, n: int = 1) -> list[str]:
    out = []
    with desk.sessions.begin() as db:
        for i in range(n):
            app = service.create_application(db, desk.actor("alice"), fields(i + 1))
            service.submit(db, desk.actor("alice"), app, declaration=True)
            out.append(app.public_id)
    return out


def test_two_clerks_approving_at_once_approve_once_on_postgres(pg_desk: Desk) -> None:
    for _round in range(5):
        [pid] = _submitted(pg_desk)
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def act(clerk: str, pid: str = pid, barrier=barrier, outcomes=outcomes) -> None:
            with pg_desk.sessions() as db:
                app = service.get_application(db, pg_desk.actor(clerk), pid)
                barrier.wait()
                try:
                    service.approve(db, pg_desk.actor(clerk), app)
                    db.commit()
                    outcomes.append("approved")
                except Conflict as exc:
                    db.rollback()
                    outcomes.append(exc.code)

        threads = [threading.Thread(target=act, args=(c,)) for c in ("clara", "carl")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcomes) == ["already_decided", "approved"]


def test_four_eyes_counts_concurrent_approvals_on_postgres(pg_url: str) -> None:
    engine = engine_for(pg_url)
    desk = seed(session_factory(engine), four_eyes_first=100)
    [pid] = _submitted(desk)
    barrier = threading.Barrier(2)

    def act(clerk: str) -> None:
        with desk.sessions() as db:
            app = service.get_application(db, desk.actor(clerk), pid)
            barrier.wait()
            service.approve(db, desk.actor(clerk), app)
            db.commit()

    threads = [threading.Thread(target=act, args=(c,)) for c in ("clara", "carl")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with desk.sessions() as db:
        assert db.scalar(select(Application.status)) == Status.APPROVED
    engine.dispose()


def test_the_events_table_refuses_update_and_delete_in_sql(pg_desk: Desk) -> None:
    _submitted(pg_desk)
    with pg_desk.sessions() as db:
        assert db.scalars(select(Event)).first() is not None
        with pytest.raises(DBAPIError, match="append-only"):
            db.execute(text("UPDATE events SET action = 'nothing'"))
        db.rollback()
        with pytest.raises(DBAPIError, match="append-only"):
            db.execute(text("DELETE FROM events"))


def test_the_worker_process_issues_from_the_postgres_queue(
    pg_url: str, pg_desk: Desk, world, manifest_path: Path, tmp_path: Path
) -> None:
    """``origincert desk worker`` as a real process on the PostgreSQL queue, stopped by SIGTERM."""
    pids = _submitted(pg_desk, 2)
    with pg_desk.sessions.begin() as db:
        for pid in pids:
            app = service.get_application(db, pg_desk.actor("clara"), pid)
            service.approve(db, pg_desk.actor("clara"), app)
    queue = queue_app(pg_url)
    with queue.open():
        queue.schema_manager.apply_schema()
    key = write_keystore(tmp_path / "berlin.json", world.chambers["DE-berlin"])
    env = {
        **os.environ,
        "ORIGINCERT_RPC_URL": world.client.url,
        "ORIGINCERT_MANIFEST": str(manifest_path),
        "ORIGINCERT_PASSWORD": PASSWORD,
        "ORIGINCERT_DESK_DB": pg_url,
    }
    args = [sys.executable, "-m", "origincert.cli", "desk", "worker", "--chamber", "DEBER",
            "--key", str(key), "--instance", str(tmp_path / "inst"), "--batch-wait", "0"]  # fmt: skip
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def statuses() -> set[str]:
        with pg_desk.sessions() as db:
            return set(db.scalars(select(Application.status)))

    try:
        deadline = time.monotonic() + 30
        while statuses() != {Status.ISSUED} and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    assert statuses() == {Status.ISSUED}, out.decode()
    with pg_desk.sessions() as db:
        done = db.execute(
            text("SELECT count(*) FROM procrastinate_jobs WHERE status = 'succeeded'")
        )
        assert done.scalar() >= 1
