"""Nothing half-saved on SQLite: a nested transaction (the approval's savepoint) is rolled back
with the transaction around it, never committed on its own by the sqlite3 module."""

from __future__ import annotations

from sqlalchemy import func, select

from origincert.desk import service
from origincert.desk.models import Application, Approval, Event, OutboxMail

from .support import Desk, fields


def test_an_approval_rolled_back_leaves_no_approval_event_or_mail(desk: Desk) -> None:
    with desk.sessions.begin() as db:
        app = service.create_application(db, desk.actor("alice"), fields(1))
        service.submit(db, desk.actor("alice"), app, declaration=True)
        public_id = app.public_id
    with desk.sessions() as db:
        before = (
            db.scalar(select(func.count(Event.id))),
            db.scalar(select(func.count(OutboxMail.id))),
        )
    with desk.sessions() as db:
        app = service.get_application(db, desk.actor("clara"), public_id)
        service.approve(db, desk.actor("clara"), app)
        assert app.status == "approved"
        db.rollback()
    with desk.sessions() as db:
        assert db.scalar(select(func.count(Approval.id))) == 0
        assert db.scalar(select(Application.status)) == "submitted"
        after = (
            db.scalar(select(func.count(Event.id))),
            db.scalar(select(func.count(OutboxMail.id))),
        )
        assert after == before
    with desk.sessions.begin() as db:  # and the approval can then be made, once
        service.approve(
            db, desk.actor("clara"), service.get_application(db, desk.actor("clara"), public_id)
        )
    with desk.sessions() as db:
        assert db.scalar(select(func.count(Approval.id))) == 1
