"""The rules of applications over a real (SQLite) desk database: statuses, validation at the
field, four eyes, no self-approval, exactly one winner when two clerks act at once, the
append-only event log."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from origincert.desk import service
from origincert.desk.errors import Conflict, Forbidden, Invalid, NotFound
from origincert.desk.models import Application, Event, EventImmutable, Status

from .support import Desk, fields, seed


def _submitted(desk: Desk, who: str = "alice", seed_no: int = 1) -> str:
    with desk.sessions.begin() as db:
        app = service.create_application(db, desk.actor(who), fields(seed_no))
        service.submit(db, desk.actor(who), app, declaration=True)
        return app.public_id


def test_an_application_goes_from_draft_to_approved_with_every_step_in_the_log(desk: Desk) -> None:
    with desk.sessions.begin() as db:
        app = service.create_application(db, desk.actor("alice"), fields(1))
        assert app.status == Status.DRAFT and app.number == f"DEBER-{app.id:08d}"
        service.submit(db, desk.actor("alice"), app, declaration=True)
        assert app.status == Status.SUBMITTED
        assert app.declared_by == desk.users["alice"].id and app.declared_ip == "127.0.0.1"
        service.review(db, desk.actor("clara"), app)
        service.approve(db, desk.actor("clara"), app)
        assert app.status == Status.APPROVED and app.fee_cents == 2500
        # the approved document is complete: the chamber's fields are the desk's, not the exporter's
        assert app.document["number"] == app.number
        assert app.document["issuing_body"] == {
            "name": "Berlin Chamber of Commerce",
            "economy": "DE",
        }
        events = db.scalars(select(Event).where(Event.application_id == app.id).order_by(Event.id))
        assert [(e.action, e.actor) for e in events] == [
            ("created", "alice@example.org"),
            ("submit", "alice@example.org"),
            ("review", "clara@example.org"),
            ("approve", "clara@example.org"),
        ]


def test_an_invalid_application_names_each_field_and_stays_a_draft(desk: Desk) -> None:
    bad = fields(2, **{"goods.0.hs_code": "12AB", "exporter.country": "XX"})
    with desk.sessions.begin() as db:
        app = service.create_application(db, desk.actor("alice"), bad)
        with pytest.raises(Invalid) as caught:
            service.submit(db, desk.actor("alice"), app, declaration=True)
        paths = {p for p, _ in caught.value.problems}
        assert {"goods[0].hs_code", "exporter.country"} <= paths
        assert app.status == Status.DRAFT


def test_the_declaration_is_required_and_the_chamber_fields_cannot_be_forged(desk: Desk) -> None:
    forged = fields(3) | {"number": "X-1", "issuing_body": {"name": "Fake", "economy": "DE"}}
    with desk.sessions.begin() as db:
        app = service.create_application(db, desk.actor("alice"), forged)
        assert "number" not in app.document and "issuing_body" not in app.document
        with pytest.raises(Invalid, match="declaration") as caught:
            service.submit(db, desk.actor("alice"), app, declaration=False)
        assert caught.value.code == "declaration_required"


def test_oversized_or_non_object_fields_are_refused_before_anything_is_saved(desk: Desk) -> None:
    with desk.sessions.begin() as db:
        with pytest.raises(Invalid) as caught:
            service.create_application(db, desk.actor("alice"), ["not", "an", "object"])
        assert caught.value.code == "fields_not_object"
        with pytest.raises(Invalid) as caught:
            service.create_application(db, desk.actor("alice"), {"remarks": "x" * 300_000})
        assert caught.value.code == "fields_too_large"
        assert db.scalar(select(Application)) is None


def test_clerk_actions_need_a_clerk_and_exporter_actions_an_exporter(desk: Desk) -> None:
    public_id = _submitted(desk)
    with desk.sessions.begin() as db:
        app = service.get_application(db, desk.actor("alice"), public_id)
        with pytest.raises(Forbidden):
            service.approve(db, desk.actor("alice"), app)
        with pytest.raises(Forbidden):
            service.create_application(db, desk.actor("clara"), fields(4))


def test_reject_needs_a_listed_reason_and_amendment_a_comment(desk: Desk) -> None:
    public_id = _submitted(desk)
    with desk.sessions.begin() as db:
        app = service.get_application(db, desk.actor("clara"), public_id)
        with pytest.raises(Invalid, match="reason"):
            service.reject(db, desk.actor("clara"), app, reason="i-dont-like-it")
        with pytest.raises(Invalid):
            service.request_amendment(db, desk.actor("clara"), app, comment="  ")
        service.request_amendment(
            db, desk.actor("clara"), app, comment="wrong HS code", field="goods[0].hs_code"
        )
        assert app.status == Status.AMENDMENT_REQUESTED
        assert app.comment_field == "goods[0].hs_code"
        service.update_fields(db, desk.actor("aaron"), app, fields(5))
        service.submit(db, desk.actor("aaron"), app, declaration=True)
        service.reject(db, desk.actor("carl"), app, reason="origin_not_proven")
        assert app.status == Status.REJECTED
        with pytest.raises(Conflict):
            service.update_fields(db, desk.actor("aaron"), app, fields(6))


def test_four_eyes_needs_two_different_clerks(sessions) -> None:
    desk = seed(sessions, four_eyes_first=1)
    public_id = _submitted(desk)
    with desk.sessions.begin() as db:
        app = service.get_application(db, desk.actor("clara"), public_id)
        assert app.approvals_needed == 2
        service.approve(db, desk.actor("clara"), app)
        assert app.status == Status.IN_REVIEW
        with pytest.raises(Conflict) as caught:
            service.approve(db, desk.actor("clara"), app)
        assert caught.value.code == "already_approved"
        service.approve(db, desk.actor("carl"), app)
        assert app.status == Status.APPROVED
    # the company's first application is behind it: the next needs one clerk
    second = _submitted(desk, seed_no=2)
    with desk.sessions.begin() as db:
        assert service.get_application(db, desk.actor("clara"), second).approvals_needed == 1


def test_no_clerk_approves_an_application_they_submitted(desk: Desk) -> None:
    public_id = _submitted(desk)
    with desk.sessions.begin() as db:
        app = service.get_application(db, desk.actor("clara"), public_id)
        app.submitted_by = desk.users["clara"].id  # e.g. a clerk keying in a paper application
        with pytest.raises(Forbidden) as caught:
            service.approve(db, desk.actor("clara"), app)
        assert caught.value.code == "self_approval"


def test_two_clerks_approving_at_once_approve_exactly_once(desk: Desk) -> None:
    public_id = _submitted(desk)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(clerk: str) -> None:
        with desk.sessions() as db:
            app = service.get_application(db, desk.actor(clerk), public_id)
            barrier.wait()
            try:
                service.approve(db, desk.actor(clerk), app)
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
    with desk.sessions() as db:
        approvals = db.scalars(select(Event).where(Event.action == "approve")).all()
        assert len(approvals) == 1


def test_events_cannot_be_changed_or_deleted(desk: Desk) -> None:
    _submitted(desk)
    with desk.sessions() as db:
        event = db.scalars(select(Event)).first()
        event.action = "nothing happened"
        with pytest.raises(EventImmutable):
            db.flush()
        db.rollback()
        db.delete(db.scalars(select(Event)).first())
        with pytest.raises(EventImmutable):
            db.flush()


def test_an_exporter_sees_only_its_company_and_a_clerk_only_their_chamber(desk: Desk) -> None:
    public_id = _submitted(desk)
    with desk.sessions() as db:
        for stranger in ("bob", "sam", "otto"):
            with pytest.raises(NotFound):
                service.get_application(db, desk.actor(stranger), public_id)
        assert service.get_application(db, desk.actor("aaron"), public_id)
        assert [a.public_id for a in service.queue(db, desk.actor("clara"))] == [public_id]
        assert service.queue(db, desk.actor("otto")) == []
        assert service.applications_for(db, desk.actor("bob")) == []


def test_the_queue_is_oldest_first(desk: Desk) -> None:
    first = _submitted(desk, "alice", 1)
    second = _submitted(desk, "bob", 2)
    with desk.sessions() as db:
        assert [a.public_id for a in service.queue(db, desk.actor("clara"))] == [first, second]
