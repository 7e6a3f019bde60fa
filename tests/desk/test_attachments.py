"""Attachments: PDF, PNG or JPEG recognised by content (never by name or declared type), whole
files only, no archive hidden behind a PDF header, no active PDF content, a size and a count
limit; each refusal is a sentence at the file field, on the page and in the API, and nothing is
half-saved (no row, no stored blob)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from origincert.desk import create_app, service
from origincert.desk.api import attachment_label
from origincert.desk.blobs import sniff
from origincert.desk.errors import Invalid
from origincert.desk.models import Attachment

from .support import PASSWORD, Desk, fields

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def png() -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20 + b"\xff\xd9"


def zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("macro.bin", b"evil")
    return buf.getvalue()


BAD = {
    "a zip renamed .pdf": (zip_bytes(), "must be a PDF, PNG or JPEG file"),
    "a PDF with a zip appended": (
        PDF + zip_bytes(),
        "is also a ZIP archive; attach the PDF or image alone",
    ),
    "a truncated PDF": (PDF[:-7], "is not a complete PDF (no version or no end-of-file marker)"),
    "a PDF with JavaScript": (
        PDF.replace(b"<<>> endobj", b"<< /S /JavaScript /JS (app.alert(1)) >> endobj"),
        "is a PDF with scripts, launch actions or embedded files",
    ),
    "a truncated PNG": (png()[:-12], "is not a complete PNG image"),
    "a truncated JPEG": (JPEG[:-2], "is not a complete JPEG image"),
    "HTML named invoice.pdf": (
        b"<html><script>alert(1)</script>",
        "must be a PDF, PNG or JPEG file",
    ),
}


def test_good_files_are_recognised_by_content() -> None:
    assert sniff(PDF) == "application/pdf"
    assert sniff(png()) == "image/png"
    assert sniff(JPEG) == "image/jpeg"


@pytest.mark.parametrize("case", list(BAD))
def test_each_bad_file_is_refused_in_words(case: str) -> None:
    data, words = BAD[case]
    with pytest.raises(Invalid) as caught:
        sniff(data)
    assert caught.value.problems == [("file", words)]


def login(app: Any, who: str = "alice") -> Any:
    client = app.test_client()
    assert (
        client.post(
            "/login", data={"email": f"{who}@example.org", "password": PASSWORD}
        ).status_code
        == 302
    )
    return client


def draft(desk: Desk) -> str:
    with desk.sessions.begin() as db:
        return service.create_application(db, desk.actor("alice"), fields(1)).public_id


def stored(desk: Desk, blob_dir: Path) -> tuple[int, int]:
    with desk.sessions() as db:
        rows = db.scalar(select(func.count(Attachment.id)))
    return rows, len([p for p in blob_dir.rglob("*") if p.is_file()]) if blob_dir.exists() else 0


@pytest.mark.parametrize(
    "case", ["a zip renamed .pdf", "a PDF with a zip appended", "a PDF with JavaScript"]
)
def test_the_page_shows_the_refusal_at_the_file_field_and_saves_nothing(
    app, desk: Desk, case: str
) -> None:
    pid = draft(desk)
    client = login(app)
    data, words = BAD[case]
    page = client.post(
        f"/exporter/a/{pid}/attach",
        data={"kind": "invoice", "file": (io.BytesIO(data), "invoice.pdf")},
        content_type="multipart/form-data",
    )
    assert page.status_code == 422
    assert f'<span class="field-error" id="err-file">{words}</span>' in page.get_data(as_text=True)
    assert stored(desk, Path(app.config["BLOB_DIR"])) == (0, 0)


def test_an_oversized_upload_is_refused_at_the_field(app, desk: Desk) -> None:
    pid = draft(desk)
    client = login(app)
    big = b"%PDF-1.7\n" + b"0" * 5000 + b"\n%%EOF\n"  # the tests' limit is 4096 bytes
    page = client.post(
        f"/exporter/a/{pid}/attach", data={"kind": "invoice", "file": (io.BytesIO(big), "big.pdf")}
    )
    assert page.status_code == 422
    assert 'id="err-file">must be at most 4 KiB</span>' in page.get_data(as_text=True)
    assert stored(desk, Path(app.config["BLOB_DIR"])) == (0, 0)


def test_a_request_over_the_body_limit_is_refused_at_the_field(
    db_url: str, desk: Desk, tmp_path: Path
) -> None:
    app = create_app(
        {"DATABASE_URL": db_url, "ARGON2_PROFILE": "CHEAPEST", "SECURE_COOKIES": False,
         "WTF_CSRF_ENABLED": False, "SECRET_KEY": "t", "RATELIMIT_ENABLED": False,
         "MAX_CONTENT_LENGTH": 2048},
        instance_path=tmp_path / "small",
    )  # fmt: skip
    pid = draft(desk)
    client = login(app)
    page = client.post(f"/exporter/a/{pid}/attach",
                       data={"kind": "invoice", "file": (io.BytesIO(b"%PDF-1.7" + b"0" * 9000), "x.pdf")})  # fmt: skip
    assert page.status_code == 413
    assert 'id="err-file">is too large: the limit is 2 KiB</span>' in page.get_data(as_text=True)
    assert stored(desk, Path(app.config["BLOB_DIR"])) == (0, 0)


def test_the_api_refuses_in_words_and_a_count_limit_holds(app, desk: Desk, keys) -> None:
    pid = draft(desk)
    client = app.test_client()
    h = {"Authorization": f"Bearer {keys['alice']}"}
    answer = client.post(f"/api/v1/applications/{pid}/attachments", headers=h,
                         data={"kind": "invoice", "file": (io.BytesIO(BAD["a truncated PDF"][0]), "a.pdf")})  # fmt: skip
    assert answer.status_code == 422 and answer.json["problems"] == [
        {"field": "file", "message": BAD["a truncated PDF"][1]}
    ]
    for n in range(20):
        ok = client.post(f"/api/v1/applications/{pid}/attachments", headers=h,
                         data={"kind": "other", "file": (io.BytesIO(PDF + b"%" + str(n).encode() + b"\n%%EOF\n"), "p.pdf")})  # fmt: skip
        assert ok.status_code == 201
    over = client.post(f"/api/v1/applications/{pid}/attachments", headers=h,
                       data={"kind": "other", "file": (io.BytesIO(png()), "one-more.png")})  # fmt: skip
    assert over.status_code == 422 and over.json["error"] == "attachments_too_many"
    assert stored(desk, Path(app.config["BLOB_DIR"])) == (20, 20)


def test_a_served_attachment_is_download_only_and_sandboxed(app, desk: Desk, keys) -> None:
    pid = draft(desk)
    client = app.test_client()
    h = {"Authorization": f"Bearer {keys['alice']}"}
    att = client.post(f"/api/v1/applications/{pid}/attachments", headers=h,
                      data={"kind": "invoice", "file": (io.BytesIO(JPEG), "../../etc/\u202eevil\x00.jpg")}).json  # fmt: skip
    [one] = att["attachments"]
    assert one["label"] == "evil.jpg" and one["media_type"] == "image/jpeg"
    got = client.get(f"/api/v1/applications/{pid}/attachments/{one['id']}", headers=h)
    assert got.headers["Content-Security-Policy"] == "sandbox"
    assert got.headers["Content-Disposition"].startswith("attachment;")
    assert got.headers["X-Content-Type-Options"] == "nosniff"


def test_labels_keep_only_the_name() -> None:
    assert attachment_label("C:\\Users\\me\\invoice.pdf") == "invoice.pdf"
    assert attachment_label("") == "file"
    assert attachment_label("a\u2066b\u2069\r\n.pdf") == "ab.pdf"
