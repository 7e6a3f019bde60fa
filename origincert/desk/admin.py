"""The chamber admin's pages: the exporter register (register, accept, suspend), staff users and
roles, four-eyes and batch settings, each form's template and fee, the fees as CSV, and the
event log (shown, and exported as JSON Lines for ``origincert audit --desk-events``).

A refused change shows the same page again with each problem beside its field (HTTP 422), and
nothing of it is saved."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    flash,
    g,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select

from origincert.desk import administration as adm
from origincert.desk.errors import Invalid, NotFound
from origincert.desk.models import Chamber, Company, Event, FormSettings, Role, User
from origincert.desk.web import actor, db, password_hasher, role_required
from origincert.document import FORMS

__all__ = ["bp", "init_app"]

bp = Blueprint("admin", __name__, url_prefix="/admin")
admin_only = role_required(Role.CHAMBER_ADMIN.value)


def _chamber() -> Chamber:
    chamber = db().get(Chamber, g.user.chamber_id)
    if chamber is None:
        raise NotFound("no such chamber", code="chamber_unknown")
    return chamber


def _post(change: Callable[[], Any], page: Callable[[dict[str, str]], Any], done: str) -> Any:
    """Apply ``change`` and commit, or show ``page`` again with each problem at its field."""
    try:
        change()
    except Invalid as exc:
        db().rollback()
        return page({f: m for f, m in exc.problems} or {"": str(exc)}), 422
    db().commit()
    flash(done)
    return redirect(request.path)


@bp.route("/", methods=["GET", "POST"])
@admin_only
def companies() -> Any:
    chamber = _chamber()

    def page(problems: dict[str, str]) -> str:
        rows = (
            db()
            .scalars(select(Company).where(Company.chamber_id == chamber.id).order_by(Company.id))
            .all()
        )
        return render_template(
            "admin/companies.html", chamber=chamber, companies=rows, problems=problems,
            form=request.form,
        )  # fmt: skip

    if request.method == "POST":
        return _post(
            lambda: adm.register_company(db(), password_hasher(), actor(), chamber, request.form),
            page,
            _("Exporter registered; accept it to let it apply."),
        )
    return page({})


@bp.post("/companies/<int:company_id>/<any(active, suspended):status>")
@admin_only
def set_status(company_id: int, status: str) -> Any:
    adm.set_company_status(db(), actor(), company_id, status)
    db().commit()
    return redirect(url_for("admin.companies"))


@bp.route("/users", methods=["GET", "POST"])
@admin_only
def users() -> Any:
    chamber = _chamber()

    def page(problems: dict[str, str]) -> str:
        staff = db().scalars(
            select(User).where(User.chamber_id == chamber.id, User.company_id.is_(None))
            .order_by(User.id)
        ).all()  # fmt: skip
        return render_template(
            "admin/users.html", staff=staff, roles=adm.STAFF_ROLES, problems=problems,
            form=request.form,
        )  # fmt: skip

    if request.method == "POST":
        return _post(
            lambda: adm.create_staff(db(), password_hasher(), actor(), chamber, request.form),
            page,
            _("User created."),
        )
    return page({})


@bp.post("/users/<int:user_id>/<any(role, active):what>")
@admin_only
def user_change(user_id: int, what: str) -> Any:
    if what == "role":
        adm.set_user_role(db(), actor(), user_id, request.form.get("role", ""))
    else:
        adm.set_user_active(db(), actor(), user_id, request.form.get("active") == "yes")
    db().commit()
    return redirect(url_for("admin.users"))


@bp.route("/settings", methods=["GET", "POST"])
@admin_only
def settings() -> Any:
    chamber = _chamber()

    def page(problems: dict[str, str]) -> str:
        return render_template(
            "admin/settings.html", chamber=chamber, problems=problems, form=request.form
        )

    if request.method == "POST":
        return _post(
            lambda: adm.update_chamber_settings(db(), actor(), chamber, request.form),
            page,
            _("Settings saved; the issuing worker reads them at its next tick."),
        )
    return page({})


@bp.route("/forms", methods=["GET", "POST"])
@admin_only
def forms() -> Any:
    chamber = _chamber()

    def page(problems: dict[str, str]) -> str:
        rows = {
            r.form: r
            for r in db().scalars(select(FormSettings).where(FormSettings.chamber_id == chamber.id))
        }
        return render_template(
            "admin/forms.html", chamber=chamber, forms=list(FORMS), rows=rows, problems=problems,
            form=request.form,
        )  # fmt: skip

    if request.method == "POST":
        f = request.form
        return _post(
            lambda: adm.save_form_settings(
                db(),
                actor(),
                chamber,
                f.get("form", ""),
                fee=f.get("fee", ""),
                template=f.get("template", ""),
            ),
            page,
            _("Form settings saved."),
        )
    return page({})


@bp.get("/events")
@admin_only
def events() -> str:
    rows = db().scalars(
        select(Event).where(Event.chamber_id == g.user.chamber_id).order_by(Event.id.desc())
        .limit(200)
    ).all()  # fmt: skip
    return render_template("admin/events.html", events=rows)


@bp.get("/events.jsonl")
@admin_only
def events_export() -> Response:
    session, chamber_id = db(), g.user.chamber_id
    response = Response(
        stream_with_context(adm.events_jsonl(session, chamber_id)), mimetype="application/jsonl"
    )
    response.headers["Content-Disposition"] = 'attachment; filename="desk-events.jsonl"'
    return response


@bp.get("/fees.csv")
@admin_only
def fees() -> Response:
    response = Response(adm.fees_csv(db(), g.user.chamber_id), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="fees.csv"'
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
