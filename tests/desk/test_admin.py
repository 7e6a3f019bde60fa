"""The chamber admin's screens: settings refused whole with each problem at its field, batch
settings read by the worker, the exporter register (a suspended exporter cannot submit), staff
users and roles, form templates and fees (recorded per certificate, exported as CSV), and every
change in the event log with before and after, exported for the auditor."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from origincert.audit.desklog import FORMAT as DESK_LOG_FORMAT
from origincert.desk import accounts, service
from origincert.desk.administration import EVENT_LOG_FORMAT, form_template
from origincert.desk.errors import Forbidden
from origincert.desk.issuing import BatchPolicy, IssuingWorker
from origincert.desk.models import Application, Chamber, Company, Event, FormSettings, Role, User

from .support import PASSWORD, Desk, fields


def login(app: Any, name: str) -> Any:
    client = app.test_client()
    r = client.post("/login", data={"email": f"{name}@example.org", "password": PASSWORD})
    assert r.status_code == 302, r.data
    return client


def events(desk: Desk, action: str) -> list[Event]:
    with desk.sessions() as db:
        return list(db.scalars(select(Event).where(Event.action == action).order_by(Event.id)))


def chamber(desk: Desk) -> Chamber:
    with desk.sessions() as db:
        found = db.get(Chamber, desk.berlin.id)
        assert found is not None
        return found


GOOD = {"four_eyes_first": "3", "four_eyes_origin_change": "on", "batch_size": "50",
        "batch_wait_seconds": "5", "fee": "30.50"}  # fmt: skip


def test_bad_settings_are_refused_whole_with_each_problem_at_its_field(
    app: Any, desk: Desk
) -> None:
    admin = login(app, "admin")
    bad = {**GOOD, "four_eyes_first": "-1", "batch_size": "0", "batch_wait_seconds": "9999",
           "fee": "12.345"}  # fmt: skip
    r = admin.post("/admin/settings", data=bad)
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    for field in ("four_eyes_first", "batch_size", "batch_wait_seconds", "fee"):
        assert f'id="error-{field}"' in page, field
    assert "must be a whole number from 1 to 100000" in page
    c = chamber(desk)
    assert (c.four_eyes_first, c.batch_size, c.fee_cents) == (0, None, 2500)  # nothing saved
    assert events(desk, "settings_changed") == []


def test_settings_are_saved_logged_with_before_and_after_and_read_by_the_worker(
    app: Any, desk: Desk
) -> None:
    admin = login(app, "admin")
    assert admin.post("/admin/settings", data=GOOD).status_code == 302
    [event] = events(desk, "settings_changed")
    assert event.actor == "admin@example.org"
    assert event.before == {"four_eyes_first": 0, "four_eyes_origin_change": False,
                            "batch_size": None, "batch_wait_seconds": None, "fee_cents": 2500}  # fmt: skip
    assert event.after == {"four_eyes_first": 3, "four_eyes_origin_change": True,
                           "batch_size": 50, "batch_wait_seconds": 5, "fee_cents": 3050}  # fmt: skip
    worker = IssuingWorker(
        sessions=desk.sessions, journal=None, client=None, signer=None,  # type: ignore[arg-type]
        chamber_id=desk.berlin.id, files_dir=None, policy=BatchPolicy(size=500, wait=10),  # type: ignore[arg-type]
    )  # fmt: skip
    assert worker._policy() == BatchPolicy(size=50, wait=5.0)
    blank = {**GOOD, "batch_size": "", "batch_wait_seconds": ""}
    assert admin.post("/admin/settings", data=blank).status_code == 302
    assert worker._policy() == BatchPolicy(size=500, wait=10)  # the worker's own flags again
    with desk.sessions.begin() as db:  # a new exporter's first 3 now need two clerks
        draft = service.create_application(db, desk.actor("alice"), fields(1))
        assert (
            service.submit(db, desk.actor("alice"), draft, declaration=True).approvals_needed == 2
        )


def test_a_suspended_exporter_cannot_submit_by_page_or_api(app: Any, desk: Desk, keys) -> None:
    with desk.sessions.begin() as db:
        draft = service.create_application(db, desk.actor("alice"), fields(1))
        pid = draft.public_id
    admin = login(app, "admin")
    r = admin.post(f"/admin/companies/{desk.company_a.id}/suspended")
    assert r.status_code == 302
    [event] = events(desk, "company_status")
    assert (event.before["status"], event.after["status"]) == ("active", "suspended")
    alice = login(app, "alice")
    page = alice.post(f"/exporter/a/{pid}/submit", data={"declaration": "yes"})
    assert page.status_code == 403 and "company_not_active" in page.get_data(as_text=True)
    api = app.test_client().post(
        f"/api/v1/applications/{pid}/submit", json={"declaration": True},
        headers={"Authorization": f"Bearer {keys['alice']}"},
    )  # fmt: skip
    assert api.status_code == 401  # a suspended company's keys stop working
    with desk.sessions() as db:
        assert db.scalars(select(Application.status)).all() == ["draft"]
        # accepted again, the exporter submits
    assert admin.post(f"/admin/companies/{desk.company_a.id}/active").status_code == 302
    assert alice.post(f"/exporter/a/{pid}/submit", data={"declaration": "yes"}).status_code == 302


def test_staff_users_and_roles(app: Any, desk: Desk) -> None:
    admin = login(app, "admin")
    weak = {"name": "Dora", "email": "dora@example.org", "password": "short", "role": "clerk"}
    r = admin.post("/admin/users", data=weak)
    assert r.status_code == 422 and 'id="error-password"' in r.get_data(as_text=True)
    taken = {**weak, "email": "clara@example.org", "password": PASSWORD}
    assert 'id="error-email"' in admin.post("/admin/users", data=taken).get_data(as_text=True)
    exporter_role = {**weak, "password": PASSWORD, "role": "exporter"}
    assert admin.post("/admin/users", data=exporter_role).status_code == 422
    assert admin.post("/admin/users", data={**weak, "password": PASSWORD}).status_code == 302
    with desk.sessions() as db:
        dora = db.scalars(select(User).where(User.email == "dora@example.org")).one()
    assert dora.role == "clerk" and dora.chamber_id == desk.berlin.id
    dora_client = login(app, "dora")
    assert dora_client.get("/clerk/").status_code == 200
    assert dora_client.get("/admin/").status_code == 403
    assert (
        admin.post(f"/admin/users/{dora.id}/role", data={"role": "chamber-admin"}).status_code
        == 302
    )
    assert dora_client.get("/admin/").status_code == 302  # the role change ended her session
    dora_client = login(app, "dora")
    assert dora_client.get("/admin/").status_code == 200
    assert admin.post(f"/admin/users/{dora.id}/active", data={"active": "no"}).status_code == 302
    assert dora_client.get("/clerk/").status_code == 302  # signed out at once
    r = dora_client.post("/login", data={"email": "dora@example.org", "password": PASSWORD})
    assert r.status_code == 401
    # an admin cannot lock themselves out, nor touch an exporter's role
    me = desk.users["admin"].id
    assert admin.post(f"/admin/users/{me}/active", data={"active": "no"}).status_code == 409
    alice = desk.users["alice"].id
    assert admin.post(f"/admin/users/{alice}/role", data={"role": "clerk"}).status_code == 422
    actions = [
        e.action for e in events(desk, "user_role_changed") + events(desk, "user_active_changed")
    ]
    assert actions == ["user_role_changed", "user_active_changed"]


def test_another_chambers_admin_and_a_clerk_change_nothing(app: Any, desk: Desk) -> None:
    with desk.sessions.begin() as db:
        other = db.get(Chamber, desk.other.id)
        accounts.create_user(
            db, desk.ph, email="sgadmin@example.org", name="SG admin", password=PASSWORD,
            role=Role.CHAMBER_ADMIN, chamber=other,
        )  # fmt: skip
    stranger = login(app, "sgadmin")
    clara = desk.users["clara"].id
    assert stranger.post(f"/admin/users/{clara}/active", data={"active": "no"}).status_code == 404
    assert stranger.post(f"/admin/companies/{desk.company_a.id}/suspended").status_code == 404
    clerk = login(app, "carl")
    assert clerk.post("/admin/settings", data=GOOD).status_code == 403
    assert clerk.get("/admin/events.jsonl").status_code == 403
    with desk.sessions() as db:
        assert db.get(User, clara).active
        assert db.get(Company, desk.company_a.id).status == "active"
    assert events(desk, "settings_changed") == []


def test_form_templates_and_fees_per_certificate_in_the_csv(app: Any, desk: Desk) -> None:
    admin = login(app, "admin")
    form = fields(1)["form"]
    bad = admin.post("/admin/forms", data={"form": form, "fee": "abc", "template": "[1, 2"})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'id="error-fee"' in page and 'id="error-template"' in page
    unknown = admin.post("/admin/forms", data={"form": "NOPE", "fee": "", "template": "{}"})
    assert 'id="error-form"' in unknown.get_data(as_text=True)
    with desk.sessions() as db:
        assert db.scalars(select(FormSettings)).all() == []
    template = json.dumps({"remarks": "L/C number: see invoice"})
    r = admin.post("/admin/forms", data={"form": form, "fee": "12.50", "template": template})
    assert r.status_code == 302
    with desk.sessions() as db:
        assert form_template(db, desk.berlin.id, form) == {"remarks": "L/C number: see invoice"}
    [event] = events(desk, "form_settings_changed")
    assert event.before is None and event.after["fee_cents"] == 1250
    with desk.sessions.begin() as db:
        company = db.get(Company, desk.company_a.id)
        company.name = '=HYPERLINK("http://evil")'
        app_row = service.create_application(db, desk.actor("alice"), fields(1))
        service.submit(db, desk.actor("alice"), app_row, declaration=True)
        service.approve(db, desk.actor("clara"), app_row)
        assert app_row.fee_cents == 1250  # the form's fee, not the chamber's 25.00
        other = service.create_application(db, desk.actor("bob"), fields(2))
        service.submit(db, desk.actor("bob"), other, declaration=True)
        service.approve(db, desk.actor("clara"), other)
        for a in (app_row, other):
            service.transition(db, None, a, "issue", batch_id=1)
        numbers = (app_row.number, other.number, other.form)
    assert numbers[2] != form and other.fee_cents == 2500
    csv_text = admin.get("/admin/fees.csv").get_data(as_text=True).splitlines()
    assert csv_text[0] == "number,company,form,status,issued_at,fee"
    assert any(line.startswith(numbers[0]) and line.endswith(",12.50") for line in csv_text)
    assert any(line.startswith(numbers[1]) and line.endswith(",25.00") for line in csv_text)
    assert not any(",=" in line for line in csv_text)  # no formula for the spreadsheet to run
    clerk = login(app, "clara")
    with desk.sessions() as db:
        pid = db.scalars(
            select(Application.public_id).where(Application.number == numbers[0])
        ).one()
    assert "Fee recorded: 12.50" in clerk.get(f"/clerk/a/{pid}").get_data(as_text=True)


def test_the_event_log_export_holds_every_admin_change_for_the_auditor(
    app: Any, desk: Desk
) -> None:
    admin = login(app, "admin")
    admin.post("/admin/settings", data=GOOD)
    admin.post(f"/admin/companies/{desk.company_b.id}/suspended")
    r = admin.get("/admin/events.jsonl")
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    lines = [json.loads(x) for x in r.get_data(as_text=True).splitlines()]
    assert lines[0] == {"format": EVENT_LOG_FORMAT, "chamber": desk.berlin.id}
    assert EVENT_LOG_FORMAT == DESK_LOG_FORMAT  # what origincert audit --desk-events reads
    by_action = {e["action"]: e for e in lines[1:]}
    assert by_action["settings_changed"]["after"]["batch_size"] == 50
    assert by_action["company_status"]["before"] == {
        "company": desk.company_b.id,
        "status": "active",
    }
    page = admin.get("/admin/events").get_data(as_text=True)
    assert "settings changed" in page and "company status" in page


def test_only_a_chamber_admin_changes_settings_in_the_service(desk: Desk) -> None:
    from origincert.desk.administration import update_chamber_settings

    with desk.sessions.begin() as db:
        c = db.get(Chamber, desk.berlin.id)
        try:
            update_chamber_settings(db, desk.actor("clara"), c, GOOD)
        except Forbidden as exc:
            assert exc.code == "admin_only"
        else:
            raise AssertionError("a clerk changed the settings")


def test_the_audit_refuses_a_file_that_is_not_a_desk_event_log(tmp_path) -> None:
    from click.testing import CliRunner

    from origincert.cli import main

    bad = tmp_path / "events.jsonl"
    bad.write_text('{"format": "something else", "chamber": 1}\n{"action": "x"}\n')
    result = CliRunner().invoke(main, ["audit", "--desk-events", str(bad), "--rpc-url",
                                       "http://127.0.0.1:9", "--out", str(tmp_path / "r")])  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "not a desk event log" in result.output
    assert not (tmp_path / "r").exists()  # refused before the replay, nothing written


def test_a_forms_template_starts_each_new_application_and_the_exporter_sees_the_fee(
    app: Any, desk: Desk
) -> None:
    admin = login(app, "admin")
    template = json.dumps({"remarks": "Chamber: quote the L/C number", "form": "EUR1"})
    assert (
        admin.post(
            "/admin/forms", data={"form": "RCEP", "fee": "40", "template": template}
        ).status_code
        == 302
    )
    alice = login(app, "alice")
    started = alice.post("/exporter/new", data={"form": "RCEP"})
    assert started.status_code == 302
    pid = started.headers["Location"].rsplit("/", 1)[1]
    with desk.sessions() as db:
        draft = db.scalars(select(Application).where(Application.public_id == pid)).one()
        assert draft.document["remarks"] == "Chamber: quote the L/C number"
        assert draft.document["form"] == "RCEP"  # the template cannot change the form chosen
    other = alice.post("/exporter/new", data={"form": "EUR1"}).headers["Location"].rsplit("/", 1)[1]
    with desk.sessions() as db:
        row = db.scalars(select(Application).where(Application.public_id == other)).one()
        assert "remarks" not in row.document  # another form, another (here no) template
    with desk.sessions.begin() as db:
        approved = service.create_application(db, desk.actor("alice"), fields(3))
        service.submit(db, desk.actor("alice"), approved, declaration=True)
        service.approve(db, desk.actor("clara"), approved)
        approved_id = approved.public_id
    page = alice.get(f"/exporter/a/{approved_id}").get_data(as_text=True)
    assert 'id="fee"' in page and "Fee recorded: 25.00" in page
