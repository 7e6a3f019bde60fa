"""The demo's desk: a fresh SQLite desk with the chamber's admin, sample exporters (two accepted,
one waiting to be accepted), two clerks and a review queue that is waiting, each of which signs
in and sees what the README says."""

from __future__ import annotations

import re
from pathlib import Path

from origincert.desk import create_app
from origincert.desk.demo import create_demo_desk

PASSWORD = "demo password 123"


def test_the_demo_desk_has_exporters_clerks_and_a_waiting_queue(tmp_path: Path) -> None:
    logins = create_demo_desk(
        tmp_path / "desk", code="DEBER", name="IHK Berlin", economy="DE", place="Berlin",
        password=PASSWORD, waiting=5,
    )  # fmt: skip
    assert len(logins.exporters) == 3 and len(logins.clerks) == 2
    app = create_app(
        {"DATABASE_URL": logins.url, "SECURE_COOKIES": False, "WTF_CSRF_ENABLED": False,
         "RATELIMIT_ENABLED": False},
        instance_path=tmp_path / "desk",
    )  # fmt: skip
    clerk = app.test_client()
    r = clerk.post("/login", data={"email": logins.clerks[0], "password": PASSWORD})
    assert r.status_code == 302
    queue = clerk.get("/clerk/").get_data(as_text=True)
    numbers = re.findall(r">(DEBER-\d{8})<", queue)
    assert numbers == sorted(numbers) and len(numbers) == 5  # oldest first
    assert queue.count("two clerks") == 5  # new exporters: the chamber's four-eyes rule
    admin = app.test_client()
    admin.post("/login", data={"email": logins.admin, "password": PASSWORD})
    register = admin.get("/admin/").get_data(as_text=True)
    assert register.count("Accept</button>") == 1  # one exporter waits to be accepted
    pending = app.test_client()
    pending.post("/login", data={"email": logins.exporters[2], "password": PASSWORD})
    assert pending.get("/exporter/").status_code == 200
