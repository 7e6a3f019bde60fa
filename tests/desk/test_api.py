"""The exporters' REST API: apply, validate at the field, idempotent retries, attach, submit,
status, download, bulk import, OpenAPI document."""

from __future__ import annotations

import io
import json
import threading

from sqlalchemy import func, select

from origincert.desk import service
from origincert.desk.models import Application

from .support import Desk, fields

PDF = b"%PDF-1.7\n%%EOF\n"


def auth(key: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", **extra}


def count(desk: Desk) -> int:
    with desk.sessions() as db:
        return db.scalar(select(func.count(Application.id)))


def test_apply_attach_submit_and_follow_the_status(app, desk: Desk, keys) -> None:
    client = app.test_client()
    created = client.post("/api/v1/applications", json=fields(1), headers=auth(keys["alice"]))
    assert created.status_code == 201, created.json
    body = created.json
    assert body["status"] == "draft" and body["number"].startswith("DEBER-")
    pid = body["id"]
    attached = client.post(
        f"/api/v1/applications/{pid}/attachments",
        data={"kind": "invoice", "file": (io.BytesIO(PDF), "invoice.pdf")},
        headers=auth(keys["alice"]),
    )
    assert attached.status_code == 201
    [att] = attached.json["attachments"]
    assert att["media_type"] == "application/pdf" and att["label"] == "invoice.pdf"
    got = client.get(
        f"/api/v1/applications/{pid}/attachments/{att['id']}", headers=auth(keys["alice"])
    )
    assert got.data == PDF
    submitted = client.post(
        f"/api/v1/applications/{pid}/submit",
        json={"declaration": True},
        headers=auth(keys["alice"]),
    )
    assert submitted.status_code == 200 and submitted.json["status"] == "submitted", submitted.json
    assert (
        client.get(f"/api/v1/applications/{pid}/certificate", headers=auth(keys["alice"])).json[
            "error"
        ]
        == "not_issued"
    )


def test_an_invalid_application_gets_every_problem_at_its_field(app, keys) -> None:
    client = app.test_client()
    bad = fields(2, **{"goods.0.hs_code": "12AB"})
    pid = client.post("/api/v1/applications", json=bad, headers=auth(keys["alice"])).json["id"]
    answer = client.post(
        f"/api/v1/applications/{pid}/submit",
        json={"declaration": True},
        headers=auth(keys["alice"]),
    )
    assert answer.status_code == 422
    assert any(p["field"] == "goods[0].hs_code" for p in answer.json["problems"])
    assert (
        client.get(f"/api/v1/applications/{pid}", headers=auth(keys["alice"])).json["status"]
        == "draft"
    )


def test_a_retried_post_with_an_idempotency_key_creates_one_application(
    app, desk: Desk, keys
) -> None:
    client = app.test_client()
    headers = auth(keys["alice"], **{"Idempotency-Key": "order-4711"})
    first = client.post("/api/v1/applications", json=fields(3), headers=headers)
    again = client.post("/api/v1/applications", json=fields(3), headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json["id"] == again.json["id"] and count(desk) == 1
    other = client.post("/api/v1/applications", json=fields(4), headers=headers)
    assert other.status_code == 422 and other.json["error"] == "idempotency_key_reused"
    # another company may use the same key for its own request
    assert (
        client.post(
            "/api/v1/applications",
            json=fields(3),
            headers=auth(keys["bob"], **{"Idempotency-Key": "order-4711"}),
        ).status_code
        == 201
    )


def test_concurrent_retries_create_one_application(app, desk: Desk, keys) -> None:
    results = []
    barrier = threading.Barrier(4)

    def post() -> None:
        client = app.test_client()
        barrier.wait()
        r = client.post(
            "/api/v1/applications",
            json=fields(5),
            headers=auth(keys["alice"], **{"Idempotency-Key": "same"}),
        )
        results.append((r.status_code, (r.json or {}).get("id")))

    threads = [threading.Thread(target=post) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ok = [r for r in results if r[0] in (200, 201)]
    assert len({pid for _, pid in ok}) == 1 and count(desk) == 1
    assert all(code in (200, 201, 503) for code, _ in results)


def test_bulk_import_is_all_or_nothing(app, desk: Desk, keys) -> None:
    client = app.test_client()
    good = [fields(10), fields(11)]
    bad = client.post(
        "/api/v1/applications/bulk",
        json={
            "applications": [*good, fields(12, **{"exporter.country": "XX"})],
            "submit": True,
            "declaration": True,
        },
        headers=auth(keys["alice"]),
    )
    assert bad.status_code == 422 and any(
        p["field"].startswith("applications[2].") for p in bad.json["problems"]
    )
    assert count(desk) == 0
    ok = client.post(
        "/api/v1/applications/bulk",
        json={"applications": good, "submit": True, "declaration": True},
        headers=auth(keys["alice"]),
    )
    assert ok.status_code == 201 and [a["status"] for a in ok.json["applications"]] == [
        "submitted",
        "submitted",
    ]


def test_bad_attachments_and_bodies_get_clear_errors(app, keys) -> None:
    client = app.test_client()
    pid = client.post("/api/v1/applications", json=fields(6), headers=auth(keys["alice"])).json[
        "id"
    ]
    exe = client.post(
        f"/api/v1/applications/{pid}/attachments",
        data={"kind": "invoice", "file": (io.BytesIO(b"MZ..."), "x.pdf")},
        headers=auth(keys["alice"]),
    )
    assert exe.status_code == 422 and exe.json["error"] == "attachment_type"
    big = client.post(
        f"/api/v1/applications/{pid}/attachments",
        data={"kind": "invoice", "file": (io.BytesIO(b"%PDF-" + b"0" * 5000), "x.pdf")},
        headers=auth(keys["alice"]),
    )
    assert big.status_code == 422 and big.json["error"] == "attachment_too_large"
    junk = client.post(
        "/api/v1/applications",
        data="{not json",
        content_type="application/json",
        headers=auth(keys["alice"]),
    )
    assert junk.status_code == 422 and junk.json["error"] == "body_not_json"
    assert (
        client.get(f"/api/v1/applications/{pid}", headers=auth(keys["alice"])).json["attachments"]
        == []
    )


def test_no_key_or_a_wrong_key_is_401(app, keys) -> None:
    client = app.test_client()
    assert client.get("/api/v1/applications").status_code == 401
    assert client.get("/api/v1/applications", headers=auth("ocd_wrong")).status_code == 401
    assert client.get("/api/v1/applications", headers=auth(keys["alice"])).status_code == 200


def test_the_openapi_document_is_served(app) -> None:
    doc = app.test_client().get("/api/v1/openapi.json").json
    assert (
        doc["openapi"].startswith("3.")
        and "/api/v1/applications/{public_id}/submit" in doc["paths"]
    )


def test_issued_certificate_downloads(app, desk: Desk, keys) -> None:
    client = app.test_client()
    pid = client.post("/api/v1/applications", json=fields(7), headers=auth(keys["alice"])).json[
        "id"
    ]
    client.post(
        f"/api/v1/applications/{pid}/submit",
        json={"declaration": True},
        headers=auth(keys["alice"]),
    )
    with desk.sessions.begin() as db:
        a = service.get_application(db, desk.actor("clara"), pid)
        service.approve(db, desk.actor("clara"), a)
        service.transition(db, None, a, "issue", issued_file='{"format": "test"}')
    got = client.get(f"/api/v1/applications/{pid}/certificate", headers=auth(keys["alice"]))
    assert got.status_code == 200 and json.loads(got.data) == {"format": "test"}


def test_hostile_json_is_refused_with_its_reason(app, keys) -> None:
    client = app.test_client()
    h = {**auth(keys["alice"]), "Content-Type": "application/json"}
    cases = {
        "[" * 5000 + "]" * 5000: None,  # too deep: refused before parsing, never a crash
        '{"form": "A", "form": "B"}': None,  # duplicate keys: two readers, two values
        '{"remarks": "\\ud800"}': None,  # a lone surrogate
        "[1, 2]": None,  # not an object
    }
    for body in cases:
        r = client.post("/api/v1/applications", data=body, headers=h)
        assert r.status_code == 422, (body[:20], r.status_code)
        assert r.json["error"] != "invalid"
    assert (
        client.get("/api/v1/applications", headers=auth(keys["alice"])).json["applications"] == []
    )
