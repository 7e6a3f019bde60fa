"""The configurable four-eyes rule: a new exporter's first N applications and a change of origin
criterion for a product the exporter had certified before need a second, different clerk; no
clerk approves their own submission; a correction is reviewed under the same rules; concurrent
revocation requests record one."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from origincert.desk import accounts, foureyes, revocation, service
from origincert.desk.errors import Conflict, Forbidden
from origincert.desk.models import Application, Chamber, CompanyStatus, Event, Role, Status, utcnow

from .support import PASSWORD, Desk, fields, seed

RVC = {"code": "RVC", "percentage": "45"}
WO = {"code": "WO"}
CTSH = {"code": "CTSH"}


def configure(desk: Desk, chamber_id: int, **settings: object) -> None:
    with desk.sessions.begin() as db:
        chamber = db.get(Chamber, chamber_id)
        for name, value in settings.items():
            setattr(chamber, name, value)


def singapore(desk: Desk) -> Desk:
    """The Singapore chamber (Form D claims origin criteria) with a second clerk, olga."""
    with desk.sessions.begin() as db:
        chamber = db.get(Chamber, desk.other.id)
        desk.users["olga"] = accounts.create_user(
            db, desk.ph, email="olga@example.org", name="Olga", password=PASSWORD,
            role=Role.CLERK, chamber=chamber,
        )  # fmt: skip
        other = accounts.create_company(db, chamber, "Tan Pte", status=CompanyStatus.ACTIVE)
        desk.users["tan"] = accounts.create_user(
            db, desk.ph, email="tan@example.org", name="Tan", password=PASSWORD,
            role=Role.EXPORTER_ADMIN, chamber=chamber, company=other,
        )  # fmt: skip
    configure(desk, desk.other.id, four_eyes_origin_change=True)
    return desk


def issued(
    desk: Desk, who: str, doc: dict, clerks: tuple[str, str] = ("clara", "carl")
) -> Application:
    """An application approved and recorded issued (as the worker would), without a ledger."""
    with desk.sessions.begin() as db:
        app = service.create_application(db, desk.actor(who), doc)
        service.submit(db, desk.actor(who), app, declaration=True)
        for clerk in clerks[: app.approvals_needed]:
            service.approve(db, desk.actor(clerk), app)
        service.transition(db, None, app, "issue", issued_at=utcnow(), batch_id=1)
        return app


def submitted(desk: Desk, who: str, doc: dict) -> Application:
    with desk.sessions.begin() as db:
        app = service.create_application(db, desk.actor(who), doc)
        return service.submit(db, desk.actor(who), app, declaration=True)


def form_d(criterion: dict) -> dict:
    """A valid Form D (one item, HS 611030) claiming ``criterion``."""
    doc = fields(7, economy="SG")
    doc["goods"][0]["origin_criterion"] = criterion
    return doc


def test_the_pure_rule_names_each_reason() -> None:
    doc = {"goods": [{"hs_code": "690911", "origin_criterion": WO}]}
    known = foureyes.latest_claims([{"goods": [{"hs_code": "690911", "origin_criterion": RVC}]}])
    policy = foureyes.FourEyesPolicy(first=2, origin_change=True)
    need = foureyes.approvals_needed(
        policy, earlier_certificates=1, known_claims=known, document=doc
    )
    assert need == foureyes.Need(2, ("new_exporter", "origin_changed:690911"))
    settled = foureyes.approvals_needed(
        policy, earlier_certificates=2, known_claims=foureyes.origin_claims(doc), document=doc
    )
    assert settled == foureyes.Need(1, ())
    off = foureyes.FourEyesPolicy(first=0, origin_change=False)
    assert (
        foureyes.approvals_needed(
            off, earlier_certificates=0, known_claims=known, document=doc
        ).approvals
        == 1
    )


def test_a_changed_origin_criterion_for_a_known_product_needs_a_second_clerk(
    desk: Desk,
) -> None:
    sg = singapore(desk)
    first = issued(sg, "sam", form_d(CTSH), clerks=("otto", "olga"))
    hs = first.document["goods"][0]["hs_code"]
    assert submitted(sg, "sam", form_d(CTSH)).approvals_needed == 1
    changed = submitted(sg, "sam", form_d(WO))
    assert changed.approvals_needed == 2
    with sg.sessions() as db:
        why = db.scalars(
            select(Event.after).where(
                Event.application_id == changed.id, Event.action == "four_eyes"
            )
        ).one()
    assert why["reasons"] == [f"origin_changed:{hs}"]
    # another company's history is not this exporter's: tan's first claim needs one clerk
    assert submitted(sg, "tan", form_d(WO)).approvals_needed == 1
    with sg.sessions.begin() as db:
        app = db.get(Application, changed.id)
        service.approve(db, sg.actor("otto"), app)
        assert app.status == Status.IN_REVIEW  # one approval of two
        with pytest.raises(Conflict):
            service.approve(db, sg.actor("otto"), app)
        service.approve(db, sg.actor("olga"), app)
        assert app.status == Status.APPROVED


def test_the_rule_off_lets_one_clerk_approve_a_changed_criterion(desk: Desk) -> None:
    sg = singapore(desk)
    configure(sg, sg.other.id, four_eyes_origin_change=False)
    issued(sg, "sam", form_d(CTSH), clerks=("otto", "olga"))
    assert submitted(sg, "sam", form_d(WO)).approvals_needed == 1


def test_a_new_exporters_first_applications_need_two_clerks(sessions) -> None:
    desk = seed(sessions, four_eyes_first=2)
    assert submitted(desk, "alice", fields(1)).approvals_needed == 2
    issued(desk, "alice", fields(2))
    issued(desk, "alice", fields(3))
    assert submitted(desk, "alice", fields(4)).approvals_needed == 1
    assert submitted(desk, "bob", fields(5)).approvals_needed == 2  # bob is new


def test_a_correction_is_reviewed_under_the_same_rules_and_never_by_its_author(
    sessions,
) -> None:
    desk = seed(sessions, four_eyes_first=5)
    original = issued(desk, "alice", fields(1))
    with desk.sessions.begin() as db:
        old = db.get(Application, original.id)
        draft = revocation.request_correction(db, desk.actor("aaron"), old)
        service.submit(db, desk.actor("aaron"), draft, declaration=True)
        assert draft.approvals_needed == 2
        draft.submitted_by = desk.users["clara"].id  # a clerk keying it in for the exporter
        with pytest.raises(Forbidden) as caught:
            service.approve(db, desk.actor("clara"), draft)
        assert caught.value.code == "self_approval"


def test_two_clerks_confirming_a_revocation_at_once_record_it_once(desk: Desk) -> None:
    app = issued(desk, "alice", fields(1))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def confirm(clerk: str) -> None:
        with desk.sessions() as db:
            target = db.get(Application, app.id)
            barrier.wait()
            try:
                revocation.request_revocation(db, desk.actor(clerk), target, reason="cancelled")
                db.commit()
                outcomes.append("recorded")
            except Conflict as exc:
                db.rollback()
                outcomes.append(exc.code)

    threads = [threading.Thread(target=confirm, args=(c,)) for c in ("clara", "carl")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["recorded", "revocation_pending"]
    with desk.sessions() as db:
        events = db.scalars(
            select(Event).where(
                Event.application_id == app.id, Event.action == "revocation_requested"
            )
        ).all()
    assert len(events) == 1


def test_an_amendment_names_a_field_the_application_has(app, desk: Desk) -> None:
    pid = submitted(desk, "alice", fields(1)).public_id
    clerk = app.test_client()
    clerk.post("/login", data={"email": "clara@example.org", "password": PASSWORD})
    page = clerk.get(f"/clerk/a/{pid}").get_data(as_text=True)
    assert '<option value="goods.0.hs_code">' in page  # the list offers the real fields
    bad = clerk.post(f"/clerk/a/{pid}/amend", data={"field": "goods.9.nope", "comment": "x"})
    assert bad.status_code == 422 and "field_unknown" in bad.get_data(as_text=True)
    ok = clerk.post(
        f"/clerk/a/{pid}/amend", data={"field": "goods.0.hs_code", "comment": "Check it"}
    )
    assert ok.status_code == 302
    with desk.sessions() as db:
        row = db.scalars(select(Application).where(Application.public_id == pid)).one()
        assert (row.status, row.comment_field) == ("amendment_requested", "goods.0.hs_code")
