"""A photo no QR code can be read from is UNREADABLE with the same advice on every surface: the
CLI, the portal's form and the API (issue 11: "retake the photo", not MALFORMED)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from origincert import qr, retake
from origincert.cli import main

from .photos import blurred, phone_photo
from .support import Scene, upload
from .test_api_printed import logged, token_for

ADVICE = "retake the photo, closer to the code, sharp and well lit"


@pytest.fixture(scope="module")
def shaken(scene: Scene) -> bytes:
    """A 12 MP phone photo of a genuine certificate's QR code, blurred past reading."""
    sharp = phone_photo(qr.encode_payload(scene.files["valid"]), 4000, 3000, seed=7)
    photo = blurred(sharp)
    assert len(photo) > 3_000_000  # the size a phone sends
    with pytest.raises(Exception, match="no QR code"):
        qr.read_qr_image(photo)
    return photo


def test_the_cli_says_unreadable_and_what_to_do(
    scene: Scene, shaken: bytes, tmp_path: Path
) -> None:
    photo = tmp_path / "IMG_0042.jpg"
    photo.write_bytes(shaken)
    args = ["--manifest", str(scene.manifest_path), "verify", "--offline", "--qr-image", str(photo)]
    text = CliRunner().invoke(main, args)
    assert text.exit_code == 1
    assert f"{photo}: UNREADABLE" in text.output and ADVICE in text.output
    assert "MALFORMED" not in text.output
    listed = json.loads(CliRunner().invoke(main, [*args, "--json"]).output)["results"][0]
    assert listed["verdict"] == "UNREADABLE"
    assert listed["checks"][0]["code"] == "qr_not_found"


def test_the_portal_and_the_api_say_the_same_words(
    app: Flask, officer: FlaskClient, client: FlaskClient, shaken: bytes
) -> None:
    words = retake.advice("photo", "no QR code was found in the picture")
    form = upload(officer, shaken, "IMG_0042.jpg")
    assert form.status_code == 422
    assert ADVICE in form.get_data(as_text=True)
    api = client.post(
        "/api/v1/verify/file", data=shaken, headers=token_for(app), content_type="image/jpeg"
    )
    assert api.status_code == 422
    error = api.get_json()["error"]
    assert (error["code"], error["verdict"]) == ("qr_not_found", "UNREADABLE")
    assert error["message"] == words
    assert logged(app) == [("UNREADABLE", "qr_photo"), ("UNREADABLE", "api_photo")]
