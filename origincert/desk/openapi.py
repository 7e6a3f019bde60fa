"""The OpenAPI 3.0 document of the exporters' API, served at ``/api/v1/openapi.json``.

Written by hand beside ``desk.api`` (each path there has its entry here); Schemathesis checks
the served API against it in the tests.
"""

from __future__ import annotations

from typing import Any

from origincert.desk.models import Status

__all__ = ["openapi_document"]

_ID = {"name": "public_id", "in": "path", "required": True, "schema": {"type": "string"}}
_JSON = "application/json"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _answer(description: str, schema: str | None = None, media: str = _JSON) -> dict[str, Any]:
    out: dict[str, Any] = {"description": description}
    if schema is not None:
        out["content"] = {media: {"schema": _ref(schema)}}
    return out


_ERRORS = {
    "400": _answer("Malformed request", "Error"),
    "401": _answer("No valid API key", "Error"),
    "404": _answer("Unknown, or not this company's", "Error"),
    "405": _answer("Method not allowed", "Error"),
    "409": _answer("Not allowed in the application's status", "Error"),
    "413": _answer("Body too large", "Error"),
    "415": _answer("Unsupported media type", "Error"),
    "422": _answer("Invalid input, with the problem of each field", "Error"),
    "429": _answer("Rate limited", "Error"),
    "503": _answer("Busy; retry", "Error"),
}


def _op(summary: str, ok: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"summary": summary, "responses": {**ok, **_ERRORS}, **extra}


_FIELDS_BODY = {
    "required": True,
    "content": {_JSON: {"schema": _ref("Fields")}},
}


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "origincert desk: exporters' API",
            "version": "1",
            "description": "Apply for certificates of origin, attach evidence, submit, follow "
            "the status and download the issued certificate.",
        },
        "servers": [{"url": "/"}],
        "security": [{"apiKey": []}],
        "paths": {
            "/api/v1/applications": {
                "get": _op(
                    "This company's applications, newest first",
                    {"200": _answer("The list", "ApplicationList")},
                    parameters=[
                        {
                            "name": "status",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string"},
                        }
                    ],
                ),
                "post": _op(
                    "Create a draft application",
                    {
                        "201": _answer("Created", "Application"),
                        "200": _answer("Created earlier with this Idempotency-Key", "Application"),
                    },
                    parameters=[
                        {
                            "name": "Idempotency-Key",
                            "in": "header",
                            "required": False,
                            "schema": {"type": "string", "maxLength": 100},
                        }
                    ],
                    requestBody=_FIELDS_BODY,
                ),
            },
            "/api/v1/applications/bulk": {
                "post": _op(
                    "Create (and submit) many applications, all or none",
                    {"201": _answer("Created", "BulkResult")},
                    requestBody={
                        "required": True,
                        "content": {_JSON: {"schema": _ref("Bulk")}},
                    },
                )
            },
            "/api/v1/applications/import.csv": {
                "post": _op(
                    "Create (and submit) many applications from CSV, one row per goods item, "
                    "grouped by the reference column; all or none, problems by row and column",
                    {"201": _answer("Created", "BulkResult")},
                    parameters=[
                        {
                            "name": n,
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string", "enum": ["true", "false"]},
                        }
                        for n in ("submit", "declaration")
                    ],
                    requestBody={
                        "required": True,
                        "content": {"text/csv": {"schema": {"type": "string"}}},
                    },
                )
            },
            "/api/v1/products": {
                "get": _op(
                    "This company's product library", {"200": _answer("The list", "ProductList")}
                ),
                "post": _op(
                    "Save a product (goods reused in applications)",
                    {"201": _answer("Saved", "Product")},
                    requestBody={
                        "required": True,
                        "content": {_JSON: {"schema": _ref("NewProduct")}},
                    },
                ),
            },
            "/api/v1/products/{product_id}": {
                "parameters": [
                    {
                        "name": "product_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    }
                ],
                "get": _op("One product", {"200": _answer("The product", "Product")}),
                "put": _op(
                    "Change a product",
                    {"200": _answer("Saved", "Product")},
                    requestBody={
                        "required": True,
                        "content": {_JSON: {"schema": _ref("NewProduct")}},
                    },
                ),
                "delete": _op("Delete a product", {"204": {"description": "Deleted"}}),
            },
            "/api/v1/applications/{public_id}": {
                "parameters": [_ID],
                "get": _op("One application", {"200": _answer("The application", "Application")}),
                "put": _op(
                    "Replace a draft's fields",
                    {"200": _answer("Saved", "Application")},
                    requestBody=_FIELDS_BODY,
                ),
            },
            "/api/v1/applications/{public_id}/submit": {
                "parameters": [_ID],
                "post": _op(
                    "Submit for review, accepting the exporter's declaration",
                    {"200": _answer("Submitted", "Application")},
                    requestBody={
                        "required": True,
                        "content": {_JSON: {"schema": _ref("Submit")}},
                    },
                ),
            },
            "/api/v1/applications/{public_id}/attachments": {
                "parameters": [_ID],
                "post": _op(
                    "Attach a PDF, PNG or JPEG",
                    {"201": _answer("Attached", "Application")},
                    requestBody={
                        "required": True,
                        "content": {
                            "multipart/form-data": {
                                "schema": {
                                    "type": "object",
                                    "required": ["kind", "file"],
                                    "properties": {
                                        "kind": {
                                            "type": "string",
                                            "enum": [
                                                "invoice",
                                                "packing_list",
                                                "bill_of_lading",
                                                "other",
                                            ],
                                        },
                                        "file": {"type": "string", "format": "binary"},
                                    },
                                }
                            }
                        },
                    },
                ),
            },
            "/api/v1/applications/{public_id}/attachments/{attachment_id}": {
                "parameters": [
                    _ID,
                    {
                        "name": "attachment_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    },
                ],
                "get": _op(
                    "An attachment's bytes",
                    {
                        "200": {
                            "description": "The file",
                            "content": {
                                "application/pdf": {},
                                "image/png": {},
                                "image/jpeg": {},
                            },
                        }
                    },
                ),
            },
            "/api/v1/applications/{public_id}/certificate": {
                "parameters": [_ID],
                "get": _op(
                    "The issued certificate file",
                    {
                        "200": {
                            "description": "The issued file (JSON)",
                            "content": {_JSON: {"schema": {"type": "object"}}},
                        }
                    },
                ),
            },
            "/api/v1/applications/{public_id}/certificate.pdf": {
                "parameters": [_ID],
                "get": _op(
                    "The issued certificate as a PDF with its QR code",
                    {"200": {"description": "The PDF", "content": {"application/pdf": {}}}},
                ),
            },
        },
        "components": {
            "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Fields": {
                    "type": "object",
                    "description": "The certificate document's fields as in `origincert validate`, "
                    "less schema, number, issuing_body, issue_date and issue_place (the chamber's).",
                    "additionalProperties": True,
                },
                "Submit": {
                    "type": "object",
                    "properties": {"declaration": {"type": "boolean"}},
                },
                "Bulk": {
                    "type": "object",
                    "required": ["applications"],
                    "properties": {
                        "applications": {"type": "array", "items": _ref("Fields"), "minItems": 1},
                        "submit": {"type": "boolean"},
                        "declaration": {"type": "boolean"},
                    },
                },
                "NewProduct": {
                    "type": "object",
                    "required": ["name", "item"],
                    "properties": {
                        "name": {"type": "string", "maxLength": 200},
                        "item": {
                            "type": "object",
                            "description": "hs_code, description, origin_criterion {code, "
                            "percentage}, country_of_origin, quantity {unit}, packages {kind}",
                        },
                    },
                },
                "Product": {
                    "type": "object",
                    "required": ["id", "name", "item"],
                    "properties": {
                        "id": {"type": "string"},
                        "name": {"type": "string"},
                        "item": {"type": "object"},
                    },
                },
                "ProductList": {
                    "type": "object",
                    "required": ["products"],
                    "properties": {"products": {"type": "array", "items": _ref("Product")}},
                },
                "Attachment": {
                    "type": "object",
                    "required": ["id", "kind", "sha256", "size", "media_type", "label"],
                    "properties": {
                        "id": {"type": "string"},
                        "kind": {"type": "string"},
                        "sha256": {"type": "string"},
                        "size": {"type": "integer"},
                        "media_type": {"type": "string"},
                        "label": {"type": "string"},
                    },
                },
                "Application": {
                    "type": "object",
                    "required": ["id", "number", "status", "fields"],
                    "properties": {
                        "id": {"type": "string"},
                        "number": {"type": "string"},
                        "status": {
                            "type": "string",
                            "enum": [s.value for s in Status],
                        },
                        "form": {"type": "string"},
                        "fields": {"type": "object"},
                        "approvals_needed": {"type": "integer"},
                        "reason_code": {"type": "string", "nullable": True},
                        "comment": {"type": "string", "nullable": True},
                        "comment_field": {"type": "string", "nullable": True},
                        "created_at": {"type": "string"},
                        "submitted_at": {"type": "string", "nullable": True},
                        "approved_at": {"type": "string", "nullable": True},
                        "issued_at": {"type": "string", "nullable": True},
                        "attachments": {"type": "array", "items": _ref("Attachment")},
                    },
                },
                "BulkResult": {
                    "type": "object",
                    "required": ["applications"],
                    "properties": {
                        "applications": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["id", "number", "status"],
                                "properties": {
                                    "reference": {"type": "string"},
                                    "id": {"type": "string"},
                                    "number": {"type": "string"},
                                    "status": {"type": "string"},
                                },
                            },
                        }
                    },
                },
                "ApplicationList": {
                    "type": "object",
                    "required": ["applications"],
                    "properties": {"applications": {"type": "array", "items": _ref("Application")}},
                },
                "Error": {
                    "type": "object",
                    "required": ["error", "message"],
                    "properties": {
                        "error": {"type": "string"},
                        "message": {"type": "string"},
                        "problems": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "field": {"type": "string"},
                                    "message": {"type": "string"},
                                },
                            },
                        },
                    },
                },
            },
        },
    }
