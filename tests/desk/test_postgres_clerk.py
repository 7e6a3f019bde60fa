"""The clerk's and admin's side on PostgreSQL (a server started by the test): two clerks
confirming one revocation at once record it once under real concurrency, a sign-in burst is
counted exactly by the web kit's throttle, and the admin's settings land whole or not at all."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.pool import NullPool

from origincert.desk import revocation, service
from origincert.desk.administration import update_chamber_settings
from origincert.desk.db import session_factory
from origincert.desk.errors import Conflict, Invalid
from origincert.desk.models import Application, Chamber, Event, utcnow

from .support import Desk, fields, seed
from .test_postgres import pg_server, pg_url  # noqa: F401 - the fixtures

pytestmark = pytest.mark.usefixtures("pg_server")


@pytest.fixture
def pg_desk(pg_url: str) -> Any:  # noqa: F811
    engine = create_engine(pg_url, poolclass=NullPool)
    yield seed(session_factory(engine))
    engine.dispose()


def test_concurrent_revocation_confirmations_record_one_on_postgres(pg_desk: Desk) -> None:
    desk = pg_desk
    with desk.sessions.begin() as db:
        app = service.create_application(db, desk.actor("alice"), fields(1))
        service.submit(db, desk.actor("alice"), app, declaration=True)
        service.approve(db, desk.actor("clara"), app)
        service.transition(db, None, app, "issue", issued_at=utcnow(), batch_id=1)
        app_id = app.id
    barrier = threading.Barrier(4)
    outcomes: list[str] = []
    lock = threading.Lock()

    def confirm(clerk: str) -> None:
        with desk.sessions() as db:
            target = db.get(Application, app_id)
            barrier.wait()
            try:
                revocation.request_revocation(db, desk.actor(clerk), target, reason="lost")
                db.commit()
                result = "recorded"
            except Conflict as exc:
                db.rollback()
                result = exc.code
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=confirm, args=(c,)) for c in ("clara", "carl") * 2]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["recorded"] + ["revocation_pending"] * 3
    with desk.sessions() as db:
        asked = db.scalars(
            select(Event).where(
                Event.application_id == app_id, Event.action == "revocation_requested"
            )
        ).all()
        assert len(asked) == 1


def test_refused_settings_leave_the_chamber_as_it_was_on_postgres(pg_desk: Desk) -> None:
    desk = pg_desk
    with desk.sessions() as db:
        chamber = db.get(Chamber, desk.berlin.id)
        with pytest.raises(Invalid) as caught:
            update_chamber_settings(
                db, desk.actor("admin"), chamber,
                {"four_eyes_first": "2", "batch_size": "-5", "batch_wait_seconds": "1", "fee": "3"},
            )  # fmt: skip
        assert [f for f, _ in caught.value.problems] == ["batch_size"]
        db.rollback()
    with desk.sessions() as db:
        chamber = db.get(Chamber, desk.berlin.id)
        assert (chamber.four_eyes_first, chamber.batch_wait_seconds, chamber.fee_cents) == (
            0,
            None,
            2500,
        )


def test_a_burst_of_sign_ins_is_counted_exactly_on_postgres(pg_desk: Desk) -> None:
    from origincert.desk.auth import THROTTLE
    from origincert.webkit.throttle import Rule

    rule = Rule(free=5, base_ms=30_000, max_ms=900_000, forget_ms=3_600_000)
    wide = Rule(free=1000, base_ms=30_000, max_ms=900_000, forget_ms=3_600_000)
    barrier = threading.Barrier(20)
    allowed: list[bool] = []
    lock = threading.Lock()

    def attempt() -> None:
        with pg_desk.sessions() as db:
            barrier.wait()
            pair, addr = THROTTLE.admit(
                db, "clara@example.org", "10.1.1.1", per_account=rule, per_source=wide,
                now_ms=1_767_225_600_000,
            )  # fmt: skip
        with lock:
            allowed.append(pair.allowed and addr.allowed)

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert allowed.count(True) == 5  # exactly the free attempts, however they raced
