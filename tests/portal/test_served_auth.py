"""Sign-in and the API under attack, through real HTTP against gunicorn with two workers.

Findings 1 (deep JSON crash), 2 (lock-out race), 3 (lock-out at will, enumeration), and the low
items of 7 (API limits, security log, instance permissions, CR/LF in ``next``, banner, HSTS).
"""

from __future__ import annotations

import re
import sqlite3
import stat
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from origincert._recursion import SAFE_RECURSION_LIMIT
from origincert.portal.auth import REFUSED

from .served import Served, redis_server, serve_portal
from .support import PASSWORD, VALID_NUMBER, Scene

pytestmark = pytest.mark.slow

DEEP = b"[" * 100_000 + b"]" * 100_000


@pytest.fixture(scope="module")
def served(scene: Scene, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("served-auth")
    with (
        redis_server(folder) as redis_url,
        serve_portal(
            folder,
            scene,
            redis_url,
            archived=("valid",),
            RATELIMIT_LOGIN="30 per minute",
            RATELIMIT_API="40 per minute",
            RATELIMIT_API_FAILURES="20 per minute",
        ) as portal,
    ):
        yield portal


def test_deep_json_to_a_form_is_refused_unparsed_and_no_worker_dies(served: Served) -> None:
    before = served.workers()
    s = served.client("198.51.100.1")
    token = served.csrf(s)
    for path in ("/login", "/verify/qr", "/verify/number", "/logout", "/admin/offices"):
        response = s.post(
            served.url + path,
            data=DEEP,
            headers={"Content-Type": "application/json", "X-CSRFToken": token},
            allow_redirects=False,
            timeout=30,
        )
        assert response.status_code in (413, 415), (path, response.status_code)
        assert "<code>unsupported_type</code>" in response.text or "too_large" in response.text
    # the API reads its JSON with the bounded reader: a clear 400, never a parse
    api = served.api("/verify/qr", raw=b'{"payload":' + DEEP[:40_000] + b"}")
    assert api.status_code == 400
    assert api.json()["error"] == {
        "code": "body_invalid",
        "message": api.json()["error"]["message"],
        "reason": "json_too_deep",
    }
    assert served.workers() == before


def test_the_recursion_limit_stays_put_in_workers_that_verified(served: Served) -> None:
    raw = (served.archive / "valid.coo.json").read_bytes()
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: served.api("/verify/file", raw=raw), range(16)))
    assert {a.status_code for a in answers} == {200}
    assert {a.json()["verdict"] for a in answers} == {"VALID"}
    # gunicorn's post_request hook writes the probe after the answer has gone: wait for it
    deadline = time.monotonic() + 10
    while True:
        verified = [p for p in served.probes() if p[3] == "/api/v1/verify/file" and p[2] == "POST"]
        if len(verified) >= 16 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert len(verified) >= 16
    # web3 (and py_ecc, which sets 100000) is imported by then in every worker that verified
    assert {limit for _, limit, _, _ in verified} == {SAFE_RECURSION_LIMIT}


def test_a_burst_of_parallel_guesses_checks_exactly_the_limit(served: Served) -> None:
    source = "203.0.113.20"
    clients = [served.client(source) for _ in range(20)]
    tokens = [served.csrf(c) for c in clients]
    start = threading.Barrier(20)

    def guess(i: int) -> requests.Response:
        start.wait()
        data = {"csrf_token": tokens[i], "username": "burst", "password": f"guess {i}"}
        return clients[i].post(served.url + "/login", data=data, allow_redirects=False, timeout=120)

    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(guess, range(20)))
    assert {a.status_code for a in answers} == {401}
    assert len({_shown(a.text) for a in answers}) == 1 and REFUSED in answers[0].text
    mine = [e for e in served.events("sign_in_refused") if e["username"] == "burst"]
    assert Counter(e["reason"] for e in mine) == {"bad_credentials": 5, "throttled": 15}
    # the right password waits too from that address, but not from the officer's own desk
    assert served.login(served.client(source), "burst").status_code == 401
    assert served.login(served.client("192.0.2.77"), "burst").status_code == 302
    # and the lock was reported, once
    reports = [e for e in served.events("sign_in_throttled") if e["username"] == "burst"]
    assert len(reports) == 1 and reports[0]["address"] == source


def test_every_refusal_reads_the_same(served: Served) -> None:
    admin = served.signed_in("boss", "192.0.2.5")
    quiet_id = _officer_id(served, "quiet")
    admin.post(
        f"{served.url}/admin/officers/{quiet_id}/active",
        data={"csrf_token": served.csrf(admin, "/admin")},
        timeout=30,
    )
    for _ in range(6):
        served.login(served.client("203.0.113.30"), "victim", "wrong password")
    pages = {
        "unknown": served.login(served.client("203.0.113.31"), "nobody-here", "x" * 12),
        "wrong": served.login(served.client("203.0.113.31"), "anna", "x" * 12),
        "deactivated, right password": served.login(served.client("203.0.113.32"), "quiet"),
        "throttled, right password": served.login(served.client("203.0.113.30"), "victim"),
    }
    assert {p.status_code for p in pages.values()} == {401}
    assert len({_shown(p.text) for p in pages.values()}) == 1
    assert REFUSED in pages["unknown"].text
    # administrators see who is being guessed at, and every refusal is in the security log
    assert "locked until" in admin.get(served.url + "/admin", timeout=30).text
    # the guesser never kept the victim out: from another address the sign-in works
    assert served.login(served.client("192.0.2.9"), "victim").status_code == 302
    reasons = {e["reason"] for e in served.events("sign_in_refused")}
    assert {"unknown_user", "bad_credentials", "inactive", "throttled"} <= reasons
    assert any(e["act"] == "admin.toggle_active" for e in served.events("admin_act"))


def _officer_id(served: Served, username: str) -> int:
    with sqlite3.connect(served.instance / "portal.db") as con:
        row = con.execute("SELECT id FROM officers WHERE username = ?", (username,)).fetchone()
    assert row is not None
    return int(row[0])


def _shown(page: str) -> str:
    """The page without its form values (a CSRF token differs per session, a username is echoed)."""
    return re.sub(r'value="[^"]*"', 'value=""', page)


def test_the_login_rate_limit_is_shared_by_every_worker(served: Served) -> None:
    s = served.client("203.0.113.40")
    token = served.csrf(s)
    statuses = []
    for i in range(36):
        c = requests.Session()  # a new connection each time: both workers take some
        c.headers["X-Forwarded-For"] = "203.0.113.40"
        c.cookies = s.cookies
        data = {"csrf_token": token, "username": f"nobody{i}", "password": "x"}
        statuses.append(
            c.post(served.url + "/login", data=data, allow_redirects=False, timeout=60).status_code
        )
    # 30 per minute for the address, whichever worker answered (memory storage would allow 60)
    assert Counter(statuses) == {401: 30, 429: 6}


def test_made_up_tokens_are_limited_per_address_and_real_ones_per_token(served: Served) -> None:
    number = {"number": "XX-UNKNOWN-1"}
    made_up = [
        served.api(
            "/verify/number", number, token=f"oct_{i:040d}", source="203.0.113.60"
        ).status_code
        for i in range(22)
    ]
    assert Counter(made_up) == {401: 20, 429: 2}
    # that address is refused even with a real token now; another address is not
    assert served.api("/verify/number", number, source="203.0.113.60").status_code == 429
    assert served.api("/verify/number", number, source="203.0.113.61").status_code == 404
    limited = [
        served.api("/verify/number", number, token="limited", source=f"192.0.2.{100 + i}")
        for i in range(42)
    ]
    assert Counter(r.status_code for r in limited) == {404: 40, 429: 2}
    assert limited[-1].json()["error"]["code"] == "rate_limited"
    assert any(e["reason"] == "token_invalid" for e in served.events("api_token_refused"))


def test_cr_lf_in_next_lands_on_the_start_page(served: Served) -> None:
    for target in ("/\r\nSet-Cookie: x=1", "/log\n", "/\tx", "//evil.example"):
        response = served.login(served.client("192.0.2.11"), "anna", PASSWORD, next=target)
        assert response.status_code == 302 and response.headers["Location"] == "/"
    ok = served.login(served.client("192.0.2.11"), "anna", PASSWORD, next="/log?verdict=VALID")
    assert ok.headers["Location"] == "/log?verdict=VALID"


def test_no_server_banner_and_hsts_whenever_https(served: Served) -> None:
    plain = served.client().get(served.url + "/login", timeout=30)
    assert "Server" not in plain.headers
    assert "Strict-Transport-Security" not in plain.headers
    secure = served.client(https=True).get(served.url + "/login", timeout=30)
    assert "Server" not in secure.headers
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=63072000")


def test_the_instance_is_private(served: Served) -> None:
    assert stat.S_IMODE(served.instance.stat().st_mode) == 0o700
    for name in ("portal.db", "secret_key"):
        assert stat.S_IMODE((served.instance / name).stat().st_mode) == 0o600, name


def test_a_number_the_portal_holds_verifies_through_the_api(served: Served) -> None:
    answer = served.api("/verify/number", {"number": VALID_NUMBER}, source="192.0.2.12")
    assert answer.status_code == 200 and answer.json()["verdict"] == "VALID"


def test_the_server_log_has_no_traceback(served: Served) -> None:
    assert "Traceback" not in Path(served.output).read_text()
