"""What a chamber admin changes: staff users and roles, the exporter register, the four-eyes and
batch settings, each form's template and fee; and what the chamber exports (fees as CSV, the
event log as JSON Lines for the auditor).

Every change is validated whole before anything is written (Invalid lists each field's problem,
so nothing is half-saved) and recorded in the append-only event log with the values before and
after. No Flask here.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from origincert.desk import accounts, documents, service
from origincert.desk.errors import Conflict, Forbidden, Invalid, NotFound
from origincert.desk.models import (
    Application,
    Chamber,
    Company,
    CompanyStatus,
    Event,
    FormSettings,
    Role,
    Status,
    User,
)
from origincert.desk.service import Actor
from origincert.document import FORMS

__all__ = [
    "EVENT_LOG_FORMAT",
    "STAFF_ROLES",
    "create_staff",
    "events_jsonl",
    "fees_csv",
    "form_template",
    "register_company",
    "save_form_settings",
    "set_company_status",
    "set_user_active",
    "set_user_role",
    "update_chamber_settings",
]

STAFF_ROLES = (Role.CLERK, Role.CHAMBER_ADMIN)
# the first line of an export; ``origincert.audit.desklog`` reads this format (the desk may not
# import the audit: tests/desk/test_admin.py checks the two agree)
EVENT_LOG_FORMAT = "origincert-desk-events/1"
MAX_TEMPLATE_BYTES = 64 * 1024
MAX_FEE_CENTS = 100_000_000


def _require_admin(actor: Actor, chamber_id: int) -> None:
    if actor.user.role != Role.CHAMBER_ADMIN or actor.user.chamber_id != chamber_id:
        raise Forbidden("only this chamber's admin may do this", code="admin_only")


def _int(
    raw: str, field: str, low: int, high: int, problems: list[tuple[str, str]], *, blank: bool
) -> int | None:
    text = raw.strip()
    if not text and blank:
        return None
    if not text.isdigit() or not low <= int(text) <= high:
        problems.append((field, f"must be a whole number from {low} to {high}"))
        return None
    return int(text)


def _fee(raw: str, field: str, problems: list[tuple[str, str]], *, blank: bool) -> int | None:
    """A fee as written by people ("25", "25.00") -> cents; None when blank is allowed."""
    text = raw.strip().replace(",", ".")
    if not text and blank:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = Decimal(-1)
    cents = amount * 100
    if (
        not amount.is_finite()
        or cents != cents.to_integral_value()
        or not 0 <= cents <= MAX_FEE_CENTS
    ):
        problems.append((field, "must be an amount such as 25.00 (at most two decimals)"))
        return None
    return int(cents)


def _refuse(problems: list[tuple[str, str]]) -> None:
    if problems:
        raise Invalid(
            "; ".join(f"{f}: {m}" for f, m in problems), code="settings_invalid", problems=problems
        )


def update_chamber_settings(
    db: Session, actor: Actor, chamber: Chamber, form: Mapping[str, str]
) -> dict[str, Any]:
    """Four-eyes, batch and fee settings from a form; the changed values (before, after)."""
    _require_admin(actor, chamber.id)
    problems: list[tuple[str, str]] = []
    wanted: dict[str, Any] = {
        "four_eyes_first": _int(form.get("four_eyes_first", ""), "four_eyes_first", 0, 10_000,
                                problems, blank=False),
        "four_eyes_origin_change": form.get("four_eyes_origin_change") in ("on", "1", "yes"),
        "batch_size": _int(form.get("batch_size", ""), "batch_size", 1, 100_000, problems,
                           blank=True),
        "batch_wait_seconds": _int(form.get("batch_wait_seconds", ""), "batch_wait_seconds", 0,
                                   3600, problems, blank=True),
        "fee_cents": _fee(form.get("fee", ""), "fee", problems, blank=False),
    }  # fmt: skip
    _refuse(problems)
    before = {k: getattr(chamber, k) for k in wanted if getattr(chamber, k) != wanted[k]}
    after = {k: wanted[k] for k in before}
    for key, value in after.items():
        setattr(chamber, key, value)
    if after:
        service.record_event(
            db, actor, "settings_changed", chamber_id=chamber.id, before=before, after=after
        )
    return after


def form_template(db: Session, chamber_id: int, form: str) -> dict[str, Any]:
    """The fields a new application of ``form`` starts with at this chamber (may be empty)."""
    row = db.scalar(
        select(FormSettings).where(FormSettings.chamber_id == chamber_id, FormSettings.form == form)
    )
    return dict(row.template) if row is not None else {}


def save_form_settings(
    db: Session, actor: Actor, chamber: Chamber, form: str, *, fee: str, template: str
) -> FormSettings:
    """One form's template (a JSON object of prefilled fields) and fee (blank: the chamber's)."""
    _require_admin(actor, chamber.id)
    problems: list[tuple[str, str]] = []
    if form not in FORMS:
        problems.append(("form", "must be one of " + ", ".join(FORMS)))
    fee_cents = _fee(fee, "fee", problems, blank=True)
    fields: dict[str, Any] = {}
    if len(template.encode("utf-8", "surrogatepass")) > MAX_TEMPLATE_BYTES:
        problems.append(("template", f"must be at most {MAX_TEMPLATE_BYTES // 1024} KB"))
    else:
        try:
            fields = documents.check_fields(json.loads(template or "{}"))
        except (ValueError, RecursionError):
            problems.append(("template", 'must be a JSON object, e.g. {"remarks": "..."}'))
        except Invalid as exc:
            problems.append(("template", str(exc)))
    _refuse(problems)
    row = db.scalar(
        select(FormSettings).where(FormSettings.chamber_id == chamber.id, FormSettings.form == form)
    )
    before = {"fee_cents": row.fee_cents, "template": row.template} if row is not None else None
    if row is None:
        row = FormSettings(chamber_id=chamber.id, form=form)
        db.add(row)
    row.fee_cents, row.template = fee_cents, fields
    db.flush()
    service.record_event(
        db, actor, "form_settings_changed", chamber_id=chamber.id, before=before,
        after={"form": form, "fee_cents": fee_cents, "template": fields},
    )  # fmt: skip
    return row


def create_staff(
    db: Session, ph: PasswordHasher, actor: Actor, chamber: Chamber, form: Mapping[str, str]
) -> User:
    """A clerk or chamber admin of this chamber."""
    _require_admin(actor, chamber.id)
    role = form.get("role", "")
    if role not in {r.value for r in STAFF_ROLES}:
        raise Invalid("choose clerk or chamber admin", code="role_invalid",
                      problems=[("role", "must be clerk or chamber admin")])  # fmt: skip
    try:
        user = accounts.create_user(
            db, ph, email=form.get("email", ""), name=form.get("name", ""),
            password=form.get("password", ""), role=Role(role), chamber=chamber,
        )  # fmt: skip
    except (Invalid, Conflict) as exc:
        field = "password" if exc.code.startswith("password") else "email"
        raise Invalid(str(exc), code=exc.code, problems=[(field, str(exc))]) from None
    service.record_event(
        db, actor, "user_created", chamber_id=chamber.id,
        after={"user": user.id, "email": user.email, "role": user.role},
    )  # fmt: skip
    return user


def _user_of_chamber(db: Session, actor: Actor, user_id: int) -> User:
    user = db.get(User, user_id)
    if user is None or user.chamber_id != actor.user.chamber_id:
        raise NotFound("no such user", code="user_unknown")
    if user.id == actor.user.id:
        raise Conflict("an admin does not change their own role or access (ask another admin)",
                       code="own_account")  # fmt: skip
    return user


def set_user_role(db: Session, actor: Actor, user_id: int, role: str) -> User:
    """Make a staff user a clerk or a chamber admin (exporters keep their company's roles)."""
    _require_admin(actor, actor.user.chamber_id)
    user = _user_of_chamber(db, actor, user_id)
    if user.role not in {r.value for r in STAFF_ROLES} or role not in {
        r.value for r in STAFF_ROLES
    }:
        raise Invalid("only staff roles change here", code="role_invalid",
                      problems=[("role", "must be clerk or chamber admin")])  # fmt: skip
    if user.role != role:
        before = {"user": user.id, "role": user.role}
        user.role = role
        user.session_epoch += 1  # pages opened under the old role stop working
        service.record_event(db, actor, "user_role_changed", chamber_id=user.chamber_id,
                             before=before, after={"user": user.id, "role": role})  # fmt: skip
    return user


def set_user_active(db: Session, actor: Actor, user_id: int, active: bool) -> User:
    """Deactivate (every session ends at once) or reactivate a user of this chamber."""
    _require_admin(actor, actor.user.chamber_id)
    user = _user_of_chamber(db, actor, user_id)
    if user.active != active:
        before = {"user": user.id, "active": user.active}
        user.active = active
        user.session_epoch += 1
        service.record_event(db, actor, "user_active_changed", chamber_id=user.chamber_id,
                             before=before, after={"user": user.id, "active": active})  # fmt: skip
    return user


def register_company(
    db: Session, ph: PasswordHasher, actor: Actor, chamber: Chamber, form: Mapping[str, str]
) -> Company:
    """A new exporter (pending until accepted) with its first admin user."""
    _require_admin(actor, chamber.id)
    try:
        company = accounts.create_company(db, chamber, form.get("name", ""))
    except Invalid as exc:
        raise Invalid(str(exc), code=exc.code, problems=[("name", str(exc))]) from None
    try:
        accounts.create_user(
            db, ph, email=form.get("email", ""), name=form.get("contact", ""),
            password=form.get("password", ""), role=Role.EXPORTER_ADMIN, chamber=chamber,
            company=company,
        )  # fmt: skip
    except (Invalid, Conflict) as exc:
        field = "password" if exc.code.startswith("password") else "email"
        raise Invalid(str(exc), code=exc.code, problems=[(field, str(exc))]) from None
    service.record_event(db, actor, "company_registered", chamber_id=chamber.id,
                         after={"company": company.id, "name": company.name,
                                "status": company.status})  # fmt: skip
    return company


def set_company_status(db: Session, actor: Actor, company_id: int, status: str) -> Company:
    """Accept or suspend an exporter; a suspended one can neither apply nor submit."""
    _require_admin(actor, actor.user.chamber_id)
    company = db.get(Company, company_id)
    if company is None or company.chamber_id != actor.user.chamber_id:
        raise NotFound("no such company", code="company_unknown")
    if status not in (CompanyStatus.ACTIVE, CompanyStatus.SUSPENDED):
        raise Invalid("accept or suspend", code="status_invalid")
    if company.status != status:
        before = {"company": company.id, "status": company.status}
        accounts.set_company_status(db, company, CompanyStatus(status))
        service.record_event(db, actor, "company_status", chamber_id=company.chamber_id,
                             before=before, after={"company": company.id, "status": status})  # fmt: skip
    return company


def fees_csv(db: Session, chamber_id: int) -> str:
    """Every issued certificate's recorded fee (no payment provider: the chamber invoices)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["number", "company", "form", "status", "issued_at", "fee"])
    rows = db.execute(
        select(Application, Company.name)
        .join(Company, Company.id == Application.company_id)
        .where(
            Application.chamber_id == chamber_id,
            Application.status.in_([Status.ISSUED, Status.REVOKED, Status.REPLACED]),
        )
        .order_by(Application.issued_at, Application.id)
    )
    for app, company in rows:
        fee = "" if app.fee_cents is None else f"{Decimal(app.fee_cents) / 100:.2f}"
        issued = app.issued_at.isoformat() if app.issued_at else ""
        # a spreadsheet would run a cell that starts with = + - @ as a formula
        name = "'" + company if company[:1] in ("=", "+", "-", "@", "\t", "\r") else company
        writer.writerow([app.number, name, app.form, app.status, issued, fee])
    return out.getvalue()


def events_jsonl(db: Session, chamber_id: int) -> Iterator[str]:
    """The chamber's event log as JSON Lines, oldest first, for ``origincert audit
    --desk-events``: a header line naming the format, then one event per line."""
    yield json.dumps({"format": EVENT_LOG_FORMAT, "chamber": chamber_id}) + "\n"
    numbers = {
        row.id: row.number
        for row in db.execute(
            select(Application.id, Application.number).where(Application.chamber_id == chamber_id)
        )
    }
    q = select(Event).where(Event.chamber_id == chamber_id).order_by(Event.id)
    for e in db.scalars(q.execution_options(yield_per=1000)):
        record = {
            "id": e.id, "at": e.at.isoformat(), "actor": e.actor, "action": e.action,
            "application": numbers.get(e.application_id) if e.application_id else None,
            "before": e.before, "after": e.after, "ip": e.ip,
        }  # fmt: skip
        yield json.dumps(record, ensure_ascii=False, sort_keys=True, default=str) + "\n"
