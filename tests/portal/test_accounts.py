"""Accounts without Flask: password rules, lock-out arithmetic, tokens stored as hashes only."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from origincert.portal import accounts
from origincert.portal.db import Base, Officer, make_engine

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)
POLICY = accounts.LoginPolicy(max_failures=3, lockout=timedelta(minutes=10))


@pytest.fixture
def dbs() -> Iterator[Session]:
    engine = make_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        yield session
    engine.dispose()


@pytest.fixture
def ph() -> accounts.PasswordHasher:
    return accounts.hasher("CHEAPEST")


@pytest.fixture
def anna(dbs: Session, ph: accounts.PasswordHasher) -> Officer:
    office = accounts.ensure_office(dbs, "DEHAM-1", "Hamburg")
    return accounts.create_officer(
        dbs, ph, username="anna", full_name="Anna", office=office, password="twelve chars!"
    )


def test_password_is_stored_as_argon2id(anna, ph) -> None:  # type: ignore[no-untyped-def]
    assert anna.password_hash.startswith("$argon2id$")
    assert "twelve chars!" not in anna.password_hash


def test_default_profile_is_rfc_9106_low_memory() -> None:
    params = accounts.hasher().memory_cost, accounts.hasher().time_cost
    assert params == (65536, 3)


def test_unknown_profile() -> None:
    with pytest.raises(accounts.AccountError, match="unknown argon2 profile"):
        accounts.hasher("FASTEST_PLEASE")


def test_lock_after_max_failures_then_unlock_by_time(dbs: Session, ph, anna) -> None:  # type: ignore[no-untyped-def]
    codes = [accounts.authenticate(dbs, ph, "anna", "wrong", POLICY, NOW).code for _ in range(3)]
    assert codes == ["bad_credentials", "bad_credentials", "locked"]
    assert anna.locked_until == NOW + timedelta(minutes=10)
    assert (
        accounts.authenticate(
            dbs, ph, "anna", "twelve chars!", POLICY, NOW + timedelta(minutes=9)
        ).code
        == "locked"
    )
    later = accounts.authenticate(
        dbs, ph, "anna", "twelve chars!", POLICY, NOW + timedelta(minutes=10, seconds=1)
    )
    assert later.code == "ok" and later.officer is anna
    assert anna.failed_logins == 0 and anna.locked_until is None and anna.last_login_at is not None


def test_a_lock_does_not_grow_while_locked(dbs: Session, ph, anna) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        accounts.authenticate(dbs, ph, "anna", "wrong", POLICY, NOW)
    until = anna.locked_until
    accounts.authenticate(dbs, ph, "anna", "wrong", POLICY, NOW + timedelta(minutes=5))
    assert anna.locked_until == until


def test_outdated_hash_is_upgraded_on_sign_in(dbs: Session, anna) -> None:  # type: ignore[no-untyped-def]
    stronger = accounts.hasher("RFC_9106_LOW_MEMORY")
    assert accounts.authenticate(dbs, stronger, "anna", "twelve chars!", POLICY, NOW).code == "ok"
    assert stronger.check_needs_rehash(anna.password_hash) is False


def test_set_password_signs_out_everywhere(ph, anna) -> None:  # type: ignore[no-untyped-def]
    epoch = anna.session_epoch
    accounts.set_password(anna, ph, "a brand new password")
    assert anna.session_epoch == epoch + 1
    assert accounts.verify_password(ph, anna.password_hash, "a brand new password")
    with pytest.raises(accounts.AccountError, match="at least 12 characters"):
        accounts.set_password(anna, ph, "short")


def test_corrupt_stored_hash_is_a_failed_sign_in(dbs: Session, ph, anna) -> None:  # type: ignore[no-untyped-def]
    anna.password_hash = "not-a-hash"
    assert (
        accounts.authenticate(dbs, ph, "anna", "twelve chars!", POLICY, NOW).code
        == "bad_credentials"
    )


@pytest.mark.parametrize("code", ["", "A", "lower", "WITH SPACE", "-START", "X" * 33])
def test_office_codes(dbs: Session, code: str) -> None:
    with pytest.raises(accounts.AccountError, match="an office code"):
        accounts.ensure_office(dbs, code, "Name")


def test_new_office_needs_a_name(dbs: Session) -> None:
    with pytest.raises(accounts.AccountError, match="give its name"):
        accounts.ensure_office(dbs, "NEW-1")


def test_tokens_are_stored_as_hashes_and_revocable(dbs: Session, anna) -> None:  # type: ignore[no-untyped-def]
    token, clear = accounts.issue_token(dbs, name="ATLAS", office=anna.office, created_by="boss")
    assert clear.startswith("oct_") and len(clear) > 40
    assert clear not in (token.token_hash, token.prefix) and clear.startswith(token.prefix)
    assert accounts.token_for(dbs, clear) == accounts.TokenHolder(token.id, "ATLAS", "DEHAM-1")
    assert accounts.token_for(dbs, clear + "x") is None
    assert accounts.token_for(dbs, "Bearer " + clear) is None
    accounts.revoke_token(token, NOW)
    assert accounts.token_for(dbs, clear) is None
    accounts.revoke_token(token, NOW + timedelta(days=1))
    assert token.revoked_at == NOW  # the first revocation time stays


def test_two_tokens_differ(dbs: Session, anna) -> None:  # type: ignore[no-untyped-def]
    _, a = accounts.issue_token(dbs, name="A", office=anna.office, created_by="x")
    _, b = accounts.issue_token(dbs, name="A", office=anna.office, created_by="x")
    assert a != b
