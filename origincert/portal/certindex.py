"""The certificate index: issued files the portal has seen, found again by certificate number.

Archive folders (``ARCHIVE_DIRS``) are trusted and indexed as they are; an uploaded file is
kept only when it verified as a genuine anchored certificate (not INVALID or MALFORMED), so a
forgery uploaded once can never answer a later number lookup.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from origincert.errors import ArchiveError, DocumentError, OriginCertError
from origincert.issued import read_issued
from origincert.portal.db import IndexedCertificate
from origincert.verdict import Verdict, VerificationResult

__all__ = [
    "ArchiveError",
    "HeldReference",
    "Identity",
    "ScanReport",
    "file_for_qr",
    "find",
    "identify",
    "lookup",
    "lookup_hash",
    "normalise_number",
    "read",
    "remember_upload",
    "scan_archives",
    "summary",
]

_log = logging.getLogger(__name__)
_NUMBER = re.compile(r"^[A-Z0-9](?:[A-Z0-9./-]{0,38}[A-Z0-9])?$")
MAX_FILE_BYTES = 1_000_000
NOT_INDEXED = (Verdict.MALFORMED, Verdict.INVALID)


@dataclass(frozen=True, slots=True)
class Identity:
    number: str
    target_hash: str
    issuer_name: str | None
    issue_date: str | None


def normalise_number(text: str) -> str:
    """What an officer typed, as a certificate number; DocumentError when it cannot be one."""
    number = text.strip().upper()
    if not _NUMBER.fullmatch(number):
        raise DocumentError(
            "a certificate number is 1 to 40 characters of A-Z, 0-9, '.', '/' and '-'",
            code="number_invalid",
        )
    return number


def identify(raw: bytes) -> Identity | None:
    """Number and target hash of an issued file, or None when it is not one (read by the one
    issued-file model, ``origincert.issued``: a v1 or malformed file is not indexed)."""
    try:
        f = read_issued(raw, max_bytes=MAX_FILE_BYTES)
    except DocumentError:
        return None
    number = f.number
    if number is None or not _NUMBER.fullmatch(number):
        return None
    body = f.document.get("issuing_body")
    issuer = body.get("name") if isinstance(body, dict) else None
    issued = f.document.get("issue_date")
    return Identity(
        number=number,
        target_hash="0x" + f.target_hash.hex(),
        issuer_name=issuer if isinstance(issuer, str) else None,
        issue_date=issued if isinstance(issued, str) else None,
    )


@dataclass(frozen=True, slots=True)
class ScanReport:
    added: int
    updated: int
    removed: int
    skipped: tuple[str, ...]  # files that are not issued certificates

    def __str__(self) -> str:
        return f"{self.added} added, {self.updated} updated, {self.removed} removed, {len(self.skipped)} skipped"


def scan_archives(db: Session, dirs: Iterable[str | os.PathLike[str]]) -> ScanReport:
    """Bring the index up to date with the archive folders (unchanged files are not re-read)."""
    known = {
        e.path: e
        for e in db.scalars(
            select(IndexedCertificate).where(IndexedCertificate.source == "archive")
        )
    }
    seen: set[str] = set()
    added = updated = 0
    skipped: list[str] = []
    for folder in dirs:
        root = Path(folder)
        if not root.is_dir():
            raise ArchiveError(
                f"the archive folder {root} does not exist or is not a folder",
                code="archive_missing",
            )
        for path in sorted(root.rglob("*.json")):
            key = str(path.resolve())
            try:
                stat = path.stat()
            except OSError:
                continue
            seen.add(key)
            entry = known.get(key)
            if entry is not None and entry.mtime_ns == stat.st_mtime_ns:
                continue
            try:
                ident = identify(_read_file(path)) if stat.st_size <= MAX_FILE_BYTES else None
            except OSError:
                ident = None
            if ident is None:
                skipped.append(key)
                if entry is not None:
                    db.delete(entry)
                continue
            if entry is None:
                entry = IndexedCertificate(source="archive", path=key)
                db.add(entry)
                added += 1
            else:
                updated += 1
            _fill(entry, ident)
            entry.mtime_ns = stat.st_mtime_ns
    removed = 0
    for path_key, entry in known.items():
        if path_key not in seen:
            db.delete(entry)
            removed += 1
    db.flush()
    return ScanReport(added, updated, removed, tuple(skipped))


def remember_upload(
    db: Session, raw: bytes, result: VerificationResult
) -> IndexedCertificate | None:
    """Keep an uploaded file for number lookups when it proved to be a genuine certificate."""
    if result.verdict in NOT_INDEXED:
        return None
    ident = identify(raw)
    if ident is None:
        return None
    existing = db.scalar(
        select(IndexedCertificate).where(
            IndexedCertificate.number == ident.number,
            IndexedCertificate.target_hash == ident.target_hash,
            IndexedCertificate.source == "upload",
        )
    )
    if existing is not None:
        return existing
    entry = IndexedCertificate(source="upload", content=raw)
    _fill(entry, ident)
    db.add(entry)
    db.flush()
    return entry


def lookup(db: Session, number: str) -> list[IndexedCertificate]:
    """Every distinct certificate indexed under ``number`` (one per target hash, archive first)."""
    rows = db.scalars(
        select(IndexedCertificate)
        .where(IndexedCertificate.number == number)
        .order_by(IndexedCertificate.source, IndexedCertificate.id)
    )
    by_hash: dict[str, IndexedCertificate] = {}
    for row in rows:  # "archive" sorts before "upload"
        by_hash.setdefault(row.target_hash, row)
    return list(by_hash.values())


def find(
    db: Session, number: str, archives: Iterable[str | os.PathLike[str]]
) -> list[IndexedCertificate]:
    """:func:`lookup`, rescanning the archive folders on a miss (the file may have just arrived).

    A broken archive folder is logged and does not stop the lookup; the caller commits.
    """
    entries = lookup(db, number)
    folders = list(archives)
    if not entries and folders:
        try:
            with db.begin_nested():
                scan_archives(db, folders)
        except ArchiveError as exc:
            _log.error("archive scan failed [%s]: %s", exc.code, exc)
        entries = lookup(db, number)
    return entries


@dataclass(frozen=True, slots=True)
class HeldReference:
    """A QR reference and the file the portal holds for its anchor (``raw`` None: none held).

    ``claimed`` is the number the QR code carries: the paper's claim, which the ledger does not
    record. ``held_number`` is the number of the held file for the same target hash.
    """

    claimed: str
    target_hash: str
    held_number: str | None = None
    raw: bytes | None = None

    @property
    def number_differs(self) -> bool:
        return self.raw is not None and self.held_number != self.claimed


def lookup_hash(db: Session, target_hash: str) -> list[IndexedCertificate]:
    """Every indexed file for ``target_hash`` (archive first)."""
    return list(
        db.scalars(
            select(IndexedCertificate)
            .where(IndexedCertificate.target_hash == target_hash.lower())
            .order_by(IndexedCertificate.source, IndexedCertificate.id)
        )
    )


def file_for_qr(db: Session, text: str) -> HeldReference | None:
    """For a QR *reference*, the file the portal holds for its anchor, looked up by target hash
    (None when ``text`` is not a readable reference).

    A reference alone lets the ledger vouch for the anchor but shows no content; with the file,
    the officer gets the full verification and the certificate to compare with the paper. The
    number in the reference is only what the paper claims: looking up by it would let a forged
    number pass as unknown rather than as different.
    """
    from origincert import qr

    try:
        payload = qr.decode_payload(text)
    except OriginCertError:
        return None  # the verifier says what is wrong with it
    if not isinstance(payload, qr.CertificateReference):
        return None
    held = HeldReference(claimed=payload.number, target_hash="0x" + payload.target_hash.hex())
    entries = lookup_hash(db, held.target_hash)
    # the same number first, if several files share the anchor (a re-indexed archive copy)
    entries.sort(key=lambda e: e.number != held.claimed)
    for entry in entries:
        try:
            raw = read(entry)
        except ArchiveError:
            continue
        return HeldReference(held.claimed, held.target_hash, entry.number, raw)
    return held


def read(entry: IndexedCertificate) -> bytes:
    if entry.content is not None:
        return entry.content
    assert entry.path is not None
    try:
        return _read_file(Path(entry.path))
    except OSError as exc:
        raise ArchiveError(
            f"the archived file for certificate {entry.number} can no longer be read ({exc.strerror})",
            code="archive_file_gone",
        ) from exc


def _read_file(path: Path) -> bytes:
    with open(path, "rb") as f:
        return f.read(MAX_FILE_BYTES + 1)


def _fill(entry: IndexedCertificate, ident: Identity) -> None:
    entry.number = ident.number
    entry.target_hash = ident.target_hash
    entry.issuer_name = ident.issuer_name[:200] if ident.issuer_name else None
    entry.issue_date = ident.issue_date[:10] if ident.issue_date else None


def summary(db: Session) -> dict[str, int]:
    """How many certificates the index holds, by source."""
    counts = dict(
        db.execute(
            select(IndexedCertificate.source, func.count()).group_by(IndexedCertificate.source)
        ).all()
    )
    return {"archive": counts.get("archive", 0), "upload": counts.get("upload", 0)}
