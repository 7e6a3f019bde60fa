"""Chambers, companies, users and API keys: created and checked the same way by the CLI, the
chamber admin's pages and the tests. No Flask here."""

from __future__ import annotations

import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from origincert.desk.errors import Conflict, Invalid
from origincert.desk.models import ApiKey, Chamber, Company, CompanyStatus, Role, User, utcnow
from origincert.webkit import passwords

__all__ = [
    "API_KEY_PREFIX",
    "KeyHolder",
    "authenticate",
    "create_api_key",
    "create_chamber",
    "create_company",
    "create_user",
    "holder_of_key",
    "set_company_status",
]

API_KEY_PREFIX = "ocd_"
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{2,}$")
_CODE = re.compile(r"^[A-Z0-9]{2,16}$")


def create_chamber(
    db: Session,
    *,
    code: str,
    name: str,
    economy: str,
    place: str,
    four_eyes_first: int = 0,
    fee_cents: int = 0,
) -> Chamber:
    if not _CODE.fullmatch(code):
        raise Invalid("a chamber code is 2 to 16 of A-Z and 0-9", code="chamber_code_invalid")
    if db.scalar(select(Chamber).where(Chamber.code == code)) is not None:
        raise Conflict(f"chamber {code} exists", code="chamber_exists")
    chamber = Chamber(
        code=code,
        name=name,
        economy=economy,
        place=place,
        four_eyes_first=four_eyes_first,
        fee_cents=fee_cents,
    )
    db.add(chamber)
    db.flush()
    return chamber


def create_company(
    db: Session, chamber: Chamber, name: str, *, status: CompanyStatus = CompanyStatus.PENDING
) -> Company:
    if not name.strip() or len(name) > 200:
        raise Invalid("give the company's name (at most 200 characters)", code="name_invalid")
    company = Company(chamber_id=chamber.id, name=name.strip(), status=status.value)
    db.add(company)
    db.flush()
    return company


def set_company_status(db: Session, company: Company, status: CompanyStatus) -> None:
    company.status = status.value


def create_user(
    db: Session,
    ph: PasswordHasher,
    *,
    email: str,
    name: str,
    password: str,
    role: Role,
    chamber: Chamber,
    company: Company | None = None,
) -> User:
    """A user; exporters need their company (of this chamber), clerks and admins none."""
    email = email.strip().lower()
    if not _EMAIL.fullmatch(email):
        raise Invalid("give a valid e-mail address", code="email_invalid")
    exporter = role in (Role.EXPORTER, Role.EXPORTER_ADMIN)
    if exporter != (company is not None) or (company and company.chamber_id != chamber.id):
        raise Invalid(
            "exporters belong to a company of the chamber; clerks to none", code="role_mismatch"
        )
    if db.scalar(select(User).where(User.email == email)) is not None:
        raise Conflict(f"{email} already has an account", code="email_taken")
    try:
        passwords.check_strength(password)
    except passwords.PasswordError as exc:
        raise Invalid(str(exc), code=exc.code, problems=[("password", str(exc))]) from None
    user = User(
        email=email,
        name=name.strip()[:200] or email,
        password_hash=ph.hash(password),
        role=role.value,
        chamber_id=chamber.id,
        company_id=company.id if company is not None else None,
    )
    db.add(user)
    db.flush()
    return user


def authenticate(db: Session, ph: PasswordHasher, email: str, password: str) -> User | None:
    """The active user with these credentials, or None (the same for every failure)."""
    user = db.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        ph.hash(password[:64])  # the same time whether or not the user exists
        return None
    if not user.active or not passwords.verify(ph, user.password_hash, password):
        return None
    if ph.check_needs_rehash(user.password_hash):
        user.password_hash = ph.hash(password)
    return user


def create_api_key(db: Session, user: User, label: str) -> tuple[ApiKey, str]:
    """A new API key acting as ``user`` (an exporter); the key is shown once, only its hash kept."""
    if user.company_id is None:
        raise Invalid("API keys belong to an exporter's company", code="api_key_exporter_only")
    key = passwords.new_key(API_KEY_PREFIX)
    row = ApiKey(
        company_id=user.company_id,
        user_id=user.id,
        prefix=key[: len(API_KEY_PREFIX) + 6],
        key_hash=passwords.key_hash(key),
        label=label[:100] or "API key",
    )
    db.add(row)
    db.flush()
    return row, key


@dataclass(frozen=True, slots=True)
class KeyHolder:
    key: ApiKey
    user: User


def holder_of_key(db: Session, key: str) -> KeyHolder | None:
    """The key's row and its user, when the key is live and its user and company active."""
    if not key.startswith(API_KEY_PREFIX) or len(key) > 100:
        return None
    row = db.scalar(select(ApiKey).where(ApiKey.key_hash == passwords.key_hash(key)))
    if row is None or row.revoked_at is not None:
        return None
    user = db.get(User, row.user_id)
    company = db.get(Company, row.company_id)
    if user is None or not user.active or company is None:
        return None
    if company.status != CompanyStatus.ACTIVE:
        return None
    return KeyHolder(row, user)


def revoke_api_key(db: Session, key: ApiKey) -> None:
    key.revoked_at = utcnow()
