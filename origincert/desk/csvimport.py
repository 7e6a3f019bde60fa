"""Bulk import from CSV: one row per goods item, rows grouped into applications by the
``reference`` column. Columns are the document's own paths (``exporter.name``), item columns
prefixed ``item.`` (``item.hs_code``); ``item.product`` names a product of the library.

Parsing is pure and bounded (bytes, rows, items per application); the applications are then
created through ``service.import_applications``, the path the JSON bulk import takes, all or
none, and each problem is named by its CSV row and column.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from origincert.desk import fieldmap
from origincert.desk.errors import Invalid
from origincert.document import MAX_ITEMS
from origincert.templates import template

__all__ = [
    "COLUMNS",
    "ITEM_COLUMNS",
    "ParsedApplication",
    "parse_csv",
    "row_problems",
    "template_csv",
]

_FLAGS = tuple(f"flags.{f}" for f in fieldmap.ALL_FLAGS)
_HEADER_PATHS = tuple(
    dict.fromkeys(
        ("agreement", *(f.path for s in fieldmap.APPLICATION_FORMS.values() for f in s.header))
    )
)
APP_COLUMNS: tuple[str, ...] = ("reference", "form", *_HEADER_PATHS, *_FLAGS)
ITEM_COLUMNS: tuple[str, ...] = ("item.product", *(f"item.{f.path}" for f in fieldmap.ITEM_FIELDS))
COLUMNS: tuple[str, ...] = (*dict.fromkeys((*APP_COLUMNS, *ITEM_COLUMNS)),)
_TRUE = frozenset({"yes", "true", "1", "x", "on"})
_FALSE = frozenset({"", "no", "false", "0"})
_GOODS = re.compile(r"^goods\[([0-9]+)\](?:\.(.+))?$")


@dataclass
class ParsedApplication:
    reference: str
    fields: dict[str, Any]
    rows: list[int] = field(default_factory=list)  # the CSV line of each goods item


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid(
            "the CSV file must be UTF-8 text",
            code="csv_encoding",
            problems=[("file", f"is not UTF-8 text (byte {exc.start})")],
        ) from None


def parse_csv(
    data: bytes,
    *,
    max_applications: int,
    products: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[ParsedApplication]:
    """The applications of a CSV file; Invalid lists every problem as ("row N, column", text).

    ``products`` maps a product's name to its fields (the company's library)."""
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems: list[tuple[str, str]] = []
    try:
        header = [h.strip() for h in next(reader, [])]
    except csv.Error as exc:
        raise Invalid("the CSV file is malformed", code="csv_malformed",
                      problems=[("row 1", f"is not CSV: {exc}")]) from None  # fmt: skip
    if "reference" not in header or "form" not in header:
        raise Invalid(
            "the first row must name the columns, with reference and form among them",
            code="csv_header",
            problems=[
                ("row 1", "must name the columns (see the template), with reference and form")
            ],
        )
    for name in header:
        if name not in COLUMNS:
            problems.append((f"row 1, column {name or '(empty)'}", "is not a column of the import"))
    if len(set(header)) != len(header):
        problems.append(("row 1", "names a column twice"))
    if problems:
        raise Invalid("the CSV header has problems", code="csv_header", problems=problems)

    groups: dict[str, list[tuple[int, dict[str, str]]]] = {}
    max_rows = max_applications * MAX_ITEMS
    try:
        for line, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                problems.append(
                    (f"row {line}", f"has {len(row)} cells; the header has {len(header)}")
                )
                continue
            if line - 1 > max_rows:
                raise Invalid(f"at most {max_rows} rows at once", code="bulk_too_large")
            values = dict(zip(header, row, strict=True))
            ref = values["reference"].strip()
            if not ref:
                problems.append((f"row {line}, column reference", "is required"))
                continue
            groups.setdefault(ref, []).append((line, values))
    except csv.Error as exc:
        problems.append((f"row {reader.line_num}", f"is not well-formed CSV: {exc}"))
    if len(groups) > max_applications:
        raise Invalid(f"at most {max_applications} applications at once", code="bulk_too_large")
    if not groups and not problems:
        raise Invalid("the CSV file holds no application", code="bulk_empty",
                      problems=[("file", "holds no row below the header")])  # fmt: skip

    out: list[ParsedApplication] = []
    for ref, rows in groups.items():
        parsed = _application(ref, rows, products or {}, problems)
        if parsed is not None:
            out.append(parsed)
    if problems:
        raise Invalid(f"{len(problems)} problem(s); nothing was saved", code="bulk_invalid",
                      problems=problems)  # fmt: skip
    return out


def _application(
    ref: str,
    rows: list[tuple[int, dict[str, str]]],
    products: Mapping[str, Mapping[str, Any]],
    problems: list[tuple[str, str]],
) -> ParsedApplication | None:
    first_line, first = rows[0]
    before = len(problems)
    for line, values in rows[1:]:
        for col in APP_COLUMNS:
            v = values.get(col, "").strip()
            if v and v != first.get(col, "").strip():
                problems.append(
                    (
                        f"row {line}, column {col}",
                        f"differs from row {first_line} of {ref}; leave it empty",
                    )
                )
    if len(rows) > MAX_ITEMS:
        problems.append(
            (f"row {rows[MAX_ITEMS][0]}", f"{ref} has more than {MAX_ITEMS} goods items")
        )
    spec = fieldmap.spec_for(first.get("form", "").strip().upper())
    if spec is None:
        problems.append((f"row {first_line}, column form",
                         "must be one of " + ", ".join(fieldmap.APPLICATION_FORMS)))  # fmt: skip
        return None
    flat: dict[str, str] = {}
    for col in _HEADER_PATHS:
        flat[col] = first.get(col, "")
    for col in _FLAGS:
        v = first.get(col, "").strip().lower()
        if v in _TRUE:
            if col[len("flags.") :] not in spec.flags:
                problems.append(
                    (f"row {first_line}, column {col}", f"is not a tick box of form {spec.form}")
                )
            flat[col] = "on"
        elif v not in _FALSE:
            problems.append((f"row {first_line}, column {col}", "must be yes or no"))
    for k, (line, values) in enumerate(rows[:MAX_ITEMS]):
        for col in ITEM_COLUMNS:
            flat[f"goods[{k}].{col[len('item.') :]}"] = values.get(col, "")
        name = values.get("item.product", "").strip()
        if name and name not in products:
            problems.append(
                (f"row {line}, column item.product", "is not one of your saved products")
            )
    if len(problems) > before:
        return None
    fields = fieldmap.build(spec, flat, products=products)
    return ParsedApplication(ref, fields, [line for line, _ in rows[:MAX_ITEMS]])


def row_problems(
    parsed: Sequence[ParsedApplication], problems: Sequence[tuple[str, str]]
) -> list[tuple[str, str]]:
    """``applications[i].goods[k].hs_code`` (the service's names) -> ``row N, column item.hs_code``."""
    out = []
    for where, message in problems:
        m = re.match(r"^applications\[([0-9]+)\](?:\.(.+))?$", where)
        if m is None or int(m.group(1)) >= len(parsed):
            out.append((where, message))
            continue
        app, path = parsed[int(m.group(1))], m.group(2) or ""
        line, column = app.rows[0], path or "reference"
        g = _GOODS.match(path)
        if g is not None and int(g.group(1)) < len(app.rows):
            line = app.rows[int(g.group(1))]
            rest = g.group(2) or "hs_code"
            column = f"item.{rest}" if f"item.{rest}" in ITEM_COLUMNS else f"item.{rest}.code"
            if column not in ITEM_COLUMNS:
                column = f"item.{rest}"
        out.append((f"row {line}, column {column} ({app.reference})", message))
    return out


def template_csv() -> str:
    """A CSV to start from: the header and one ICC application of two goods items."""
    doc = template("ICC_CO")
    flat = fieldmap.flatten(doc)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(COLUMNS)
    for k in range(2):
        row = []
        for col in COLUMNS:
            if col == "reference":
                row.append("PO-1001")
            elif col.startswith("item."):
                row.append(
                    flat.get(f"goods[0].{col[len('item.') :]}", "") if col != "item.product" else ""
                )
            elif k == 0:
                row.append(flat.get(col, "") if not col.startswith("flags.") else "")
            else:
                row.append("")
        w.writerow(row)
    return buf.getvalue()
