"""The administrator's pages: officers, offices, API tokens, archive index; and who may open them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from origincert.portal import db
from origincert.portal.db import ApiToken, Officer

from .support import PASSWORD, csrf_token, login


def post(client: FlaskClient, path: str, **data: str):  # type: ignore[no-untyped-def]
    return client.post(path, data={"csrf_token": csrf_token(client, "/admin"), **data})


def officer_row(app: Flask, username: str) -> Officer:
    with app.app_context():
        found = db.session().scalar(select(Officer).where(Officer.username == username))
        assert found is not None
        return found


def test_officers_may_not_administer(officer: FlaskClient) -> None:
    response = officer.get("/admin")
    assert response.status_code == 403
    assert "Only a portal administrator" in response.get_data(as_text=True)
    assert (
        officer.post("/admin/officers", data={"csrf_token": csrf_token(officer, "/")}).status_code
        == 403
    )


def test_admin_page_lists_everyone(admin: FlaskClient) -> None:
    page = admin.get("/admin").get_data(as_text=True)
    for name in ("anna", "boss", "lim", "DEHAM-1", "SGSIN-2"):
        assert name in page


def test_create_office_and_officer(app: Flask, admin: FlaskClient) -> None:
    assert (
        post(admin, "/admin/offices", code="nlrtm-3", name="Rotterdam Maasvlakte").status_code
        == 302
    )
    response = post(
        admin,
        "/admin/officers",
        username="Jan.Visser",
        full_name="Jan Visser",
        office="NLRTM-3",
        password="a long enough password",
    )
    assert response.status_code == 302
    assert officer_row(app, "jan.visser").office.code == "NLRTM-3"
    newcomer = app.test_client()
    assert login(newcomer, "jan.visser", "a long enough password").status_code == 302


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {
                "username": "anna",
                "full_name": "Anna Two",
                "office": "DEHAM-1",
                "password": "a long enough password",
            },
            "is taken",
        ),
        (
            {
                "username": "x y",
                "full_name": "X",
                "office": "DEHAM-1",
                "password": "a long enough password",
            },
            "a username is 3 to 64",
        ),
        (
            {"username": "newbie", "full_name": "New", "office": "DEHAM-1", "password": "short"},
            "Initial password",
        ),
        (
            {
                "username": "newbie",
                "full_name": "New",
                "office": "NOPE-1",
                "password": "a long enough password",
            },
            "Not a valid choice",
        ),
    ],
)
def test_bad_officer_forms_say_what_is_wrong(admin: FlaskClient, data: dict, message: str) -> None:
    response = post(admin, "/admin/officers", **data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_duplicate_or_bad_office(admin: FlaskClient) -> None:
    assert "exists already" in post(admin, "/admin/offices", code="DEHAM-1", name="x").get_data(
        as_text=True
    )
    assert "an office code is 2 to 32" in post(
        admin, "/admin/offices", code="?", name="x"
    ).get_data(as_text=True)


def test_unlock_a_locked_officer(app: Flask, admin: FlaskClient) -> None:
    other = app.test_client()
    for _ in range(6):  # five checked, the sixth starts a delay
        login(other, password="guess")
    assert officer_row(app, "anna").locked_until is not None
    assert "locked until" in admin.get("/admin").get_data(as_text=True)
    assert post(admin, f"/admin/officers/{officer_row(app, 'anna').id}/unlock").status_code == 302
    assert login(other).status_code == 302


def test_deactivate_signs_out_and_reactivate(app: Flask, admin: FlaskClient) -> None:
    anna = app.test_client()
    login(anna)
    anna_id = officer_row(app, "anna").id
    post(admin, f"/admin/officers/{anna_id}/active")
    assert anna.get("/").status_code == 302
    assert login(anna).status_code == 401
    post(admin, f"/admin/officers/{anna_id}/active")
    assert login(anna).status_code == 302


def test_admin_cannot_deactivate_themself(app: Flask, admin: FlaskClient) -> None:
    response = post(admin, f"/admin/officers/{officer_row(app, 'boss').id}/active")
    assert response.status_code == 400
    assert officer_row(app, "boss").active


def test_reset_password(app: Flask, admin: FlaskClient) -> None:
    anna_id = officer_row(app, "anna").id
    assert post(admin, f"/admin/officers/{anna_id}/password", password="short").status_code == 400
    assert (
        post(
            admin, f"/admin/officers/{anna_id}/password", password="the new long password"
        ).status_code
        == 302
    )
    other = app.test_client()
    assert login(other).status_code == 401
    assert login(other, password="the new long password").status_code == 302


def test_unknown_officer(admin: FlaskClient) -> None:
    assert post(admin, "/admin/officers/999/unlock").status_code == 404


def test_issue_and_revoke_a_token(app: Flask, admin: FlaskClient) -> None:
    page = post(admin, "/admin/tokens", name="ATLAS clearance", office="DEHAM-1")
    assert page.status_code == 200
    clear = re.search(r'id="new-token">(oct_[A-Za-z0-9_-]+)<', page.get_data(as_text=True))
    assert clear is not None
    with app.app_context():
        token = db.session().scalar(select(ApiToken))
        assert token is not None
        assert clear.group(1) not in (token.token_hash, token.prefix)  # only a hash is kept
        token_id = token.id
    listing = admin.get("/admin").get_data(as_text=True)
    assert "ATLAS clearance" in listing and clear.group(1) not in listing
    assert post(admin, f"/admin/tokens/{token_id}/revoke").status_code == 302
    assert "revoked" in admin.get("/admin").get_data(as_text=True)
    assert post(admin, "/admin/tokens/999/revoke").status_code == 404


def test_rescan_archives(app: Flask, admin: FlaskClient, issued: bytes, tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "a.coo.json").write_bytes(issued)
    (archive / "notes.json").write_text('{"not": "a certificate"}')
    app.config["ARCHIVE_DIRS"] = [str(archive)]
    response = post(admin, "/admin/archives/rescan")
    assert response.status_code == 302
    page = admin.get("/admin").get_data(as_text=True)
    assert "1 added, 0 updated, 0 removed, 1 skipped" in page
    assert "1 certificate from archive folders" in page


def test_rescan_of_a_missing_folder_says_so(app: Flask, admin: FlaskClient, tmp_path: Path) -> None:
    app.config["ARCHIVE_DIRS"] = [str(tmp_path / "gone")]
    response = post(admin, "/admin/archives/rescan")
    assert response.status_code == 400
    assert "does not exist" in response.get_data(as_text=True)


def test_admin_sees_password_is_never_echoed(admin: FlaskClient) -> None:
    response = post(
        admin,
        "/admin/officers",
        username="newbie",
        full_name="",
        office="DEHAM-1",
        password=PASSWORD,
    )
    assert response.status_code == 400
    assert PASSWORD not in response.get_data(as_text=True)
