"""Sample exporters and a waiting review queue, for the demo (never for a real chamber)."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from origincert.desk import accounts, service
from origincert.desk.db import engine_for, migrate, session_factory
from origincert.desk.documents import DESK_FIELDS
from origincert.desk.models import Chamber, CompanyStatus, Role
from origincert.devtools.samples import sample_certificate
from origincert.webkit.passwords import hasher

__all__ = ["DemoLogins", "create_demo_desk", "seed_demo"]

COMPANIES = (
    ("Evergreen Ceramics GmbH", CompanyStatus.ACTIVE),
    ("Rhein Machine Tools AG", CompanyStatus.ACTIVE),
    ("Neu Registered Exports UG", CompanyStatus.PENDING),
)


@dataclass(frozen=True)
class DemoLogins:
    exporters: tuple[str, ...]
    clerks: tuple[str, ...]
    password: str
    admin: str = ""
    url: str = ""  # the desk database


def seed_demo(
    db: Session, ph: PasswordHasher, chamber: Chamber, *, password: str, waiting: int = 8
) -> DemoLogins:
    """Companies with an admin user each, two clerks, and ``waiting`` submitted applications."""
    rng = random.Random(16)
    today = datetime.now(UTC).date()
    exporters, actors = [], []
    for i, (name, status) in enumerate(COMPANIES, 1):
        company = accounts.create_company(db, chamber, name, status=status)
        email = f"exporter{i}@demo.example"
        user = accounts.create_user(
            db, ph, email=email, name=f"Exporter {i}", password=password,
            role=Role.EXPORTER_ADMIN, chamber=chamber, company=company,
        )  # fmt: skip
        exporters.append(email)
        if status is CompanyStatus.ACTIVE:
            actors.append(service.Actor(user, email, "127.0.0.1"))
    clerks = []
    for i in (1, 2):
        email = f"clerk{i}@demo.example"
        accounts.create_user(
            db, ph, email=email, name=f"Clerk {i}", password=password, role=Role.CLERK,
            chamber=chamber,
        )  # fmt: skip
        clerks.append(email)
    for n in range(waiting):
        doc = sample_certificate(rng, economy=chamber.economy, issued_on=today)
        fields = {k: v for k, v in doc.items() if k not in DESK_FIELDS and k != "valid_until"}
        actor = actors[n % len(actors)]
        app = service.create_application(db, actor, fields)
        service.submit(db, actor, app, declaration=True)
    return DemoLogins(tuple(exporters), tuple(clerks), password)


def create_demo_desk(
    instance: Path,
    *,
    code: str,
    name: str,
    economy: str,
    place: str,
    password: str,
    waiting: int = 8,
) -> DemoLogins:
    """A fresh SQLite desk in ``instance`` for one chamber (``name`` as the ledger knows it, so
    its worker can issue): its admin, sample exporters, two clerks and a waiting queue. The
    chamber asks a second clerk for a new exporter's first two applications."""
    instance.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{instance.resolve() / 'desk.sqlite'}"
    migrate(url)
    engine = engine_for(url)
    ph = hasher("CHEAPEST")  # demo users only: a real desk keeps the default profile
    try:
        with session_factory(engine).begin() as db:
            chamber = accounts.create_chamber(
                db, code=code, name=name, economy=economy, place=place, four_eyes_first=2,
                fee_cents=2500,
            )  # fmt: skip
            admin = f"admin@{code.lower()}.demo.example"
            accounts.create_user(
                db, ph, email=admin, name="Chamber admin", password=password,
                role=Role.CHAMBER_ADMIN, chamber=chamber,
            )  # fmt: skip
            logins = seed_demo(db, ph, chamber, password=password, waiting=waiting)
    finally:
        engine.dispose()
    return replace(logins, admin=admin, url=url)
