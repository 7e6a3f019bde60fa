"""The application form of each certificate form: which of the document's fields it asks for,
and the one mapping between the document and flat fields named by the document's own paths
(``exporter.name``, ``goods[0].hs_code``), used by the web form and the CSV import alike.

Because a field's name *is* its path, a problem that ``origincert validate`` reports at
``goods[0].hs_code`` lands on the input of that name, and a CSV import names the row and column.
Pure: no Flask, no database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from origincert.desk.errors import Invalid
from origincert.desk.messages import N_
from origincert.document import FORMS, MAX_ITEMS

__all__ = [
    "ALL_FLAGS",
    "APPLICATION_FORMS",
    "ITEM_FIELDS",
    "PRODUCT_FIELDS",
    "Field",
    "FormSpec",
    "build",
    "field_value",
    "flatten",
    "item_count",
    "item_fields",
    "put_path",
    "spec_for",
]


@dataclass(frozen=True, slots=True)
class Field:
    path: str  # the document's path (relative to a goods item for item fields)
    label: str
    kind: str = "text"  # text, textarea, date, country, int, select, flag
    choices: tuple[str, ...] = ()
    hint: str = ""


@dataclass(frozen=True, slots=True)
class FormSpec:
    form: str
    title: str
    kind: str
    agreement: str | None  # None: the exporter names it (EUR.1 serves many agreements)
    header: tuple[Field, ...]
    items: tuple[Field, ...]
    flags: tuple[str, ...]

    @property
    def criteria(self) -> tuple[str, ...]:
        c = FORMS[self.form].criteria
        return tuple(sorted(c)) if c is not None else ()


PRODUCER_STATEMENTS = ("SAME", "UNKNOWN", "AVAILABLE_UPON_REQUEST")
MODES = ("sea", "air", "road", "rail", "multimodal")

_PARTIES = (
    Field("exporter.name", N_("Exporter: name")),
    Field("exporter.address", N_("Exporter: address"), "textarea"),
    Field("exporter.country", N_("Exporter: country"), "country", hint=N_("ISO code, e.g. DE")),
    Field("producer", N_("Producer"), "select", ("", *PRODUCER_STATEMENTS, "named")),
    Field("producer.name", N_("Producer: name (when named)")),
    Field("producer.address", N_("Producer: address (when named)"), "textarea"),
    Field("producer.country", N_("Producer: country (when named)"), "country"),
    Field("consignee.name", N_("Consignee: name"), hint=N_("or TO ORDER")),
    Field("consignee.address", N_("Consignee: address"), "textarea"),
    Field("consignee.country", N_("Consignee: country"), "country"),
    Field("importing_country", N_("Country of destination"), "country"),
)
_TRANSPORT = (
    Field("transport.departure_date", N_("Departure date"), "date"),
    Field("transport.mode", N_("Means of transport"), "select", ("", *MODES)),
    Field("transport.vessel_or_flight", N_("Vessel, flight or vehicle")),
    Field("transport.port_of_loading", N_("Port of loading")),
    Field("transport.port_of_discharge", N_("Port of discharge")),
    Field("transport.route", N_("Route")),
)
_DECLARATION = (
    Field("remarks", N_("Remarks"), "textarea", hint=N_("order or L/C number")),
    Field("declaration.place", N_("Declaration: place")),
    Field("declaration.date", N_("Declaration: date"), "date"),
    Field("declaration.signatory", N_("Declaration: signed by (name, position)")),
    Field("declaration.statement", N_("Declaration: statement"), "textarea"),
)
_BACK_TO_BACK = (
    Field("original_proof.number", N_("Original proof: number")),
    Field("original_proof.issue_date", N_("Original proof: date of issue"), "date"),
    Field("original_proof.issuing_country", N_("Original proof: issuing country"), "country"),
    Field("original_proof.country_of_origin", N_("Original proof: country of origin"), "country"),
)
_INVOICER = (
    Field("third_party_invoicer.name", N_("Third-party invoicer: name")),
    Field("third_party_invoicer.country", N_("Third-party invoicer: country"), "country"),
)
_AGREEMENT = (Field("agreement", N_("Agreement"), hint=N_("e.g. EU-CH")),)

# a goods item; the product library keeps the fields marked in PRODUCT_FIELDS
ITEM_FIELDS = (
    Field("hs_code", N_("HS code"), hint=N_("6 to 10 digits")),
    Field("description", N_("Description of goods"), "textarea"),
    Field("marks_and_numbers", N_("Marks and numbers"), "textarea"),
    Field("packages.count", N_("Number of packages"), "int"),
    Field("packages.kind", N_("Kind of packages"), hint=N_("code, e.g. CT")),
    Field("quantity.value", N_("Quantity")),
    Field("quantity.unit", N_("Unit"), hint=N_("code, e.g. PCE or KGM")),
    Field("gross_weight_kg", N_("Gross weight (kg)")),
    Field("invoice.number", N_("Invoice number")),
    Field("invoice.date", N_("Invoice date"), "date"),
    Field("origin_criterion.code", N_("Origin criterion"), "select"),
    Field(
        "origin_criterion.percentage", N_("Origin criterion: percentage"), hint=N_("whole number")
    ),
    Field("fob_value.amount", N_("FOB value")),
    Field("fob_value.currency", N_("FOB currency"), hint=N_("e.g. USD")),
    Field("country_of_origin", N_("Country of origin"), "country"),
)
PRODUCT_FIELDS = (
    "hs_code",
    "description",
    "origin_criterion.code",
    "origin_criterion.percentage",
    "country_of_origin",
    "quantity.unit",
    "packages.kind",
)
ALL_FLAGS = (
    "issued_retroactively", "back_to_back", "third_party_invoicing", "certified_true_copy",
    "duplicate", "exhibition", "de_minimis", "accumulation", "partial_cumulation",
)  # fmt: skip


def _spec(form: str, title: str, flags: tuple[str, ...]) -> FormSpec:
    rule = FORMS[form]
    header = (
        *(_AGREEMENT if rule.kind == "preferential" and rule.agreement is None else ()),
        *_PARTIES,
        *_TRANSPORT,
        *_DECLARATION,
        *(_BACK_TO_BACK if "back_to_back" in flags else ()),
        *(_INVOICER if "third_party_invoicing" in flags else ()),
    )
    items = tuple(
        f
        for f in ITEM_FIELDS
        if rule.criteria is not None or not f.path.startswith("origin_criterion")
    )
    return FormSpec(form, title, rule.kind, rule.agreement, header, items, flags)


APPLICATION_FORMS: dict[str, FormSpec] = {
    s.form: s
    for s in (
        _spec(
            "ICC_CO", N_("Certificate of origin (non-preferential, ICC)"), ("certified_true_copy",)
        ),
        _spec("EUR1", N_("Movement certificate EUR.1"), ("issued_retroactively", "duplicate")),
        _spec("FORM_A", N_("GSP Form A"), ("issued_retroactively",)),
        _spec(
            "FORM_D",
            N_("ATIGA Form D"),
            (
                "issued_retroactively",
                "back_to_back",
                "third_party_invoicing",
                "exhibition",
                "de_minimis",
                "accumulation",
                "partial_cumulation",
            ),
        ),
        _spec(
            "FORM_E",
            N_("ACFTA Form E"),
            ("issued_retroactively", "back_to_back", "third_party_invoicing"),
        ),
        _spec(
            "RCEP",
            N_("RCEP certificate of origin"),
            ("issued_retroactively", "back_to_back", "third_party_invoicing"),
        ),
    )
}


def spec_for(form: str) -> FormSpec | None:
    return APPLICATION_FORMS.get(form)


def item_fields(spec: FormSpec, i: int) -> list[tuple[Field, str]]:
    """Item ``i``'s fields with their full names (``goods[i].hs_code``)."""
    return [(f, f"goods[{i}].{f.path}") for f in spec.items]


_ITEM_NAME = re.compile(r"^goods\[([0-9]{1,3})\]\.")


def item_count(values: Iterable[str]) -> int:
    """How many goods items the flat names hold (the highest index + 1)."""
    indexes = [int(m.group(1)) for m in map(_ITEM_NAME.match, values) if m]
    return min(max(indexes, default=-1) + 1, MAX_ITEMS)


def put_path(node: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[last] = value


def field_value(f: Field, raw: str) -> Any:
    text = raw.replace("\r\n", "\n")
    text = text.strip() if f.kind != "textarea" else text.strip("\n ")
    if f.kind == "int" and text.isascii() and text.isdigit() and len(text) <= 12:
        return int(text)  # anything else stays text: the model says "must be a whole number"
    if f.kind in ("country",) or f.path.endswith(("currency", ".unit", ".kind", "hs_code")):
        return text.upper() if text.isascii() else text
    return text


def _item(
    spec: FormSpec, values: Mapping[str, str], i: int, products: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    item: dict[str, Any] = {"item_number": i + 1}
    chosen = values.get(f"goods[{i}].product", "").strip()
    for f, name in item_fields(spec, i):
        raw = values.get(name, "")
        if raw.strip():
            put_path(item, f.path, field_value(f, raw))
    if chosen:
        product = products.get(chosen)
        if product is None:
            raise Invalid(
                "the chosen product is not in your product library",
                code="product_unknown",
                problems=[(f"goods[{i}].product", "is not one of your saved products")],
            )
        for path in PRODUCT_FIELDS:  # choosing a product is explicit: its fields win
            node: Any = product
            for part in path.split("."):
                node = node.get(part) if isinstance(node, dict) else None
            if node is not None:
                put_path(item, path, node)
    return item


def build(
    spec: FormSpec,
    values: Mapping[str, str],
    *,
    base: Mapping[str, Any] | None = None,
    products: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """The application's fields from the form's flat ``values`` (empty ones left out).

    ``base`` is the saved document: top-level fields this form does not show (``copy_of``,
    ``replaces``, a named producer when the producer box is left as it was) are kept.
    ``products`` maps a product id to its fields, for ``goods[i].product``; an unknown id is
    Invalid at that field.
    """
    doc: dict[str, Any] = {"kind": spec.kind, "form": spec.form}
    if spec.agreement is not None:
        doc["agreement"] = spec.agreement
    for f in spec.header:
        if f.path.startswith("producer"):
            continue
        raw = values.get(f.path, "")
        if raw.strip():
            put_path(doc, f.path, field_value(f, raw))
    producer = values.get("producer", "").strip()
    if producer in PRODUCER_STATEMENTS:
        doc["producer"] = producer
    elif producer == "named":
        party: dict[str, Any] = {}
        for f in _PARTIES:
            raw = values.get(f.path, "")
            if f.path.startswith("producer.") and raw.strip():
                party[f.path.split(".")[1]] = field_value(f, raw)
        doc["producer"] = party
    elif base is not None and "producer" in base:
        doc["producer"] = base["producer"]
    n = max(item_count(values), 1)
    doc["goods"] = [_item(spec, values, i, products or {}) for i in range(n)]
    flags = dict(base.get("flags") or {}) if base and isinstance(base.get("flags"), dict) else {}
    flags.update(
        {flag: values.get(f"flags.{flag}") in ("on", "yes", "true", "1") for flag in spec.flags}
    )
    doc["flags"] = {k: flags.get(k, False) for k in ALL_FLAGS if k in flags or k in spec.flags}
    shown = {f.path.split(".")[0] for f in spec.header} | {"goods", "flags", "producer"}
    for key, value in (base or {}).items():
        if key not in shown and key not in doc:
            doc[key] = value
    return doc


def flatten(document: Mapping[str, Any]) -> dict[str, str]:
    """The document's leaves as flat names and text, for filling the form back in."""
    out: dict[str, str] = {}

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{path}.{key}" if path else str(key))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{path}[{i}]")
        elif isinstance(node, bool):
            out[path] = "on" if node else ""
        elif node is not None:
            out[path] = str(node)

    walk(document, "")
    producer = document.get("producer")
    if isinstance(producer, str):
        out["producer"] = producer
    elif isinstance(producer, dict):
        out["producer"] = "named"
    return out
