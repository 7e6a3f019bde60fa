"""The desk's tables: chambers, companies, users, applications, their events and attachments,
API keys and idempotency keys (SQLAlchemy 2 declarative; SQLite for the demo, PostgreSQL in
production, the schema made by the Alembic migration in ``desk/migrations``).

Events are append-only: the ORM refuses to update or delete one (``_refuse_change``), and the
PostgreSQL migration adds a trigger that refuses it in SQL too.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from origincert.webkit.throttle import ThrottleColumns

__all__ = [
    "ApiKey",
    "Application",
    "Approval",
    "Attachment",
    "Base",
    "Chamber",
    "Company",
    "CompanyStatus",
    "Event",
    "FormSettings",
    "IdempotencyKey",
    "LoginThrottle",
    "OutboxMail",
    "Product",
    "Role",
    "Status",
    "User",
    "utcnow",
]


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Role(enum.StrEnum):
    EXPORTER_ADMIN = "exporter-admin"  # invites the company's users, manages its API keys
    EXPORTER = "exporter"
    CLERK = "clerk"
    CHAMBER_ADMIN = "chamber-admin"


class CompanyStatus(enum.StrEnum):
    PENDING = "pending"  # registered, not yet accepted by the chamber
    ACTIVE = "active"
    SUSPENDED = "suspended"


class Status(enum.StrEnum):
    """An application's status, in words an exporter understands (see ``desk.status``)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    AMENDMENT_REQUESTED = "amendment_requested"
    APPROVED = "approved"
    ISSUED = "issued"
    REJECTED = "rejected"
    REVOKED = "revoked"
    REPLACED = "replaced"


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UtcDateTime()}


class Chamber(Base):
    __tablename__ = "chambers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)  # prefix of certificate numbers
    name: Mapped[str] = mapped_column(String(200))
    economy: Mapped[str] = mapped_column(String(2))
    place: Mapped[str] = mapped_column(String(100))  # the certificate's issue_place
    # four-eyes rule: a company's first N applications need a second clerk (0: never)
    four_eyes_first: Mapped[int] = mapped_column(Integer, default=0)
    fee_cents: Mapped[int] = mapped_column(Integer, default=0)  # recorded per certificate
    # four-eyes rule: a known product (the company's HS code) claimed under another origin
    # criterion than its last issued certificate needs a second clerk
    four_eyes_origin_change: Mapped[bool] = mapped_column(Boolean, default=False)
    # the worker's batch: one root every N seconds or N certificates (None: the worker's flags)
    batch_size: Mapped[int | None] = mapped_column(Integer)
    batch_wait_seconds: Mapped[int | None] = mapped_column(Integer)


class Company(Base):
    __tablename__ = "companies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chamber_id: Mapped[int] = mapped_column(ForeignKey("chambers.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default=CompanyStatus.PENDING.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))  # argon2id
    role: Mapped[str] = mapped_column(String(16))
    # exporters belong to a company, clerks and chamber admins to a chamber (a company's chamber
    # is the exporter's chamber too: ``chamber_id`` is set for every user)
    chamber_id: Mapped[int] = mapped_column(ForeignKey("chambers.id"), index=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    language: Mapped[str | None] = mapped_column(String(8))  # None: the browser's choice
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Application(Base):
    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # what URLs and the API show: unguessable, so an id says nothing of another company's volume
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    chamber_id: Mapped[int] = mapped_column(ForeignKey("chambers.id"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(24), index=True, default=Status.DRAFT.value)
    version: Mapped[int] = mapped_column(Integer, default=1)  # bumped by every transition
    number: Mapped[str] = mapped_column(String(40), unique=True)  # the certificate number
    form: Mapped[str] = mapped_column(String(16))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)  # the exporter's fields
    approvals_needed: Mapped[int] = mapped_column(Integer, default=1)
    reason_code: Mapped[str | None] = mapped_column(String(40))
    comment: Mapped[str | None] = mapped_column(Text)
    comment_field: Mapped[str | None] = mapped_column(String(120))
    declared_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    declared_at: Mapped[datetime | None] = mapped_column()
    declared_ip: Mapped[str | None] = mapped_column(String(64))
    submitted_at: Mapped[datetime | None] = mapped_column(index=True)
    approved_at: Mapped[datetime | None] = mapped_column()
    issued_at: Mapped[datetime | None] = mapped_column()
    batch_id: Mapped[int | None] = mapped_column(Integer)  # the journal's batch
    issued_file: Mapped[str | None] = mapped_column(Text)
    fee_cents: Mapped[int | None] = mapped_column(Integer)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    # a clerk asked the worker to revoke this issued certificate (the worker alone holds the key)
    revoke_reason: Mapped[str | None] = mapped_column(String(40))
    revoke_comment: Mapped[str | None] = mapped_column(Text)
    revoke_requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoke_requested_at: Mapped[datetime | None] = mapped_column()
    issue_error: Mapped[str | None] = mapped_column(Text)  # the ledger refused; a clerk decides
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class FormSettings(Base):
    """A chamber's template (prefilled fields) and fee for one certificate form."""

    __tablename__ = "form_settings"
    __table_args__ = (UniqueConstraint("chamber_id", "form"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chamber_id: Mapped[int] = mapped_column(ForeignKey("chambers.id"))
    form: Mapped[str] = mapped_column(String(16))
    fee_cents: Mapped[int | None] = mapped_column(Integer)  # None: the chamber's fee
    template: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Approval(Base):
    """One clerk's approval; the four-eyes rule counts distinct clerks."""

    __tablename__ = "approvals"
    __table_args__ = (UniqueConstraint("application_id", "clerk_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    clerk_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Event(Base):
    """Who did what, when, with the state before and after. Never changed, never deleted."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    chamber_id: Mapped[int | None] = mapped_column(ForeignKey("chambers.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(String(254))  # e-mail, "api:<key prefix>" or "worker"
    action: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    ip: Mapped[str | None] = mapped_column(String(64))


class Attachment(Base):
    """A file an exporter attached; the bytes live in the blob store under ``sha256``."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))  # invoice, packing_list, bill_of_lading, other
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(200))  # the uploaded name, shown, never a path
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiKey(Base):
    """A company's API key: only its SHA-256 is kept (the key is random, 256 bits)."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))  # acts as this user
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column()


class IdempotencyKey(Base):
    """A client's Idempotency-Key and what its first request created."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("company_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    key: Mapped[str] = mapped_column(String(100))
    request_hash: Mapped[str] = mapped_column(String(64))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class LoginThrottle(ThrottleColumns, Base):
    """Sign-in attempts per (account, address) and per address, counted before the password is
    checked (the web kit's throttle, as the portal's)."""

    __tablename__ = "login_throttle"


class OutboxMail(Base):
    """An e-mail to send, written in the same transaction as the status change it tells of; the
    sender (``desk.mailer``) claims a row before sending it, so it is never sent twice."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    to_addr: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(300))  # a path; the sender adds the desk's address
    status: Mapped[str] = mapped_column(String(12), index=True, default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()


class Product(Base):
    """A company's saved goods (HS code, description, origin criterion, ...) reused in its
    applications; ``item`` holds the goods item's fields the product fixes."""

    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("company_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(200))
    item: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class EventImmutable(Exception):
    """An attempt to change or delete a recorded event."""


@event.listens_for(Event, "before_update")
@event.listens_for(Event, "before_delete")
def _refuse_change(_mapper: Any, _connection: Any, _target: Event) -> None:
    raise EventImmutable("events are append-only")
