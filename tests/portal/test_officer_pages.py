"""What officers read and can do (issue 11): successors named, PDFs and several files accepted,
QR links read, every attempt logged under the method used, names instead of codes."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from origincert import pdf, qr, qrlink
from origincert.portal import db
from origincert.portal.db import Verification

from .officer_scene import NEW_NUMBER, OLD_NUMBER, Replacement, replacement_fixture  # noqa: F401
from .support import Scene, csrf_token, follow, upload


def log_entries(app: Flask) -> list[Verification]:
    with app.app_context():
        return list(db.session().scalars(select(Verification).order_by(Verification.id)))


def as_bytes(issued: dict[str, Any]) -> bytes:
    return json.dumps(issued).encode()


def text_of(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</', html, re.DOTALL)
    assert match, f"no #{element_id}"
    return match.group(1)


def test_replaced_names_its_successor_once_the_portal_holds_it(
    officer: FlaskClient, replacement: Replacement
) -> None:
    first = follow(officer, upload(officer, as_bytes(replacement.old)))
    assert 'data-verdict="REPLACED"' in first
    reason = text_of(first, "verdict-reason")
    assert "0x" not in reason and "leaf" not in reason
    assert "does not hold" in first  # honest: the successor is not known yet
    newer = follow(officer, upload(officer, as_bytes(replacement.new)))
    assert 'data-verdict="VALID"' in newer
    assert f"replaces certificate <strong>{OLD_NUMBER}</strong>" in newer
    assert 'id="replaces-link"' in newer
    again = follow(officer, upload(officer, as_bytes(replacement.old)))
    assert f"by certificate {NEW_NUMBER}" in text_of(again, "verdict-reason")
    assert f"Replaced by certificate <strong>{NEW_NUMBER}</strong>" in again
    assert 'id="successor-link"' in again


def test_revocation_names_the_issuing_body_not_its_key(officer: FlaskClient, scene: Scene) -> None:
    page = follow(officer, upload(officer, scene.raw("revoked")))
    reason = text_of(page, "verdict-reason")
    assert "issued in error" in reason
    assert "0x" not in reason
    assert "by Chamber DE-hamburg" in reason  # the ledger's name for the issuing body


def test_codes_are_shown_as_names(officer: FlaskClient, scene: Scene) -> None:
    page = follow(officer, upload(officer, scene.raw("valid")))
    document = scene.issued("valid")["document"]
    assert "Germany (DE)" in page
    unit = document["goods"][0]["quantity"]["unit"]
    if unit == "KGM":
        assert ">kg<" in page and ">KGM<" not in page


def test_the_printed_pdf_is_verified(app: Flask, officer: FlaskClient, scene: Scene) -> None:
    printed = pdf.render_pdf(scene.issued("valid"))
    page = follow(officer, upload(officer, printed, "certificate.pdf"))
    assert 'data-verdict="VALID"' in page
    assert "a full copy" not in page  # read from the printed QR code
    assert "read from its QR code" in page
    assert log_entries(app)[-1].channel == "pdf"


def test_a_qr_link_and_the_camera_are_logged_as_such(
    app: Flask, officer: FlaskClient, scene: Scene
) -> None:
    payload = qr.encode_payload(scene.issued("valid"))
    link = qrlink.make_link("https://portal.customs.example", payload)
    token = csrf_token(officer, "/")
    page = follow(
        officer,
        officer.post("/verify/qr", data={"csrf_token": token, "payload": link, "source": "camera"}),
    )
    assert 'data-verdict="VALID"' in page
    assert "Anchored on the consortium ledger" not in page
    assert "names the consortium&#39;s ledger" in page or "names the consortium's ledger" in page
    assert log_entries(app)[-1].channel == "qr_scan"


def test_several_files_give_a_table_and_a_csv(
    app: Flask, officer: FlaskClient, scene: Scene
) -> None:
    boundary = "bulk-boundary"
    files = [
        ("good.coo.json", scene.raw("valid")),
        ("revoked.coo.json", scene.raw("revoked")),
        ("notes.txt", b"hello"),
    ]
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
        f"{csrf_token(officer, '/')}\r\n"
    ).encode()
    for name, data in files:
        body += (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n"
            ).encode()
            + data
            + b"\r\n"
        )
    body += f"--{boundary}--\r\n".encode()
    response = officer.post(
        "/verify/file", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.count("<tr data-verdict=") == 3
    assert "1 REFUSED, 1 REVOKED, 1 VALID" in page
    entries = log_entries(app)
    assert [e.channel for e in entries] == ["bulk", "bulk", "bulk"]
    href = re.search(r'id="bulk-csv" href="([^"]+)"', page)
    assert href
    exported = officer.get(href.group(1).replace("&amp;", "&"))
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert [r["verdict"] for r in rows] == ["VALID", "REVOKED", "REFUSED"]


def test_the_csv_shows_only_the_officers_own_office(
    app: Flask, client: FlaskClient, scene: Scene
) -> None:
    from .support import login

    login(client)
    follow(client, upload(client, scene.raw("valid")))
    [entry] = log_entries(app)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "lim")  # another office
    rows = list(
        csv.reader(
            io.StringIO(client.get(f"/verify/bulk.csv?ids={entry.id}").get_data(as_text=True))
        )
    )
    assert rows[1:] == []


def test_the_log_shows_reasons_in_words(app: Flask, officer: FlaskClient, scene: Scene) -> None:
    follow(officer, upload(officer, scene.raw("valid")))
    page = officer.get("/log").get_data(as_text=True)
    assert "every check passed" in page
    assert ">all_checks_passed<" not in page
