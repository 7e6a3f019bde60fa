"""Attachments are stored by their hash, only as PDF/PNG/JPEG, within the size limit, and read
back verified."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from origincert.desk.blobs import BlobStore
from origincert.desk.errors import Invalid, NotFound

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"


def test_a_file_is_stored_under_its_hash_once(tmp_path: Path) -> None:
    store = BlobStore(tmp_path, max_bytes=1000)
    sha, media_type = store.put(PDF)
    assert sha == hashlib.sha256(PDF).hexdigest() and media_type == "application/pdf"
    assert store.put(PDF)[0] == sha
    assert store.get(sha) == PDF
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [sha]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "attachment_empty"),
        (b"MZ\x90\x00 an executable", "attachment_type"),
        (b"<html><script>", "attachment_type"),
        (b"%PDF-" + b"x" * 2000, "attachment_too_large"),
    ],
)
def test_bad_files_are_refused_before_anything_is_written(
    tmp_path: Path, data: bytes, code: str
) -> None:
    store = BlobStore(tmp_path / "blobs", max_bytes=1000)
    with pytest.raises(Invalid) as caught:
        store.put(data)
    assert caught.value.code == code
    assert not (tmp_path / "blobs").exists()


def test_a_path_is_never_taken_from_outside_and_damage_is_noticed(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs", max_bytes=1000)
    (tmp_path / "secret").write_bytes(b"secret")
    for name in ("../secret", "/etc/passwd", "A" * 64):
        with pytest.raises(NotFound):
            store.get(name)
    sha, _ = store.put(PDF)
    (tmp_path / "blobs" / sha[:2] / sha).write_bytes(b"%PDF-tampered")
    with pytest.raises(NotFound, match="damaged"):
        store.get(sha)
