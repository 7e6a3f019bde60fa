"""An application's fields -> the certificate document the worker issues, checked with the very
rules of ``origincert validate`` (``document.parse_certificate``), errors named by field.

Pure: no database, no Flask. The exporter fills everything but the fields the chamber owns
(:data:`DESK_FIELDS`), which the desk sets and an exporter cannot override.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from origincert.desk.errors import Invalid
from origincert.document import SCHEMA_ID, parse_certificate
from origincert.errors import DocumentError

__all__ = ["DESK_FIELDS", "MAX_FIELDS_BYTES", "check_fields", "complete", "validated"]

SCHEMA = SCHEMA_ID  # the document model's own: a new format version arrives with it
DESK_FIELDS = ("schema", "number", "issuing_body", "issue_date", "issue_place")
MAX_FIELDS_BYTES = 256 * 1024  # one application's fields as JSON; bigger is refused whole


def check_fields(fields: Any) -> dict[str, Any]:
    """The shape a draft must have to be saved at all: a JSON object of bounded size.

    Raises Invalid ``fields_not_object`` or ``fields_too_large``.
    """
    if not isinstance(fields, dict):
        raise Invalid("the application's fields must be a JSON object", code="fields_not_object")
    size = len(json.dumps(fields, ensure_ascii=False).encode("utf-8", "surrogatepass"))
    if size > MAX_FIELDS_BYTES:
        raise Invalid(
            f"the application is {size} bytes; the limit is {MAX_FIELDS_BYTES}",
            code="fields_too_large",
        )
    return {k: v for k, v in fields.items() if k not in DESK_FIELDS}


def complete(
    fields: dict[str, Any],
    *,
    number: str,
    chamber_name: str,
    economy: str,
    place: str,
    today: date,
) -> dict[str, Any]:
    """The exporter's fields plus the chamber's own, in a new dict."""
    doc = {k: v for k, v in fields.items() if k not in DESK_FIELDS}
    doc.update(
        schema=SCHEMA,
        number=number,
        issuing_body={"name": chamber_name, "economy": economy},
        issue_date=today.isoformat(),
        issue_place=place,
    )
    return doc


def validated(document: dict[str, Any]) -> dict[str, Any]:
    """The canonical document, or Invalid ``document_invalid`` listing every problem by field."""
    try:
        return parse_certificate(dict(document)).to_json()
    except DocumentError as exc:
        problems = list(exc.problems) or [("", str(exc))]
        raise Invalid(
            f"the application has {len(problems)} problem(s): "
            + "; ".join(f"{p or 'document'}: {m}" for p, m in problems[:3]),
            code=exc.code if exc.code != "document_invalid" else "document_invalid",
            problems=problems,
        ) from exc
