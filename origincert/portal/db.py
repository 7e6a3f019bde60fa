"""The portal's database: tables, one engine per app, one session per request.

SQLite (the default and the demo: a file in the instance folder, in WAL mode so several
gunicorn workers can log at once) or PostgreSQL (``DATABASE_URL=postgresql+psycopg://…``).
The schema is made and changed by Alembic migrations (``portal/migrations``), run to the
latest revision when the app starts; a database made before migrations is adopted as the
baseline revision.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from flask import Flask, current_app, g
from sqlalchemy import (
    BigInteger,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    create_engine,
    event,
    inspect,
    text,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    mapped_column,
    relationship,
    sessionmaker,
)

from origincert.webkit.throttle import ThrottleColumns

__all__ = [
    "ApiToken",
    "Base",
    "IndexedCertificate",
    "LoginThrottle",
    "Office",
    "Officer",
    "Verification",
    "init_app",
    "migrate",
    "release",
    "session",
    "utcnow",
]


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, whatever the database keeps."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    pass


class Office(Base):
    """A customs office; officers and API tokens belong to one."""

    __tablename__ = "offices"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))


class Officer(Base):
    __tablename__ = "officers"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    password_hash: Mapped[str] = mapped_column(String(256))
    is_admin: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # bumped on logout, password change and deactivation: every older session cookie stops working
    session_epoch: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    language: Mapped[str | None] = mapped_column(
        String(8)
    )  # the portal's language; None: browser's

    office: Mapped[Office] = relationship(lazy="joined")


class ApiToken(Base):
    """A customs system's credential. Only the SHA-256 of the token is kept: it is 256 random bits,
    so a fast hash is as safe as a slow one and keeps every API call cheap."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(
        String(16)
    )  # shown in lists so people can tell tokens apart
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    office: Mapped[Office] = relationship(lazy="joined")


class Verification(Base):
    """One entry of the verification log: who checked what, when, where, and what the portal said.

    ``result_json`` keeps the whole result as shown, so the verdict page can be reopened and
    printed later exactly as the officer saw it.
    """

    __tablename__ = "verifications"
    __table_args__ = (
        Index("ix_verifications_created_at", "created_at"),
        Index("ix_verifications_number", "certificate_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(120))  # officer username, or "api:<token name>"
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    office_code: Mapped[str] = mapped_column(String(32), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    certificate_number: Mapped[str | None] = mapped_column(String(64))
    issuer: Mapped[str | None] = mapped_column(String(200))
    verdict: Mapped[str] = mapped_column(String(16), index=True)
    reason_code: Mapped[str] = mapped_column(String(64))
    result_json: Mapped[str] = mapped_column(Text)


class IndexedCertificate(Base):
    """An issued file the portal has seen, so an officer can verify it by typing its number.

    Archive files are read from ``path`` at lookup time; uploaded files are kept in ``content``.
    """

    __tablename__ = "certificate_index"
    __table_args__ = (UniqueConstraint("number", "target_hash", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(64), index=True)
    target_hash: Mapped[str] = mapped_column(String(66), index=True)  # QR references look it up
    source: Mapped[str] = mapped_column(String(10))  # "archive" or "upload"
    path: Mapped[str | None] = mapped_column(String(1024), unique=True)
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    mtime_ns: Mapped[int | None] = mapped_column(BigInteger)  # nanoseconds: past 32 bits
    issuer_name: Mapped[str | None] = mapped_column(String(200))
    issue_date: Mapped[str | None] = mapped_column(String(10))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LoginThrottle(ThrottleColumns, Base):
    """Sign-in attempts counted per key (an account from one address, or one address), in the
    database so every worker and host sees the same count (see :mod:`origincert.portal.throttle`;
    the columns are the web kit's).
    """

    __tablename__ = "login_throttle"


def make_engine(url: str) -> Engine:
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout = 10000")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


_MIGRATIONS = Path(__file__).parent / "migrations"
_BASELINE = "0001"
_LOCK = 0x6F726967  # PostgreSQL advisory lock: one process migrates at a time


def _alembic_config(connection: Connection) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the schema to the latest migration (a no-op when it is there already).

    Several workers may start at once: PostgreSQL serialises them with an advisory lock;
    SQLite with its write lock, and a worker that lost the race finds the work done.
    """
    for attempt in range(3):
        try:
            with engine.begin() as connection:
                if connection.dialect.name == "postgresql":
                    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK})
                cfg = _alembic_config(connection)
                tables = set(inspect(connection).get_table_names())
                if "alembic_version" not in tables and "verifications" in tables:
                    command.stamp(cfg, _BASELINE)  # made by create_all before migrations
                command.upgrade(cfg, "head")
            return
        except OperationalError as exc:
            if attempt == 2 or not any(
                word in str(exc) for word in ("already exists", "locked", "UNIQUE")
            ):
                raise


def create_schema(engine: Engine) -> None:
    """The schema at the latest migration (kept for callers of the earlier name)."""
    migrate(engine)


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    migrate(engine)
    app.extensions["origincert_db"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def session() -> Session:
    """The request's database session (opened on first use, closed when the request ends)."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["origincert_db"]()
    return g.db_session  # type: ignore[no-any-return]


def release() -> None:
    """Give the request's connection back to the pool (objects already loaded stay readable).

    Called before a request waits on another thread that may itself need a connection, so that
    request threads can never take every pooled connection and wait forever.
    """
    s = g.pop("db_session", None)
    if s is not None:
        s.close()


def _close_session(_exc: BaseException | None) -> None:
    s = g.pop("db_session", None)
    if s is not None:
        s.close()
