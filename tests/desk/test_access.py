"""Every identifier in every URL and API call, tried as another company's user and as another
chamber's clerk: each answers as for an unknown id (404) or refuses the role (403), and nothing
changes."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from origincert.desk import service
from origincert.desk.models import Application, Attachment, Event

from .support import PASSWORD, Desk, fields

PDF = b"%PDF-1.7\n%%EOF\n"


def login(app, name: str):
    client = app.test_client()
    r = client.post("/login", data={"email": f"{name}@example.org", "password": PASSWORD})
    assert r.status_code == 302, r.data
    return client


@pytest.fixture
def target(app, desk: Desk, keys):
    """Company A's application, submitted, with an attachment: its ids are what others try."""
    client = app.test_client()
    h = {"Authorization": f"Bearer {keys['alice']}"}
    pid = client.post("/api/v1/applications", json=fields(1), headers=h).json["id"]
    att = client.post(
        f"/api/v1/applications/{pid}/attachments",
        data={"kind": "invoice", "file": (io.BytesIO(PDF), "i.pdf")},
        headers=h,
    ).json["attachments"][0]["id"]
    client.post(f"/api/v1/applications/{pid}/submit", json={"declaration": True}, headers=h)
    return {"public_id": pid, "attachment_id": att}


def calls(app, ids: dict[str, str]) -> list[tuple[str, str]]:
    """(method, url) of every rule that takes an application id, filled with ``ids``."""
    out = []
    for rule in app.url_map.iter_rules():
        if "public_id" not in rule.arguments:
            continue
        values = {a: ids.get(a, "approve") for a in rule.arguments}
        if "what" in rule.arguments:
            for what in ("approve", "reject", "amend", "review"):
                out.append(("POST", rule.build({**values, "what": what}, append_unknown=False)[1]))
            continue
        url = rule.build(values, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((method, url))
    return out


def snapshot(desk: Desk) -> tuple:
    with desk.sessions() as db:
        apps = [(a.status, a.version, str(a.document)) for a in db.scalars(select(Application))]
        atts = len(db.scalars(select(Attachment)).all())
        events = len(db.scalars(select(Event)).all())
    return apps, atts, events


def test_every_id_in_every_api_call_is_404_for_another_company(
    app, desk: Desk, keys, target
) -> None:
    before = snapshot(desk)
    tried = 0
    for stranger in ("bob", "sam"):
        client = app.test_client()
        h = {"Authorization": f"Bearer {keys[stranger]}"}
        for method, url in calls(app, target):
            if not url.startswith("/api/"):
                continue
            r = client.open(
                url, method=method, headers=h, json=fields(9) if method in ("PUT", "POST") else None
            )
            assert r.status_code == 404, (stranger, method, url, r.status_code)
            assert target["public_id"] not in r.get_data(as_text=True)
            tried += 1
    assert tried >= 12
    assert snapshot(desk) == before


@pytest.mark.parametrize("stranger", ["bob", "sam", "otto"])
def test_every_id_in_every_page_is_refused_to_strangers(app, desk: Desk, target, stranger) -> None:
    before = snapshot(desk)
    client = login(app, stranger)
    for method, url in calls(app, target):
        if url.startswith("/api/"):
            continue
        data = {
            "fields": "{}",
            "reason": "other",
            "comment": "x",
            "declaration": "yes",
            "kind": "invoice",
        }
        r = client.open(url, method=method, data=data)
        assert r.status_code in (403, 404), (stranger, method, url, r.status_code)
        assert not re.search(rb"DEBER-\d{8}", r.data), (stranger, url)
    assert snapshot(desk) == before


def test_the_owner_and_the_chamber_clerk_do_see_it(app, desk: Desk, target) -> None:
    pid = target["public_id"]
    assert login(app, "aaron").get(f"/exporter/a/{pid}").status_code == 200
    clerk = login(app, "clara")
    assert clerk.get(f"/clerk/a/{pid}").status_code == 200
    assert clerk.get(f"/clerk/a/{pid}/attachments/{target['attachment_id']}").data == PDF
    assert pid.encode() in clerk.get("/clerk/").data


def test_the_clerk_approves_from_the_page_and_the_exporter_cannot(app, desk: Desk, target) -> None:
    pid = target["public_id"]
    assert login(app, "alice").post(f"/clerk/a/{pid}/approve").status_code == 403
    r = login(app, "clara").post(f"/clerk/a/{pid}/approve")
    assert r.status_code == 302
    with desk.sessions() as db:
        assert service.get_application(db, desk.actor("clara"), pid).status == "approved"
