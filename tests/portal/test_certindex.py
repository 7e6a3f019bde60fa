"""The certificate index: archive scanning (incremental), uploads kept only when genuine, lookups."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from origincert.errors import DocumentError
from origincert.portal import certindex
from origincert.portal.db import Base, make_engine
from origincert.verifier import Verifier

from .support import VALID_NUMBER, Scene


@pytest.fixture
def dbs() -> Iterator[Session]:
    engine = make_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        yield session
    engine.dispose()


def shaped(scene: Scene, number: str) -> bytes:
    """An issued file's shape under another number: enough for the index (which never verifies)."""
    issued = scene.issued("valid")
    issued["document"]["number"] = number
    return json.dumps(issued).encode()


@pytest.fixture(scope="module")
def verifier(scene: Scene) -> Verifier:
    return Verifier.connect(scene.rpc_url, scene.manifest_path)


def test_identify(scene: Scene) -> None:
    ident = certindex.identify(scene.raw("valid"))
    assert ident is not None and ident.number == VALID_NUMBER
    assert ident.target_hash == scene.files["valid"]["proof"]["target_hash"].lower()
    assert ident.issuer_name == scene.files["valid"]["document"]["issuing_body"]["name"]


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"[]",
        b"{",
        b'{"document": {}, "proof": {}}',
        b'{"document": {"number": "a b"}, "proof": {"target_hash": "0x' + b"00" * 32 + b'"}}',
        b'{"document": {"number": "A-1"}, "proof": {"target_hash": "0x12"}}',
    ],
)
def test_identify_refuses_what_is_not_an_issued_file(raw: bytes) -> None:
    assert certindex.identify(raw) is None


@pytest.mark.parametrize(("typed", "number"), [("  sg-2025/7 ", "SG-2025/7"), ("A", "A")])
def test_normalise_number(typed: str, number: str) -> None:
    assert certindex.normalise_number(typed) == number


@pytest.mark.parametrize("typed", ["", "-A", "A B", "<script>", "Ä-1", "X" * 41])
def test_normalise_number_refuses(typed: str) -> None:
    with pytest.raises(DocumentError, match="a certificate number is"):
        certindex.normalise_number(typed)


def test_scan_is_incremental(dbs: Session, tmp_path: Path, scene: Scene) -> None:
    (tmp_path / "sub").mkdir()
    first, second = tmp_path / "a.coo.json", tmp_path / "sub" / "b.coo.json"
    first.write_bytes(shaped(scene, "A-1"))
    second.write_bytes(shaped(scene, "B-2"))
    (tmp_path / "readme.txt").write_text("not json, not scanned")
    (tmp_path / "other.json").write_text("[1, 2]")
    report = certindex.scan_archives(dbs, [tmp_path])
    assert (report.added, report.updated, report.removed, len(report.skipped)) == (2, 0, 0, 1)
    assert (
        str(certindex.scan_archives(dbs, [tmp_path])) == "0 added, 0 updated, 0 removed, 1 skipped"
    )
    second.write_bytes(shaped(scene, "B-3"))
    os.utime(second, ns=(1, 10**18))
    first.unlink()
    report = certindex.scan_archives(dbs, [tmp_path])
    assert (report.added, report.updated, report.removed) == (0, 1, 1)
    assert certindex.lookup(dbs, "A-1") == [] and certindex.lookup(dbs, "B-2") == []
    [entry] = certindex.lookup(dbs, "B-3")
    assert certindex.read(entry) == second.read_bytes()


def test_scan_of_a_missing_folder(dbs: Session, tmp_path: Path) -> None:
    with pytest.raises(certindex.ArchiveError, match="does not exist"):
        certindex.scan_archives(dbs, [tmp_path / "nope"])


def test_find_rescans_on_a_miss_and_survives_a_bad_folder(
    dbs: Session, tmp_path: Path, scene: Scene
) -> None:
    (tmp_path / "a.json").write_bytes(shaped(scene, "A-1"))
    assert len(certindex.find(dbs, "A-1", [tmp_path])) == 1
    assert certindex.find(dbs, "A-1", [tmp_path / "gone"]) != []  # found without a scan
    assert (
        certindex.find(dbs, "Z-9", [tmp_path / "gone"]) == []
    )  # the scan fails, the lookup answers


def test_uploads_are_kept_only_when_genuine(dbs: Session, scene: Scene, verifier: Verifier) -> None:
    raw = scene.raw("valid")
    assert certindex.remember_upload(dbs, raw, verifier.verify_bytes(raw)) is not None
    forged = shaped(scene, "A-1")  # a real file under another number: INVALID
    assert certindex.remember_upload(dbs, forged, verifier.verify_bytes(forged)) is None
    revoked = scene.raw("revoked")  # genuine, though revoked: kept, its verdict will say so
    assert certindex.remember_upload(dbs, revoked, verifier.verify_bytes(revoked)) is not None
    assert [certindex.read(e) for e in certindex.lookup(dbs, VALID_NUMBER)] == [raw]
    assert certindex.lookup(dbs, "A-1") == []


def test_archive_copy_is_preferred_to_an_uploaded_one(
    dbs: Session, tmp_path: Path, scene: Scene, verifier: Verifier
) -> None:
    raw = scene.raw("valid")
    certindex.remember_upload(dbs, raw, verifier.verify_bytes(raw))
    (tmp_path / "a.json").write_bytes(raw)
    certindex.scan_archives(dbs, [tmp_path])
    [entry] = certindex.lookup(dbs, VALID_NUMBER)
    assert entry.source == "archive"
    assert certindex.summary(dbs) == {"archive": 1, "upload": 1}
