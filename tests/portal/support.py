"""Helpers for the portal tests (fixtures are in conftest.py): the chain scene's shape, an app on
a temporary database with officers in two offices, signing in, CSRF tokens, uploads."""

from __future__ import annotations

import copy
import json
import random
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from origincert.devtools.samples import sample_certificate
from origincert.portal import accounts, create_app, db

PASSWORD = "correct horse battery staple"
VALID_NUMBER = "DE-HH-2026-000123"
TWIN_NUMBER = "DE-TWIN-0001"


def valid_today(seed: int, *, number: str, economy: str = "DE", **changes: Any) -> dict[str, Any]:
    """A sample certificate of ``economy`` that is within its validity period today."""
    rng = random.Random(seed)
    while True:
        document = sample_certificate(rng, economy=economy, number=number)
        if (
            date.fromisoformat(document["issue_date"])
            <= date.today()
            <= date.fromisoformat(document["valid_until"])
        ):
            break
    for path, value in changes.items():
        node = document
        *parents, last = path.split(".")
        for part in parents:
            node = node[part]
        node[last] = value
    return document


@dataclass
class Scene:
    rpc_url: str
    manifest_path: Path
    files: dict[str, dict[str, Any]] = field(default_factory=dict)  # label -> issued file

    def issued(self, label: str) -> dict[str, Any]:
        """A fresh copy (tests may tamper with it)."""
        return copy.deepcopy(self.files[label])

    def raw(self, label: str) -> bytes:
        return json.dumps(self.files[label], indent=2).encode()


def portal_config(tmp_path: Path, scene: Scene, **extra: Any) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-" + "x" * 32,
        "ARGON2_PROFILE": "CHEAPEST",
        "SECURE_COOKIES": False,
        "RPC_URL": scene.rpc_url,
        "MANIFEST": str(scene.manifest_path),
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
        accounts.create_officer(
            dbs, ph, username="anna", full_name="Anna Becker", office=ham, password=PASSWORD
        )
        accounts.create_officer(
            dbs,
            ph,
            username="boss",
            full_name="Bea Admin",
            office=ham,
            password=PASSWORD,
            is_admin=True,
        )
        accounts.create_officer(
            dbs, ph, username="lim", full_name="Lim Wei", office=sin, password=PASSWORD
        )
        dbs.commit()


def make_app(tmp_path: Path, scene: Scene, **extra: Any) -> Flask:
    app = create_app(portal_config(tmp_path, scene, **extra), instance_path=tmp_path / "instance")
    seed_accounts(app)
    return app


_CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    match = _CSRF.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client: FlaskClient, username: str = "anna", password: str = PASSWORD) -> Any:
    token = csrf_token(client, "/login")
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )


def multipart(fields: dict[str, str], name: str, data: bytes) -> tuple[bytes, str]:
    """A multipart body built in memory (the test client would spool a large one to a temp file)."""
    boundary = "origincert-test-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    return b"".join(
        parts
    ) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def upload(
    client: FlaskClient, data: bytes, name: str = "certificate.coo.json", **fields: str
) -> Any:
    body, content_type = multipart({"csrf_token": csrf_token(client, "/"), **fields}, name, data)
    return client.post("/verify/file", data=body, content_type=content_type)


def follow(client: FlaskClient, response: Any) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert response.headers["Location"].startswith("/verifications/")
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    return page.get_data(as_text=True)
