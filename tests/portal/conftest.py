"""Portal fixtures: an app on a temporary database, officers in two offices, signed-in clients.

The verifier here is a small stand-in with the library's interface, so the portal's own
behaviour (routes, forms, escaping, logging) is tested fast and in isolation; the end-to-end
tests (test_browser.py, test_real_chain.py) use the real verifier against a real chain.
"""

from __future__ import annotations

import copy
import hashlib
import json
import random
import re
from pathlib import Path
from typing import Any, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from origincert.document import load_json
from origincert.errors import ChainUnavailable, DocumentError
from origincert.fields import flatten
from origincert.portal import accounts, create_app, db, verification
from origincert.samples import sample_certificate
from origincert.verdict import Check, CheckStatus, VerificationResult, Verdict

PASSWORD = "correct horse battery staple"
FORMAT = "urn:origincert:issued:1"
CHECKS = (
    "format", "schema", "integrity", "merkle", "signature", "network",
    "anchored", "issuer_known", "issuer_accredited", "not_revoked", "not_replaced", "validity",
)  # fmt: skip


class StandInVerifier:
    """Answers like the library's verifier from a dictionary of "anchored" documents."""

    def __init__(self) -> None:
        self.anchored: dict[str, dict[str, Any]] = {}
        self.revoked: set[str] = set()
        self.down = False
        self.calls = 0

    # -- what the issuer side would do
    def issue(self, document: dict[str, Any]) -> dict[str, Any]:
        target = "0x" + hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()
        self.anchored[target] = copy.deepcopy(document)
        return {"format": FORMAT, "document": document, "proof": {"target_hash": target, "root": target}}

    # -- the interface the portal uses
    def verify_bytes(self, raw: bytes) -> VerificationResult:
        self._guard()
        try:
            data = load_json(raw)
        except DocumentError as exc:
            return self._result(Verdict.MALFORMED, "format", "input_not_json", exc.message)
        return self.verify(data)

    def verify(self, issued: dict[str, Any]) -> VerificationResult:
        self._guard()
        proof, document = issued.get("proof"), issued.get("document")
        if issued.get("format") != FORMAT or not isinstance(proof, dict) or not isinstance(document, dict):
            return self._result(Verdict.MALFORMED, "format", "format_invalid", "This is not an origincert certificate file.")
        target = proof.get("target_hash")
        original = self.anchored.get(target) if isinstance(target, str) else None
        if original is None:
            return self._result(Verdict.INVALID, "anchored", "not_anchored", "The ledger has no record of this certificate.", document=document)
        shown, was = flatten(document), flatten(original)
        altered = tuple(sorted(p for p in set(shown) | set(was) if shown.get(p) != was.get(p)))
        if altered:
            return self._result(
                Verdict.INVALID, "integrity", "field_altered", f"Altered after issue: {', '.join(altered)}.", altered, document
            )
        if target in self.revoked:
            return self._result(Verdict.REVOKED, "not_revoked", "leaf_revoked", "The certificate was revoked on 2025-01-02: issued in error.", document=document)
        return self._result(Verdict.VALID, None, "", "", document=document)

    def verify_qr(self, text: str) -> VerificationResult:
        self._guard()
        if text.startswith("OC1:"):
            try:
                return self.verify(json.loads(text[4:]))
            except ValueError:
                pass
        return self._result(Verdict.MALFORMED, "format", "qr_unreadable", "The QR code is not an origincert code.")

    def _guard(self) -> None:
        self.calls += 1
        if self.down:
            raise ChainUnavailable("connection refused by http://127.0.0.1:1")

    def _result(
        self,
        verdict: Verdict,
        failing: str | None,
        code: str,
        message: str,
        fields: tuple[str, ...] = (),
        document: dict[str, Any] | None = None,
    ) -> VerificationResult:
        checks = []
        for name in CHECKS:
            if name == failing:
                checks.append(Check(name, CheckStatus.FAILED, code, message, fields))
            elif failing == "format":
                checks.append(Check(name, CheckStatus.SKIPPED, "not_checked", "Not checked: the file is not readable."))
            else:
                checks.append(Check(name, CheckStatus.OK, name, f"The {name.replace('_', ' ')} check passed."))
        body = (document or {}).get("issuing_body") or {}
        evidence: dict[str, Any] = {}
        if verdict is not Verdict.MALFORMED:
            evidence = {
                "signer": "0x" + "ab" * 20,
                "anchor": {"tx": "0x" + "cd" * 32, "block": 42, "time": "2025-01-01T10:00:00Z", "timestamp": 1735725600},
                "issuer": {"id": 3, "name": body.get("name"), "economy": body.get("economy"), "status": "active"},
            }
        return VerificationResult(verdict, tuple(checks), evidence, document, (), summary=message or "Authentic and in force.")


@pytest.fixture
def stand_in() -> StandInVerifier:
    return StandInVerifier()


def portal_config(tmp_path: Path, **extra: Any) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-" + "x" * 32,
        "ARGON2_PROFILE": "CHEAPEST",
        "SECURE_COOKIES": False,
        "RPC_URL": "http://127.0.0.1:1",
        "MANIFEST": str(tmp_path / "manifest.json"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.db'}",
        "ARCHIVE_DIRS": [],
        **extra,
    }


def seed_accounts(app: Flask) -> None:
    with app.app_context():
        dbs = db.session()
        ph = accounts.hasher("CHEAPEST")
        ham = accounts.ensure_office(dbs, "DEHAM-1", "Hamburg Waltershof")
        sin = accounts.ensure_office(dbs, "SGSIN-2", "Singapore Keppel")
        accounts.create_officer(dbs, ph, username="anna", full_name="Anna Becker", office=ham, password=PASSWORD)
        accounts.create_officer(dbs, ph, username="boss", full_name="Bea Admin", office=ham, password=PASSWORD, is_admin=True)
        accounts.create_officer(dbs, ph, username="lim", full_name="Lim Wei", office=sin, password=PASSWORD)
        dbs.commit()


@pytest.fixture
def app(tmp_path: Path, stand_in: StandInVerifier, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    monkeypatch.setattr(verification, "make_verifier", lambda rpc_url, manifest: stand_in)
    app = create_app(portal_config(tmp_path), instance_path=tmp_path / "instance")
    seed_accounts(app)
    yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


_CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    match = _CSRF.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client: FlaskClient, username: str = "anna", password: str = PASSWORD) -> Any:
    token = csrf_token(client, "/login")
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


@pytest.fixture
def officer(client: FlaskClient) -> FlaskClient:
    """A client signed in as anna, an officer of DEHAM-1."""
    assert login(client).status_code == 302
    return client


@pytest.fixture
def admin(client: FlaskClient) -> FlaskClient:
    assert login(client, "boss").status_code == 302
    return client


@pytest.fixture
def certificate() -> dict[str, Any]:
    return sample_certificate(random.Random(7), number="DE-HH-2025-000123", economy="DE")


@pytest.fixture
def issued(stand_in: StandInVerifier, certificate: dict[str, Any]) -> bytes:
    return json.dumps(stand_in.issue(certificate)).encode()
