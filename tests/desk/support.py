"""Helpers for the desk tests: a seeded desk database and an exporter's valid fields."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy.orm import Session, sessionmaker

from origincert.desk import accounts
from origincert.desk.documents import DESK_FIELDS
from origincert.desk.models import Chamber, Company, CompanyStatus, Role, User
from origincert.desk.service import Actor
from origincert.devtools.samples import sample_certificate
from origincert.webkit.passwords import hasher

PASSWORD = "a long enough password"


def fields(seed: int, economy: str = "DE", **changes: Any) -> dict[str, Any]:
    """What an exporter fills in: a valid certificate of today, less the chamber's own fields."""
    today = datetime.now(UTC).date()
    doc = sample_certificate(random.Random(seed), economy=economy, issued_on=today)
    out = {k: v for k, v in doc.items() if k not in DESK_FIELDS and k != "valid_until"}
    for path, value in changes.items():
        node = out
        *parents, last = path.split(".")
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[last] = value
    return out


@dataclass
class Desk:
    """Two chambers; chamber DE has companies A and B, each with users; clerks of both."""

    sessions: sessionmaker[Session]
    ph: PasswordHasher
    berlin: Chamber
    other: Chamber
    company_a: Company
    company_b: Company
    users: dict[str, User]

    def actor(self, name: str, ip: str = "127.0.0.1") -> Actor:
        return Actor(self.users[name], self.users[name].email, ip)


def seed(sessions: sessionmaker[Session], *, four_eyes_first: int = 0) -> Desk:
    ph = hasher("CHEAPEST")
    with sessions.begin() as db:
        berlin = accounts.create_chamber(
            db, code="DEBER", name="Berlin Chamber of Commerce", economy="DE", place="Berlin",
            four_eyes_first=four_eyes_first, fee_cents=2500,
        )  # fmt: skip
        other = accounts.create_chamber(
            db, code="SGSICC", name="Singapore International Chamber", economy="SG",
            place="Singapore",
        )  # fmt: skip
        a = accounts.create_company(db, berlin, "Alpha GmbH", status=CompanyStatus.ACTIVE)
        b = accounts.create_company(db, berlin, "Beta AG", status=CompanyStatus.ACTIVE)
        s = accounts.create_company(db, other, "Sino Pte", status=CompanyStatus.ACTIVE)
        spec = {
            "alice": (Role.EXPORTER_ADMIN, berlin, a),
            "aaron": (Role.EXPORTER, berlin, a),
            "bob": (Role.EXPORTER_ADMIN, berlin, b),
            "sam": (Role.EXPORTER_ADMIN, other, s),
            "clara": (Role.CLERK, berlin, None),
            "carl": (Role.CLERK, berlin, None),
            "otto": (Role.CLERK, other, None),
            "admin": (Role.CHAMBER_ADMIN, berlin, None),
        }
        users = {
            name: accounts.create_user(
                db,
                ph,
                email=f"{name}@example.org",
                name=name.title(),
                password=PASSWORD,
                role=role,
                chamber=chamber,
                company=company,
            )
            for name, (role, chamber, company) in spec.items()
        }
    return Desk(sessions, ph, berlin, other, a, b, users)
