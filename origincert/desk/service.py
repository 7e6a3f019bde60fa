"""What exporters and clerks do to applications, over one database session, with the event log.

No Flask here: the web pages, the REST API, the bulk import and the tests all call these, so the
rules (who may see what, which transition from which status, four eyes, no self-approval) live in
one place. Every transition is one conditional UPDATE (``WHERE status IN (...)``): when two clerks
approve at once, exactly one UPDATE matches and the other gets Conflict ``already_decided``.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from origincert.desk import documents, foureyes, outbox
from origincert.desk.errors import Conflict, Forbidden, Invalid, NotFound
from origincert.desk.messages import N_
from origincert.desk.models import (
    Application,
    Approval,
    Chamber,
    Company,
    CompanyStatus,
    Event,
    FormSettings,
    Role,
    Status,
    User,
    utcnow,
)
from origincert.desk.status import EDITABLE, TRANSITIONS

__all__ = [
    "REJECT_REASONS",
    "Actor",
    "applications_for",
    "approve",
    "create_application",
    "fee_for",
    "four_eyes_need",
    "get_application",
    "import_applications",
    "queue",
    "record_event",
    "reject",
    "request_amendment",
    "review",
    "submit",
    "transition",
    "transition_many",
    "update_fields",
]

REJECT_REASONS: dict[str, str] = {
    "origin_not_proven": N_("The evidence does not prove the origin claimed"),
    "documents_missing": N_(
        "A required document (invoice, packing list, bill of lading) is missing"
    ),
    "documents_inconsistent": N_("The documents contradict the application"),
    "exporter_not_registered": N_("The exporter is not registered with this chamber"),
    "goods_not_eligible": N_("The goods are not eligible for this form"),
    "other": N_("Another reason, given in the comment"),
}
EXPORTER_ROLES = frozenset({Role.EXPORTER, Role.EXPORTER_ADMIN})
CLERK_ROLES = frozenset({Role.CLERK, Role.CHAMBER_ADMIN})


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: a signed-in user or an API key acting as one; ``label`` goes in the event log."""

    user: User
    label: str
    ip: str | None = None

    @property
    def is_exporter(self) -> bool:
        return self.user.role in EXPORTER_ROLES

    @property
    def is_clerk(self) -> bool:
        return self.user.role in CLERK_ROLES


def _chamber(session: Session, chamber_id: int) -> Chamber:
    """The chamber, kept for the session's life (the identity map holds objects weakly, and
    every application of a bulk import asks for the same one)."""
    cache: dict[int, Chamber] = session.info.setdefault("desk_chambers", {})
    if chamber_id not in cache:
        chamber = session.get(Chamber, chamber_id)
        if chamber is None:
            raise NotFound("no such chamber", code="chamber_unknown")
        cache[chamber_id] = chamber
    return cache[chamber_id]


def _company(session: Session, company_id: int | None) -> Company | None:
    cache: dict[int, Company] = session.info.setdefault("desk_companies", {})
    if company_id is None:
        return None
    if company_id not in cache:
        company = session.get(Company, company_id)
        if company is None:
            return None
        cache[company_id] = company
    return cache[company_id]


def _snapshot(app: Application) -> dict[str, Any]:
    return {"status": app.status, "version": app.version}


def record_event(
    session: Session,
    actor: Actor | None,
    action: str,
    *,
    application: Application | None = None,
    chamber_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    session.add(
        Event(
            at=utcnow(),
            chamber_id=application.chamber_id if application is not None else chamber_id,
            application_id=application.id if application is not None else None,
            actor_id=actor.user.id if actor is not None else None,
            actor=actor.label if actor is not None else "worker",
            action=action,
            before=before,
            after=after,
            ip=actor.ip if actor is not None else None,
        )
    )


# --- reading, with the access rule ------------------------------------------------------------


def _visible(actor: Actor) -> Any:
    """The WHERE clause of what this actor may see: its company's, or its chamber's."""
    if actor.is_exporter:
        return Application.company_id == actor.user.company_id
    if actor.is_clerk:
        return Application.chamber_id == actor.user.chamber_id
    return Application.id == -1


def get_application(session: Session, actor: Actor, public_id: str) -> Application:
    """The application, or NotFound ``application_unknown`` when unknown *or not this actor's*
    (the answer is the same, so probing ids tells nothing)."""
    app = session.scalar(
        select(Application).where(Application.public_id == str(public_id), _visible(actor))
    )
    if app is None:
        raise NotFound("no such application", code="application_unknown")
    return app


def applications_for(
    session: Session, actor: Actor, *, status: str | None = None, limit: int = 200
) -> Sequence[Application]:
    """An exporter's applications, newest first."""
    q = select(Application).where(_visible(actor))
    if status:
        q = q.where(Application.status == status)
    return session.scalars(q.order_by(Application.id.desc()).limit(limit)).all()


def queue(
    session: Session,
    actor: Actor,
    *,
    statuses: Sequence[str] = (Status.SUBMITTED, Status.IN_REVIEW),
    form: str | None = None,
    company_id: int | None = None,
    limit: int = 200,
) -> Sequence[Application]:
    """The clerk's review queue for their chamber, oldest submission first."""
    _require_clerk(actor)
    q = select(Application).where(_visible(actor), Application.status.in_(list(statuses)))
    if form:
        q = q.where(Application.form == form)
    if company_id is not None:
        q = q.where(Application.company_id == company_id)
    return session.scalars(q.order_by(Application.submitted_at, Application.id).limit(limit)).all()


def _require_exporter(actor: Actor) -> None:
    if not actor.is_exporter or actor.user.company_id is None:
        raise Forbidden("only an exporter's users may do this", code="exporter_only")


def _require_clerk(actor: Actor) -> None:
    if not actor.is_clerk:
        raise Forbidden("only the chamber's clerks may do this", code="clerk_only")


# --- exporters --------------------------------------------------------------------------------


def create_application(session: Session, actor: Actor, fields: Any) -> Application:
    """A new draft holding the exporter's fields (shape-checked; validated on submit)."""
    _require_exporter(actor)
    company = _company(session, actor.user.company_id)
    if company is None or company.status != CompanyStatus.ACTIVE:
        raise Forbidden(
            "the company is not (or no longer) accepted by the chamber", code="company_not_active"
        )
    clean = documents.check_fields(fields)
    chamber = _chamber(session, company.chamber_id)
    public_id = secrets.token_hex(12)
    app = Application(
        public_id=public_id,
        chamber_id=chamber.id,
        company_id=company.id,
        created_by=actor.user.id,
        status=Status.DRAFT.value,
        number=f"pending-{public_id}",
        form=str(clean.get("form", ""))[:16],
        document=clean,
    )
    session.add(app)
    session.flush()
    app.number = f"{chamber.code}-{app.id:08d}"  # the certificate number, fixed from the start
    record_event(session, actor, "created", application=app, after=_snapshot(app))
    return app


def update_fields(session: Session, actor: Actor, app: Application, fields: Any) -> Application:
    """Save a draft (or an amendment): allowed only while the exporter holds the pen."""
    _require_exporter(actor)
    clean = documents.check_fields(fields)
    if Status(app.status) not in EDITABLE:
        raise Conflict(f"an application {app.status} cannot be edited", code="not_editable")
    before = {"document": app.document}
    app.document = clean
    app.form = str(clean.get("form", ""))[:16]
    record_event(
        session, actor, "edited", application=app, before=before, after={"document": clean}
    )
    return app


def final_document(session: Session, app: Application, today: date) -> dict[str, Any]:
    """The document as it would be issued today; Invalid names each field's problem."""
    chamber = _chamber(session, app.chamber_id)
    return documents.validated(
        documents.complete(
            app.document,
            number=app.number,
            chamber_name=chamber.name,
            economy=chamber.economy,
            place=chamber.place,
            today=today,
        )
    )


def submit(session: Session, actor: Actor, app: Application, *, declaration: bool) -> Application:
    """Submit for review: every field valid and the exporter's declaration accepted by a named
    user (recorded with time and address)."""
    _require_exporter(actor)
    if not declaration:
        raise Invalid(
            "the exporter's declaration must be accepted",
            code="declaration_required",
            problems=[("declaration", "must be accepted before submitting")],
        )
    company = _company(session, app.company_id)
    if company is None or company.status != CompanyStatus.ACTIVE:
        raise Forbidden(
            "the company is not (or no longer) accepted by the chamber", code="company_not_active"
        )
    final_document(session, app, _today())  # raises with every problem, nothing changes
    need = four_eyes_need(session, app)
    needed = need.approvals
    if app.status == Status.AMENDMENT_REQUESTED:  # a fresh review: earlier approvals lapse
        session.execute(delete(Approval).where(Approval.application_id == app.id))
    if need.reasons:
        record_event(
            session, actor, "four_eyes", application=app, after={"reasons": list(need.reasons)}
        )
    return transition(
        session,
        actor,
        app,
        "submit",
        submitted_by=actor.user.id,
        submitted_at=utcnow(),
        declared_by=actor.user.id,
        declared_at=utcnow(),
        declared_ip=actor.ip,
        approvals_needed=needed,
        reason_code=None,
        comment=None,
        comment_field=None,
    )


def four_eyes_need(session: Session, app: Application) -> foureyes.Need:
    """How many clerks ``app`` needs under its chamber's four-eyes rules, and why."""
    chamber = _chamber(session, app.chamber_id)
    policy = foureyes.FourEyesPolicy(chamber.four_eyes_first, chamber.four_eyes_origin_change)
    done = [Status.APPROVED, Status.ISSUED, Status.REVOKED, Status.REPLACED]
    mine = (Application.company_id == app.company_id, Application.id != app.id)
    earlier: int | None = 0
    if policy.first > 0:
        earlier = session.scalar(
            select(func.count(Application.id)).where(*mine, Application.status.in_(done))
        )
    known: dict[str, str] = {}
    if policy.origin_change:
        issued = [Status.ISSUED, Status.REVOKED, Status.REPLACED]
        docs = session.scalars(
            select(Application.document)
            .where(*mine, Application.status.in_(issued))
            .order_by(Application.issued_at, Application.id)
        )
        known = foureyes.latest_claims(docs)
    return foureyes.approvals_needed(
        policy, earlier_certificates=earlier or 0, known_claims=known, document=app.document
    )


def fee_for(session: Session, app: Application) -> int:
    """The fee recorded on the certificate: its form's, else the chamber's."""
    settings = session.scalar(
        select(FormSettings).where(
            FormSettings.chamber_id == app.chamber_id, FormSettings.form == app.form
        )
    )
    if settings is not None and settings.fee_cents is not None:
        return settings.fee_cents
    return _chamber(session, app.chamber_id).fee_cents


# --- clerks -----------------------------------------------------------------------------------


def review(session: Session, actor: Actor, app: Application) -> Application:
    """A clerk opens a submitted application: it shows "in review" to the exporter."""
    _require_clerk(actor)
    return transition(session, actor, app, "review")


def approve(session: Session, actor: Actor, app: Application) -> Application:
    """Approve; with the four-eyes rule the first approval is recorded and a second, different
    clerk's makes it approved. Nobody approves an application they created or submitted."""
    _require_clerk(actor)
    if actor.user.id in (app.created_by, app.submitted_by):
        raise Forbidden("nobody approves their own application", code="self_approval")
    if Status(app.status) not in TRANSITIONS["approve"].sources:
        raise Conflict(f"the application is {app.status}", code="already_decided")
    # lock the row (PostgreSQL) so concurrent approvals are counted one after the other
    session.execute(select(Application.id).where(Application.id == app.id).with_for_update())
    try:
        with session.begin_nested():
            session.add(Approval(application_id=app.id, clerk_id=actor.user.id, at=utcnow()))
    except IntegrityError:
        raise Conflict("you already approved this application", code="already_approved") from None
    count = session.scalar(select(func.count(Approval.id)).where(Approval.application_id == app.id))
    if (count or 0) < app.approvals_needed:
        record_event(session, actor, "first_approval", application=app, after={"approvals": count})
        if app.status == Status.SUBMITTED:
            transition(session, actor, app, "review")
        return app
    document = final_document(session, app, _today())
    return transition(
        session,
        actor,
        app,
        "approve",
        approved_at=utcnow(),
        document=document,
        fee_cents=fee_for(session, app),
    )


def reject(
    session: Session, actor: Actor, app: Application, *, reason: str, comment: str = ""
) -> Application:
    _require_clerk(actor)
    if reason not in REJECT_REASONS:
        raise Invalid(
            f"unknown reason code {reason!r}",
            code="reason_unknown",
            problems=[("reason", "must be one of " + ", ".join(REJECT_REASONS))],
        )
    return transition(
        session, actor, app, "reject", reason_code=reason, comment=comment[:2000] or None
    )


def request_amendment(
    session: Session, actor: Actor, app: Application, *, comment: str, field: str = ""
) -> Application:
    _require_clerk(actor)
    if not comment.strip():
        raise Invalid(
            "say what to amend",
            code="comment_required",
            problems=[("comment", "must say what the exporter should change")],
        )
    return transition(
        session,
        actor,
        app,
        "request_amendment",
        comment=comment[:2000],
        comment_field=field[:120] or None,
    )


# --- the one way a status changes -------------------------------------------------------------


def transition(
    session: Session, actor: Actor | None, app: Application, name: str, **values: Any
) -> Application:
    """Move ``app`` by transition ``name`` with one conditional UPDATE; Conflict
    ``already_decided`` when its status changed under us (another clerk, the worker)."""
    t = TRANSITIONS[name]
    before = _snapshot(app)
    values = {"status": t.target.value, "updated_at": utcnow(), **values}
    result = session.execute(
        update(Application)
        .where(
            Application.id == app.id,
            Application.status.in_([s.value for s in t.sources]),
        )
        .values(version=Application.version + 1, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(app)
        raise Conflict(
            f"the application is {app.status}; it cannot {name.replace('_', ' ')}",
            code="already_decided",
        )
    # what the row now holds, without reading it back
    for key, value in values.items():
        set_committed_value(app, key, value)
    set_committed_value(app, "version", app.version + 1)
    record_event(session, actor, name, application=app, before=before, after=_snapshot(app))
    outbox.status_changed(session, app, before["status"])  # the mail, in this same transaction
    return app


def transition_many(
    session: Session,
    actor: Actor | None,
    name: str,
    changes: Sequence[tuple[Application, dict[str, Any]]],
) -> list[Application]:
    """:func:`transition` for many applications at once, recording the same rows (the status
    UPDATE, an event with before/after, the outbox mails) in a constant number of statements:
    the worker records a 1,000-certificate batch this way, where one UPDATE per application (each
    flushing the previous one's event and mails) cost it two seconds. Every row of ``changes``
    must carry the same value keys. An application whose status moved under us is left out (not
    an error: the others are still recorded) and is not in the list returned."""
    if not changes:
        return []
    t = TRANSITIONS[name]
    apps = {app.id: (app, _snapshot(app), values) for app, values in changes}
    common = {"status": t.target.value, "updated_at": utcnow()}
    moved: dict[int, int] = {}  # id -> its version now
    ids = list(apps)
    for i in range(0, len(ids), 500):  # claim them: a conditional UPDATE, as transition's
        claimed = session.execute(
            update(Application)
            .where(
                Application.id.in_(ids[i : i + 500]),
                Application.status.in_([s.value for s in t.sources]),
            )
            .values(version=Application.version + 1, **common)
            .returning(Application.id, Application.version)
            .execution_options(synchronize_session=False)
        )
        moved.update((app_id, version) for app_id, version in claimed)
    keys = sorted(changes[0][1])
    if keys and moved:  # the per-application values, one executemany over the claimed rows
        table = cast(Table, Application.__table__)
        session.execute(
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values({k: bindparam(f"b_{k}") for k in keys}),
            [{"b_id": i, **{f"b_{k}": apps[i][2][k] for k in keys}} for i in ids if i in moved],
        )
    done: list[Application] = []
    for app_id in (i for i in ids if i in moved):  # in the caller's order
        app, before, values = apps[app_id]
        for key, value in {**common, **values, "version": moved[app_id]}.items():
            set_committed_value(app, key, value)
        record_event(session, actor, name, application=app, before=before, after=_snapshot(app))
        outbox.status_changed(session, app, before["status"])
        done.append(app)
    return done


def _today() -> date:
    return datetime.now(UTC).date()


def import_applications(
    session: Session,
    actor: Actor,
    items: Sequence[Any],
    *,
    then_submit: bool = False,
    declaration: bool = False,
) -> list[Application]:
    """Many applications at once (the JSON bulk call and the CSV import), all or none: Invalid
    ``bulk_invalid`` names each problem as ``applications[i].<field>`` and the caller rolls back."""
    created: list[Application] = []
    problems: list[tuple[str, str]] = []
    for i, fields in enumerate(items):
        try:
            app = create_application(session, actor, fields)
            if then_submit:
                submit(session, actor, app, declaration=declaration)
            created.append(app)
        except Invalid as exc:
            problems += [
                (f"applications[{i}].{p}" if p else f"applications[{i}]", m)
                for p, m in exc.problems or [("", str(exc))]
            ]
    if problems:
        raise Invalid(
            f"{len(problems)} problem(s); nothing was saved", code="bulk_invalid", problems=problems
        )
    return created
