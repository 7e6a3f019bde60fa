"""Accounts without Flask: password rules, sign-in throttling arithmetic, tokens stored as hashes only."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from origincert.portal import accounts, throttle
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


def _try(
    dbs: Session, ph, password: str, at: datetime, source: str = "10.0.0.1", user: str = "anna"
):  # type: ignore[no-untyped-def]
    return accounts.authenticate(dbs, ph, user, password, POLICY, source=source, now=at)


def test_free_attempts_then_growing_delays(dbs: Session, ph, anna) -> None:  # type: ignore[no-untyped-def]
    reasons = [_try(dbs, ph, "wrong", NOW).reason for _ in range(3)]
    assert reasons == ["bad_credentials"] * 3
    fourth = _try(dbs, ph, "twelve chars!", NOW)  # even the right password waits now
    assert (fourth.code, fourth.reason, fourth.throttle_started) == ("refused", "throttled", True)
    assert fourth.wait_until == NOW + timedelta(seconds=30)
    assert anna.locked_until == NOW + timedelta(seconds=30)  # shown to administrators
    assert _try(dbs, ph, "twelve chars!", NOW + timedelta(seconds=29)).reason == "throttled"
    # after the delay, one attempt is checked, and the next delay doubles
    assert _try(dbs, ph, "wrong", NOW + timedelta(seconds=31)).reason == "bad_credentials"
    assert _try(dbs, ph, "twelve chars!", NOW + timedelta(seconds=80)).reason == "throttled"
    assert _try(dbs, ph, "twelve chars!", NOW + timedelta(seconds=92)).code == "ok"
    assert anna.locked_until is None and anna.last_login_at is not None
    # a success starts the pair again from zero
    assert _try(dbs, ph, "wrong", NOW + timedelta(seconds=93)).reason == "bad_credentials"


def test_delays_stop_growing_at_the_lockout(dbs: Session, ph, anna) -> None:  # type: ignore[no-untyped-def]
    at = NOW
    waits = []
    for _ in range(12):
        outcome = _try(dbs, ph, "wrong", at)
        if outcome.reason == "bad_credentials" and outcome.wait_until is not None:
            waits.append(outcome.wait_until - at)
        at = max(at, outcome.wait_until or at) + timedelta(seconds=1)
    assert waits[:4] == [timedelta(seconds=s) for s in (60, 120, 240, 480)]
    assert waits[-1] == timedelta(minutes=10)  # POLICY.lockout caps it


def test_a_guesser_elsewhere_never_locks_the_officer_out(dbs: Session, ph, anna) -> None:  # type: ignore[no-untyped-def]
    for _ in range(10):
        _try(dbs, ph, "wrong", NOW, source="203.0.113.9")
    assert _try(dbs, ph, "wrong", NOW, source="203.0.113.9").reason == "throttled"
    assert _try(dbs, ph, "twelve chars!", NOW, source="10.1.2.3").code == "ok"


def test_an_address_guessing_many_accounts_is_slowed(dbs: Session, ph, anna) -> None:  # type: ignore[no-untyped-def]
    names = [f"user{i}" for i in range(POLICY.source_max_failures)]
    reasons = {_try(dbs, ph, "wrong", NOW, source="198.51.100.7", user=n).reason for n in names}
    assert reasons == {"unknown_user"}
    assert _try(dbs, ph, "twelve chars!", NOW, source="198.51.100.7").reason == "throttled"
    assert _try(dbs, ph, "twelve chars!", NOW, source="198.51.100.8").code == "ok"


def test_every_refusal_costs_one_password_check(dbs: Session, ph, anna) -> None:  # type: ignore[no-untyped-def]
    calls = []
    real = accounts.verify_password

    def counting(hasher, stored, password):  # type: ignore[no-untyped-def]
        calls.append(stored)
        return real(hasher, stored, password)

    accounts.verify_password = counting  # type: ignore[assignment]
    try:
        anna.active = False
        outcomes = [_try(dbs, ph, "twelve chars!", NOW)]  # inactive, right password
        outcomes += [_try(dbs, ph, "wrong", NOW) for _ in range(2)]
        outcomes += [_try(dbs, ph, "wrong", NOW, user="nobody")]
        outcomes += [_try(dbs, ph, "twelve chars!", NOW) for _ in range(2)]  # throttled
    finally:
        accounts.verify_password = real  # type: ignore[assignment]
    assert [o.reason for o in outcomes] == [
        "inactive",
        "bad_credentials",
        "bad_credentials",
        "unknown_user",
        "throttled",
        "throttled",
    ]
    assert {o.code for o in outcomes} == {"refused"}
    assert len(calls) == len(outcomes)


def test_unlock_lifts_every_delay(dbs: Session, ph, anna) -> None:  # type: ignore[no-untyped-def]
    for source in ("10.0.0.1", "10.0.0.2"):
        for _ in range(4):
            _try(dbs, ph, "wrong", NOW, source=source)
    assert throttle.forget_account(dbs, "anna") == 2
    assert _try(dbs, ph, "twelve chars!", NOW, source="10.0.0.1").code == "ok"


def test_outdated_hash_is_upgraded_on_sign_in(dbs: Session, anna) -> None:  # type: ignore[no-untyped-def]
    stronger = accounts.hasher("RFC_9106_LOW_MEMORY")
    assert _try(dbs, stronger, "twelve chars!", NOW).code == "ok"
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
    assert _try(dbs, ph, "twelve chars!", NOW).reason == "bad_credentials"


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
