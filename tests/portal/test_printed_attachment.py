"""The printed PDF carries the issued file (issue 11): the portal's form and its API read the
certificate from the attachment (the full file, so every check runs and the content is shown),
fall back to the QR code when there is none, and call a PDF whose attachment and QR code differ
INVALID."""

from __future__ import annotations

import io
import json
from typing import Any

import pypdf
from flask import Flask
from flask.testing import FlaskClient

from origincert import pdf

from .support import Scene, follow, upload
from .test_api_printed import logged, token_for


def swapped(printed: bytes, other: dict[str, Any]) -> bytes:
    """``printed`` with another certificate attached in place of its own."""
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(printed))
    del writer._root_object["/Names"]
    writer.add_attachment("other.coo.json", json.dumps(other).encode())
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def stripped(printed: bytes) -> bytes:
    """``printed`` without its attachment: only the QR code is left to read."""
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(printed))
    del writer._root_object["/Names"]
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_the_form_reads_the_attached_file(app: Flask, officer: FlaskClient, scene: Scene) -> None:
    printed = pdf.render_pdf(scene.issued("valid"))
    page = follow(officer, upload(officer, printed, "certificate.pdf"))
    assert 'data-verdict="VALID"' in page
    assert 'data-check="integrity"' in page  # the full file's checks, not a QR reference's
    exporter = scene.files["valid"]["document"]["exporter"]["name"]
    assert exporter in page
    page = follow(officer, upload(officer, stripped(printed), "scan.pdf"))
    assert 'data-verdict="VALID"' in page  # the QR code, as before
    page = follow(
        officer, upload(officer, swapped(printed, scene.issued("revoked")), "altered.pdf")
    )
    assert 'data-verdict="INVALID"' in page and "different certificates" in page
    assert [v for v, _ in logged(app)] == ["VALID", "VALID", "INVALID"]


def test_the_api_reads_the_attached_file(app: Flask, client: FlaskClient, scene: Scene) -> None:
    headers = token_for(app)
    printed = pdf.render_pdf(scene.issued("valid"))
    answer = client.post(
        "/api/v1/verify/file", data=printed, headers=headers, content_type="application/pdf"
    )
    body = answer.get_json()
    assert answer.status_code == 200 and body["verdict"] == "VALID"
    assert "integrity" in {c["name"] for c in body["checks"]}
    altered = client.post(
        "/api/v1/verify/file",
        data=swapped(printed, scene.issued("revoked")),
        headers=headers,
        content_type="application/pdf",
    )
    assert altered.get_json()["verdict"] == "INVALID"
    assert altered.get_json()["checks"][0]["code"] == "pdf_qr_mismatch"
    assert logged(app) == [("VALID", "api_pdf"), ("INVALID", "api_pdf")]
