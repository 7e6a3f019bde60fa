"""The exporter's redacted copy of an issued certificate: which commercial fields may be
withheld, and the copy made by ``origincert.redact`` (so the verifier still checks it whole).

Pure: no Flask, no database.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from origincert.desk.errors import Invalid
from origincert.document import forbidden_withheld
from origincert.errors import DocumentError
from origincert.redact import redact

__all__ = ["redactable_paths", "redacted_copy"]

# what an exporter typically withholds before handing a certificate on: who bought and sold,
# at what price, in which quantities
_TOP = ("consignee", "producer", "third_party_invoicer", "remarks", "transport.vessel_or_flight")
_PER_ITEM = ("invoice", "fob_value", "quantity", "gross_weight_kg", "marks_and_numbers")


def redactable_paths(issued: Mapping[str, Any]) -> list[str]:
    """The paths this issued file offers to withhold (present and not forbidden)."""
    doc = issued.get("document")
    if not isinstance(doc, dict):
        return []
    paths = [p for p in _TOP if _present(doc, p)]
    goods = doc.get("goods")
    for i, item in enumerate(goods if isinstance(goods, list) else []):
        if isinstance(item, dict):
            paths += [f"goods[{i}].{f}" for f in _PER_ITEM if f in item]
    forbidden = set(forbidden_withheld(paths))
    return [p for p in paths if p not in forbidden]


def _present(doc: Mapping[str, Any], path: str) -> bool:
    node: Any = doc
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def redacted_copy(issued: Mapping[str, Any], hide: Iterable[str], allowed: Sequence[str]) -> str:
    """The redacted copy as JSON text; Invalid at ``hide`` for a path not offered or no path."""
    chosen = list(dict.fromkeys(hide))
    if not chosen:
        raise Invalid("choose what to withhold", code="redact_nothing",
                      problems=[("hide", "choose at least one field to withhold")])  # fmt: skip
    unknown = [p for p in chosen if p not in allowed]
    if unknown:
        raise Invalid("that field cannot be withheld here", code="redact_unknown_path",
                      problems=[("hide", f"cannot withhold {', '.join(unknown[:5])}")])  # fmt: skip
    try:
        return json.dumps(redact(dict(issued), chosen), indent=2, ensure_ascii=False)
    except DocumentError as exc:
        raise Invalid(str(exc), code=exc.code, problems=[("hide", str(exc))]) from None
