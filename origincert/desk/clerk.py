"""The clerk's pages: the chamber's queue (oldest first, filterable) and the review of one
application beside its attachments: approve, reject with a reason code, request an amendment."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from origincert.desk import service
from origincert.desk.api import send_attachment
from origincert.desk.models import Attachment, Event, Role, Status
from origincert.desk.web import actor, db, role_required

__all__ = ["bp", "init_app"]

bp = Blueprint("clerk", __name__, url_prefix="/clerk")
clerk_only = role_required(Role.CLERK.value, Role.CHAMBER_ADMIN.value)


@bp.get("/")
@clerk_only
def queue() -> str:
    status = request.args.get("status", "")
    statuses = (
        [status] if status in {s.value for s in Status} else [Status.SUBMITTED, Status.IN_REVIEW]
    )
    form = request.args.get("form", "")[:16] or None
    apps = service.queue(db(), actor(), statuses=statuses, form=form)
    return render_template(
        "clerk/queue.html", apps=apps, status=status, form=form or "", statuses=list(Status)
    )


@bp.get("/a/<public_id>")
@clerk_only
def application(public_id: str) -> str:
    app = service.get_application(db(), actor(), public_id)
    atts = db().scalars(select(Attachment).where(Attachment.application_id == app.id)).all()
    events = (
        db().scalars(select(Event).where(Event.application_id == app.id).order_by(Event.id)).all()
    )
    return render_template(
        "clerk/application.html",
        app=app,
        attachments=atts,
        events=events,
        fields_text=json.dumps(app.document, indent=2, ensure_ascii=False),
        reasons=service.REJECT_REASONS,
    )


def _act(public_id: str, what: str) -> Any:
    app = service.get_application(db(), actor(), public_id)
    if what == "approve":
        service.approve(db(), actor(), app)
    elif what == "reject":
        service.reject(
            db(),
            actor(),
            app,
            reason=request.form.get("reason", ""),
            comment=request.form.get("comment", ""),
        )
    elif what == "amend":
        service.request_amendment(
            db(),
            actor(),
            app,
            comment=request.form.get("comment", ""),
            field=request.form.get("field", ""),
        )
    elif what == "review":
        service.review(db(), actor(), app)
    db().commit()
    flash(f"{app.number}: {app.status.replace('_', ' ')}.")
    return redirect(url_for("clerk.application", public_id=public_id))


@bp.post("/a/<public_id>/<any(approve, reject, amend, review):what>")
@clerk_only
def act(public_id: str, what: str) -> Any:
    return _act(public_id, what)


@bp.get("/a/<public_id>/attachments/<attachment_id>")
@clerk_only
def attachment(public_id: str, attachment_id: str) -> Any:
    return send_attachment(service.get_application(db(), actor(), public_id), attachment_id)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
