"""The exporter's pages: dashboard, apply, save, attach, submit, download; the company admin's
team and API keys."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Flask, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from origincert.desk import accounts, service
from origincert.desk.api import (
    add_attachment,
    issued_file_response,
    issued_pdf_response,
    json_object,
    send_attachment,
)
from origincert.desk.blobs import ATTACHMENT_KINDS
from origincert.desk.documents import MAX_FIELDS_BYTES
from origincert.desk.errors import Invalid
from origincert.desk.models import Application, Attachment, Chamber, Company, Role, Status, User
from origincert.desk.status import EDITABLE
from origincert.desk.web import actor, db, password_hasher, role_required

__all__ = ["bp", "init_app"]

bp = Blueprint("exporter", __name__, url_prefix="/exporter")
EXPORTERS = (Role.EXPORTER.value, Role.EXPORTER_ADMIN.value)
exporter_only = role_required(*EXPORTERS)


def _fields_from_form() -> Any:
    text = request.form.get("fields", "")
    try:
        return json_object(text, MAX_FIELDS_BYTES)
    except Invalid as exc:
        raise Invalid(
            str(exc), code=exc.code, problems=[("fields", "must be a JSON object")]
        ) from None


def _page(
    app: Application, problems: list[tuple[str, str]] | None = None, status: int = 200
) -> Any:
    atts = db().scalars(select(Attachment).where(Attachment.application_id == app.id)).all()
    return (
        render_template(
            "exporter/application.html",
            app=app,
            attachments=atts,
            editable=Status(app.status) in EDITABLE,
            fields_text=json.dumps(app.document, indent=2, ensure_ascii=False),
            problems=problems or [],
            kinds=ATTACHMENT_KINDS,
        ),
        status,
    )


@bp.get("/")
@exporter_only
def dashboard() -> str:
    apps = service.applications_for(db(), actor())
    return render_template("exporter/dashboard.html", apps=apps)


@bp.route("/new", methods=["GET", "POST"])
@exporter_only
def new() -> Any:
    if request.method == "POST":
        app = service.create_application(db(), actor(), _fields_from_form())
        db().commit()
        return redirect(url_for("exporter.application", public_id=app.public_id))
    return render_template("exporter/new.html")


@bp.get("/a/<public_id>")
@exporter_only
def application(public_id: str) -> Any:
    return _page(service.get_application(db(), actor(), public_id))


@bp.post("/a/<public_id>/save")
@exporter_only
def save(public_id: str) -> Any:
    app = service.get_application(db(), actor(), public_id)
    service.update_fields(db(), actor(), app, _fields_from_form())
    db().commit()
    flash("Draft saved.")
    return redirect(url_for("exporter.application", public_id=public_id))


@bp.post("/a/<public_id>/submit")
@exporter_only
def submit(public_id: str) -> Any:
    app = service.get_application(db(), actor(), public_id)
    try:
        service.submit(db(), actor(), app, declaration=request.form.get("declaration") == "yes")
    except Invalid as exc:
        db().rollback()
        return _page(app, exc.problems or [("", str(exc))], 422)
    db().commit()
    flash("Submitted: the chamber will review it.")
    return redirect(url_for("exporter.application", public_id=public_id))


@bp.post("/a/<public_id>/attach")
@exporter_only
def attach(public_id: str) -> Any:
    app = service.get_application(db(), actor(), public_id)
    add_attachment(app)
    db().commit()
    return redirect(url_for("exporter.application", public_id=public_id))


@bp.get("/a/<public_id>/attachments/<attachment_id>")
@exporter_only
def attachment(public_id: str, attachment_id: str) -> Any:
    return send_attachment(service.get_application(db(), actor(), public_id), attachment_id)


@bp.get("/a/<public_id>/certificate")
@exporter_only
def certificate(public_id: str) -> Any:
    return issued_file_response(service.get_application(db(), actor(), public_id))


@bp.get("/a/<public_id>/certificate.pdf")
@exporter_only
def certificate_pdf(public_id: str) -> Any:
    return issued_pdf_response(service.get_application(db(), actor(), public_id))


@bp.route("/team", methods=["GET", "POST"])
@role_required(Role.EXPORTER_ADMIN.value)
def team() -> Any:
    company = db().get(Company, g.user.company_id)
    new_key = None
    if request.method == "POST" and request.form.get("what") == "user":
        accounts.create_user(
            db(), password_hasher(), email=request.form.get("email", ""), name=request.form.get("name", ""),
            password=request.form.get("password", ""), role=Role.EXPORTER, chamber=_chamber(company),
            company=company,
        )  # fmt: skip
        service.record_event(db(), actor(), "user_invited", chamber_id=g.user.chamber_id)
        db().commit()
    elif request.method == "POST" and request.form.get("what") == "key":
        _row, new_key = accounts.create_api_key(db(), g.user, request.form.get("label", ""))
        service.record_event(db(), actor(), "api_key_created", chamber_id=g.user.chamber_id)
        db().commit()
    users = db().scalars(select(User).where(User.company_id == g.user.company_id)).all()
    return render_template("exporter/team.html", company=company, users=users, new_key=new_key)


def _chamber(company: Company | None) -> Any:
    if company is None:
        abort(404)
    return db().get(Chamber, company.chamber_id)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
