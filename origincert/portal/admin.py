"""The administrator's pages: offices, officer accounts, API tokens, the archive index."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import select
from werkzeug.wrappers import Response

from origincert.portal import accounts, certindex, db, seclog, throttle
from origincert.portal.auth import admin_required, password_hasher
from origincert.portal.db import ApiToken, Office, Officer
from origincert.portal.forms import OfficeForm, OfficerForm, ResetPasswordForm, TokenForm

__all__ = ["bp"]

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _office_choices() -> list[tuple[str, str]]:
    offices = db.session().scalars(select(Office).order_by(Office.code))
    return [(o.code, f"{o.code} · {o.name}") for o in offices]


def _forms(**given: Any) -> dict[str, Any]:
    forms = {
        "officer_form": OfficerForm(),
        "office_form": OfficeForm(),
        "token_form": TokenForm(),
        **given,
    }
    choices = _office_choices()
    forms["officer_form"].office.choices = choices
    forms["token_form"].office.choices = choices
    return forms


def _render(status: int = 200, *, error: str | None = None, **given: Any) -> tuple[str, int]:
    dbs = db.session()
    return (
        render_template(
            "admin.html",
            error=error,
            officers=dbs.scalars(select(Officer).order_by(Officer.username)).all(),
            offices=dbs.scalars(select(Office).order_by(Office.code)).all(),
            tokens=dbs.scalars(
                select(ApiToken).order_by(
                    ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc()
                )
            ).all(),
            index=certindex.summary(dbs),
            archives=current_app.config["ARCHIVE_DIRS"],
            reset_form=ResetPasswordForm(),
            **_forms(**given),
        ),
        status,
    )


def _first_error(form: Any) -> str:
    for name, errors in form.errors.items():
        if errors:
            label = getattr(getattr(form, name, None), "label", None)
            return f"{label.text if label else name}: {errors[0]}"
    return "The form is incomplete."


@bp.get("")
@admin_required
def index() -> Any:
    return _render()


@bp.post("/offices")
@admin_required
def add_office() -> Any:
    form = OfficeForm()
    if not form.validate_on_submit():
        return _render(400, error=_first_error(form), office_form=form)
    dbs = db.session()
    code = (form.code.data or "").strip().upper()
    if dbs.scalar(select(Office).where(Office.code == code)) is not None:
        return _render(400, error=f"The office {code} exists already.", office_form=form)
    try:
        accounts.ensure_office(dbs, code, form.name.data)
    except accounts.AccountError as exc:
        return _render(400, error=exc.message, office_form=form)
    dbs.commit()
    flash(f"Office {code} created.", "info")
    return redirect(url_for("admin.index"))


@bp.post("/officers")
@admin_required
def add_officer() -> Any:
    form = _forms()["officer_form"]
    if not form.validate_on_submit():
        return _render(400, error=_first_error(form), officer_form=form)
    dbs = db.session()
    office = dbs.scalar(select(Office).where(Office.code == form.office.data))
    if office is None:
        return _render(400, error="Choose an existing office.", officer_form=form)
    try:
        officer = accounts.create_officer(
            dbs,
            password_hasher(),
            username=(form.username.data or "").strip().lower(),
            full_name=form.full_name.data or "",
            office=office,
            password=form.password.data or "",
            is_admin=bool(form.is_admin.data),
        )
    except accounts.AccountError as exc:
        return _render(400, error=exc.message, officer_form=form)
    dbs.commit()
    flash(f"Officer {officer.username} created in office {office.code}.", "info")
    return redirect(url_for("admin.index"))


def _officer(officer_id: int) -> Officer:
    officer = db.session().get(Officer, officer_id)
    if officer is None:
        abort(404, "There is no such officer.")
    return officer


@bp.post("/officers/<int:officer_id>/unlock")
@admin_required
def unlock(officer_id: int) -> Response:
    officer = _officer(officer_id)
    officer.locked_until = None
    officer.failed_logins = 0
    throttle.forget_account(db.session(), officer.username)  # every address may try again
    db.session().commit()
    flash(f"{officer.username} is unlocked.", "info")
    return redirect(url_for("admin.index"))


@bp.post("/officers/<int:officer_id>/active")
@admin_required
def toggle_active(officer_id: int) -> Any:
    officer = _officer(officer_id)
    if officer.id == g.officer.id:
        return _render(400, error="You cannot deactivate your own account.")
    officer.active = not officer.active
    officer.session_epoch += 1
    db.session().commit()
    flash(
        f"{officer.username} is {'active again' if officer.active else 'deactivated and signed out'}.",
        "info",
    )
    return redirect(url_for("admin.index"))


@bp.post("/officers/<int:officer_id>/password")
@admin_required
def reset_password(officer_id: int) -> Any:
    officer = _officer(officer_id)
    form = ResetPasswordForm()
    if not form.validate_on_submit():
        return _render(400, error=_first_error(form))
    try:
        accounts.set_password(officer, password_hasher(), form.password.data or "")
    except accounts.AccountError as exc:
        return _render(400, error=exc.message)
    db.session().commit()
    flash(f"New password set for {officer.username}; their sessions were signed out.", "info")
    return redirect(url_for("admin.index"))


@bp.post("/tokens")
@admin_required
def issue_token() -> Any:
    form = _forms()["token_form"]
    if not form.validate_on_submit():
        return _render(400, error=_first_error(form), token_form=form)
    dbs = db.session()
    office = dbs.scalar(select(Office).where(Office.code == form.office.data))
    if office is None:
        return _render(400, error="Choose an existing office.", token_form=form)
    try:
        token, clear = accounts.issue_token(
            dbs, name=form.name.data or "", office=office, created_by=g.officer.username
        )
    except accounts.AccountError as exc:
        return _render(400, error=exc.message, token_form=form)
    dbs.commit()
    # shown once, on this response only: never stored, never put in a URL or the flash cookie
    return render_template("token_issued.html", token=token, clear=clear)


@bp.post("/tokens/<int:token_id>/revoke")
@admin_required
def revoke_token(token_id: int) -> Response:
    token = db.session().get(ApiToken, token_id)
    if token is None:
        abort(404, "There is no such API token.")
    accounts.revoke_token(token)
    db.session().commit()
    flash(f"API token {token.name} ({token.prefix}…) is revoked.", "info")
    return redirect(url_for("admin.index"))


@bp.post("/archives/rescan")
@admin_required
def rescan() -> Any:
    dbs = db.session()
    try:
        report = certindex.scan_archives(dbs, current_app.config["ARCHIVE_DIRS"])
    except certindex.ArchiveError as exc:
        dbs.rollback()
        return _render(400, error=exc.message)
    dbs.commit()
    flash(f"Archive folders scanned: {report}.", "info")
    return redirect(url_for("admin.index"))


@bp.after_request
def _audit(response: Response) -> Response:
    """Every administrator's act that changed something goes to the security log."""
    if request.method == "POST" and response.status_code < 400 and g.get("officer") is not None:
        seclog.event(
            "admin_act",
            act=request.endpoint,
            admin=g.officer.username,
            target=dict(request.view_args or {}),
            status=response.status_code,
        )
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
