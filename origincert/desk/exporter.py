"""The exporter's pages: dashboard (applications and each status change), the application form
of each certificate form with autosave, attachments, declaration and submit, the product
library, the CSV import, and the downloads (issued file, PDF, redacted copy); the company
admin's team and API keys."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from origincert.desk import accounts, fieldmap, products, service
from origincert.desk.administration import form_template
from origincert.desk.api import (
    add_attachment,
    import_csv_rows,
    issued_file_response,
    issued_pdf_response,
    json_object,
    send_attachment,
)
from origincert.desk.blobs import ATTACHMENT_KINDS
from origincert.desk.csvimport import COLUMNS, template_csv
from origincert.desk.documents import MAX_FIELDS_BYTES, check_fields
from origincert.desk.errors import DeskError, Invalid, NotFound
from origincert.desk.models import (
    Application,
    Attachment,
    Chamber,
    Company,
    Event,
    Role,
    Status,
    User,
)
from origincert.desk.redaction import redactable_paths, redacted_copy
from origincert.desk.status import EDITABLE, TRANSITIONS
from origincert.desk.web import actor, db, password_hasher, role_required
from origincert.document import MAX_ITEMS

__all__ = ["bp", "init_app"]

bp = Blueprint("exporter", __name__, url_prefix="/exporter")
EXPORTERS = (Role.EXPORTER.value, Role.EXPORTER_ADMIN.value)
exporter_only = role_required(*EXPORTERS)
CHANGES_SHOWN = 30


def _fields_from_json() -> Any:
    text = request.form.get("fields", "")
    try:
        return json_object(text, MAX_FIELDS_BYTES)
    except Invalid as exc:
        raise Invalid(
            str(exc), code=exc.code, problems=[("fields", "must be a JSON object")]
        ) from None


def _library() -> dict[str, dict[str, Any]]:
    return {p.public_id: p.item for p in products.products_for(db(), actor())}


def _fields_from_form(app: Application) -> dict[str, Any]:
    """The structured form's values as the application's fields (the JSON box when the form
    has none, e.g. an application made through the API for another form)."""
    spec = fieldmap.spec_for(app.form)
    if spec is None or "fields" in request.form:
        return _fields_from_json()  # type: ignore[no-any-return]
    values = {k: v for k, v in request.form.items() if k != "csrf_token"}
    doc = fieldmap.build(spec, values, base=app.document, products=_library())
    action = request.form.get("action", "")
    if action == "add_item" and len(doc["goods"]) < MAX_ITEMS:
        doc["goods"].append({"item_number": len(doc["goods"]) + 1})
    elif action.startswith("remove_item:") and len(doc["goods"]) > 1:
        index = action.partition(":")[2]
        if index.isdigit() and int(index) < len(doc["goods"]):
            del doc["goods"][int(index)]
            for i, item in enumerate(doc["goods"]):
                item["item_number"] = i + 1
    return doc


def _problems_now(app: Application) -> list[tuple[str, str]]:
    """What ``origincert validate`` would say of the draft today (nothing is changed)."""
    try:
        service.final_document(db(), app, datetime.now(UTC).date())
    except Invalid as exc:
        return list(exc.problems)
    return []


def _page(
    app: Application, problems: list[tuple[str, str]] | None = None, status: int = 200
) -> Any:
    atts = db().scalars(select(Attachment).where(Attachment.application_id == app.id)).all()
    spec = fieldmap.spec_for(app.form)
    editable = Status(app.status) in EDITABLE
    values = fieldmap.flatten(app.document)
    goods = app.document.get("goods")
    count = len(goods) if isinstance(goods, list) and goods else 1
    problems = problems or []
    return (
        render_template(
            "exporter/application.html",
            app=app,
            attachments=atts,
            editable=editable,
            spec=spec,
            values=values,
            items=[fieldmap.item_fields(spec, i) for i in range(count)] if spec else [],
            library=products.products_for(db(), actor()) if editable else [],
            fields_text=json.dumps(app.document, indent=2, ensure_ascii=False),
            problems=problems,
            at={field: text for field, text in reversed(problems)},
            kinds=ATTACHMENT_KINDS,
        ),
        status,
    )


@bp.get("/")
@exporter_only
def dashboard() -> str:
    apps = service.applications_for(db(), actor())
    changes = (
        db()
        .execute(
            select(Event, Application.number, Application.public_id)
            .join(Application, Event.application_id == Application.id)
            .where(
                Application.company_id == g.user.company_id,
                Event.action.in_(list(TRANSITIONS)),  # the status changes
            )
            .order_by(Event.id.desc())
            .limit(CHANGES_SHOWN)
        )
        .all()
    )
    return render_template("exporter/dashboard.html", apps=apps, changes=changes)


@bp.route("/new", methods=["GET", "POST"])
@exporter_only
def new() -> Any:
    if request.method == "POST":
        form = request.form.get("form", "")
        if "fields" in request.form:
            fields = _fields_from_json()
        elif (spec := fieldmap.spec_for(form)) is not None:
            fields = _starting_fields(spec)
        else:
            return render_template(
                "exporter/new.html", forms=fieldmap.APPLICATION_FORMS,
                problem="must be one of " + ", ".join(fieldmap.APPLICATION_FORMS),
            ), 422  # fmt: skip
        app = service.create_application(db(), actor(), fields)
        db().commit()
        return redirect(url_for("exporter.application", public_id=app.public_id))
    return render_template("exporter/new.html", forms=fieldmap.APPLICATION_FORMS, problem="")


def _starting_fields(spec: fieldmap.FormSpec) -> dict[str, Any]:
    """A new draft of ``spec``'s form, with the exporter and declarant of the company's latest
    application filled in (they rarely change)."""
    # the chamber's template for the form first (its admin's prefilled fields), then the form
    fields: dict[str, Any] = {
        **form_template(db(), g.user.chamber_id, spec.form),
        "kind": spec.kind,
        "form": spec.form,
    }
    if spec.agreement:
        fields["agreement"] = spec.agreement
    latest = db().scalar(
        select(Application)
        .where(Application.company_id == g.user.company_id)
        .order_by(Application.id.desc())
        .limit(1)
    )
    if latest is not None:
        if isinstance(latest.document.get("exporter"), dict):
            fields["exporter"] = latest.document["exporter"]
        declaration = latest.document.get("declaration")
        if isinstance(declaration, dict):
            fields["declaration"] = {
                k: v for k, v in declaration.items() if k in ("place", "signatory")
            }
    fields["goods"] = [{"item_number": 1}]
    return fields


@bp.get("/a/<public_id>")
@exporter_only
def application(public_id: str) -> Any:
    app = service.get_application(db(), actor(), public_id)
    return _page(app)


@bp.post("/a/<public_id>/save")
@exporter_only
def save(public_id: str) -> Any:
    app = service.get_application(db(), actor(), public_id)
    try:
        service.update_fields(db(), actor(), app, _fields_from_form(app))
    except Invalid as exc:
        db().rollback()
        return _page(app, exc.problems or [("", str(exc))], 422)
    db().commit()
    if request.form.get("action"):
        return redirect(url_for("exporter.application", public_id=public_id) + "#goods")
    flash("Draft saved.")
    return _page(app, _problems_now(app))


@bp.post("/a/<public_id>/autosave")
@exporter_only
def autosave(public_id: str) -> Response:
    """The form, posted by the page's script every few seconds or on change: saved as the
    draft, answered with every field's problem by the rules of ``origincert validate``."""
    app = service.get_application(db(), actor(), public_id)
    try:
        fields = _fields_from_form(app)
        if check_fields(fields) != app.document or Status(app.status) not in EDITABLE:
            service.update_fields(db(), actor(), app, fields)  # unchanged: no second event
    except DeskError as exc:
        db().rollback()
        response = jsonify(
            saved=False,
            error=exc.code,
            message=str(exc),
            problems=[{"field": f, "message": m} for f, m in exc.problems],
        )
        response.status_code = exc.http_status
        return response
    db().commit()
    problems = _problems_now(app)
    return jsonify(
        saved=True,
        at=app.updated_at.strftime("%H:%M:%S"),
        problems=[{"field": f, "message": m} for f, m in problems],
    )


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
    try:
        add_attachment(app)
    except Invalid as exc:
        db().rollback()
        return _page(app, exc.problems or [("file", str(exc))], 422)
    db().commit()
    return redirect(url_for("exporter.application", public_id=public_id))


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_exc: RequestEntityTooLarge) -> Any:
    """An upload over the request limit: the page again, the error at the file field."""
    public_id = (request.view_args or {}).get("public_id")
    message = f"is too large: the limit is {int(request.max_content_length or 0) // 1024} KiB"
    if public_id is None or g.get("user") is None:  # refused before sign-in was read (CSRF)
        return render_template(
            "error.html", code="too_large", message=f"The file {message}.",
            problems=[("file", message)],
        ), 413  # fmt: skip
    app = service.get_application(db(), actor(), public_id)
    return _page(app, [("file", message)], 413)


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


@bp.route("/a/<public_id>/redact", methods=["GET", "POST"])
@exporter_only
def redact(public_id: str) -> Any:
    """A copy of the issued certificate with the commercial fields the exporter chooses withheld
    (still verifiable: the proof covers what is shown and what is withheld)."""
    app = service.get_application(db(), actor(), public_id)
    if app.issued_file is None:
        raise NotFound("the certificate is not issued yet", code="not_issued")
    issued = json.loads(app.issued_file)
    choices = redactable_paths(issued)
    problems: list[tuple[str, str]] = []
    if request.method == "POST":
        try:
            text = redacted_copy(issued, request.form.getlist("hide"), choices)
        except Invalid as exc:
            problems = list(exc.problems)
        else:
            response = Response(text, mimetype="application/json")
            response.headers["Content-Disposition"] = (
                f'attachment; filename="{app.number}.redacted.coo.json"'
            )
            return response
    return render_template("exporter/redact.html", app=app, choices=choices, problems=problems), (
        422 if problems else 200
    )


# --- the product library ----------------------------------------------------------------------


@bp.route("/products", methods=["GET", "POST"])
@exporter_only
def product_list() -> Any:
    problems: list[tuple[str, str]] = []
    values: dict[str, str] = {}
    if request.method == "POST":
        values = {k: v for k, v in request.form.items() if k != "csrf_token"}
        problems = _save_product(values)
        if not problems:
            return redirect(url_for("exporter.product_list"))
    return render_template(
        "exporter/products.html", products=products.products_for(db(), actor()),
        product=None, values=values, problems=problems, at=dict(reversed(problems)),
        fields=_product_fields(),
    ), (422 if problems else 200)  # fmt: skip


def _save_product(values: dict[str, str], public_id: str | None = None) -> list[tuple[str, str]]:
    """Save a new or edited product whole; its problems (nothing saved) or none (committed)."""
    try:
        products.save_product(db(), actor(), values.get("name", ""), values, public_id=public_id)
    except DeskError as exc:
        db().rollback()
        return list(exc.problems) or [("", str(exc))]
    db().commit()
    flash("Product saved.")
    return []


@bp.route("/products/<product_id>", methods=["GET", "POST"])
@exporter_only
def product(product_id: str) -> Any:
    item = products.get_product(db(), actor(), product_id)
    problems: list[tuple[str, str]] = []
    values = {"name": item.name, **fieldmap.flatten(item.item)}
    if request.method == "POST":
        if request.form.get("action") == "delete":
            products.delete_product(db(), actor(), product_id)
            db().commit()
            flash("Product deleted.")
            return redirect(url_for("exporter.product_list"))
        values = {k: v for k, v in request.form.items() if k != "csrf_token"}
        problems = _save_product(values, public_id=product_id)
        if not problems:
            return redirect(url_for("exporter.product_list"))
    return render_template(
        "exporter/products.html", products=[], product=item, values=values,
        problems=problems, at=dict(reversed(problems)), fields=_product_fields(),
    ), (422 if problems else 200)  # fmt: skip


def _product_fields() -> list[fieldmap.Field]:
    return [f for f in fieldmap.ITEM_FIELDS if f.path in fieldmap.PRODUCT_FIELDS]


# --- the CSV import ---------------------------------------------------------------------------


@bp.route("/import", methods=["GET", "POST"])
@exporter_only
def import_page() -> Any:
    problems: list[tuple[str, str]] = []
    if request.method == "POST":
        upload = request.files.get("file")
        data = upload.read() if upload is not None else b""
        try:
            if not data:
                raise Invalid("choose a CSV file", code="bulk_empty",
                              problems=[("file", "choose a CSV file")])  # fmt: skip
            pairs = import_csv_rows(
                data,
                then_submit=request.form.get("submit") == "yes",
                declaration=request.form.get("declaration") == "yes",
            )
        except DeskError as exc:
            db().rollback()
            problems = list(exc.problems) or [("file", str(exc))]
        else:
            db().commit()
            flash(f"Imported {len(pairs)} application(s).")
            return redirect(url_for("exporter.dashboard"))
    return render_template("exporter/import.html", columns=COLUMNS, problems=problems), (
        422 if problems else 200
    )


@bp.get("/import/template.csv")
@exporter_only
def import_template() -> Response:
    response = Response(template_csv(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="applications-template.csv"'
    return response


# --- the company admin ------------------------------------------------------------------------


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
