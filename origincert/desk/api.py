"""The exporters' REST API (``/api/v1``): apply, attach, submit, status, download, bulk import.

Authenticated by a company API key; every identifier in a URL is looked up *within the key's
company*, so another company's id answers 404 like an unknown one. ``Idempotency-Key`` on a
create makes a retried POST return the application the first one created, never a second.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import unicodedata
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from origincert.desk import csvimport, fieldmap, products, service
from origincert.desk.blobs import ATTACHMENT_KINDS
from origincert.desk.errors import Conflict, Invalid, NotFound
from origincert.desk.models import (
    Application,
    Attachment,
    IdempotencyKey,
    Product,
    Status,
    utcnow,
)
from origincert.desk.openapi import openapi_document
from origincert.desk.status import EDITABLE
from origincert.desk.web import actor, api_auth, blobs, db
from origincert.errors import DocumentError
from origincert.pdf import render_pdf
from origincert.safejson import load_json
from origincert.webkit.security import csrf, limiter

__all__ = ["bp", "init_app", "serialize"]

bp = Blueprint("api", __name__, url_prefix="/api/v1")
MAX_IDEMPOTENCY_KEY = 100
MAX_ATTACHMENTS = 20  # per application


def _limit() -> str:
    return str(current_app.config["API_RATE_LIMIT"])


def _key_id() -> str:
    return f"key:{g.get('api_key_id') or request.remote_addr}"


def serialize(app: Application, attachments: list[Attachment] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": app.public_id,
        "number": app.number,
        "status": app.status,
        "form": app.form,
        "fields": app.document,
        "approvals_needed": app.approvals_needed,
        "reason_code": app.reason_code,
        "comment": app.comment,
        "comment_field": app.comment_field,
        "created_at": app.created_at.isoformat(),
        "submitted_at": app.submitted_at.isoformat() if app.submitted_at else None,
        "approved_at": app.approved_at.isoformat() if app.approved_at else None,
        "issued_at": app.issued_at.isoformat() if app.issued_at else None,
    }
    if attachments is not None:
        out["attachments"] = [
            {
                "id": a.public_id,
                "kind": a.kind,
                "sha256": a.sha256,
                "size": a.size,
                "media_type": a.media_type,
                "label": a.label,
            }
            for a in attachments
        ]
    return out


def _attachments(app: Application) -> list[Attachment]:
    return list(
        db().scalars(
            select(Attachment).where(Attachment.application_id == app.id).order_by(Attachment.id)
        )
    )


def _body() -> Any:
    """The JSON object of the body, through the project's bounded reader (size, depth, duplicate
    keys, lone surrogates); a refusal keeps its reason code."""
    return json_object(request.get_data(), current_app.config["MAX_CONTENT_LENGTH"])


def json_object(raw: bytes | str, max_bytes: int) -> Any:
    if not raw:
        raise Invalid("the body must be a JSON object", code="body_not_json")
    try:
        return load_json(raw, max_bytes=max_bytes)
    except DocumentError as exc:
        code = "body_not_json" if exc.code in ("json_malformed", "json_empty") else exc.code
        raise Invalid(f"the body is not acceptable JSON: {exc}", code=code) from None


def _one(app: Application, status: int = 200) -> Response:
    response = jsonify(serialize(app, _attachments(app)))
    response.status_code = status
    return response


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document())


@bp.post("/applications")
@api_auth
def create() -> Response:
    fields = _body()
    key = request.headers.get("Idempotency-Key")
    if key is None:
        app = service.create_application(db(), actor(), fields)
        db().commit()
        return _one(app, 201)
    if not key or len(key) > MAX_IDEMPOTENCY_KEY or not key.isprintable():
        raise Invalid(
            "Idempotency-Key must be 1 to 100 printable characters", code="idempotency_key_invalid"
        )
    digest = hashlib.sha256(request.get_data()).hexdigest()
    company_id = g.user.company_id
    earlier = _idempotent(company_id, key, digest)
    if earlier is not None:
        return _one(earlier, 200)
    app = service.create_application(db(), actor(), fields)
    db().add(
        IdempotencyKey(
            company_id=company_id, key=key, request_hash=digest, application_id=app.id, at=utcnow()
        )
    )
    try:
        db().commit()
    except IntegrityError:  # the same key raced us: answer with what the winner created
        db().rollback()
        earlier = _idempotent(company_id, key, digest)
        if earlier is None:
            raise
        return _one(earlier, 200)
    return _one(app, 201)


def _idempotent(company_id: int, key: str, digest: str) -> Application | None:
    row = db().scalar(
        select(IdempotencyKey).where(
            IdempotencyKey.company_id == company_id, IdempotencyKey.key == key
        )
    )
    if row is None:
        return None
    if row.request_hash != digest:
        raise Invalid(
            "this Idempotency-Key was used for another request",
            code="idempotency_key_reused",
        )
    return db().get(Application, row.application_id)


@bp.post("/applications/bulk")
@api_auth
def bulk() -> Response:
    """Many applications at once, all or none: ``{"applications": [fields, ...], "submit": bool}``."""
    body = _body()
    items = body.get("applications") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items:
        raise Invalid('give a non-empty list in "applications"', code="bulk_empty")
    if len(items) > current_app.config["MAX_BULK"]:
        raise Invalid(
            f"at most {current_app.config['MAX_BULK']} applications at once", code="bulk_too_large"
        )
    created = service.import_applications(
        db(), actor(), items, then_submit=body.get("submit") is True,
        declaration=body.get("declaration") is True,
    )  # fmt: skip
    db().commit()
    response = jsonify(
        applications=[{"id": a.public_id, "number": a.number, "status": a.status} for a in created]
    )
    response.status_code = 201
    return response


@bp.post("/applications/import.csv")
@api_auth
def import_csv() -> Response:
    """Many applications from CSV (one row per goods item), all or none; ``?submit=true`` with
    ``&declaration=true`` submits them too."""
    pairs = import_csv_rows(
        request.get_data(),
        then_submit=request.args.get("submit") == "true",
        declaration=request.args.get("declaration") == "true",
    )
    db().commit()
    response = jsonify(
        applications=[
            {"reference": p.reference, "id": a.public_id, "number": a.number, "status": a.status}
            for p, a in pairs
        ]
    )
    response.status_code = 201
    return response


def import_csv_rows(
    data: bytes, *, then_submit: bool, declaration: bool
) -> list[tuple[csvimport.ParsedApplication, Application]]:
    """The CSV import shared by the API and the exporter's page; problems by row and column."""
    library = {p.name: p.item for p in products.products_for(db(), actor())}
    parsed = csvimport.parse_csv(
        data, max_applications=current_app.config["MAX_BULK"], products=library
    )
    try:
        created = service.import_applications(
            db(), actor(), [p.fields for p in parsed], then_submit=then_submit,
            declaration=declaration,
        )  # fmt: skip
    except Invalid as exc:
        raise Invalid(
            str(exc), code=exc.code, problems=csvimport.row_problems(parsed, exc.problems)
        ) from None
    return list(zip(parsed, created, strict=True))


def _product_json(p: Product) -> dict[str, Any]:
    return {"id": p.public_id, "name": p.name, "item": p.item}


def _product_body() -> tuple[str, dict[str, str]]:
    """``{"name": ..., "item": {"hs_code": ..., "origin_criterion": {"code": ...}, ...}}``."""
    body = _body()
    if not isinstance(body, dict) or not isinstance(body.get("item"), dict):
        raise Invalid(
            'give {"name": ..., "item": {...}}', code="product_invalid",
            problems=[("item", "must be an object of the product's fields")],
        )  # fmt: skip
    name = body.get("name")
    flat = fieldmap.flatten(body["item"])
    unknown = sorted(k for k in flat if k not in fieldmap.PRODUCT_FIELDS)
    if unknown or not isinstance(name, str):
        raise Invalid(
            "the product has problems", code="product_invalid",
            problems=[(f"item.{k}", "is not a field of a product") for k in unknown]
            + ([] if isinstance(name, str) else [("name", "must be a string")]),
        )  # fmt: skip
    return name, flat


@bp.get("/products")
@api_auth
def product_list() -> Response:
    return jsonify(products=[_product_json(p) for p in products.products_for(db(), actor())])


@bp.post("/products")
@api_auth
def product_create() -> Response:
    name, flat = _product_body()
    product = products.save_product(db(), actor(), name, flat)
    db().commit()
    response = jsonify(_product_json(product))
    response.status_code = 201
    return response


@bp.get("/products/<product_id>")
@api_auth
def product_show(product_id: str) -> Response:
    return jsonify(_product_json(products.get_product(db(), actor(), product_id)))


@bp.put("/products/<product_id>")
@api_auth
def product_update(product_id: str) -> Response:
    products.get_product(db(), actor(), product_id)  # unknown or another company's: 404 first
    name, flat = _product_body()
    product = products.save_product(db(), actor(), name, flat, public_id=product_id)
    db().commit()
    return jsonify(_product_json(product))


@bp.delete("/products/<product_id>")
@api_auth
def product_delete(product_id: str) -> Response:
    products.delete_product(db(), actor(), product_id)
    db().commit()
    return Response(status=204)


@bp.get("/applications")
@api_auth
def listing() -> Response:
    status = request.args.get("status")
    return jsonify(
        applications=[serialize(a) for a in service.applications_for(db(), actor(), status=status)]
    )


@bp.get("/applications/<public_id>")
@api_auth
def show(public_id: str) -> Response:
    return _one(service.get_application(db(), actor(), public_id))


@bp.put("/applications/<public_id>")
@api_auth
def update(public_id: str) -> Response:
    app = service.get_application(db(), actor(), public_id)
    service.update_fields(db(), actor(), app, _body())
    db().commit()
    return _one(app)


@bp.post("/applications/<public_id>/submit")
@api_auth
def submit(public_id: str) -> Response:
    body = _body()
    app = service.get_application(db(), actor(), public_id)
    service.submit(
        db(), actor(), app, declaration=isinstance(body, dict) and body.get("declaration") is True
    )
    db().commit()
    return _one(app)


@bp.post("/applications/<public_id>/attachments")
@api_auth
def attach(public_id: str) -> Response:
    app = service.get_application(db(), actor(), public_id)
    add_attachment(app)
    db().commit()
    return _one(app, 201)


def attachment_label(filename: str | None) -> str:
    """The name shown for an upload: its last path part, without control or direction-changing
    characters (a name is only ever shown, never used as a path)."""
    base = re.split(r"[\\/]", filename or "")[-1]
    clean = "".join(ch for ch in base if unicodedata.category(ch) not in ("Cc", "Cf", "Cs"))
    return clean.strip()[:200] or "file"


def add_attachment(app: Application) -> Attachment:
    """The uploaded ``file`` with its ``kind``, stored by hash; shared by the API and the page."""
    if Status(app.status) not in EDITABLE:
        raise Conflict(f"an application {app.status} takes no attachments", code="not_editable")
    kind = request.form.get("kind", "")
    if kind not in ATTACHMENT_KINDS:
        raise Invalid(
            "unknown attachment kind",
            code="attachment_kind",
            problems=[("kind", "must be one of " + ", ".join(ATTACHMENT_KINDS))],
        )
    upload = request.files.get("file")
    if upload is None:
        raise Invalid(
            "no file uploaded", code="attachment_missing", problems=[("file", "is required")]
        )
    count = db().scalar(
        select(func.count(Attachment.id)).where(Attachment.application_id == app.id)
    )
    if (count or 0) >= MAX_ATTACHMENTS:
        raise Invalid(
            f"at most {MAX_ATTACHMENTS} attachments per application",
            code="attachments_too_many",
            problems=[("file", f"an application takes at most {MAX_ATTACHMENTS} files")],
        )
    data = upload.read(current_app.config["MAX_ATTACHMENT_BYTES"] + 1)
    sha, media_type = blobs().put(data)  # refused whole before anything is written
    att = Attachment(
        public_id=secrets.token_hex(12),
        application_id=app.id,
        kind=kind,
        sha256=sha,
        size=len(data),
        media_type=media_type,
        label=attachment_label(upload.filename),
        uploaded_by=g.user.id,
        at=utcnow(),
    )
    db().add(att)
    db().flush()
    service.record_event(
        db(), actor(), "attached", application=app, after={"kind": kind, "sha256": sha}
    )
    return att


@bp.get("/applications/<public_id>/attachments/<attachment_id>")
@api_auth
def attachment(public_id: str, attachment_id: str) -> Response:
    return send_attachment(service.get_application(db(), actor(), public_id), attachment_id)


def send_attachment(app: Application, attachment_id: str) -> Response:
    att = db().scalar(
        select(Attachment).where(
            Attachment.application_id == app.id, Attachment.public_id == str(attachment_id)
        )
    )
    if att is None:
        raise NotFound("no such attachment", code="attachment_unknown")
    response = Response(blobs().get(att.sha256), mimetype=att.media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{att.sha256[:16]}"'
    response.headers["Content-Security-Policy"] = "sandbox"  # opened in a tab: no script runs
    return response


@bp.get("/applications/<public_id>/certificate")
@api_auth
def certificate(public_id: str) -> Response:
    return issued_file_response(service.get_application(db(), actor(), public_id))


@bp.get("/applications/<public_id>/certificate.pdf")
@api_auth
def certificate_pdf(public_id: str) -> Response:
    return issued_pdf_response(service.get_application(db(), actor(), public_id))


def issued_pdf_response(app: Application) -> Response:
    """The printable certificate with its QR code, made from the issued file on demand."""
    if app.issued_file is None:
        raise NotFound("the certificate is not issued yet", code="not_issued")
    pdf = render_pdf(json.loads(app.issued_file))
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{app.number}.pdf"'
    return response


def issued_file_response(app: Application) -> Response:
    if app.issued_file is None:
        raise NotFound("the certificate is not issued yet", code="not_issued")
    response = Response(app.issued_file, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="{app.number}.coo.json"'
    return response


def init_app(app: Flask) -> None:
    csrf.exempt(bp)  # API keys, not cookies: no cross-site request can carry one
    limiter.limit(_limit, key_func=_key_id)(bp)
    app.register_blueprint(bp)
