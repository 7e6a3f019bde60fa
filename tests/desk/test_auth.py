"""Signing in to the desk: throttled by the web kit (counted before the password is checked, the
same answer for every refusal), never locking an account for everybody; sessions end when a
user signs out; the language is each user's choice."""

from __future__ import annotations

from typing import Any

import pytest

from .support import PASSWORD, Desk


@pytest.fixture
def throttled_app(db_url: str, desk: Desk, tmp_path: Any) -> Any:
    from origincert.desk import create_app

    return create_app(
        {"TESTING": True, "DATABASE_URL": db_url, "ARGON2_PROFILE": "CHEAPEST",
         "SECURE_COOKIES": False, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "test",
         "RATELIMIT_ENABLED": False, "LOGIN_FREE_ATTEMPTS": 3, "LOGIN_DELAY_SECONDS": 60},
        instance_path=tmp_path / "instance",
    )  # fmt: skip


def sign_in(
    client: Any, password: str, ip: str = "10.0.0.7", email: str = "clara@example.org"
) -> Any:
    return client.post(
        "/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": ip}
    )


def test_guessing_slows_down_that_address_and_the_answer_never_tells(throttled_app: Any) -> None:
    client = throttled_app.test_client()
    wrong = [sign_in(client, f"guess number {i}") for i in range(4)]
    assert [r.status_code for r in wrong] == [401] * 4
    right = sign_in(client, PASSWORD)  # the right password, but inside the delay
    assert right.status_code == 401
    assert right.get_data(as_text=True) == wrong[-1].get_data(as_text=True)  # the same page
    # clara signing in from her own desk is not locked out by the guesser
    assert sign_in(throttled_app.test_client(), PASSWORD, ip="10.0.0.8").status_code == 302


def test_a_right_password_before_the_limit_resets_the_count(throttled_app: Any) -> None:
    client = throttled_app.test_client()
    for i in range(2):
        assert sign_in(client, f"typo {i}").status_code == 401
    assert sign_in(client, PASSWORD).status_code == 302
    for i in range(2):  # without the reset, this would be the 4th to 6th attempt: refused
        assert sign_in(throttled_app.test_client(), f"typo again {i}").status_code == 401
    assert sign_in(throttled_app.test_client(), PASSWORD).status_code == 302


def test_sign_out_ends_the_session_and_the_language_is_the_users(throttled_app: Any) -> None:
    client = throttled_app.test_client()
    assert sign_in(client, PASSWORD).status_code == 302
    assert client.get("/clerk/").status_code == 200
    client.post("/account/language", data={"language": "de"})
    page = client.get("/clerk/").get_data(as_text=True)
    assert '<html lang="de">' in page and "Prüfliste" in page
    client.post("/account/language", data={"language": "xx"})  # unknown: kept as it was
    assert '<html lang="de">' in client.get("/clerk/").get_data(as_text=True)
    other = throttled_app.test_client()  # another device of the same user: the choice follows
    sign_in(other, PASSWORD, ip="10.0.0.9")
    assert '<html lang="de">' in other.get("/clerk/").get_data(as_text=True)
    client.post("/logout")
    assert client.get("/clerk/").status_code == 302


def test_a_form_without_its_csrf_token_changes_nothing(
    db_url: str, desk: Desk, tmp_path: Any
) -> None:
    import re

    from origincert.desk import create_app
    from origincert.desk.models import Chamber

    app = create_app(
        {"TESTING": True, "DATABASE_URL": db_url, "ARGON2_PROFILE": "CHEAPEST",
         "SECURE_COOKIES": False, "SECRET_KEY": "test", "RATELIMIT_ENABLED": False},
        instance_path=tmp_path / "csrf",
    )  # fmt: skip
    client = app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', login_page).group(1)
    data = {"email": "admin@example.org", "password": PASSWORD}
    assert client.post("/login", data=data).status_code == 400  # no token: refused
    assert client.post("/login", data={**data, "csrf_token": token}).status_code == 302
    forged = {"four_eyes_first": "9", "fee": "1", "batch_size": "", "batch_wait_seconds": ""}
    assert client.post("/admin/settings", data=forged).status_code == 400  # a forged form
    with desk.sessions() as db:
        assert db.get(Chamber, desk.berlin.id).four_eyes_first == 0
