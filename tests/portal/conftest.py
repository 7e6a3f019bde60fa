"""Portal fixtures: an app on a temporary database, officers in two offices, signed-in clients,
and a scene on the real chain (tests/conftest.py's Hardhat world): certificates issued with the
real issuer, one revoked, one with hostile text in its fields, two sharing a number.

The scene is built inside an ``evm_snapshot`` once for the package and reverted afterwards, so
no other test sees it. Apps verify with the real verifier against that chain.
"""

from __future__ import annotations

import copy
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from origincert.issuer import Journal, issue_documents, revoke
from origincert.portal import accounts, create_app, db
from origincert.samples import sample_certificate
from origincert.signing import LocalSigner

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


@pytest.fixture(scope="package")
def scene(world_session: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:
    world = world_session
    snapshot = world.rpc("evm_snapshot")["result"]
    folder = tmp_path_factory.mktemp("portal-scene")
    manifest_path = folder / "manifest.json"
    world.manifest.save(manifest_path)
    hamburg, berlin = (
        LocalSigner(world.chambers["DE-hamburg"]),
        LocalSigner(world.chambers["DE-berlin"]),
    )
    documents = {
        "valid": valid_today(1, number=VALID_NUMBER),
        "hostile": valid_today(
            2,
            number="DE-HH-2026-000666",
            **{
                "exporter.name": "<script>alert('x')</script>",
                "remarks": '"><img src=x onerror=alert(1)>',
            },
        ),
        "twin_hamburg": valid_today(3, number=TWIN_NUMBER),
        "revoked": valid_today(4, number="DE-HH-2026-000999"),
    }
    try:
        with Journal.open(folder / "hamburg.sqlite") as journal:
            labels = list(documents)
            files = issue_documents(
                world.client, hamburg, [documents[k] for k in labels], journal=journal
            )
            revoke(world.client, hamburg, journal, documents["revoked"]["number"], 1)
        with Journal.open(folder / "berlin.sqlite") as journal:
            twin = valid_today(
                5, number=TWIN_NUMBER, **{"issuing_body.name": "Berlin Chamber of Commerce"}
            )
            [berlin_file] = issue_documents(world.client, berlin, [twin], journal=journal)
        yield Scene(
            world.client.url, manifest_path, dict(zip(labels, files)) | {"twin_berlin": berlin_file}
        )
    finally:
        world.rpc("evm_revert", [snapshot])
        world.client.forget_nonces()


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


@pytest.fixture
def app(tmp_path: Path, scene: Scene) -> Flask:
    return make_app(tmp_path, scene)


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
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )


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
def issued(scene: Scene) -> bytes:
    """The bytes of a genuine, anchored, unrevoked certificate file."""
    return scene.raw("valid")
