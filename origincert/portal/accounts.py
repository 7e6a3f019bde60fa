"""Offices, officers, passwords, lock-out and API tokens: the rules, over a database session.

No Flask here, so the CLI and the portal's admin pages create accounts the same way.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from origincert.errors import AccountError
from origincert.portal import throttle
from origincert.portal.db import ApiToken, Office, Officer, utcnow
from origincert.webkit.passwords import MIN_PASSWORD_LENGTH, hasher
from origincert.webkit.passwords import check_strength as check_password_strength
from origincert.webkit.passwords import key_hash as token_hash
from origincert.webkit.passwords import verify as verify_password

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "AccountError",
    "LoginOutcome",
    "LoginPolicy",
    "TokenHolder",
    "authenticate",
    "create_officer",
    "ensure_office",
    "hasher",
    "issue_token",
    "revoke_token",
    "set_password",
    "token_for",
    "verify_password",
]

TOKEN_PREFIX = "oct_"
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}[a-z0-9]$")
_OFFICE_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,30}[A-Z0-9]$")


def ensure_office(db: Session, code: str, name: str | None = None) -> Office:
    """The office with ``code``, created (with ``name``) if it does not exist yet."""
    if not _OFFICE_CODE.fullmatch(code):
        raise AccountError(
            "an office code is 2 to 32 characters of A-Z, 0-9 and '-', like DEHAM-1",
            code="office_code_invalid",
        )
    office = db.scalar(select(Office).where(Office.code == code))
    if office is None:
        if not name or not name.strip():
            raise AccountError(
                f"office {code} does not exist yet: give its name", code="office_name_missing"
            )
        office = Office(code=code, name=name.strip())
        db.add(office)
        db.flush()
    return office


def create_officer(
    db: Session,
    ph: PasswordHasher,
    *,
    username: str,
    full_name: str,
    office: Office,
    password: str,
    is_admin: bool = False,
) -> Officer:
    if not _USERNAME.fullmatch(username):
        raise AccountError(
            "a username is 3 to 64 characters of a-z, 0-9, '.', '_' and '-'",
            code="username_invalid",
        )
    if not full_name.strip() or len(full_name) > 200:
        raise AccountError(
            "give the officer's full name (at most 200 characters)", code="full_name_invalid"
        )
    if db.scalar(select(Officer).where(Officer.username == username)) is not None:
        raise AccountError(f"the username {username} is taken", code="username_taken")
    check_password_strength(password)
    officer = Officer(
        username=username,
        full_name=full_name.strip(),
        office=office,
        password_hash=ph.hash(password),
        is_admin=is_admin,
    )
    db.add(officer)
    db.flush()
    return officer


def set_password(officer: Officer, ph: PasswordHasher, password: str) -> None:
    """New password; also lifts a lock-out and signs the officer out everywhere."""
    check_password_strength(password)
    officer.password_hash = ph.hash(password)
    officer.failed_logins = 0
    officer.locked_until = None
    officer.session_epoch += 1


@dataclass(frozen=True, slots=True)
class LoginPolicy:
    """How sign-in attempts are throttled (see :mod:`origincert.portal.throttle`).

    ``max_failures`` free attempts per account from one address, then growing delays starting at
    ``first_delay`` and capped at ``lockout``; an address gets ``source_max_failures`` free
    attempts over all accounts, then the same delays.
    """

    max_failures: int = 5
    lockout: timedelta = timedelta(minutes=15)
    first_delay: timedelta = timedelta(seconds=30)
    source_max_failures: int = 30
    forget_after: timedelta = timedelta(hours=1)

    def rules(self) -> tuple[throttle.Rule, throttle.Rule]:
        ms = (
            int(self.first_delay.total_seconds() * 1000),
            int(self.lockout.total_seconds() * 1000),
            int(self.forget_after.total_seconds() * 1000),
        )
        return throttle.Rule(self.max_failures, *ms), throttle.Rule(self.source_max_failures, *ms)


@dataclass(frozen=True, slots=True)
class LoginOutcome:
    """``code`` is ``ok`` or ``refused``; ``reason`` (for the security log only, never shown):
    ``bad_credentials``, ``unknown_user``, ``throttled`` or ``inactive``.

    ``throttle_started`` is set when this attempt started a delay: administrators are told.
    """

    code: str
    reason: str = ""
    officer: Officer | None = None
    throttle_started: bool = False
    wait_until: datetime | None = None


# Verified against when the username is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASHES: dict[int, str] = {}


def _dummy_hash(ph: PasswordHasher) -> str:
    key = id(ph)
    if key not in _DUMMY_HASHES:
        _DUMMY_HASHES[key] = ph.hash(secrets.token_hex(16))
    return _DUMMY_HASHES[key]


def authenticate(
    db: Session,
    ph: PasswordHasher,
    username: str,
    password: str,
    policy: LoginPolicy,
    *,
    source: str,
    now: datetime | None = None,
) -> LoginOutcome:
    """Check a sign-in from address ``source``: counted first, then exactly one password check.

    Every refusal looks the same from outside (one argon2 verification each, whatever the
    reason), so neither the answer nor its timing tells an unknown name from a throttled,
    deactivated or real account. The attempt is counted and committed before the password is
    checked; the caller commits the rest.
    """
    now = now or utcnow()
    name = username.strip().lower()[:64]
    per_account, per_source = policy.rules()
    pair, addr = throttle.admit(
        db,
        name,
        source,
        per_account=per_account,
        per_source=per_source,
        now_ms=int(now.timestamp() * 1000),
    )
    officer = db.scalar(select(Officer).where(Officer.username == name))
    wait_ms = max(pair.wait_until_ms, addr.wait_until_ms)
    wait_until = datetime.fromtimestamp(wait_ms / 1000, UTC) if wait_ms else None
    started = pair.started_delay or addr.started_delay
    if officer is not None and pair.wait_until_ms and wait_until is not None:
        # shown on the administrators' page: this account is being guessed at from somewhere
        officer.locked_until = max(officer.locked_until or wait_until, wait_until)
    if not (pair.allowed and addr.allowed):
        verify_password(ph, _dummy_hash(ph), password)
        return LoginOutcome("refused", "throttled", officer, started, wait_until)
    if officer is None:
        verify_password(ph, _dummy_hash(ph), password)
        return LoginOutcome("refused", "unknown_user", None, started, wait_until)
    if not verify_password(ph, officer.password_hash, password):
        officer.failed_logins += 1
        return LoginOutcome("refused", "bad_credentials", officer, started, wait_until)
    if not officer.active:
        return LoginOutcome("refused", "inactive", officer, started, wait_until)
    throttle.succeeded(db, name, source)
    officer.failed_logins = 0
    officer.locked_until = None
    officer.last_login_at = now
    if ph.check_needs_rehash(officer.password_hash):
        officer.password_hash = ph.hash(password)
    return LoginOutcome("ok", officer=officer)


def issue_token(db: Session, *, name: str, office: Office, created_by: str) -> tuple[ApiToken, str]:
    """A new API token; the clear token is returned once and never stored."""
    name = name.strip()
    if not name or len(name) > 100:
        raise AccountError(
            "give the token a name of 1 to 100 characters, e.g. the system using it",
            code="token_name_invalid",
        )
    clear = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=name,
        office=office,
        token_hash=token_hash(clear),
        prefix=clear[: len(TOKEN_PREFIX) + 6],
        created_by=created_by,
    )
    db.add(token)
    db.flush()
    return token, clear


def revoke_token(token: ApiToken, now: datetime | None = None) -> None:
    if token.revoked_at is None:
        token.revoked_at = now or utcnow()


@dataclass(frozen=True, slots=True)
class TokenHolder:
    """Who an API call comes from: the token's id and name, and its office."""

    token_id: int
    name: str
    office_code: str


def token_for(db: Session, clear: str) -> TokenHolder | None:
    """The holder of the live token ``clear``, or None (unknown or revoked).

    Read as plain columns (no ORM objects): it runs on every API call.
    """
    if not clear.startswith(TOKEN_PREFIX) or len(clear) > 200:
        return None
    row = db.execute(
        select(ApiToken.id, ApiToken.name, Office.code)
        .join(Office, ApiToken.office_id == Office.id)
        .where(ApiToken.token_hash == token_hash(clear), ApiToken.revoked_at.is_(None))
    ).first()
    return None if row is None else TokenHolder(row[0], row[1], row[2])
