"""Sign-in throttling for the portal and the desk: attempts counted atomically in the database
before the password is checked (each app keeps its own table of the same columns,
:class:`ThrottleColumns`).

Two keys are counted for every attempt: the account as tried from one address, and the address
alone (any account). Each key allows ``free`` attempts; the next one starts a delay, after which
one attempt is checked per delay, the delay doubling each time up to ``max_ms``. The count is one ``UPDATE ... SET attempts = attempts + 1
... RETURNING`` committed before the slow password check, so a burst of parallel guesses is
counted exactly, attempts in flight included, on SQLite and PostgreSQL alike, by every worker.

An account is never locked for everybody: a guesser slows down only the (account, address) pair
and the address it guesses from, so an officer signing in from elsewhere is not kept out.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, String, Table, case, delete, literal, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

__all__ = ["Admission", "Rule", "Throttle", "ThrottleColumns", "account_key", "source_key"]


class ThrottleColumns:
    """The columns of a sign-in throttle table (a declarative mixin). Times are milliseconds
    since the epoch: the counting statement compares them in SQL."""

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    account: Mapped[str | None] = mapped_column(String(64), index=True)
    attempts: Mapped[int] = mapped_column(default=0)  # counted before the password is checked
    delay_ms: Mapped[int] = mapped_column(BigInteger, default=0)  # the current delay; doubles
    next_allowed_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    claimed_at: Mapped[int] = mapped_column(default=0)  # the attempt that took the last slot
    updated_ms: Mapped[int] = mapped_column(BigInteger, default=0)


@dataclass(frozen=True, slots=True)
class Rule:
    """``free`` attempts, then one per delay from ``base_ms`` doubling to ``max_ms``; a key with
    no attempt for ``forget_ms`` (and no delay running) starts again from zero."""

    free: int
    base_ms: int
    max_ms: int
    forget_ms: int


@dataclass(frozen=True, slots=True)
class Admission:
    """Whether this attempt may check the password, and whether it just started a delay."""

    allowed: bool
    started_delay: bool = False  # this attempt failed over into throttling: report it
    wait_until_ms: int = 0


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "backslashreplace")).hexdigest()[:40]


def account_key(username: str, source: str) -> str:
    return "acct:" + _digest(f"{username}\x00{source}")


def source_key(source: str) -> str:
    return "addr:" + _digest(source)


@dataclass(frozen=True)
class Throttle:
    """Counting on one app's table (with :class:`ThrottleColumns`)."""

    table: Table

    def _insert(self, dbs: Session) -> Any:
        dialect = dbs.get_bind().dialect.name
        if dialect == "postgresql":
            return postgresql.insert(self.table)
        if dialect == "sqlite":
            return sqlite.insert(self.table)
        raise NotImplementedError(f"sign-in throttling has no upsert for {dialect}")

    def _count(
        self, dbs: Session, key: str, account: str | None, rule: Rule, now: int
    ) -> Admission:
        """Count one attempt on ``key``; the caller commits at once."""
        t = self.table.c
        # milliseconds since the epoch overflow PostgreSQL's integer: bind them as BIGINT
        now_ms, base_ms, max_ms = (literal(v, BigInteger) for v in (now, rule.base_ms, rule.max_ms))
        # a key idle for long enough (and not in a delay) starts again from zero
        dbs.execute(
            update(self.table)
            .where(
                t.key == key,
                t.updated_ms < literal(now - rule.forget_ms, BigInteger),
                t.next_allowed_ms <= now_ms,
            )
            .values(attempts=0, delay_ms=0, next_allowed_ms=0, claimed_at=0)
        )
        dbs.execute(
            self._insert(dbs)
            .values(
                key=key, account=account, attempts=0, delay_ms=0, next_allowed_ms=0, claimed_at=0
            )
            .on_conflict_do_nothing(index_elements=["key"])
        )
        crossing = t.attempts + 1 == rule.free + 1  # the first attempt over: the first delay starts
        takes_slot = (t.attempts + 1 > rule.free + 1) & (t.next_allowed_ms <= now_ms)
        doubled = case(
            (t.delay_ms * 2 < base_ms, base_ms),
            (t.delay_ms * 2 > max_ms, max_ms),
            else_=t.delay_ms * 2,
        )
        # every SET below reads the row as it was before this statement: one atomic step
        row = dbs.execute(
            update(self.table)
            .where(t.key == key)
            .values(
                attempts=t.attempts + 1,
                delay_ms=case((crossing, base_ms), (takes_slot, doubled), else_=t.delay_ms),
                next_allowed_ms=case(
                    (crossing, now_ms + base_ms),
                    (takes_slot, now_ms + doubled),
                    else_=t.next_allowed_ms,
                ),
                claimed_at=case((takes_slot, t.attempts + 1), else_=t.claimed_at),
                updated_ms=now_ms,
            )
            .returning(t.attempts, t.claimed_at, t.next_allowed_ms)
        ).one()
        attempts, claimed_at, next_allowed = row
        if attempts <= rule.free:
            return Admission(True)
        if attempts == rule.free + 1:
            return Admission(False, started_delay=True, wait_until_ms=next_allowed)
        if claimed_at == attempts:  # this attempt took the one slot the delay left open
            return Admission(True, wait_until_ms=next_allowed)
        return Admission(False, wait_until_ms=next_allowed)

    def admit(
        self,
        dbs: Session,
        username: str,
        source: str,
        *,
        per_account: Rule,
        per_source: Rule,
        now_ms: int,
    ) -> tuple[Admission, Admission]:
        """Count this attempt for (account, address) and for the address; committed on return."""
        pair = self._count(dbs, account_key(username, source), username[:64], per_account, now_ms)
        dbs.commit()
        addr = self._count(dbs, source_key(source), None, per_source, now_ms)
        dbs.commit()
        return pair, addr

    def succeeded(self, dbs: Session, username: str, source: str) -> None:
        """A right password: the pair starts again, and the address gets its attempt back."""
        t = self.table.c
        dbs.execute(
            update(self.table)
            .where(t.key == account_key(username, source))
            .values(attempts=0, delay_ms=0, next_allowed_ms=0, claimed_at=0)
        )
        dbs.execute(
            update(self.table)
            .where(t.key == source_key(source), t.attempts > 0)
            .values(attempts=t.attempts - 1)
        )

    def forget_account(self, dbs: Session, username: str) -> int:
        """Lift every delay on ``username`` (an administrator's unlock); how many were lifted."""
        result = dbs.execute(delete(self.table).where(self.table.c.account == username))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
