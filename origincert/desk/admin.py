"""The chamber admin's pages: the exporter register (register, accept, suspend) with each
company's first admin user."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, g, redirect, render_template, request, url_for
from sqlalchemy import select

from origincert.desk import accounts, service
from origincert.desk.errors import NotFound
from origincert.desk.models import Chamber, Company, CompanyStatus, Role
from origincert.desk.web import actor, db, password_hasher, role_required

__all__ = ["bp", "init_app"]

bp = Blueprint("admin", __name__, url_prefix="/admin")
admin_only = role_required(Role.CHAMBER_ADMIN.value)


@bp.route("/", methods=["GET", "POST"])
@admin_only
def companies() -> Any:
    chamber = db().get(Chamber, g.user.chamber_id)
    if chamber is None:
        raise NotFound("no such chamber", code="chamber_unknown")
    if request.method == "POST":
        company = accounts.create_company(db(), chamber, request.form.get("name", ""))
        accounts.create_user(
            db(), password_hasher(), email=request.form.get("email", ""), name=request.form.get("contact", ""),
            password=request.form.get("password", ""), role=Role.EXPORTER_ADMIN, chamber=chamber,
            company=company,
        )  # fmt: skip
        service.record_event(
            db(),
            actor(),
            "company_registered",
            chamber_id=chamber.id,
            after={"company": company.id},
        )
        db().commit()
        return redirect(url_for("admin.companies"))
    rows = (
        db()
        .scalars(select(Company).where(Company.chamber_id == chamber.id).order_by(Company.id))
        .all()
    )
    return render_template("admin/companies.html", chamber=chamber, companies=rows)


@bp.post("/companies/<int:company_id>/<any(active, suspended):status>")
@admin_only
def set_status(company_id: int, status: str) -> Any:
    company = db().get(Company, company_id)
    if company is None or company.chamber_id != g.user.chamber_id:
        raise NotFound("no such company", code="company_unknown")
    before = {"status": company.status}
    accounts.set_company_status(db(), company, CompanyStatus(status))
    service.record_event(
        db(),
        actor(),
        "company_status",
        chamber_id=company.chamber_id,
        before=before,
        after={"status": status},
    )
    db().commit()
    return redirect(url_for("admin.companies"))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
