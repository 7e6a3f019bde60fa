"""The part of the rebuilt state that grows with the ledger: anchors, revocations, replacements.

Keyed as CertificateRegistry v2 keys them: an anchor by (issuer, root), a leaf's revocation and
replacement by (issuer, leaf) whatever root showed it, a batch's revocation by (issuer, root).

Kept in SQLite (stdlib ``sqlite3``, not SQLAlchemy: a replay inserts tens of thousands of rows a
second) so that an audit's memory stays flat whether the ledger holds a thousand anchors or fifteen
million. ``Store(None)`` is a private temporary file removed on close; ``Store(":memory:")`` is for
tests; a path is the store that lives next to a checkpoint. Every row carries its block, so a
store can be cut back to a checkpoint's block after a crash (:meth:`truncate_after`).
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["AnchorRow", "ReplacementRow", "RevocationRow", "Store"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS anchors (
    root BLOB NOT NULL, issuer_id INTEGER NOT NULL, signer BLOB NOT NULL, leaf_count INTEGER NOT NULL,
    block INTEGER NOT NULL, ts INTEGER NOT NULL, tx BLOB NOT NULL, epoch INTEGER NOT NULL,
    PRIMARY KEY (issuer_id, root)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS anchors_by_issuer ON anchors (issuer_id, ts);
CREATE INDEX IF NOT EXISTS anchors_by_root ON anchors (root);
CREATE TABLE IF NOT EXISTS revocations (
    root BLOB NOT NULL, leaf BLOB NOT NULL, issuer_id INTEGER NOT NULL, by BLOB NOT NULL, reason INTEGER NOT NULL,
    block INTEGER NOT NULL, ts INTEGER NOT NULL, tx BLOB NOT NULL, PRIMARY KEY (issuer_id, root, leaf)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS revocations_by_issuer ON revocations (issuer_id, ts);
CREATE INDEX IF NOT EXISTS revocations_by_leaf ON revocations (issuer_id, leaf);
CREATE TABLE IF NOT EXISTS replacements (
    old_root BLOB NOT NULL, old_leaf BLOB NOT NULL, new_root BLOB NOT NULL, new_leaf BLOB NOT NULL,
    issuer_id INTEGER NOT NULL, by BLOB NOT NULL, block INTEGER NOT NULL, ts INTEGER NOT NULL, tx BLOB NOT NULL,
    PRIMARY KEY (issuer_id, old_leaf)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS replacements_by_issuer ON replacements (issuer_id, ts);
CREATE INDEX IF NOT EXISTS replacements_by_new ON replacements (issuer_id, new_leaf);
"""

ROOT_LEVEL = b""  # the ``leaf`` of a whole-batch revocation
_RECENT_MAX = 50_000  # anchors kept in memory before a write (bounds memory without preload)


def _b(hex_: str) -> bytes:
    return bytes.fromhex(hex_[2:])


def _h(raw: bytes) -> str:
    return "0x" + raw.hex()


@dataclass(frozen=True, slots=True)
class AnchorRow:
    root: str
    issuer_id: int
    signer: str
    leaf_count: int
    block: int
    timestamp: int
    tx_hash: str
    epoch: int = 0  # the body's epoch at the anchor's log position (the signed one)


@dataclass(frozen=True, slots=True)
class RevocationRow:
    root: str
    leaf: str | None  # None: the whole batch
    issuer_id: int
    by: str
    reason: int
    block: int
    timestamp: int
    tx_hash: str


@dataclass(frozen=True, slots=True)
class ReplacementRow:
    old_root: str
    old_leaf: str
    new_root: str
    new_leaf: str
    issuer_id: int
    by: str
    block: int
    timestamp: int
    tx_hash: str


def _anchor(r: tuple) -> AnchorRow:
    return AnchorRow(_h(r[0]), r[1], _h(r[2]), r[3], r[4], r[5], _h(r[6]), r[7])


AnchorKey = tuple[int, str]  # (issuer id, root)


def _revocation(r: tuple) -> RevocationRow:
    return RevocationRow(
        _h(r[0]), _h(r[1]) if r[1] else None, r[2], _h(r[3]), r[4], r[5], r[6], _h(r[7])
    )


def _replacement(r: tuple) -> ReplacementRow:
    return ReplacementRow(
        _h(r[0]), _h(r[1]), _h(r[2]), _h(r[3]), r[4], _h(r[5]), r[6], r[7], _h(r[8])
    )


class Store:
    """Anchors, revocations and replacements, keyed as the contract keys them."""

    def __init__(self, path: str | os.PathLike[str] | None) -> None:
        self._tmpdir: tempfile.TemporaryDirectory[str] | None = None
        if path is None:
            self._tmpdir = tempfile.TemporaryDirectory(prefix="origincert-audit-")
            path = Path(self._tmpdir.name) / "store.sqlite"
        self.path = str(path)
        self._db = sqlite3.connect(self.path, isolation_level="DEFERRED")
        # Durability comes from the checkpoint protocol (rows past its block are cut on resume),
        # not from fsync on every commit.
        self._db.execute("PRAGMA synchronous = OFF")
        self._db.execute(
            "PRAGMA journal_mode = "
            + ("MEMORY" if self._tmpdir or self.path == ":memory:" else "WAL")
        )
        self._db.executescript(_SCHEMA)
        # Anchors are written behind, in bulk: a replay applies tens of thousands a second, and one
        # INSERT per anchor would cost more than the rest of the audit. ``_recent`` answers lookups
        # for the roots of the current chunk (preloaded) and of anchors not yet written.
        self._recent: dict[AnchorKey, AnchorRow | None] = {}
        self._pending: list[tuple[bytes, int, bytes, int, int, int, bytes, int]] = []

    # ------------------------------------------------------------------ lifecycle

    def _flush(self) -> None:
        if self._pending:
            self._db.executemany(
                "INSERT OR IGNORE INTO anchors VALUES (?, ?, ?, ?, ?, ?, ?, ?)", self._pending
            )
            self._pending.clear()

    def commit(self) -> None:
        self._flush()
        self._recent.clear()
        self._db.commit()

    def preload(self, keys: Iterable[AnchorKey]) -> None:
        """Look up a chunk's (issuer, root) anchors in one query, so its events find them in memory."""
        self.commit()
        wanted = set(keys)
        found = self.anchors(wanted)
        self._recent = {k: found.get(k) for k in wanted}

    def close(self) -> None:
        self._db.close()
        if self._tmpdir is not None:
            self._tmpdir.cleanup()

    def truncate_after(self, block: int) -> None:
        """Forget every row newer than ``block`` (rows written after the last saved checkpoint)."""
        self.commit()
        for table in ("anchors", "revocations", "replacements"):
            self._db.execute(f"DELETE FROM {table} WHERE block > ?", (block,))
        self._db.commit()

    # ------------------------------------------------------------------ writes (False: the key existed)

    def add_anchor(
        self,
        root: str,
        issuer_id: int,
        signer: str,
        leaf_count: int,
        block: int,
        ts: int,
        tx: str,
        epoch: int = 0,
    ) -> bool:
        if self.anchor(issuer_id, root) is not None:
            return False
        if len(self._recent) >= _RECENT_MAX:
            self.commit()
        row = AnchorRow(root, issuer_id, signer, leaf_count, block, ts, tx, epoch)
        self._recent[(issuer_id, root)] = row
        self._pending.append(
            (_b(root), issuer_id, _b(signer), leaf_count, block, ts, _b(tx), epoch)
        )
        return True

    def add_revocation(
        self,
        root: str,
        leaf: str | None,
        issuer_id: int,
        by: str,
        reason: int,
        block: int,
        ts: int,
        tx: str,
    ) -> bool:
        cur = self._db.execute(
            "INSERT OR IGNORE INTO revocations VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                _b(root),
                _b(leaf) if leaf else ROOT_LEVEL,
                issuer_id,
                _b(by),
                reason,
                block,
                ts,
                _b(tx),
            ),
        )
        return cur.rowcount == 1

    def add_replacement(
        self,
        old_root: str,
        old_leaf: str,
        new_root: str,
        new_leaf: str,
        issuer_id: int,
        by: str,
        block: int,
        ts: int,
        tx: str,
    ) -> bool:
        cur = self._db.execute(
            "INSERT OR IGNORE INTO replacements VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                _b(old_root),
                _b(old_leaf),
                _b(new_root),
                _b(new_leaf),
                issuer_id,
                _b(by),
                block,
                ts,
                _b(tx),
            ),
        )
        return cur.rowcount == 1

    # ------------------------------------------------------------------ point reads

    def anchor(self, issuer_id: int, root: str) -> AnchorRow | None:
        """The anchor of ``root`` by issuing body ``issuer_id``."""
        key = (issuer_id, root)
        if key in self._recent:
            return self._recent[key]
        r = self._db.execute(
            "SELECT * FROM anchors WHERE issuer_id = ? AND root = ?", (issuer_id, _b(root))
        ).fetchone()
        return _anchor(r) if r else None

    def anchors_of_root(self, root: str) -> list[AnchorRow]:
        """Every body's anchor of ``root`` (several bodies may anchor the same root)."""
        self._flush()
        rows = self._db.execute("SELECT * FROM anchors WHERE root = ? ORDER BY block", (_b(root),))
        return [_anchor(r) for r in rows]

    def revocation(
        self, issuer_id: int, root: str, leaf: str | None = None
    ) -> RevocationRow | None:
        """The revocation of a body's whole batch (``leaf`` None), or of one of its certificates
        (under whatever root it was shown: a leaf's revocation holds under every root)."""
        if leaf is None:
            r = self._db.execute(
                "SELECT * FROM revocations WHERE issuer_id = ? AND root = ? AND leaf = ?",
                (issuer_id, _b(root), ROOT_LEVEL),
            ).fetchone()
        else:
            r = self._db.execute(
                "SELECT * FROM revocations WHERE issuer_id = ? AND leaf = ? LIMIT 1",
                (issuer_id, _b(leaf)),
            ).fetchone()
        return _revocation(r) if r else None

    def replacement(self, issuer_id: int, old_leaf: str) -> ReplacementRow | None:
        r = self._db.execute(
            "SELECT * FROM replacements WHERE issuer_id = ? AND old_leaf = ?",
            (issuer_id, _b(old_leaf)),
        ).fetchone()
        return _replacement(r) if r else None

    def replaced_by(self, issuer_id: int, new_leaf: str) -> list[ReplacementRow]:
        """The certificates of the body that name this one as their successor."""
        rows = self._db.execute(
            "SELECT * FROM replacements WHERE issuer_id = ? AND new_leaf = ?",
            (issuer_id, _b(new_leaf)),
        )
        return [_replacement(r) for r in rows]

    def anchors(self, keys: Iterable[AnchorKey]) -> dict[AnchorKey, AnchorRow]:
        """Many (issuer, root) anchors at once (reconciliation)."""
        self._flush()
        out: dict[AnchorKey, AnchorRow] = {}
        by_root: dict[bytes, set[int]] = {}
        for issuer_id, root in keys:
            by_root.setdefault(_b(root), set()).add(issuer_id)
        roots = list(by_root)
        for i in range(0, len(roots), 500):
            part = roots[i : i + 500]
            marks = ",".join("?" * len(part))
            for r in self._db.execute(f"SELECT * FROM anchors WHERE root IN ({marks})", part):
                row = _anchor(r)
                if row.issuer_id in by_root[r[0]]:
                    out[(row.issuer_id, row.root)] = row
        return out

    # ------------------------------------------------------------------ scans

    def iter_anchors(
        self, issuer_id: int | None = None, *, since_block: int = -1, since_ts: int = 0
    ) -> Iterator[AnchorRow]:
        """Anchors in (issuer, time) order; ``since_*`` bound an incremental run's share."""
        self._flush()
        if issuer_id is None:
            rows = self._db.execute(
                "SELECT * FROM anchors WHERE block > ? AND ts >= ? ORDER BY issuer_id, ts",
                (since_block, since_ts),
            )
        else:
            rows = self._db.execute(
                "SELECT * FROM anchors WHERE issuer_id = ? AND ts >= ? AND block > ? ORDER BY ts",
                (issuer_id, since_ts, since_block),
            )
        for r in rows:
            yield _anchor(r)

    def statuses(self, *, since_block: int = -1) -> Iterator[tuple[AnchorRow, tuple[int, ...]]]:
        """Each anchor newer than ``since_block`` with the status the contract must report for
        ``certificateStatus(issuerId, root, root)``: (issuerId, leafCount, anchoredAt, anchoredBlock,
        revokedAt, revocationReason, epoch, leafRevokedAt, leafRevocationReason, replacedAt,
        replacedByRoot, replacedByLeaf), hashes as ints. One query, not four lookups per anchor."""
        self._flush()
        rows = self._db.execute(
            """SELECT a.*, rr.ts, rr.reason, lr.ts, lr.reason, rp.ts, rp.new_root, rp.new_leaf
            FROM anchors a
            LEFT JOIN revocations rr
                ON rr.issuer_id = a.issuer_id AND rr.root = a.root AND rr.leaf = x''
            LEFT JOIN revocations lr ON lr.issuer_id = a.issuer_id AND lr.leaf = a.root
            LEFT JOIN replacements rp ON rp.issuer_id = a.issuer_id AND rp.old_leaf = a.root
            WHERE a.block > ?""",
            (since_block,),
        )
        for r in rows:
            anchor = _anchor(r[:8])
            yield (
                anchor,
                (
                    anchor.issuer_id,
                    anchor.leaf_count,
                    anchor.timestamp,
                    anchor.block,
                    r[8] or 0,
                    r[9] or 0,
                    anchor.epoch,
                    r[10] or 0,
                    r[11] or 0,
                    r[12] or 0,
                    int.from_bytes(r[13] or b"", "big"),
                    int.from_bytes(r[14] or b"", "big"),
                ),
            )

    def iter_revocations(self, *, since_block: int = -1) -> Iterator[RevocationRow]:
        for r in self._db.execute(
            "SELECT * FROM revocations WHERE block > ? ORDER BY block, ts", (since_block,)
        ):
            yield _revocation(r)

    def iter_replacements(self, *, since_block: int = -1) -> Iterator[ReplacementRow]:
        for r in self._db.execute(
            "SELECT * FROM replacements WHERE block > ? ORDER BY block, ts", (since_block,)
        ):
            yield _replacement(r)

    def anchors_at_hours(
        self, issuer_id: int, hours: Iterable[int], *, since_ts: int, until_ts: int
    ) -> Iterator[AnchorRow]:
        """An issuer's anchors in ``[since_ts, until_ts]`` made at the given UTC hours of day."""
        self._flush()
        marks = ",".join(str(int(h)) for h in hours)
        rows = self._db.execute(
            f"SELECT * FROM anchors WHERE issuer_id = ? AND ts >= ? AND ts <= ? AND (ts % 86400) / 3600 IN ({marks}) ORDER BY ts",
            (issuer_id, since_ts, until_ts),
        )
        for r in rows:
            yield _anchor(r)

    def first_in(
        self, table: str, issuer_id: int, ts_from: int, ts_to: int
    ) -> tuple[str, int] | None:
        """(tx hash, block) of an issuer's first anchor or revocation in ``[ts_from, ts_to)``."""
        if table not in ("anchors", "revocations"):
            raise ValueError(table)
        self._flush()
        r = self._db.execute(
            f"SELECT tx, block FROM {table} WHERE issuer_id = ? AND ts >= ? AND ts < ? ORDER BY ts LIMIT 1",
            (issuer_id, ts_from, ts_to),
        ).fetchone()
        return (_h(r[0]), r[1]) if r else None

    def count(self, table: str) -> int:
        if table not in ("anchors", "revocations", "replacements"):
            raise ValueError(table)
        self._flush()
        return int(self._db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
