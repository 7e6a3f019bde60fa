"""Duplicate certificate numbers at verification (issue 11): when the portal knows another
certificate with the same number from the same issuing body, the verdict page and the API warn
and name it; the verdict itself stays the ledger's. A forgery cannot raise a false warning, and
the same number from another body is no duplicate."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from origincert.issuer import Journal, issue_documents
from origincert.portal import certindex, db
from origincert.signing import LocalSigner

from .browser import chrome, needs_chromium, serve
from .support import VALID_NUMBER, Scene, follow, login, make_app, upload, valid_today
from .test_api_printed import token_for
from .test_browser_widths import WIDTHS, fits, sign_in, write
from .test_browser_widths import upload as upload_in_browser


@pytest.fixture(scope="module")
def second(
    world_session: Any, scene: Scene, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """The Hamburg chamber issues VALID_NUMBER a second time, from a second journal (the
    review's clerk on another workstation): another consignment under the same number."""
    world = world_session
    snapshot = world.rpc("evm_snapshot")["result"]
    folder = tmp_path_factory.mktemp("second-journal")
    try:
        with Journal.open(folder / "workstation-2.sqlite") as journal:
            document = valid_today(11, number=VALID_NUMBER)  # other goods, other consignee
            [issued] = issue_documents(
                world.client, LocalSigner(world.chambers["DE-hamburg"]), [document], journal=journal
            )
        yield issued
    finally:
        world.rpc("evm_revert", [snapshot])
        world.client.forget_nonces()


def identity(raw: bytes) -> str:
    found = certindex.identify(raw)
    assert found is not None
    return found.target_hash


def archive(tmp_path: Path, **files: dict[str, Any]) -> Path:
    folder = tmp_path / "archive"
    folder.mkdir()
    for name, issued in files.items():
        (folder / f"{name}.coo.json").write_text(json.dumps(issued))
    return folder


def indexed_app(tmp_path: Path, scene: Scene, folder: Path) -> Flask:
    """The portal with ``folder`` as its archive, indexed as ``portal serve`` does at start."""
    app = make_app(tmp_path, scene, ARCHIVE_DIRS=[str(folder)])
    with app.app_context():
        certindex.scan_archives(db.session(), [folder])
        db.session().commit()
    return app


def signed_in(tmp_path: Path, scene: Scene, folder: Path) -> FlaskClient:
    app = indexed_app(tmp_path, scene, folder)
    client = app.test_client()
    assert login(client).status_code == 302
    client.application = app  # type: ignore[misc]
    return client


def test_the_verdict_page_names_the_other_certificate(
    tmp_path: Path, scene: Scene, second: dict[str, Any]
) -> None:
    client = signed_in(tmp_path, scene, archive(tmp_path, second=second))
    page = follow(client, upload(client, scene.raw("valid")))
    assert 'data-verdict="VALID"' in page  # both are the body's own: the ledger's word stands
    assert 'id="namesakes"' in page and "Duplicate certificate number." in page
    assert f"other certificate numbered {VALID_NUMBER} from the same issuing body" in page
    assert identity(json.dumps(second).encode())[:18] in page
    assert 'name="target_hash"' in page  # the button opens that very certificate


def test_the_api_warns_with_the_other_certificate(
    tmp_path: Path, scene: Scene, second: dict[str, Any]
) -> None:
    client = signed_in(tmp_path, scene, archive(tmp_path, second=second))
    answer = client.post(
        "/api/v1/verify/file", json=scene.files["valid"], headers=token_for(client.application)
    )
    body = answer.get_json()
    assert answer.status_code == 200 and body["verdict"] == "VALID"
    [warning] = body["warnings"]
    assert warning["code"] == "duplicate_number"
    assert [c["number"] for c in warning["certificates"]] == [VALID_NUMBER]
    # the other way round: a genuine upload is indexed, and the archived one then names it
    upload(client, scene.raw("valid"))
    again = client.post("/api/v1/verify/file", json=second, headers=token_for(client.application))
    [warning] = again.get_json()["warnings"]
    assert warning["certificates"][0]["target_hash"] == identity(scene.raw("valid"))


def test_no_warning_without_a_namesake_of_the_same_body(tmp_path: Path, scene: Scene) -> None:
    # the same number from Berlin is Berlin's own number space
    client = signed_in(tmp_path, scene, archive(tmp_path, berlin=scene.files["twin_berlin"]))
    page = follow(client, upload(client, scene.raw("twin_hamburg")))
    assert 'data-verdict="VALID"' in page and 'id="namesakes"' not in page
    answer = client.post(
        "/api/v1/verify/file", json=scene.files["valid"], headers=token_for(client.application)
    )
    assert answer.get_json()["warnings"] == []


def test_a_forgery_cannot_raise_a_false_warning(tmp_path: Path, scene: Scene) -> None:
    """A tampered copy under the same number is INVALID and never indexed, so it cannot cast
    doubt on the genuine certificate an officer verifies next."""
    client = signed_in(tmp_path, scene, archive(tmp_path))
    forged = scene.issued("valid")
    forged["document"]["exporter"]["name"] = "Someone Else GmbH"
    page = follow(client, upload(client, json.dumps(forged).encode()))
    assert 'data-verdict="INVALID"' in page and 'id="namesakes"' not in page
    page = follow(client, upload(client, scene.raw("valid")))
    assert 'data-verdict="VALID"' in page and 'id="namesakes"' not in page


def test_the_cli_warns_of_one_number_on_two_certificates(
    tmp_path: Path, scene: Scene, second: dict[str, Any]
) -> None:
    """``verify DIR`` over a folder holding both: each is VALID, and the summary names them."""
    from click.testing import CliRunner

    from origincert.cli import main

    folder = archive(tmp_path, first=scene.files["valid"], second=second)
    (folder / "copy.coo.json").write_text(json.dumps(scene.files["valid"]))  # the same one again
    args = ["--rpc-url", scene.rpc_url, "--manifest", str(scene.manifest_path), "verify"]
    result = CliRunner().invoke(main, [*args, "--json", str(folder)])
    data = json.loads(result.output)
    assert [r["verdict"] for r in data["results"]] == ["VALID"] * 3
    [group] = data["summary"]["duplicate_numbers"]
    assert group["number"] == VALID_NUMBER
    assert sorted(Path(n).name for n in group["inputs"]) == ["copy.coo.json", "second.coo.json"]
    text = CliRunner().invoke(main, [*args, str(folder)])
    assert text.exit_code == 0
    assert f"warning: number {VALID_NUMBER}" in text.output + text.stderr


@needs_chromium
@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_the_warning_reads_on_a_phone(
    tmp_path: Path, scene: Scene, second: dict[str, Any], width: int
) -> None:
    """The warning, its hashes and its buttons stay on a 390 px screen (screenshots saved)."""
    from selenium.webdriver.common.by import By

    live = serve(indexed_app(tmp_path, scene, archive(tmp_path, second=second)))
    d = chrome(tmp_path / "profile", width=width, height=WIDTHS[width], mobile=width < 600)
    try:
        sign_in(d, live, "anna")
        upload_in_browser(d, live, write(tmp_path, "valid.coo.json", scene.issued("valid")))
        assert d.find_element(By.ID, "namesakes").is_displayed()
        outside = d.execute_script(
            """
            return [...document.querySelectorAll('#namesakes, #namesakes *')]
              .map(e => e.getBoundingClientRect())
              .filter(r => r.width && (r.left < -0.5 || r.right > window.innerWidth + 0.5))
              .length;
            """
        )
        assert outside == 0
        fits(d, "verdict-duplicate-number", width)
    finally:
        d.quit()
        live.stop()
