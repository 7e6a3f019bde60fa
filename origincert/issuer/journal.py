"""The issuing body's durable journal: every certificate, its secret seed and its batch, on disk
before anything is signed, so that a crash at any instant loses nothing and ``resume`` can finish.

A batch moves ``prepared -> signed -> submitted -> anchored`` (then its files are written); each
step is one database transaction (one for all the certificates of a batch, written in bulk), so
the journal is always in exactly one of those states. ``submitted`` is recorded with the
transaction hash *before* the transaction leaves the process. Revocations and replacements are
``actions`` with their own ``prepared -> submitted -> done | failed`` life. A certificate's status
is derived, never stored twice: its batch's state, unless a finished action revoked or replaced it.

SQLite at a path by default (rollback journal, ``synchronous=FULL``; file mode 0600 because the
seeds are the chamber's secrets and the journal is its archive); any SQLAlchemy URL works.
"""

from __future__ import annotations

import enum
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self
from urllib.parse import quote

from sqlalchemy import (
    Column,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError, SQLAlchemyError

from origincert.errors import JournalError
from origincert.issuer import DEFAULT_JOURNAL
from origincert.issuer.pipeline import PreparedCertificate

__all__ = [
    "ActionKind",
    "ActionRecord",
    "ActionState",
    "BatchRecord",
    "BatchState",
    "CertificateStatus",
    "Journal",
    "OtherJournals",
]

SCHEMA_VERSION = "2"  # 2: the anchor signature names an epoch and a deadline


class BatchState(enum.StrEnum):
    PREPARED = "prepared"  # certificates recorded, root computed, nothing signed
    SIGNED = "signed"  # the issuing key signed the root; nothing sent
    SUBMITTED = "submitted"  # a transaction was signed (its hash recorded) and handed to the node
    ANCHORED = "anchored"  # the ledger holds the root (seen in a receipt or by anchorOf)


class CertificateStatus(enum.StrEnum):
    PREPARED = "prepared"
    SIGNED = "signed"
    SUBMITTED = "submitted"
    ANCHORED = "anchored"
    REVOKED = "revoked"
    REPLACED = "replaced"


class ActionKind(enum.StrEnum):
    REVOKE = "revoke"
    REPLACE = "replace"


class ActionState(enum.StrEnum):
    PREPARED = "prepared"  # decided and recorded; nothing sent
    SUBMITTED = "submitted"  # a transaction was signed and handed to the node
    DONE = "done"  # the ledger shows it
    FAILED = "failed"  # the contract refused it (``error`` names the custom error); nothing changed on chain


@dataclass(frozen=True, slots=True)
class BatchRecord:
    id: int
    state: BatchState
    leaf_count: int
    root: bytes | None  # set when signed
    signature: bytes | None
    signer: str | None
    epoch: int | None  # what the signature names (set when signed)
    deadline: int | None
    sender: str | None
    tx_hash: str | None
    block_number: int | None
    gas_used: int | None
    out_dir: str | None
    files_written: bool
    created_at: float


@dataclass(frozen=True, slots=True)
class ActionRecord:
    id: int
    kind: ActionKind
    number: str
    new_number: str | None
    reason: int | None
    state: ActionState
    tx_hash: str | None
    block_number: int | None
    gas_used: int | None
    error: str | None
    created_at: float


_md = MetaData()

_meta = Table(
    "meta", _md, Column("key", String(64), primary_key=True), Column("value", Text, nullable=False)
)

_batches = Table(
    "batches",
    _md,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("state", String(16), nullable=False),
    Column("leaf_count", Integer, nullable=False),
    Column("root", LargeBinary(32), unique=True),
    Column("signature", LargeBinary(65)),
    Column("signer", String(42)),
    Column("epoch", Integer),
    Column("deadline", Integer),
    Column("sender", String(42)),
    Column("tx_hash", String(66)),
    Column("block_number", Integer),
    Column("gas_used", Integer),
    Column("out_dir", Text),
    Column("files_written", Integer, nullable=False, default=0),
    Column("created_at", Integer, nullable=False),
    Column("updated_at", Integer, nullable=False),
)

_certificates = Table(
    "certificates",
    _md,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("number", String(64), nullable=False, unique=True),
    Column("batch_id", Integer, ForeignKey("batches.id"), nullable=False, index=True),
    Column("leaf_index", Integer, nullable=False),
    Column("document", Text, nullable=False),
    Column("seed", LargeBinary(32), nullable=False),
    Column(
        "field_hashes", LargeBinary, nullable=False
    ),  # 32 bytes per field, in the document's field order
    Column("target_hash", LargeBinary(32), nullable=False),
    Column("leaf", LargeBinary(32), nullable=False),
    Column("file_name", Text, nullable=False),
    UniqueConstraint("batch_id", "leaf_index"),
)

_actions = Table(
    "actions",
    _md,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),
    Column("number", String(64), ForeignKey("certificates.number"), nullable=False, index=True),
    Column("new_number", String(64), ForeignKey("certificates.number")),
    Column("reason", Integer),
    Column("state", String(16), nullable=False),
    Column("tx_hash", String(66)),
    Column("block_number", Integer),
    Column("gas_used", Integer),
    Column("error", Text),
    Column("created_at", Integer, nullable=False),
    Column("updated_at", Integer, nullable=False),
)

# The signed bytes of every transaction sent for a batch or an action, kept before it leaves, so
# that resume hands the node the same transaction again instead of signing a second one.
_signed_transactions = Table(
    "signed_transactions",
    _md,
    Column("tx_hash", String(66), primary_key=True),
    Column("raw", LargeBinary, nullable=False),
)

_BATCH_ORDER = list(BatchState)


def _url(target: str | os.PathLike[str]) -> tuple[str, Path | None]:
    """A SQLAlchemy URL as given, or a path made into an SQLite URL (and the path, for its mode)."""
    text = os.fspath(target)
    if "://" in text:
        return text, None
    path = Path(text).expanduser().resolve()
    return f"sqlite:///{path}", path


def _create_private(path: Path) -> None:
    """Create the journal file (and its folder) readable by the owner only, before SQLite opens it."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
    except FileExistsError:
        pass
    os.chmod(path, 0o600)  # an older journal made with a looser umask: tighten it


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # A rollback journal, not WAL: a batch is one big append, which WAL would write twice (log,
    # then checkpoint); a rollback journal writes it once. There are no concurrent readers to serve.
    cursor.execute("PRAGMA journal_mode=DELETE")
    cursor.execute("PRAGMA synchronous=FULL")  # a commit survives power loss, not only kill -9
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _now() -> int:
    return int(time.time())


class Journal:
    """One issuing body's journal. Open with :meth:`open`; use as a context manager to close it."""

    def __init__(self, engine: Engine, location: str) -> None:
        self._engine = engine
        self.location = location

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(cls, target: str | os.PathLike[str] = DEFAULT_JOURNAL) -> Journal:
        """Open (creating if needed) the journal at a path or SQLAlchemy URL.

        Raises JournalError ``journal_unavailable`` when the database cannot be opened or created,
        ``journal_version`` when it was written by an incompatible version.
        """
        url, path = _url(target)
        try:
            if path is not None:
                _create_private(path)
            engine = create_engine(url)
            if engine.dialect.name == "sqlite":
                event.listen(engine, "connect", _sqlite_pragmas)
            with engine.begin() as conn:
                _md.create_all(conn)
                version = conn.execute(
                    select(_meta.c.value).where(_meta.c.key == "schema")
                ).scalar()
                if version is None:
                    conn.execute(insert(_meta).values(key="schema", value=SCHEMA_VERSION))
                elif version != SCHEMA_VERSION:
                    raise JournalError(
                        f"the journal {target} has schema version {version}; this origincert reads {SCHEMA_VERSION}",
                        code="journal_version",
                    )
        except JournalError:
            raise
        except (OSError, ArgumentError, SQLAlchemyError) as exc:
            raise JournalError(
                f"cannot open the journal {target}: {exc}", code="journal_unavailable"
            ) from exc
        return cls(engine, str(target))

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self, *, write: bool = True) -> Iterator[Connection]:
        """One database transaction (committed on success); a database failure is JournalError."""
        try:
            with self._engine.begin() if write else self._engine.connect() as conn:
                yield conn
        except OperationalError as exc:
            raise JournalError(
                f"the journal {self.location} is not usable: {exc.orig}", code="journal_unavailable"
            ) from exc

    def _read(self) -> AbstractContextManager[Connection]:
        return self._tx(write=False)

    # ------------------------------------------------------------------ identity

    def bind(self, *, chain_id: int, registry: str, issuer_id: int) -> None:
        """Tie the journal to one issuing body on one registry, or check it is the one it was tied to.

        Raises JournalError ``journal_mismatch``: certificate numbers are unique per issuing body,
        so two bodies (or two networks) must never share a journal.
        """
        wanted = {
            "chain_id": str(chain_id),
            "registry": registry.lower(),
            "issuer_id": str(issuer_id),
        }
        with self._tx() as conn:
            have = dict(
                conn.execute(
                    select(_meta.c.key, _meta.c.value).where(_meta.c.key.in_(wanted))
                ).all()
            )
            if not have:
                conn.execute(insert(_meta), [{"key": k, "value": v} for k, v in wanted.items()])
                return
        if have != wanted:
            raise JournalError(
                f"the journal {self.location} belongs to issuing body #{have.get('issuer_id')} on chain "
                f"{have.get('chain_id')} (registry {have.get('registry')}), not #{issuer_id} on chain {chain_id} "
                f"(registry {registry.lower()}); use that body's own journal",
                code="journal_mismatch",
            )

    # ------------------------------------------------------------------ batches

    def existing_numbers(self, numbers: Iterable[str]) -> list[str]:
        """Which of ``numbers`` the journal already holds (sorted)."""
        with self._read() as conn:
            return self._taken(conn, list(numbers))

    def refuse_taken(self, numbers: Iterable[str]) -> None:
        """Raise JournalError ``duplicate_number`` if the journal holds any of ``numbers``: the
        cheap check before hashing (:meth:`record_batch` checks again, inside its transaction)."""
        _refuse(self.existing_numbers(numbers))

    def record_batch(
        self,
        chunks: Iterable[Sequence[PreparedCertificate]],
        *,
        out_dir: str | None,
        replaces: str | None = None,
    ) -> BatchRecord:
        """Record a prepared batch and all its certificates in one transaction.

        ``chunks`` is consumed inside the transaction (so a pool can hash the next chunk while
        this one is written); if it raises, nothing is written. With ``replaces``, the (single)
        new certificate replaces that number: the replacement is recorded as a prepared action in
        the same transaction, so resume finishes it.

        Raises JournalError ``duplicate_number`` (nothing written) when a number is repeated in
        the batch or already in the journal, ``empty_batch`` for no certificates.
        """
        now = _now()
        seen: set[str] = set()
        numbers: list[str] = []
        try:
            with self._tx() as conn:
                batch_id = conn.execute(
                    insert(_batches).values(
                        state=BatchState.PREPARED.value,
                        leaf_count=0,
                        out_dir=out_dir,
                        files_written=0,
                        created_at=now,
                        updated_at=now,
                    )
                ).inserted_primary_key[0]  # type: ignore[index]  # always set by an INSERT
                for chunk in chunks:
                    if not chunk:
                        continue
                    chunk_numbers = [c.number for c in chunk]
                    repeated = sorted(
                        {n for n, k in Counter(chunk_numbers).items() if k > 1 or n in seen}
                    )
                    if repeated:
                        raise JournalError(
                            f"certificate number(s) given twice in this batch: {_few(repeated)}",
                            code="duplicate_number",
                        )
                    seen.update(chunk_numbers)
                    numbers += chunk_numbers
                    _refuse(self._taken(conn, chunk_numbers))
                    _insert_many(
                        conn, _certificates, _CERT_COLUMNS, [_cert_row(batch_id, c) for c in chunk]
                    )
                if not numbers:
                    raise JournalError("a batch needs at least one certificate", code="empty_batch")
                conn.execute(
                    update(_batches)
                    .where(_batches.c.id == batch_id)
                    .values(leaf_count=len(numbers))
                )
                if replaces is not None:
                    if len(numbers) != 1:
                        raise JournalError(
                            "a replacement is a batch of one certificate", code="replace_not_single"
                        )
                    self._insert_action(conn, ActionKind.REPLACE, replaces, None, numbers[0], now)
        except IntegrityError as exc:  # a concurrent writer took a number between check and insert
            raise JournalError(
                f"certificate number already in the journal: {exc.orig}", code="duplicate_number"
            ) from exc
        return self.batch(int(batch_id))

    @staticmethod
    def _taken(conn: Connection, numbers: list[str]) -> list[str]:
        found: list[str] = []
        for i in range(0, len(numbers), 500):
            chunk = numbers[i : i + 500]
            found += conn.execute(
                select(_certificates.c.number).where(_certificates.c.number.in_(chunk))
            ).scalars()
        return sorted(found)

    def mark_signed(
        self,
        batch_id: int,
        *,
        root: bytes,
        signature: bytes,
        signer: str,
        epoch: int,
        deadline: int,
    ) -> None:
        self._advance(
            batch_id, BatchState.SIGNED, root=root, signature=signature, signer=signer,
            epoch=epoch, deadline=deadline,
        )  # fmt: skip

    def mark_resigned(self, batch_id: int, *, signature: bytes, epoch: int, deadline: int) -> None:
        """A new signature for a signed or submitted batch whose old one the contract can no longer
        accept (its deadline passed or the body's epoch moved): back to ``signed``, same root."""
        with self._tx() as conn:
            current = conn.execute(
                select(_batches.c.state).where(_batches.c.id == batch_id)
            ).scalar()
            if current not in (BatchState.SIGNED.value, BatchState.SUBMITTED.value):
                raise JournalError(
                    f"batch #{batch_id} is {current}; only a signed batch is signed again",
                    code="journal_inconsistent",
                )
            conn.execute(
                update(_batches)
                .where(_batches.c.id == batch_id)
                .values(
                    state=BatchState.SIGNED.value, signature=signature, epoch=epoch,
                    deadline=deadline, tx_hash=None, sender=None, updated_at=_now(),
                )
            )  # fmt: skip

    def mark_submitted(
        self, batch_id: int, *, tx_hash: str, sender: str, raw: bytes | None = None
    ) -> None:
        """Record the transaction hash before the transaction reaches the node (so resume can look for it)."""
        keep = None if raw is None else (lambda conn: self._keep(conn, tx_hash, raw))
        self._advance(batch_id, BatchState.SUBMITTED, keep, tx_hash=tx_hash, sender=sender)

    def keep_signed_transaction(self, tx_hash: str, raw: bytes) -> None:
        """Keep a transaction's signed bytes (before it is sent) so it can be sent again as is."""
        with self._tx() as conn:
            self._keep(conn, tx_hash, raw)

    @staticmethod
    def _keep(conn: Connection, tx_hash: str, raw: bytes) -> None:
        known = conn.execute(
            select(_signed_transactions.c.tx_hash).where(
                _signed_transactions.c.tx_hash == tx_hash.lower()
            )
        ).first()
        if known is None:
            conn.execute(insert(_signed_transactions).values(tx_hash=tx_hash.lower(), raw=raw))

    def signed_transaction(self, tx_hash: str) -> bytes | None:
        """The signed bytes kept for a transaction hash, if any."""
        with self._read() as conn:
            raw = conn.execute(
                select(_signed_transactions.c.raw).where(
                    _signed_transactions.c.tx_hash == tx_hash.lower()
                )
            ).scalar()
        return bytes(raw) if raw is not None else None

    def mark_anchored(
        self, batch_id: int, *, tx_hash: str, block_number: int, gas_used: int | None
    ) -> None:
        self._advance(
            batch_id,
            BatchState.ANCHORED,
            tx_hash=tx_hash,
            block_number=block_number,
            gas_used=gas_used,
        )

    def mark_files_written(self, batch_id: int, out_dir: str) -> None:
        with self._tx() as conn:
            conn.execute(
                update(_batches)
                .where(_batches.c.id == batch_id)
                .values(files_written=1, out_dir=out_dir, updated_at=_now())
            )

    def _advance(
        self,
        batch_id: int,
        state: BatchState,
        also: Callable[[Connection], None] | None = None,
        **values: Any,
    ) -> None:
        """Move a batch forward (or stay, for a new transaction hash); never backward. ``also``
        writes more in the same database transaction."""
        with self._tx() as conn:
            if also is not None:
                also(conn)
            current = conn.execute(
                select(_batches.c.state).where(_batches.c.id == batch_id)
            ).scalar()
            if current is None:
                raise JournalError(f"no batch #{batch_id} in the journal", code="unknown_batch")
            if _BATCH_ORDER.index(BatchState(current)) > _BATCH_ORDER.index(state):
                raise JournalError(
                    f"batch #{batch_id} is already {current}; it cannot go back to {state.value}",
                    code="journal_inconsistent",
                )
            conn.execute(
                update(_batches)
                .where(_batches.c.id == batch_id)
                .values(state=state.value, updated_at=_now(), **values)
            )

    def batch(self, batch_id: int) -> BatchRecord:
        with self._read() as conn:
            row = conn.execute(select(_batches).where(_batches.c.id == batch_id)).mappings().first()
        if row is None:
            raise JournalError(f"no batch #{batch_id} in the journal", code="unknown_batch")
        return _batch(row)

    def batches(self, *, unfinished: bool = False) -> list[BatchRecord]:
        """All batches, oldest first; ``unfinished``: not anchored, or files to write not written."""
        q = select(_batches).order_by(_batches.c.id)
        if unfinished:
            q = q.where(
                (_batches.c.state != BatchState.ANCHORED.value)
                | ((_batches.c.files_written == 0) & _batches.c.out_dir.is_not(None))
            )
        with self._read() as conn:
            return [_batch(r) for r in conn.execute(q).mappings()]

    def certificates(self, batch_id: int) -> list[PreparedCertificate]:
        """The batch's certificates in leaf order."""
        q = (
            select(_certificates)
            .where(_certificates.c.batch_id == batch_id)
            .order_by(_certificates.c.leaf_index)
        )
        with self._read() as conn:
            return [_certificate(r) for r in conn.execute(q).mappings()]

    def leaves(self, batch_id: int) -> list[bytes]:
        q = (
            select(_certificates.c.leaf)
            .where(_certificates.c.batch_id == batch_id)
            .order_by(_certificates.c.leaf_index)
        )
        with self._read() as conn:
            return [bytes(leaf) for leaf in conn.execute(q).scalars()]

    def batches_of(self, numbers: Iterable[str]) -> dict[str, BatchRecord]:
        """The batch of each of ``numbers`` the journal holds, keyed by number (others left out):
        one read for a whole batch of applications, where :meth:`locate` costs two per number."""
        wanted = list(numbers)
        found: dict[str, BatchRecord] = {}
        with self._read() as conn:
            for i in range(0, len(wanted), 500):
                q = (
                    select(_certificates.c.number.label("certificate_number"), *_batches.c)
                    .join(_batches, _batches.c.id == _certificates.c.batch_id)
                    .where(_certificates.c.number.in_(wanted[i : i + 500]))
                )
                for row in conn.execute(q).mappings():
                    found[row["certificate_number"]] = _batch(row)
        return found

    def locate(self, number: str) -> tuple[BatchRecord, PreparedCertificate]:
        """A certificate and its batch. Raises JournalError ``unknown_number`` when this issuing
        body never prepared that number."""
        with self._read() as conn:
            row = (
                conn.execute(select(_certificates).where(_certificates.c.number == number))
                .mappings()
                .first()
            )
        if row is None:
            raise JournalError(
                f"certificate {number} is not in the journal {self.location}", code="unknown_number"
            )
        return self.batch(row["batch_id"]), _certificate(row)

    def status(self, number: str) -> CertificateStatus:
        """Revoked or replaced when a finished action says so, else its batch's state."""
        batch, _ = self.locate(number)
        with self._read() as conn:
            kinds = set(
                conn.execute(
                    select(_actions.c.kind).where(
                        (_actions.c.number == number) & (_actions.c.state == ActionState.DONE.value)
                    )
                ).scalars()
            )
        if ActionKind.REVOKE.value in kinds:
            return CertificateStatus.REVOKED
        if ActionKind.REPLACE.value in kinds:
            return CertificateStatus.REPLACED
        return CertificateStatus(batch.state.value)

    def counts(self) -> dict[str, int]:
        """Certificates per batch state (for reports and consistency checks)."""
        q = (
            select(_batches.c.state, func.count(_certificates.c.id))
            .join(_certificates, _certificates.c.batch_id == _batches.c.id)
            .group_by(_batches.c.state)
        )
        with self._read() as conn:
            return {state: int(n) for state, n in conn.execute(q).all()}

    # ------------------------------------------------------------------ actions

    def record_action(self, kind: ActionKind, number: str, *, reason: int | None = None) -> int:
        """Record a revocation (before anything is sent); return its id.

        Raises JournalError ``unknown_number`` for a number the journal does not hold.
        """
        now = _now()
        with self._tx() as conn:
            if (
                conn.execute(
                    select(_certificates.c.id).where(_certificates.c.number == number)
                ).first()
                is None
            ):
                raise JournalError(
                    f"certificate {number} is not in the journal {self.location}",
                    code="unknown_number",
                )
            return self._insert_action(conn, kind, number, reason, None, now)

    @staticmethod
    def _insert_action(
        conn: Connection,
        kind: ActionKind,
        number: str,
        reason: int | None,
        new_number: str | None,
        now: int,
    ) -> int:
        result = conn.execute(
            insert(_actions).values(
                kind=kind.value,
                number=number,
                new_number=new_number,
                reason=reason,
                state=ActionState.PREPARED.value,
                created_at=now,
                updated_at=now,
            )
        )
        return int(result.inserted_primary_key[0])  # type: ignore[index]  # set by an INSERT

    def mark_action_submitted(
        self, action_id: int, *, tx_hash: str, raw: bytes | None = None
    ) -> None:
        if raw is not None:
            self.keep_signed_transaction(tx_hash, raw)
        self._set_action(action_id, ActionState.SUBMITTED, tx_hash=tx_hash)

    def mark_action_done(
        self, action_id: int, *, tx_hash: str | None, block_number: int | None, gas_used: int | None
    ) -> None:
        self._set_action(
            action_id,
            ActionState.DONE,
            tx_hash=tx_hash,
            block_number=block_number,
            gas_used=gas_used,
        )

    def mark_action_failed(self, action_id: int, *, error: str) -> None:
        self._set_action(action_id, ActionState.FAILED, error=error)

    def _set_action(self, action_id: int, state: ActionState, **values: Any) -> None:
        with self._tx() as conn:
            conn.execute(
                update(_actions)
                .where(_actions.c.id == action_id)
                .values(state=state.value, updated_at=_now(), **values)
            )

    def action(self, action_id: int) -> ActionRecord:
        with self._read() as conn:
            row = (
                conn.execute(select(_actions).where(_actions.c.id == action_id)).mappings().first()
            )
        if row is None:
            raise JournalError(f"no action #{action_id} in the journal", code="unknown_action")
        return _action(row)

    def actions(self, *, pending: bool = False, number: str | None = None) -> list[ActionRecord]:
        q = select(_actions).order_by(_actions.c.id)
        if pending:
            q = q.where(
                _actions.c.state.in_([ActionState.PREPARED.value, ActionState.SUBMITTED.value])
            )
        if number is not None:
            q = q.where(_actions.c.number == number)
        with self._read() as conn:
            return [_action(r) for r in conn.execute(q).mappings()]


class OtherJournals:
    """The issuing body's other journals (other desks, other years), opened read-only.

    One journal refuses a number it already holds, but a chamber keeps several; numbers are unique
    per issuing body, so a batch's numbers are also looked up here before anything is recorded.
    A journal tied to another body (or network) is ignored: its numbers are not this body's. One
    tied to no body yet is consulted all the same (refusing is safer than a duplicate). A journal
    that cannot be read raises JournalError ``journal_unreadable``: skipping it would hide exactly
    the duplicates this exists to find. Never opened for writing.
    """

    def __init__(self, journals: list[tuple[Path, Engine, dict[str, str]]]) -> None:
        self._journals = journals

    @classmethod
    def open(
        cls, paths: Iterable[str | os.PathLike[str]], *, exclude: str | None = None
    ) -> OtherJournals:
        """Open each SQLite journal at ``paths`` read-only and read whose it is; ``exclude`` (the
        location of the journal being written) is skipped, since it checks itself."""
        # A path, or an SQLite URL naming one (another database's URL names no file: None).
        own = _url(exclude.removeprefix("sqlite:///"))[1] if exclude is not None else None
        journals: list[tuple[Path, Engine, dict[str, str]]] = []
        try:
            for given in paths:
                path = Path(given).expanduser().resolve()
                if path == own or any(path == p for p, _, _ in journals):
                    continue
                engine, meta = _open_readonly(path)
                journals.append((path, engine, meta))
        except BaseException:
            for _, engine, _ in journals:
                engine.dispose()
            raise
        return cls(journals)

    @property
    def paths(self) -> list[Path]:
        return [p for p, _, _ in self._journals]

    def refuse_taken(
        self, numbers: Iterable[str], *, chain_id: int, registry: str, issuer_id: int
    ) -> None:
        """Raise JournalError ``duplicate_number`` naming the numbers and the journal when one of
        this body's other journals already holds any of ``numbers``."""
        wanted = {
            "chain_id": str(chain_id),
            "registry": registry.lower(),
            "issuer_id": str(issuer_id),
        }
        numbers = list(numbers)
        if not numbers:
            return
        for path, engine, meta in self._journals:
            if meta and {k: meta.get(k) for k in wanted} != wanted:
                continue  # another body's journal
            try:
                with engine.connect() as conn:
                    taken = Journal._taken(conn, numbers)
            except SQLAlchemyError as exc:
                raise _unreadable(path, exc) from exc
            if taken:
                raise JournalError(
                    f"certificate number(s) already given by this issuing body in the journal "
                    f"{path}: {_few(taken)} (numbers are unique per issuing body)",
                    code="duplicate_number",
                )

    def close(self) -> None:
        for _, engine, _ in self._journals:
            engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _open_readonly(path: Path) -> tuple[Engine, dict[str, str]]:
    """A read-only engine on an existing SQLite journal (``mode=ro``: SQLite itself refuses any
    write) and its identity rows; JournalError ``journal_unreadable`` when it is not one."""
    if not path.is_file():
        raise JournalError(
            f"cannot read the journal {path}: no such file", code="journal_unreadable"
        )
    engine = create_engine(
        f"sqlite:///file:{quote(str(path))}?mode=ro&uri=true", connect_args={"timeout": 10}
    )
    try:
        with engine.connect() as conn:
            meta = {k: v for k, v in conn.execute(select(_meta.c.key, _meta.c.value))}
            conn.execute(select(_certificates.c.number).limit(1)).all()
    except SQLAlchemyError as exc:
        engine.dispose()
        raise _unreadable(path, exc) from exc
    return engine, {k: meta[k] for k in ("chain_id", "registry", "issuer_id") if k in meta}


def _unreadable(path: Path, exc: SQLAlchemyError) -> JournalError:
    reason = getattr(exc, "orig", None) or exc
    return JournalError(
        f"cannot read the journal {path} to check certificate numbers: {reason}",
        code="journal_unreadable",
    )


def _refuse(taken: Sequence[str]) -> None:
    if taken:
        raise JournalError(
            f"certificate number(s) already in the journal: {_few(taken)} (numbers are unique per "
            "issuing body; if an earlier run was interrupted, use --resume)",
            code="duplicate_number",
        )


def _few(items: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _batch(row: Any) -> BatchRecord:
    return BatchRecord(
        id=row["id"],
        state=BatchState(row["state"]),
        leaf_count=row["leaf_count"],
        root=bytes(row["root"]) if row["root"] is not None else None,
        signature=bytes(row["signature"]) if row["signature"] is not None else None,
        signer=row["signer"],
        epoch=row["epoch"],
        deadline=row["deadline"],
        sender=row["sender"],
        tx_hash=row["tx_hash"],
        block_number=row["block_number"],
        gas_used=row["gas_used"],
        out_dir=row["out_dir"],
        files_written=bool(row["files_written"]),
        created_at=row["created_at"],
    )


_CERT_COLUMNS = (
    "number", "batch_id", "leaf_index", "document", "seed", "field_hashes", "target_hash", "leaf", "file_name",
)  # fmt: skip


def _cert_row(batch_id: int, c: PreparedCertificate) -> tuple[Any, ...]:
    return (
        c.number, batch_id, c.leaf_index, c.document_json, c.seed, c.field_hashes, c.target_hash, c.leaf, c.file_name,
    )  # fmt: skip


def _insert_many(
    conn: Connection, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """``executemany`` straight to the driver: SQLAlchemy's per-value processing (four blobs per
    certificate) costs more than SQLite itself on a 10,000-certificate batch. The statement is
    still compiled by SQLAlchemy for the journal's dialect and paramstyle."""
    compiled = insert(table).compile(dialect=conn.dialect, column_keys=list(columns))
    if compiled.positional:
        order = [columns.index(name) for name in compiled.positiontup or ()]
        params: list[Any] = (
            [tuple(r[i] for i in order) for r in rows]
            if order != list(range(len(columns)))
            else rows
        )
    else:
        params = [dict(zip(columns, r, strict=False)) for r in rows]
    conn.exec_driver_sql(str(compiled), params)


def _certificate(row: Any) -> PreparedCertificate:
    return PreparedCertificate(
        number=row["number"],
        leaf_index=row["leaf_index"],
        document_json=row["document"],
        seed=bytes(row["seed"]),
        field_hashes=bytes(row["field_hashes"]),
        target_hash=bytes(row["target_hash"]),
        leaf=bytes(row["leaf"]),
        file_name=row["file_name"],
    )


def _action(row: Any) -> ActionRecord:
    return ActionRecord(
        id=row["id"],
        kind=ActionKind(row["kind"]),
        number=row["number"],
        new_number=row["new_number"],
        reason=row["reason"],
        state=ActionState(row["state"]),
        tx_hash=row["tx_hash"],
        block_number=row["block_number"],
        gas_used=row["gas_used"],
        error=row["error"],
        created_at=row["created_at"],
    )
