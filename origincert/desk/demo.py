"""Sample exporters and a waiting review queue, for the demo (never for a real chamber)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from origincert.desk import accounts, service
from origincert.desk.documents import DESK_FIELDS
from origincert.desk.models import Chamber, CompanyStatus, Role
from origincert.devtools.samples import sample_certificate

__all__ = ["DemoLogins", "seed_demo"]

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
