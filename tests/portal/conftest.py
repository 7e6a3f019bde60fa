"""Portal fixtures: a scene on the real chain (tests/conftest.py's Hardhat world): certificates
issued with the real issuer, one revoked, one with hostile text in its fields, two sharing a
number; an app per test on a temporary database; signed-in clients.

The scene is built inside an ``evm_snapshot`` once for the package and reverted afterwards, so
no other test sees it. Apps verify with the real verifier against that chain.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from interop import test_credential as tc

from origincert import governance
from origincert.interop.registration import vc_key_possession
from origincert.issuer import Journal, issue_documents, revoke
from origincert.signing import LocalSigner

from .support import TWIN_NUMBER, VALID_NUMBER, Scene, login, make_app, valid_today


@pytest.fixture(scope="package")
def scene(world_session: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:
    world = world_session
    snapshot = world.rpc("evm_snapshot")["result"]
    # earlier tests may have moved the chain's clock on (evm_revert keeps that offset): pin it
    # to just after the latest block, inside the chambers' accreditation windows
    world.rpc("evm_setNextBlockTimestamp", [world.now() + 1])
    world.rpc("evm_mine")
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
        # Hamburg's VC key is on the ledger before its certificates are anchored, so the credentials
        # of tests/portal/test_vc_inputs.py check against the key the ledger held at their anchor
        ham_id = world.chamber_ids["DE-hamburg"]
        governance.set_vc_key(
            world.client,
            world.chambers["DE-hamburg"],
            ham_id,
            vc_key_possession(
                tc.VC_KEY, ham_id, world.client.chain_id, world.manifest.issuer_registry.address
            ),
        )
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


@pytest.fixture
def app(tmp_path: Path, scene: Scene) -> Flask:
    return make_app(tmp_path, scene)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


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
