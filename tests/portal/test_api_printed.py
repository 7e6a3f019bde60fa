"""The API takes the printed PDF and a photo of its QR code on /api/v1/verify/file (issue 11),
and logs every attempt, unreadable ones and unknown numbers included."""

from __future__ import annotations

import io

from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select

from origincert import pdf, qr, qrlink
from origincert.portal import accounts, db
from origincert.portal.db import Office, Verification

from .support import Scene


def token_for(app: Flask) -> dict[str, str]:
    with app.app_context():
        dbs = db.session()
        office = dbs.scalar(select(Office).where(Office.code == "DEHAM-1"))
        _, clear = accounts.issue_token(dbs, name="ATLAS", office=office, created_by="test")
        dbs.commit()
    return {"Authorization": f"Bearer {clear}"}


def logged(app: Flask) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session().scalars(select(Verification).order_by(Verification.id))
        return [(e.verdict, e.channel) for e in rows]


def test_pdf_and_photo_are_verified(app: Flask, client: FlaskClient, scene: Scene) -> None:
    headers = token_for(app)
    printed = pdf.render_pdf(scene.issued("valid"))
    answer = client.post(
        "/api/v1/verify/file", data=printed, headers=headers, content_type="application/pdf"
    )
    assert answer.status_code == 200 and answer.get_json()["verdict"] == "VALID"
    link = qrlink.make_link("https://portal.example", qr.encode_payload(scene.issued("valid")))
    photo = client.post(
        "/api/v1/verify/file", data=qr.qr_png(link), headers=headers, content_type="image/png"
    )
    assert photo.status_code == 200 and photo.get_json()["verdict"] == "VALID"
    assert logged(app) == [("VALID", "api_pdf"), ("VALID", "api_photo")]


def test_unreadable_photos_and_unknown_numbers_are_logged(app: Flask, client: FlaskClient) -> None:
    headers = token_for(app)
    blank = io.BytesIO()
    Image.new("RGB", (300, 200), "white").save(blank, format="JPEG")
    answer = client.post(
        "/api/v1/verify/file", data=blank.getvalue(), headers=headers, content_type="image/jpeg"
    )
    assert answer.status_code == 422
    assert answer.get_json()["error"]["code"] == "qr_not_found"
    assert "retake the photo" in answer.get_json()["error"]["message"]
    unknown = client.post("/api/v1/verify/number", json={"number": "XX-1"}, headers=headers)
    assert unknown.status_code == 404
    assert logged(app) == [("UNREADABLE", "api_photo"), ("NOT_FOUND", "api_number")]
