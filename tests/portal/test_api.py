"""The JSON API: bearer tokens (issued, revoked), verify by file / QR / number, errors as JSON,
and an OpenAPI document that matches the routes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from origincert import qr
from origincert.portal import accounts, db
from origincert.portal.db import ApiToken, Office, Verification

from .support import TWIN_NUMBER, VALID_NUMBER, Scene, make_app


def new_token(app: Flask, name: str = "ATLAS", office: str = "DEHAM-1") -> str:
    with app.app_context():
        dbs = db.session()
        the_office = dbs.scalar(select(Office).where(Office.code == office))
        assert the_office is not None
        _, clear = accounts.issue_token(dbs, name=name, office=the_office, created_by="test")
        dbs.commit()
    return clear


@pytest.fixture
def token(app: Flask) -> str:
    return new_token(app)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def error_of(response: Any) -> dict[str, Any]:
    assert response.mimetype == "application/json", response.get_data(as_text=True)[:300]
    return response.get_json()["error"]  # type: ignore[no-any-return]


def test_verify_file(app: Flask, client: FlaskClient, token: str, issued: bytes) -> None:
    response = client.post(
        "/api/v1/verify/file", data=issued, headers=auth(token), content_type="application/json"
    )
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"verdict", "summary", "checks", "evidence", "withheld", "warnings"}
    assert body["warnings"] == []  # no other certificate under its number is known here
    assert body["verdict"] == "VALID"
    assert body["evidence"]["anchor"]["tx"]
    assert all(set(c) >= {"name", "status", "code", "message"} for c in body["checks"])
    with app.app_context():
        entry = db.session().get(Verification, int(response.headers["X-Verification-Id"]))
        assert entry is not None
        assert (entry.actor, entry.office_code, entry.channel, entry.verdict) == (
            "api:ATLAS",
            "DEHAM-1",
            "api_file",
            "VALID",
        )


def test_verify_tampered_file_names_the_field(
    client: FlaskClient, token: str, scene: Scene
) -> None:
    issued = scene.issued("valid")
    issued["document"]["consignee"]["name"] = "Someone Else Ltd"
    body = client.post("/api/v1/verify/file", json=issued, headers=auth(token)).get_json()
    assert body["verdict"] == "INVALID"
    integrity = next(c for c in body["checks"] if c["name"] == "integrity")
    assert integrity["status"] == "failed" and integrity["fields"] == ["consignee.name"]


def test_an_object_that_is_no_certificate_is_a_verdict_not_an_error(
    client: FlaskClient, token: str
) -> None:
    response = client.post(
        "/api/v1/verify/file",
        data=b'{"oops": 1}',
        headers=auth(token),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.get_json()["verdict"] == "MALFORMED"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{oops", "json_malformed"),
        (b"[]", "json_not_object"),
        (b'{"a": "\\ud800"}', "json_not_utf8"),
        (b'{"a": 1, "a": 2}', "json_duplicate_key"),
        (b"[" * 5000 + b"]" * 5000, "json_too_deep"),
    ],
)
def test_a_body_that_is_no_json_object_is_refused(
    client: FlaskClient, token: str, body: bytes, reason: str
) -> None:
    """As the OpenAPI document says: the body is a JSON object (finding 8)."""
    response = client.post(
        "/api/v1/verify/file", data=body, headers=auth(token), content_type="application/json"
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == "body_invalid"
    assert error_of(response)["reason"] == reason


def test_file_must_be_sent_as_json(client: FlaskClient, token: str, issued: bytes) -> None:
    response = client.post(
        "/api/v1/verify/file", data=issued, headers=auth(token), content_type="text/plain"
    )
    assert response.status_code == 415
    assert error_of(response)["code"] == "content_type"


def test_verify_revoked_file(client: FlaskClient, token: str, scene: Scene) -> None:
    body = client.post(
        "/api/v1/verify/file",
        data=scene.raw("revoked"),
        headers=auth(token),
        content_type="application/json",
    ).get_json()
    assert body["verdict"] == "REVOKED"
    assert next(c for c in body["checks"] if c["name"] == "not_revoked")["status"] == "failed"


def test_verify_qr(client: FlaskClient, token: str, scene: Scene) -> None:
    payload = qr.encode_payload(scene.issued("valid"))
    response = client.post("/api/v1/verify/qr", json={"payload": payload}, headers=auth(token))
    assert response.status_code == 200 and response.get_json()["verdict"] == "VALID"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "payload_missing"),
        ({"payload": 5}, "payload_missing"),
        ({"payload": "x" * 9000}, "payload_too_long"),
        ([], "body_invalid"),
    ],
)
def test_bad_qr_requests(client: FlaskClient, token: str, body: Any, code: str) -> None:
    response = client.post("/api/v1/verify/qr", json=body, headers=auth(token))
    assert response.status_code == 400
    assert error_of(response)["code"] == code


def test_verify_number(
    app: Flask, client: FlaskClient, token: str, issued: bytes, tmp_path: Path
) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "c.coo.json").write_bytes(issued)
    app.config["ARCHIVE_DIRS"] = [str(archive)]
    response = client.post(
        "/api/v1/verify/number", json={"number": VALID_NUMBER}, headers=auth(token)
    )
    assert response.status_code == 200 and response.get_json()["verdict"] == "VALID"


def test_unknown_and_bad_numbers(client: FlaskClient, token: str) -> None:
    unknown = client.post("/api/v1/verify/number", json={"number": "NOPE-1"}, headers=auth(token))
    assert unknown.status_code == 404 and error_of(unknown)["code"] == "number_unknown"
    bad = client.post("/api/v1/verify/number", json={"number": "a b"}, headers=auth(token))
    assert bad.status_code == 400 and error_of(bad)["code"] == "number_invalid"
    missing = client.post("/api/v1/verify/number", json={}, headers=auth(token))
    assert missing.status_code == 400 and error_of(missing)["code"] == "number_missing"


def test_ambiguous_number_lists_candidates(
    app: Flask, client: FlaskClient, token: str, scene: Scene, tmp_path: Path
) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    for label in ("twin_hamburg", "twin_berlin"):
        (archive / f"{label}.json").write_bytes(scene.raw(label))
    app.config["ARCHIVE_DIRS"] = [str(archive)]
    response = client.post(
        "/api/v1/verify/number", json={"number": TWIN_NUMBER}, headers=auth(token)
    )
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "number_ambiguous"
    hamburg = scene.files["twin_hamburg"]["document"]["issuing_body"]["name"]
    # format v2: the issuer heads the document with the ledger's name of the signing body
    assert {c["issuer"] for c in error["candidates"]} == {hamburg, "Chamber DE-berlin"}
    chosen = client.post(
        "/api/v1/verify/number",
        json={
            "number": TWIN_NUMBER,
            "target_hash": scene.files["twin_berlin"]["proof"]["target_hash"],
        },
        headers=auth(token),
    )
    assert (
        chosen.status_code == 200
        and chosen.get_json()["evidence"]["issuer"]["name"] == "Chamber DE-berlin"
    )


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "token_missing"),
        ({"Authorization": "Basic YW5uYTp4"}, "token_missing"),
        ({"Authorization": "Bearer oct_made-up"}, "token_invalid"),
        ({"Authorization": "Bearer "}, "token_missing"),
    ],
)
def test_requests_without_a_valid_token_are_refused(
    client: FlaskClient, headers: dict, code: str, issued: bytes
) -> None:
    response = client.post(
        "/api/v1/verify/file", data=issued, headers=headers, content_type="application/json"
    )
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert error_of(response)["code"] == code


def test_revoked_token_is_refused(
    app: Flask, client: FlaskClient, token: str, issued: bytes
) -> None:
    ok = client.post(
        "/api/v1/verify/file", data=issued, headers=auth(token), content_type="application/json"
    )
    assert ok.status_code == 200
    with app.app_context():
        dbs = db.session()
        row = dbs.scalar(select(ApiToken))
        assert row is not None
        accounts.revoke_token(row)
        dbs.commit()
    response = client.post(
        "/api/v1/verify/file", data=issued, headers=auth(token), content_type="application/json"
    )
    assert response.status_code == 401 and error_of(response)["code"] == "token_invalid"


def test_session_cookie_is_no_api_credential(officer: FlaskClient, issued: bytes) -> None:
    response = officer.post("/api/v1/verify/file", data=issued, content_type="application/json")
    assert response.status_code == 401


def test_api_oversize_is_json_413(app: Flask, client: FlaskClient, token: str) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post(
        "/api/v1/verify/file",
        data=b"{" + b" " * 2000 + b"}",
        headers=auth(token),
        content_type="application/json",
    )
    assert response.status_code == 413
    assert error_of(response)["code"] == "too_large"


def test_api_ledger_down_is_503_json(tmp_path: Path, scene: Scene, issued: bytes) -> None:
    app = make_app(tmp_path, scene, RPC_URL="http://127.0.0.1:9")
    client, token = app.test_client(), new_token(app)
    response = client.post(
        "/api/v1/verify/file", data=issued, headers=auth(token), content_type="application/json"
    )
    assert response.status_code == 503
    assert error_of(response)["code"] == "ledger_unreachable"


def test_api_unknown_route_and_method_are_json(client: FlaskClient, token: str) -> None:
    assert error_of(client.get("/api/v1/nothing", headers=auth(token)))["code"] == "not_found"
    response = client.get("/api/v1/verify/file", headers=auth(token))
    assert response.status_code == 405 and error_of(response)["code"] == "method_not_allowed"


def test_api_is_rate_limited_per_token(tmp_path: Path, scene: Scene, issued: bytes) -> None:
    app = make_app(tmp_path, scene, RATELIMIT_API="2 per minute")
    client = app.test_client()
    first, second = new_token(app, "A"), new_token(app, "B")
    send = lambda t: (
        client.post(
            "/api/v1/verify/file", data=issued, headers=auth(t), content_type="application/json"
        ).status_code
    )
    assert [send(first) for _ in range(3)] == [200, 200, 429]
    assert send(second) == 200  # another system has its own budget
    response = client.post(
        "/api/v1/verify/file", data=issued, headers=auth(first), content_type="application/json"
    )
    assert error_of(response)["code"] == "rate_limited"


def test_openapi_document_describes_exactly_the_api_routes(app: Flask, client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    documented = {(path, method.upper()) for path, ops in spec["paths"].items() for method in ops}
    routes = {
        (rule.rule.removeprefix("/api/v1"), method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert documented == routes
    result_schema = spec["components"]["schemas"]["VerificationResult"]
    assert set(result_schema["required"]) <= set(result_schema["properties"])


def test_openapi_result_schema_matches_the_library(
    client: FlaskClient, token: str, issued: bytes
) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    body = client.post(
        "/api/v1/verify/file", data=issued, headers=auth(token), content_type="application/json"
    ).get_json()
    schema = spec["components"]["schemas"]["VerificationResult"]
    assert set(body) == set(schema["properties"])
    assert body["verdict"] in schema["properties"]["verdict"]["enum"]


@pytest.mark.parametrize("payload", ["\u001e", "\x85", " \u001c "])
def test_a_payload_the_document_allows_is_verified_not_refused(
    client: FlaskClient, token: str, payload: str
) -> None:
    """Schemathesis found it: \\S in the document is ECMA-262's, for which \\x1c-\\x1f are text."""
    response = client.post("/api/v1/verify/qr", json={"payload": payload}, headers=auth(token))
    assert response.status_code == 200 and response.get_json()["verdict"] == "MALFORMED"
