"""The clerk's review page beside its attachments: a PNG or JPEG is shown inline under a
sandboxing content security policy, anything else (a PDF, an HTML file posing as one) is only
ever a download; the queue marks corrections and applications that need two clerks."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from .support import PASSWORD, Desk, fields, seed

PDF = b"%PDF-1.4\n%%EOF\n"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(out, "PNG")
    return out.getvalue()


def test_images_inline_under_a_sandbox_and_everything_else_only_downloads(
    app: Any, desk: Desk, keys: dict[str, str]
) -> None:
    api, h = app.test_client(), {"Authorization": f"Bearer {keys['alice']}"}
    pid = api.post("/api/v1/applications", json=fields(1), headers=h).json["id"]
    ids = {}
    for kind, name, body in (("invoice", "photo.png", png()), ("packing_list", "p.pdf", PDF)):
        r = api.post(f"/api/v1/applications/{pid}/attachments",
                     data={"kind": kind, "file": (io.BytesIO(body), name)}, headers=h)  # fmt: skip
        ids[name] = r.json["attachments"][-1]["id"]
    api.post(f"/api/v1/applications/{pid}/submit", json={"declaration": True}, headers=h)
    clerk = app.test_client()
    clerk.post("/login", data={"email": "clara@example.org", "password": PASSWORD})
    page = clerk.get(f"/clerk/a/{pid}").get_data(as_text=True)
    assert page.count('class="attachment"') == 1  # the picture only
    shown = clerk.get(f"/clerk/a/{pid}/attachments/{ids['photo.png']}/view")
    assert shown.status_code == 200 and shown.data == png()
    assert shown.headers["Content-Disposition"] == "inline"
    assert shown.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert shown.headers["X-Content-Type-Options"] == "nosniff"
    assert clerk.get(f"/clerk/a/{pid}/attachments/{ids['p.pdf']}/view").status_code == 404
    download = clerk.get(f"/clerk/a/{pid}/attachments/{ids['p.pdf']}")
    assert download.headers["Content-Disposition"].startswith("attachment")
    stranger = app.test_client()
    stranger.post("/login", data={"email": "otto@example.org", "password": PASSWORD})
    assert stranger.get(f"/clerk/a/{pid}/attachments/{ids['photo.png']}/view").status_code == 404


def test_the_queue_marks_applications_that_need_two_clerks(sessions: Any, tmp_path: Any) -> None:
    from origincert.desk import create_app, service

    desk = seed(sessions, four_eyes_first=1)
    with desk.sessions.begin() as db:
        app_row = service.create_application(db, desk.actor("alice"), fields(1))
        service.submit(db, desk.actor("alice"), app_row, declaration=True)
    url = str(sessions.kw["bind"].url)
    app = create_app(
        {"TESTING": True, "DATABASE_URL": url, "ARGON2_PROFILE": "CHEAPEST",
         "SECURE_COOKIES": False, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "t",
         "RATELIMIT_ENABLED": False},
        instance_path=tmp_path / "i",
    )  # fmt: skip
    clerk = app.test_client()
    clerk.post("/login", data={"email": "clara@example.org", "password": PASSWORD})
    assert clerk.get("/clerk/").get_data(as_text=True).count("two clerks") == 1
