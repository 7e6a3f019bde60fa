"""Verifying in the portal against the real chain: upload, QR text, QR photo, number; the verdict
page; every failure path."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from PIL import Image
from sqlalchemy import select

from origincert import qr
from origincert.portal import db
from origincert.portal.db import IndexedCertificate, Verification
from origincert.redact import redact

from .support import (
    TWIN_NUMBER,
    VALID_NUMBER,
    Scene,
    csrf_token,
    follow,
    login,
    make_app,
    multipart,
    upload,
)


def log_entries(app: Flask) -> list[Verification]:
    with app.app_context():
        return list(db.session().scalars(select(Verification).order_by(Verification.id)))


def as_bytes(issued: dict[str, Any]) -> bytes:
    return json.dumps(issued).encode()


def test_valid_upload_shows_valid_and_is_logged(
    app: Flask, officer: FlaskClient, issued: bytes
) -> None:
    page = follow(officer, upload(officer, issued))
    assert 'data-verdict="VALID"' in page
    assert VALID_NUMBER in page
    assert "Authentic and in force: issued by Chamber DE-hamburg (DE)" in page
    [entry] = log_entries(app)
    assert (entry.verdict, entry.actor, entry.office_code, entry.channel) == (
        "VALID",
        "anna",
        "DEHAM-1",
        "file",
    )
    assert entry.certificate_number == VALID_NUMBER and entry.issuer == "Chamber DE-hamburg"
    assert entry.reason_code == "all_checks_passed"


def test_verdict_page_shows_issuer_and_chain_evidence(
    officer: FlaskClient, scene: Scene, issued: bytes
) -> None:
    page = follow(officer, upload(officer, issued))
    tx = scene.files["valid"]["proof"]["tx_hash"]
    assert tx.lower() in page.lower()  # the anchoring transaction
    assert "Accredited at issue" in page and "Chamber DE-hamburg" in page
    exporter = scene.files["valid"]["document"]["exporter"]["name"]
    assert str(escape(exporter)) in page  # the certificate, laid out


def test_tampered_upload_is_invalid_and_names_the_field(officer: FlaskClient, scene: Scene) -> None:
    issued = scene.issued("valid")
    issued["document"]["goods"][0]["gross_weight_kg"] = "1.00"
    page = follow(officer, upload(officer, as_bytes(issued)))
    assert 'data-verdict="INVALID"' in page
    assert "Item 1, gross weight (kg)" in page and "goods[0].gross_weight_kg" not in page
    assert 'class="value flagged"' in page  # the altered value is highlighted in the certificate


def test_revoked_upload(officer: FlaskClient, scene: Scene) -> None:
    page = follow(officer, upload(officer, scene.raw("revoked")))
    assert 'data-verdict="REVOKED"' in page
    assert "issued in error" in page


def test_malformed_json_is_a_malformed_verdict(app: Flask, officer: FlaskClient) -> None:
    page = follow(officer, upload(officer, b'{"format": '))
    assert 'data-verdict="MALFORMED"' in page
    assert log_entries(app)[0].verdict == "MALFORMED"


@pytest.mark.parametrize(
    ("data", "status", "words", "logged"),
    [
        (b"", 400, "The file is empty.", []),
        (
            b"%PDF-1.7\n...",
            422,
            "No certificate QR code could be read from this PDF",
            ["UNREADABLE"],
        ),
        (b"hello, this is text", 415, "neither a certificate file", ["REFUSED"]),
    ],
)
def test_files_that_are_not_certificates_are_refused_clearly(
    app: Flask, officer: FlaskClient, data: bytes, status: int, words: str, logged: list[str]
) -> None:
    response = upload(officer, data)
    assert response.status_code == status
    assert words in response.get_data(as_text=True)
    assert [e.verdict for e in log_entries(app)] == logged


def test_no_file_chosen(officer: FlaskClient) -> None:
    response = officer.post("/verify/file", data={"csrf_token": csrf_token(officer, "/")})
    assert response.status_code == 400
    assert "Choose a file first." in response.get_data(as_text=True)


def test_oversize_upload_gets_a_clear_413(app: Flask, officer: FlaskClient) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    response = upload(officer, b"{" + b" " * (1024 * 1024 + 10) + b"}")
    assert response.status_code == 413
    text = response.get_data(as_text=True)
    assert "larger than the 1 MB" in text
    assert "Traceback" not in text


def test_upload_without_csrf_token_is_refused(
    app: Flask, officer: FlaskClient, issued: bytes
) -> None:
    body, content_type = multipart({}, "c.json", issued)
    response = officer.post("/verify/file", data=body, content_type=content_type)
    assert response.status_code == 400
    assert "This form has expired or did not come from this portal" in response.get_data(
        as_text=True
    )
    assert log_entries(app) == []


def test_ledger_down_says_unreachable_not_invalid(
    tmp_path: Path, scene: Scene, issued: bytes
) -> None:
    app = make_app(tmp_path, scene, RPC_URL="http://127.0.0.1:9")  # nothing listens there
    client = app.test_client()
    login(client)
    response = upload(client, issued)
    assert response.status_code == 503
    text = response.get_data(as_text=True)
    assert "Ledger unreachable" in text and "NOT been checked" in text
    assert "INVALID" not in text and "Traceback" not in text
    assert log_entries(app) == []


def test_missing_manifest_is_a_configuration_error(
    tmp_path: Path, scene: Scene, issued: bytes
) -> None:
    app = make_app(tmp_path, scene, MANIFEST=str(tmp_path / "nowhere.json"))
    client = app.test_client()
    login(client)
    response = upload(client, issued)
    assert response.status_code == 503
    assert "configuration is wrong" in response.get_data(as_text=True)


def test_certificate_fields_are_escaped(officer: FlaskClient, scene: Scene) -> None:
    page = follow(officer, upload(officer, scene.raw("hostile")))
    assert 'data-verdict="VALID"' in page
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_withheld_fields_are_marked(officer: FlaskClient, scene: Scene) -> None:
    copy = redact(scene.issued("valid"), ["exporter.address", "goods[0].invoice"])
    page = follow(officer, upload(officer, as_bytes(copy)))
    assert 'data-verdict="VALID"' in page
    assert 'class="withheld"' in page
    assert "3 fields withheld by the holder" in page


def test_qr_text_is_verified(app: Flask, officer: FlaskClient, scene: Scene) -> None:
    payload = qr.encode_payload(scene.issued("valid"))
    token = csrf_token(officer, "/")
    page = follow(
        officer, officer.post("/verify/qr", data={"csrf_token": token, "payload": payload})
    )
    assert 'data-verdict="VALID"' in page
    assert log_entries(app)[0].channel == "qr_paste"  # typed or pasted: the camera page says so


def test_qr_text_missing(officer: FlaskClient) -> None:
    response = officer.post(
        "/verify/qr", data={"csrf_token": csrf_token(officer, "/"), "payload": ""}
    )
    assert response.status_code == 400


def test_qr_text_that_is_not_ours_is_refused(app: Flask, officer: FlaskClient) -> None:
    token = csrf_token(officer, "/")
    response = officer.post(
        "/verify/qr", data={"csrf_token": token, "payload": "https://example.com/"}
    )
    assert response.status_code == 422
    assert "a web address, not an origincert certificate code" in response.get_data(as_text=True)
    assert [(e.verdict, e.channel) for e in log_entries(app)] == [("REFUSED", "qr_paste")]


def test_photo_of_a_qr_code_is_read_and_verified(
    app: Flask, officer: FlaskClient, scene: Scene
) -> None:
    photo = qr.qr_png(qr.encode_payload(scene.issued("valid")), scale=3)
    page = follow(officer, upload(officer, photo, "IMG_0042.png"))
    assert 'data-verdict="VALID"' in page
    assert log_entries(app)[0].channel == "qr_photo"


def test_photo_without_a_qr_code_asks_for_another(app: Flask, officer: FlaskClient) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (200, 120), "white").save(buffer, format="JPEG")
    response = upload(officer, buffer.getvalue(), "photo.jpg")
    assert response.status_code == 422
    assert "retake the photo" in response.get_data(as_text=True)
    assert [(e.verdict, e.channel) for e in log_entries(app)] == [("UNREADABLE", "qr_photo")]


def number(client: FlaskClient, value: str, **extra: str) -> Any:
    return client.post(
        "/verify/number", data={"csrf_token": csrf_token(client, "/"), "number": value, **extra}
    )


def test_unknown_number_says_so(app: Flask, officer: FlaskClient) -> None:
    response = number(officer, "XX-404")
    assert response.status_code == 404
    assert "No certificate numbered XX-404 is known to this portal" in response.get_data(
        as_text=True
    )
    [entry] = log_entries(app)
    assert (entry.verdict, entry.channel, entry.certificate_number) == (
        "NOT_FOUND",
        "number",
        "XX-404",
    )


def test_invalid_number_is_refused(officer: FlaskClient) -> None:
    response = number(officer, "<script>")
    assert response.status_code == 400
    assert "a certificate number is 1 to 40 characters" in response.get_data(as_text=True)


def test_uploaded_valid_certificate_can_be_found_by_number(
    app: Flask, officer: FlaskClient, issued: bytes
) -> None:
    follow(officer, upload(officer, issued))
    page = follow(officer, number(officer, f" {VALID_NUMBER.lower()} "))
    assert 'data-verdict="VALID"' in page
    assert [e.channel for e in log_entries(app)] == ["file", "number"]


def test_a_forgery_uploaded_once_does_not_answer_number_lookups(
    officer: FlaskClient, scene: Scene
) -> None:
    forged = scene.issued("valid")
    forged["document"]["consignee"]["name"] = "Forger Trading Ltd"
    assert 'data-verdict="INVALID"' in follow(officer, upload(officer, as_bytes(forged)))
    assert number(officer, VALID_NUMBER).status_code == 404


def test_number_found_in_archive_folder(
    app: Flask, officer: FlaskClient, issued: bytes, tmp_path: Path
) -> None:
    archive = tmp_path / "archive"
    (archive / "2026").mkdir(parents=True)
    (archive / "2026" / f"{VALID_NUMBER}.coo.json").write_bytes(issued)
    app.config["ARCHIVE_DIRS"] = [
        str(archive)
    ]  # the file arrived after start-up: found on the miss
    page = follow(officer, number(officer, VALID_NUMBER))
    assert 'data-verdict="VALID"' in page


def test_archived_file_deleted_since_indexing(
    app: Flask, officer: FlaskClient, issued: bytes, tmp_path: Path
) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    path = archive / "c.json"
    path.write_bytes(issued)
    app.config["ARCHIVE_DIRS"] = [str(archive)]
    follow(officer, number(officer, VALID_NUMBER))
    path.unlink()
    response = number(officer, VALID_NUMBER)
    assert response.status_code == 410
    assert "can no longer be read" in response.get_data(as_text=True)


def test_two_certificates_with_one_number_let_the_officer_choose(
    officer: FlaskClient, scene: Scene
) -> None:
    for label in ("twin_hamburg", "twin_berlin"):
        assert 'data-verdict="VALID"' in follow(officer, upload(officer, scene.raw(label)))
    choice = number(officer, TWIN_NUMBER)
    assert choice.status_code == 200
    text = choice.get_data(as_text=True)
    # format v2: the issuer heads the document with the ledger's name of the signing body
    assert "Several certificates carry the number" in text and "Chamber DE-berlin" in text
    berlin = scene.files["twin_berlin"]["proof"]["target_hash"]
    page = follow(officer, number(officer, TWIN_NUMBER, target_hash=berlin))
    assert "Berlin Chamber of Commerce" not in page and "Chamber DE-berlin" in page


def test_verdict_page_is_private_to_the_office(
    app: Flask, client: FlaskClient, issued: bytes
) -> None:
    login(client)
    location = upload(client, issued).headers["Location"]
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "lim")  # another office
    assert client.get(location).status_code == 404
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "boss")  # an administrator sees every office
    assert client.get(location).status_code == 200


def test_unknown_verification_id(officer: FlaskClient) -> None:
    response = officer.get("/verifications/999")
    assert response.status_code == 404
    assert "no verification with this number" in response.get_data(as_text=True)


def test_scan_page_loads_the_vendored_decoder(officer: FlaskClient) -> None:
    page = officer.get("/verify/scan").get_data(as_text=True)
    assert "/static/vendor/jsqr/jsQR.js" in page and "/static/scan.js" in page
    assert 'id="scan-form"' in page


def test_uploaded_index_keeps_only_genuine_files(
    app: Flask, officer: FlaskClient, issued: bytes
) -> None:
    follow(officer, upload(officer, issued))
    follow(officer, upload(officer, issued))
    with app.app_context():
        rows = db.session().scalars(select(IndexedCertificate)).all()
    assert [(r.number, r.source) for r in rows] == [(VALID_NUMBER, "upload")]


def test_qr_reference_to_a_held_file_shows_the_certificate(
    app: Flask, officer: FlaskClient, scene: Scene
) -> None:
    reference = qr.encode_payload(
        scene.issued("valid"), max_chars=10
    )  # too long to embed: a reference
    assert reference.startswith("OC2R:")
    token = csrf_token(officer, "/")
    alone = follow(
        officer, officer.post("/verify/qr", data={"csrf_token": token, "payload": reference})
    )
    assert "the QR code carries only a reference" in alone
    follow(officer, upload(officer, scene.raw("valid")))  # now the portal holds the file
    page = follow(
        officer, officer.post("/verify/qr", data={"csrf_token": token, "payload": reference})
    )
    assert 'data-verdict="VALID"' in page and 'id="goods"' in page
