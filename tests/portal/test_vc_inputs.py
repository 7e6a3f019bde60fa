"""Credentials on the portal: a W3C VC (base or derived proof) and a UNTP vc+jwt (compact text,
.jwt file, envelope) verified through the verify form, the bulk page and the API against the
real chain, each logged under its channel; the adversarial corpora never VALID; status lists
that cannot be relied on are 503, never a verdict; status lists and the context are served with
cache headers."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from interop import test_credential as tc
from interop.test_adversarial_jwt import JWT_CORPUS
from interop.test_adversarial_vc import CORPUS

from origincert.interop.credential import StatusEntry, derive_credential, export_credential
from origincert.interop.did import did_web_document
from origincert.interop.loader import ORIGINCERT_COO_V1, shipped_loader
from origincert.interop.p256 import P256KeyPair
from origincert.interop.status import status_list_credential
from origincert.interop.untp import build_dcc, enveloped, sign_vc_jwt
from origincert.portal import db
from origincert.portal.db import Verification

from .support import Scene, csrf_token, follow, login, make_app, upload

LIST_URL = "https://chamber.example/status/hamburg"
# the corpora borrow evidence from certificates the offline tests signed: here, where the trusted
# DID names the Hamburg chamber's ledger account, that evidence is first refused as not bound
OTHER_SIGNER = ("key_not_bound",)
VALID_INDEX, REVOKED_INDEX = 5, 6


@dataclass(frozen=True)
class Creds:
    folder: Path
    trust: Path
    lists: Path
    base: dict[str, Any]
    derived: dict[str, Any]
    token: str
    revoked_vc: dict[str, Any]
    dcc: dict[str, Any]

    def forms(self) -> dict[str, tuple[bytes, str, str]]:
        """name -> (bytes, file name, channel on the form)."""
        return {
            "base VC": (json.dumps(self.base).encode(), "c.vc.json", "vc"),
            "derived VC": (json.dumps(self.derived).encode(), "c.redacted.vc.json", "vc"),
            "vc+jwt file": (self.token.encode() + b"\n", "c.dcc.jwt", "vc_jwt"),
            "envelope": (json.dumps(enveloped(self.token)).encode(), "c.jwt.json", "vc_jwt"),
        }


def _status_list(
    revoked: set[int], *, valid_from: datetime, key: P256KeyPair = tc.VC_KEY
) -> dict[str, Any]:
    stamp = valid_from.strftime("%Y-%m-%dT%H:%M:%SZ")
    return status_list_credential(
        list_url=LIST_URL, revoked=revoked, issuer_did=tc.DID, verification_method=tc.VM,
        key=key, valid_from=stamp, created=stamp, loader=tc.LOADER,
    )  # fmt: skip


def _write(folder: Path, name: str, data: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data if isinstance(data, bytes) else json.dumps(data).encode())
    return path


@pytest.fixture(scope="module")
def creds(scene: Scene, tmp_path_factory: pytest.TempPathFactory) -> Creds:
    folder = tmp_path_factory.mktemp("vc-portal")
    valid, revoked = scene.issued("valid"), scene.issued("revoked")
    proof = valid["proof"]
    doc = did_web_document(
        tc.DID,
        tc.VC_KEY.public_multikey,
        ledger_address=proof["signer"],
        chain_id=proof["chain_id"],
    )
    trust = folder / "trust"
    _write(trust, "chamber.json", doc)

    def export(issued: dict[str, Any], index: int) -> dict[str, Any]:
        return export_credential(
            issued, key=tc.VC_KEY, issuer_did=tc.DID, verification_method=tc.VM,
            created="2026-01-05T10:00:00Z", status=StatusEntry(LIST_URL, index), loader=tc.LOADER,
        )  # fmt: skip

    base = export(valid, VALID_INDEX)
    dcc = build_dcc(valid, tc.DID, StatusEntry(LIST_URL, VALID_INDEX))
    lists = folder / "lists"
    _write(lists, "hamburg.json", _status_list({REVOKED_INDEX}, valid_from=datetime.now(UTC)))
    return Creds(
        folder=folder,
        trust=trust,
        lists=lists,
        base=base,
        derived=derive_credential(base, ["consignee", "goods[0].invoice"], tc.LOADER),
        token=sign_vc_jwt(dcc, tc.VC_KEY, tc.VM),
        revoked_vc=export(revoked, REVOKED_INDEX),
        dcc=dcc,
    )


def _app(tmp_path: Path, scene: Scene, creds: Creds, lists: Path | None = None) -> Flask:
    return make_app(
        tmp_path, scene, VC_TRUST_LIST=str(creds.trust), STATUS_LISTS=str(lists or creds.lists)
    )


@pytest.fixture
def vc_app(tmp_path: Path, scene: Scene, creds: Creds) -> Flask:
    return _app(tmp_path, scene, creds)


@pytest.fixture
def officer(vc_app: Flask) -> FlaskClient:
    client = vc_app.test_client()
    assert login(client).status_code == 302
    return client


@pytest.fixture
def token(vc_app: Flask) -> str:
    return _token(vc_app)


def _token(app: Flask) -> str:
    from origincert.portal import accounts

    with app.app_context():
        dbs = db.session()
        office = accounts.ensure_office(dbs, "DEHAM-1", "Hamburg Waltershof")
        _, clear = accounts.issue_token(dbs, name="ATLAS", office=office, created_by="test")
        dbs.commit()
    return clear


def _entries(app: Flask) -> list[Verification]:
    with app.app_context():
        return list(db.session().query(Verification).order_by(Verification.id))


def _verdict(page: str) -> str:
    match = re.search(r'id="verdict-word"[^>]*>\s*([A-Z]+)', page)
    assert match, page[:800]
    return match.group(1)


def test_each_form_is_valid_through_the_verify_form(
    vc_app: Flask, officer: FlaskClient, creds: Creds
) -> None:
    for name, (raw, filename, channel) in creds.forms().items():
        page = follow(officer, upload(officer, raw, filename))
        assert _verdict(page) == "VALID", name
        assert "Credential signature" in page and "Issuer&#39;s status list" in page, name
        entry = _entries(vc_app)[-1]
        assert (entry.channel, entry.verdict) == (channel, "VALID"), name
        assert entry.certificate_number == creds.base["credentialSubject"]["certificateNumber"]


def test_a_refused_credential_page_names_the_failed_layer(
    officer: FlaskClient, creds: Creds
) -> None:
    forged = copy.deepcopy(creds.base)
    forged["credentialSubject"]["consignor"]["name"] = "Forged AG"
    page = follow(officer, upload(officer, json.dumps(forged).encode(), "forged.vc.json"))
    assert _verdict(page) == "INVALID"
    assert "Credential signature" in page and "FAILED" in page
    assert "refused before the certificate inside it was read" in page
    assert "QR code carries only a reference" not in page


def test_the_credential_layers_are_told_in_german(officer: FlaskClient, creds: Creds) -> None:
    answer = officer.post(
        "/account/language", data={"csrf_token": csrf_token(officer, "/account"), "language": "de"}
    )
    assert answer.status_code == 302
    page = follow(officer, upload(officer, creds.token.encode(), "c.dcc.jwt"))
    assert ">GÜLTIG<" in page
    for words in ("Signatur des Nachweises", "Die Signatur des Nachweises ist gültig.",
                  "Jedes Feld des UNTP-Nachweises stammt aus dem verankerten Zeugnis.",
                  "Die Statusliste des Ausstellers führt das Zeugnis als gültig.",
                  "Das Ledger verzeichnete diesen Nachweisschlüssel für den Aussteller"):  # fmt: skip
        assert words in page, words
    assert "The credential" not in page  # no English sentence of the credential layers left


def _bulk(client: FlaskClient, files: dict[str, bytes]) -> Any:
    boundary = "vc-bulk-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
        f"{csrf_token(client, '/')}\r\n".encode()
    ]
    for name, data in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n".encode()
            + data
            + b"\r\n"
        )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return client.post(
        "/verify/file", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def test_each_form_is_valid_on_the_bulk_page(
    vc_app: Flask, officer: FlaskClient, creds: Creds
) -> None:
    forms = creds.forms()
    response = _bulk(officer, {filename: raw for raw, filename, _ in forms.values()})
    assert response.status_code == 200
    entries = _entries(vc_app)
    assert [(e.channel, e.verdict) for e in entries] == [
        (channel, "VALID") for _, _, channel in forms.values()
    ]
    page = response.get_data(as_text=True)
    assert page.count("c.") >= len(forms) and "INVALID" not in page


def _api(client: FlaskClient, token: str, body: bytes, content_type: str) -> Any:
    return client.post(
        "/api/v1/verify/file",
        data=body,
        headers={"Authorization": f"Bearer {token}"},
        content_type=content_type,
    )


def test_each_form_is_valid_through_the_api(vc_app: Flask, token: str, creds: Creds) -> None:
    client = vc_app.test_client()
    sent = [
        (json.dumps(creds.base).encode(), "application/json", "api_vc"),
        (json.dumps(creds.derived).encode(), "application/vc", "api_vc"),
        (creds.token.encode(), "application/vc+jwt", "api_vc_jwt"),
        (json.dumps(enveloped(creds.token)).encode(), "application/json", "api_vc_jwt"),
        (json.dumps(enveloped(creds.token)).encode(), "application/vc", "api_vc_jwt"),
    ]
    for body, content_type, channel in sent:
        response = _api(client, token, body, content_type)
        assert response.status_code == 200, response.get_data(as_text=True)
        result = response.get_json()
        assert result["verdict"] == "VALID", (content_type, result["summary"])
        names = [c["name"] for c in result["checks"]]
        assert names[:3] == [
            "vc_format",
            "vc_terms" if channel == "api_vc" else "vc_issuer",
            names[2],
        ]
        assert {"vc_proof", "vc_key_registered", "vc_status", "integrity", "not_revoked"} <= set(
            names
        )
        status = next(c for c in result["checks"] if c["name"] == "vc_status")
        assert status["status"] == "ok"
        registered = next(c for c in result["checks"] if c["name"] == "vc_key_registered")
        assert registered["status"] == "ok"  # the ledger was asked, not skipped
        entry = _entries(vc_app)[-1]
        assert (entry.id, entry.channel) == (int(response.headers["X-Verification-Id"]), channel)


def test_bodies_that_are_not_the_declared_credential_are_refused(
    vc_app: Flask, token: str, creds: Creds
) -> None:
    client = vc_app.test_client()
    for body, content_type in (
        (creds.token.encode() + b"\n", "application/vc+jwt"),  # the API takes the exact token
        (b"not a token", "application/vc+jwt"),
        (json.dumps(creds.base).encode(), "application/vc+jwt"),
        (b'{"format": "urn:origincert:issued:2"}', "application/vc"),
        (b'{"type": "VerifiableCredential"}', "application/vc"),
        (b"[1, 2]", "application/vc"),
    ):
        response = _api(client, token, body, content_type)
        assert response.status_code == 400, (body[:40], content_type)
        assert response.get_json()["error"]["reason"] == "credential_unreadable"
    assert _entries(vc_app) == []  # refused before any verification: nothing to log


def test_every_adversarial_credential_is_never_valid_through_the_portal(
    vc_app: Flask, token: str, creds: Creds
) -> None:
    client = vc_app.test_client()
    seen: dict[str, str] = {}
    for name, (mutate, codes) in CORPUS.items():
        forged = mutate(copy.deepcopy(creds.base))
        response = _api(client, token, json.dumps(forged).encode(), "application/json")
        assert response.status_code in (200, 400), name
        if response.status_code == 400:  # not even a JSON object ("not an object")
            continue
        result = response.get_json()
        assert result["verdict"] not in ("VALID", "UNCONFIRMED"), name
        failed = [c["code"] for c in result["checks"] if c["status"] == "failed"]
        allowed = ((codes,) if isinstance(codes, str) else codes) + OTHER_SIGNER
        assert failed[0] in allowed, (name, failed)
        seen[name] = result["verdict"]
    for name, (make, codes) in JWT_CORPUS.items():
        forged_token = make(creds.token, creds.dcc)
        body = (
            json.dumps(forged_token).encode()
            if isinstance(forged_token, dict)
            else forged_token.encode()
        )
        content_type = (
            "application/json" if isinstance(forged_token, dict) else "application/vc+jwt"
        )
        response = _api(client, token, body, content_type)
        if response.status_code == 400:  # refused as not being a compact JWS at all
            assert response.get_json()["error"]["reason"] == "credential_unreadable", name
            continue
        result = response.get_json()
        assert result["verdict"] not in ("VALID", "UNCONFIRMED"), name
        failed = [c["code"] for c in result["checks"] if c["status"] == "failed"]
        assert failed[0] in codes + OTHER_SIGNER, (name, failed)
        seen[name] = result["verdict"]
    assert len(seen) >= len(CORPUS) + len(JWT_CORPUS) - 3  # nearly all reached a verdict


def test_a_key_the_trust_list_vouches_for_but_the_ledger_never_registered_is_invalid(
    tmp_path: Path, scene: Scene, creds: Creds
) -> None:
    """A trust list that names a key (a stale copy, or one a thief slipped in) is not enough:
    the portal asks the ledger which VC key the body held when the batch was anchored."""
    other = P256KeyPair.from_secret(b"\x42" * 32)
    proof = scene.issued("valid")["proof"]
    trust = tmp_path / "trust-other"
    _write(trust, "chamber.json", did_web_document(
        tc.DID, other.public_multikey, ledger_address=proof["signer"], chain_id=proof["chain_id"]
    ))  # fmt: skip
    vc = export_credential(
        scene.issued("valid"), key=other, issuer_did=tc.DID, verification_method=tc.VM,
        created="2026-01-05T10:00:00Z", status=StatusEntry(LIST_URL, VALID_INDEX), loader=tc.LOADER,
    )  # fmt: skip
    app = make_app(tmp_path, scene, VC_TRUST_LIST=str(trust), STATUS_LISTS=str(creds.lists))
    api_token = _token(app)
    result = _api(app.test_client(), api_token, json.dumps(vc).encode(), "application/json")
    body = result.get_json()
    assert body["verdict"] == "INVALID", body["summary"]
    failed = [c for c in body["checks"] if c["status"] == "failed"]
    assert [c["name"] for c in failed] == ["vc_key_registered"]


def test_a_revoked_credential_is_revoked_by_the_ledger_and_by_the_list(
    vc_app: Flask, token: str, creds: Creds
) -> None:
    result = _api(
        vc_app.test_client(), token, json.dumps(creds.revoked_vc).encode(), "application/json"
    ).get_json()
    assert result["verdict"] == "REVOKED"
    by_name = {c["name"]: c for c in result["checks"]}
    assert by_name["vc_status"]["code"] == "status_revoked"
    assert by_name["not_revoked"]["status"] == "failed"


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("stale", "status_list_stale"),
        ("other key", "status_list_signature_invalid"),
        ("unreadable", "status_list_unreadable"),
        ("tampered bits", "status_list_signature_invalid"),
    ],
)
def test_a_status_list_that_cannot_be_relied_on_is_503_never_a_verdict(
    tmp_path: Path, scene: Scene, creds: Creds, case: str, code: str
) -> None:
    lists = tmp_path / "lists"
    now = datetime.now(UTC)
    if case == "stale":
        _write(lists, "hamburg.json", _status_list(set(), valid_from=now - timedelta(days=3)))
    elif case == "other key":
        thief = P256KeyPair.from_secret(b"\x09" * 32)
        _write(lists, "hamburg.json", _status_list(set(), valid_from=now, key=thief))
    elif case == "unreadable":
        _write(lists, "hamburg.json", b"{ not json")
    else:
        good = _status_list({REVOKED_INDEX}, valid_from=now)
        good["credentialSubject"]["encodedList"] = _status_list(set(), valid_from=now)[
            "credentialSubject"
        ]["encodedList"]
        _write(lists, "hamburg.json", good)
    app = _app(tmp_path, scene, creds, lists)
    client = app.test_client()
    assert login(client).status_code == 302
    page = upload(client, json.dumps(creds.revoked_vc).encode(), "r.vc.json")
    assert page.status_code == 503
    assert code in page.get_data(as_text=True) and "NOT been checked" in page.get_data(as_text=True)
    from origincert.portal import accounts

    with app.app_context():
        dbs = db.session()
        _, clear = accounts.issue_token(
            dbs, name="ATLAS", office=accounts.ensure_office(dbs, "DEHAM-1", "x"), created_by="t"
        )
        dbs.commit()
    response = _api(client, clear, creds.token.encode(), "application/vc+jwt")
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == code
    assert [e.verdict for e in _entries(app)] == []  # no verdict was recorded for either


def test_status_lists_and_the_context_are_served_for_caching(vc_app: Flask, creds: Creds) -> None:
    client = vc_app.test_client()  # public: outsiders' verifiers fetch these, signed in or not
    response = client.get("/status/hamburg")
    assert response.status_code == 200
    assert response.mimetype == "application/vc"
    assert response.get_data() == (creds.lists / "hamburg.json").read_bytes()
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["ETag"] and response.headers["Last-Modified"]
    again = client.get("/status/hamburg", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    for missing in ("/status/nothing", "/status/..%2Fsecret", "/status/.hidden"):
        assert client.get(missing).status_code == 404, missing
    context = client.get("/ns/coo/v1")
    assert context.status_code == 200 and context.mimetype == "application/ld+json"
    assert "immutable" in context.headers["Cache-Control"]
    assert context.get_json() == shipped_loader().documents[ORIGINCERT_COO_V1]


@pytest.fixture
def live(vc_app: Flask) -> Iterator[Any]:
    from .browser import serve

    server = serve(vc_app)
    yield server
    server.stop()


@pytest.mark.parametrize("width", [390, 1366])
def test_credentials_in_the_browser_at_both_widths(
    width: int, live: Any, creds: Creds, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    from .browser import CHROMEDRIVER, CHROMIUM, chrome
    from .test_browser_widths import WIDTHS, fits, sign_in
    from .test_browser_widths import upload as browser_upload

    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.fail("Debian chromium and chromium-driver are needed for the browser tests")
    files = tmp_path / "files"
    d = chrome(tmp_path / "profile", width=width, height=WIDTHS[width], mobile=width < 600)
    try:
        sign_in(d, live, "anna")
        for name, (raw, filename, _) in creds.forms().items():
            browser_upload(d, live, _write(files, filename, raw))
            assert d.find_element(By.ID, "verdict-word").text == "VALID", name
            assert "Credential signature" in d.find_element(By.ID, "checks").text
            fits(d, f"vc-{filename.replace('.', '-')}", width)
        forged = copy.deepcopy(creds.base)
        forged["credentialSubject"]["consignor"]["name"] = "Forged AG"
        browser_upload(d, live, _write(files, "forged.vc.json", forged))
        assert d.find_element(By.ID, "verdict-word").text == "INVALID"
        fits(d, "vc-forged", width)
    finally:
        d.quit()
