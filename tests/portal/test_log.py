"""The verification log: office scoping, search filters, paging, CSV export (safe for spreadsheets)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from origincert.portal import db
from origincert.portal.db import Verification
from origincert.portal.log import csv_safe, outcomes
from origincert.portal.verification import CHANNELS

from .support import VALID_NUMBER, login


def add(app: Flask, **fields: object) -> None:
    values = {
        "actor": "anna",
        "office_code": "DEHAM-1",
        "channel": "file",
        "certificate_number": "DE-1",
        "issuer": "Chamber Hamburg",
        "verdict": "VALID",
        "reason_code": "all_checks_passed",
        "result_json": "{}",
        **fields,
    }
    with app.app_context():
        dbs = db.session()
        dbs.add(Verification(**values))
        dbs.commit()


@pytest.fixture
def entries(app: Flask) -> None:
    add(app, certificate_number="DE-1", created_at=datetime(2025, 3, 1, 9, tzinfo=UTC))
    add(
        app,
        certificate_number="DE-2",
        verdict="INVALID",
        reason_code="field_altered",
        created_at=datetime(2025, 3, 2, 9, tzinfo=UTC),
    )
    add(
        app,
        certificate_number="SG-9",
        actor="lim",
        office_code="SGSIN-2",
        created_at=datetime(2025, 3, 3, 9, tzinfo=UTC),
    )
    add(
        app,
        certificate_number='=HYPERLINK("http://x")',
        verdict="MALFORMED",
        created_at=datetime(2025, 3, 4, 9, tzinfo=UTC),
    )


def numbers(page: str) -> list[str]:
    return [n for n in ("DE-1", "DE-2", "SG-9", "HYPERLINK") if n in page]


def test_officer_sees_only_their_office(officer: FlaskClient, entries: None) -> None:
    page = officer.get("/log").get_data(as_text=True)
    assert numbers(page) == ["DE-1", "DE-2", "HYPERLINK"]
    assert "3 verifications in office DEHAM-1" in page


def test_admin_sees_every_office_and_can_filter_by_office(
    admin: FlaskClient, entries: None
) -> None:
    assert numbers(admin.get("/log").get_data(as_text=True)) == [
        "DE-1",
        "DE-2",
        "SG-9",
        "HYPERLINK",
    ]
    assert numbers(admin.get("/log?office=sgsin-2").get_data(as_text=True)) == ["SG-9"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("number=de-2", ["DE-2"]),
        ("number=DE-", ["DE-1", "DE-2"]),
        ("number=%25", []),  # a LIKE wildcard is searched for literally
        ("verdict=INVALID", ["DE-2"]),
        ("since=2025-03-02", ["DE-2", "HYPERLINK"]),
        ("until=2025-03-01", ["DE-1"]),
        ("since=2025-03-02&until=2025-03-02", ["DE-2"]),
        ("officer=ANN", ["DE-1", "DE-2", "HYPERLINK"]),
    ],
)
def test_search_filters(
    officer: FlaskClient, entries: None, query: str, expected: list[str]
) -> None:
    assert numbers(officer.get(f"/log?{query}").get_data(as_text=True)) == expected


@pytest.mark.parametrize("word", outcomes())
def test_every_outcome_can_be_filtered_on(app: Flask, officer: FlaskClient, word: str) -> None:
    """Attempts that reached no verdict (NOT_FOUND, UNREADABLE, REFUSED) are searchable too."""
    for other in outcomes():
        add(app, certificate_number=f"X-{other}", verdict=other)
    page = officer.get(f"/log?verdict={word}").get_data(as_text=True)
    assert [o for o in outcomes() if f"X-{o}<" in page] == [word]
    assert {"NOT_FOUND", "UNREADABLE", "REFUSED"} <= set(outcomes())


def test_the_log_filters_by_method(app: Flask, officer: FlaskClient) -> None:
    for channel in CHANNELS:
        add(app, certificate_number=f"M-{channel.upper().replace('_', '-')}", channel=channel)
    for channel in CHANNELS:
        page = officer.get(f"/log?channel={channel}").get_data(as_text=True)
        shown = [c for c in CHANNELS if f"M-{c.upper().replace('_', '-')}<" in page]
        assert shown == [channel]
    assert officer.get("/log?channel=telepathy").status_code == 400


def test_bad_filters_say_so(officer: FlaskClient, entries: None) -> None:
    response = officer.get("/log?since=yesterday&verdict=MAYBE")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Not a valid date value." in text and "Not a valid choice" in text
    assert officer.get("/log.csv?since=yesterday").status_code == 400


def test_newest_first_with_pages(app: Flask, officer: FlaskClient) -> None:
    app.config["LOG_PAGE_SIZE"] = 2
    for day in range(1, 6):
        add(app, certificate_number=f"N-{day}", created_at=datetime(2025, 1, day, tzinfo=UTC))
    first = officer.get("/log").get_data(as_text=True)
    assert "N-5" in first and "N-4" in first and "N-3" not in first
    assert "Page 1 of 3" in first
    last = officer.get("/log?page=3").get_data(as_text=True)
    assert "N-1" in last and "N-2" not in last
    assert "Page 3 of 3" in officer.get("/log?page=99").get_data(as_text=True)


def test_csv_export_follows_the_filters_and_neutralises_formulas(
    officer: FlaskClient, entries: None
) -> None:
    response = officer.get("/log.csv?verdict=MALFORMED")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment;" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 1
    assert rows[0]["certificate_number"] == '\'=HYPERLINK("http://x")'
    assert rows[0]["office"] == "DEHAM-1" and rows[0]["time_utc"] == "2025-03-04T09:00:00Z"


def test_csv_export_of_everything_an_officer_may_see(officer: FlaskClient, entries: None) -> None:
    rows = list(csv.DictReader(io.StringIO(officer.get("/log.csv").get_data(as_text=True))))
    assert [r["certificate_number"] for r in rows] == ["DE-1", "DE-2", '\'=HYPERLINK("http://x")']


def test_verifications_appear_in_the_log(app: Flask, client: FlaskClient, issued: bytes) -> None:
    from .support import upload

    login(client)
    upload(client, issued)
    page = client.get("/log").get_data(as_text=True)
    assert VALID_NUMBER in page and "pill-valid" in page and "uploaded file" in page


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+49 40", "'+49 40"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("DE-1", "DE-1"),
        (None, ""),
        (7, "7"),
    ],
)
def test_csv_safe(value: object, cell: str) -> None:
    assert csv_safe(value) == cell


@pytest.mark.parametrize(
    "text",
    ["=1+1", "+1", "-1", "@SUM(A1)", " =1+1", "\u00a0=1+1", "\u3000=1+1", "\u200b=1",
     "\ufeff=1", "\uff1d1+1", "\uff0b1", "\uff0d1", "\uff201", "DE;=4+4", "DE,=4", "DE\t=4",
     "DE\n=4", "DE|=4", "\t=8", "\r=9", "a; \u00a0=1"],
)  # fmt: skip
def test_csv_cells_that_a_spreadsheet_could_read_as_formulas_are_neutralised(text: str) -> None:
    assert csv_safe(text) == "'" + text


@pytest.mark.parametrize(
    "text", ["DE-HH-2026-000123", "IHK Berlin", "2026-12-04T10:00:00Z", "VALID", "a=b", ""]
)
def test_ordinary_cells_are_left_alone(text: str) -> None:
    assert csv_safe(text) == text
