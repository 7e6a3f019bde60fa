"""The clerk's pages: the chamber's queue (oldest first, filterable) and the review of one
application beside its attachments: approve, reject with a reason code, request an amendment on a
field; and, once issued, revoke with a confirmation step that says what will happen."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from origincert.desk import revocation, service
from origincert.desk.api import send_attachment
from origincert.desk.errors import Invalid, NotFound
from origincert.desk.models import Application, Attachment, Event, Role, Status
from origincert.desk.web import actor, db, role_required

__all__ = ["bp", "field_paths", "init_app"]

bp = Blueprint("clerk", __name__, url_prefix="/clerk")
clerk_only = role_required(Role.CLERK.value, Role.CHAMBER_ADMIN.value)
INLINE_TYPES = frozenset({"image/png", "image/jpeg"})  # shown beside the fields; PDFs download


def field_paths(value: Any, prefix: str = "") -> Iterator[str]:
    """Every leaf of an application's fields as a path (``goods.0.hs_code``), for the amendment
    form's field list."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from field_paths(inner, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield from field_paths(inner, f"{prefix}.{i}" if prefix else str(i))
    elif prefix:
        yield prefix


@bp.get("/")
@clerk_only
def queue() -> str:
    status = request.args.get("status", "")
    statuses = (
        [status] if status in {s.value for s in Status} else [Status.SUBMITTED, Status.IN_REVIEW]
    )
    form = request.args.get("form", "")[:16] or None
    apps = service.queue(db(), actor(), statuses=statuses, form=form)
    originals = _numbers({a.replaces_id for a in apps if a.replaces_id})
    return render_template(
        "clerk/queue.html",
        apps=apps,
        status=status,
        form=form or "",
        statuses=list(Status),
        originals=originals,
    )


def _numbers(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = db().execute(select(Application.id, Application.number).where(Application.id.in_(ids)))
    return {row.id: row.number for row in rows}


def _page(app: Application, **extra: Any) -> str:
    atts = db().scalars(select(Attachment).where(Attachment.application_id == app.id)).all()
    events = (
        db().scalars(select(Event).where(Event.application_id == app.id).order_by(Event.id)).all()
    )
    original = db().get(Application, app.replaces_id) if app.replaces_id else None
    successor = db().scalar(
        select(Application).where(
            Application.replaces_id == app.id, Application.status != Status.REJECTED
        )
    )
    return render_template(
        "clerk/application.html",
        app=app,
        attachments=atts,
        inline_types=INLINE_TYPES,
        events=events,
        fields_text=json.dumps(app.document, indent=2, ensure_ascii=False),
        paths=list(field_paths(app.document)),
        reasons=service.REJECT_REASONS,
        revoke_reasons=revocation.REVOKE_REASONS,
        original=original,
        successor=successor,
        **extra,
    )


@bp.get("/a/<public_id>")
@clerk_only
def application(public_id: str) -> str:
    return _page(service.get_application(db(), actor(), public_id))


@bp.post("/a/<public_id>/<any(approve, reject, amend, review):what>")
@clerk_only
def act(public_id: str, what: str) -> Any:
    app = service.get_application(db(), actor(), public_id)
    form = request.form
    if what == "approve":
        service.approve(db(), actor(), app)
    elif what == "reject":
        service.reject(
            db(), actor(), app, reason=form.get("reason", ""), comment=form.get("comment", "")
        )
    elif what == "amend":
        field = form.get("field", "")
        if field and field not in set(field_paths(app.document)):
            raise Invalid(
                f"{field!r} is not a field of this application",
                code="field_unknown",
                problems=[("field", "choose one of the application's fields from the list")],
            )
        service.request_amendment(db(), actor(), app, comment=form.get("comment", ""), field=field)
    else:
        service.review(db(), actor(), app)
    db().commit()
    flash(_("%(number)s: %(status)s.", number=app.number, status=_status(app.status)))
    return redirect(url_for("clerk.application", public_id=public_id))


@bp.post("/a/<public_id>/revoke")
@clerk_only
def revoke(public_id: str) -> Any:
    """Step one: show what the revocation will do; nothing is recorded yet."""
    app = service.get_application(db(), actor(), public_id)
    reason = request.form.get("reason", "")
    preview = revocation.preview_revocation(db(), actor(), app, reason)
    return render_template(
        "clerk/revoke_confirm.html",
        app=app,
        preview=preview,
        reason_text=revocation.REVOKE_REASONS[reason],
        comment=request.form.get("comment", "")[:2000],
    )


@bp.post("/a/<public_id>/revoke/confirm")
@clerk_only
def revoke_confirm(public_id: str) -> Any:
    """Step two: the clerk confirmed; the worker revokes at its next tick."""
    app = service.get_application(db(), actor(), public_id)
    revocation.request_revocation(
        db(), actor(), app, reason=request.form.get("reason", ""),
        comment=request.form.get("comment", ""),
    )  # fmt: skip
    db().commit()
    flash(_("%(number)s will be revoked by the issuing worker.", number=app.number))
    return redirect(url_for("clerk.application", public_id=public_id))


@bp.get("/a/<public_id>/attachments/<attachment_id>")
@clerk_only
def attachment(public_id: str, attachment_id: str) -> Any:
    return send_attachment(service.get_application(db(), actor(), public_id), attachment_id)


@bp.get("/a/<public_id>/attachments/<attachment_id>/view")
@clerk_only
def attachment_view(public_id: str, attachment_id: str) -> Any:
    """An image attachment shown inline beside the fields (PNG/JPEG only, sandboxed)."""
    app = service.get_application(db(), actor(), public_id)
    att = db().scalar(
        select(Attachment).where(
            Attachment.application_id == app.id, Attachment.public_id == str(attachment_id)
        )
    )
    if att is None or att.media_type not in INLINE_TYPES:
        raise NotFound("no such image", code="attachment_unknown")
    response = send_attachment(app, attachment_id)
    response.headers["Content-Disposition"] = "inline"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _status(status: str) -> str:
    from origincert.desk.i18n import status_label

    return status_label(status)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
