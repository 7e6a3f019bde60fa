"""Document templates, one per form: a complete certificate a clerk edits, valid as shipped.

Each ``<FORM>.json`` was drawn once from the sample generator (``origincert.devtools.samples``) with one goods
item and no flags set, and is kept as data so it can be read and reviewed. :func:`template` re-dates
it to a given day so that the copy a clerk starts from passes every date rule.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from importlib import resources
from typing import Any

__all__ = ["FORMS_WITH_TEMPLATES", "template"]


def _names() -> tuple[str, ...]:
    files = resources.files(__name__).iterdir()
    return tuple(sorted(f.name[:-5] for f in files if f.name.endswith(".json")))


FORMS_WITH_TEMPLATES: tuple[str, ...] = _names()

# Aliases people type: "EUR.1", "Form A", "D", "E".
_ALIASES = {"EUR.1": "EUR1", "ICC": "ICC_CO", "A": "FORM_A", "D": "FORM_D", "E": "FORM_E"}


def canonical_form(name: str) -> str | None:
    """``"Form A"``, ``"form_a"``, ``"A"`` -> ``"FORM_A"``; None when no template exists."""
    key = name.strip().upper().replace(" ", "_").replace("-", "_")
    key = _ALIASES.get(key, key)
    return key if key in FORMS_WITH_TEMPLATES else None


def template(form: str, *, today: date | None = None) -> dict[str, Any]:
    """The template for ``form`` (``"EUR1"``, ``"Form D"``, ...; see :data:`FORMS_WITH_TEMPLATES`),
    dated ``today`` (default: today, UTC): issued and declared today, shipped in three days,
    invoiced a week ago. Raises ``DocumentError`` ``template_unknown`` for a form without one."""
    from datetime import UTC, datetime

    from origincert.document import default_valid_until
    from origincert.errors import DocumentError

    name = canonical_form(form)
    if name is None:
        raise DocumentError(
            f"no template for {form!r}; one of: {', '.join(FORMS_WITH_TEMPLATES)}",
            code="template_unknown",
        )
    form = name
    today = today or datetime.now(UTC).date()

    raw = resources.files(__name__).joinpath(f"{form}.json").read_text(encoding="utf-8")
    doc: dict[str, Any] = json.loads(raw)
    doc["issue_date"] = today.isoformat()
    doc["valid_until"] = default_valid_until(today, form).isoformat()
    doc["declaration"]["date"] = today.isoformat()
    doc["transport"]["departure_date"] = (today + timedelta(days=3)).isoformat()
    for item in doc["goods"]:
        if "invoice" in item:
            item["invoice"]["date"] = (today - timedelta(days=7)).isoformat()
    return doc
