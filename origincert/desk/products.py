"""The product library: goods a company saves once (HS code, description, origin criterion,
country of origin, units) and reuses in its applications.

A product is checked with the rules of ``origincert validate``: its fields are put into a goods
item of a form's template that takes its origin criterion, the whole document is validated, and
the problems of the product's own fields are kept. Only the company's own users see or change
its products: every lookup is by the product's public id *within the actor's company*, so
another company's id answers "no such product" like an unknown one.
"""

from __future__ import annotations

import copy
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from origincert.desk import fieldmap
from origincert.desk.errors import Conflict, Forbidden, Invalid, NotFound
from origincert.desk.models import Product, utcnow
from origincert.desk.service import Actor, record_event
from origincert.document import FORMS, parse_certificate
from origincert.errors import DocumentError
from origincert.templates import template

__all__ = ["delete_product", "get_product", "problems_of", "products_for", "save_product"]

MAX_PRODUCTS = 5000  # per company
_FIELDS = {f.path: f for f in fieldmap.ITEM_FIELDS if f.path in fieldmap.PRODUCT_FIELDS}
# the forms a product is checked on, first that takes its origin criterion
_CHECK_FORMS = ("FORM_D", "FORM_A", "FORM_E", "RCEP")


def _require_exporter(actor: Actor) -> int:
    if not actor.is_exporter or actor.user.company_id is None:
        raise Forbidden("only an exporter's users keep a product library", code="exporter_only")
    return actor.user.company_id


def _check_form(item: Mapping[str, Any]) -> str:
    criterion = item.get("origin_criterion")
    code = criterion.get("code") if isinstance(criterion, dict) else None
    if code is None:
        return "ICC_CO"
    for form in _CHECK_FORMS:
        if code in (FORMS[form].criteria or ()):
            return form
    return "FORM_D"  # the code is on no form: the check says which codes are allowed


def problems_of(item: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The product's problems as (field, message), by the rules of ``origincert validate``."""
    form = _check_form(item)
    doc = template(form)
    goods = copy.deepcopy(doc["goods"][0])
    for top in ("hs_code", "description", "country_of_origin", "origin_criterion"):
        goods.pop(top, None)  # the product's own (a required one missing must show)
    for key, value in item.items():
        if isinstance(value, dict) and isinstance(goods.get(key), dict):
            goods[key] = {**goods[key], **value}  # the unit of a quantity, the kind of packages
        else:
            goods[key] = copy.deepcopy(value)
    doc["goods"] = [goods]
    try:
        parse_certificate(doc)
    except DocumentError as exc:
        out = []
        for path, message in exc.problems:
            if not path.startswith("goods[0]."):
                continue
            field = path[len("goods[0].") :]
            if field == "origin_criterion":
                field = "origin_criterion.code"
            if field in fieldmap.PRODUCT_FIELDS:
                out.append((field, message))
        return out
    return []


def _item_from(values: Mapping[str, str]) -> dict[str, Any]:
    item: dict[str, Any] = {}
    for path, f in _FIELDS.items():
        raw = values.get(path, "")
        if raw.strip():
            fieldmap.put_path(item, path, fieldmap.field_value(f, raw))
    return item


def products_for(session: Session, actor: Actor) -> Sequence[Product]:
    company_id = _require_exporter(actor)
    return session.scalars(
        select(Product).where(Product.company_id == company_id).order_by(Product.name)
    ).all()


def get_product(session: Session, actor: Actor, public_id: str) -> Product:
    company_id = _require_exporter(actor)
    product = session.scalar(
        select(Product).where(Product.public_id == str(public_id), Product.company_id == company_id)
    )
    if product is None:
        raise NotFound("no such product", code="product_unknown")
    return product


def save_product(
    session: Session,
    actor: Actor,
    name: str,
    values: Mapping[str, str],
    *,
    public_id: str | None = None,
) -> Product:
    """Create (or, with ``public_id``, change) a product; Invalid names every field's problem
    and nothing is saved."""
    company_id = _require_exporter(actor)
    name = name.strip()
    problems: list[tuple[str, str]] = []
    if not name or len(name) > 200 or not name.isprintable():
        problems.append(("name", "give a name of 1 to 200 printable characters"))
    item = _item_from(values)
    problems += problems_of(item)
    if problems:
        raise Invalid(
            f"the product has {len(problems)} problem(s)", code="product_invalid", problems=problems
        )
    product = get_product(session, actor, public_id) if public_id else None
    clash = session.scalar(
        select(Product.id).where(Product.company_id == company_id, Product.name == name)
    )
    if clash is not None and (product is None or clash != product.id):
        raise Conflict(
            "you have a product of that name",
            code="product_name_taken",
            problems=[("name", "is the name of another of your products")],
        )
    if product is None:
        count = len(
            session.scalars(select(Product.id).where(Product.company_id == company_id)).all()
        )
        if count >= MAX_PRODUCTS:
            raise Invalid(f"at most {MAX_PRODUCTS} products", code="product_library_full")
        product = Product(
            public_id=secrets.token_hex(12),
            company_id=company_id,
            created_by=actor.user.id,
            name=name,
            item=item,
            created_at=utcnow(),
            updated_at=utcnow(),
        )
        session.add(product)
    else:
        product.name, product.item, product.updated_at = name, item, utcnow()
    session.flush()
    record_event(
        session, actor, "product_saved", chamber_id=actor.user.chamber_id,
        after={"product": product.public_id, "name": name, "item": item},
    )  # fmt: skip
    return product


def delete_product(session: Session, actor: Actor, public_id: str) -> None:
    product = get_product(session, actor, public_id)
    record_event(
        session, actor, "product_deleted", chamber_id=actor.user.chamber_id,
        before={"product": product.public_id, "name": product.name, "item": product.item},
    )  # fmt: skip
    session.delete(product)
