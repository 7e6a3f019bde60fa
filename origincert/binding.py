"""The issuing body a document names must be the ledger's body of the signing key.

Checked at issue time, before anything is recorded: a chamber cannot issue a certificate that
names another chamber (the verifier refuses it too, from the anchor's issuer). Pure: the ledger's
side (id, name, economy) is read at the edge by the workflows.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

__all__ = ["LedgerBody", "body_problems", "same_name"]


@dataclass(frozen=True, slots=True)
class LedgerBody:
    """The issuing body as the IssuerRegistry records it."""

    issuer_id: int
    name: str
    economy: str


def same_name(a: str, b: str) -> bool:
    """Names compare after Unicode NFC and whitespace folding, nothing looser (case counts)."""
    return " ".join(unicodedata.normalize("NFC", a).split()) == " ".join(
        unicodedata.normalize("NFC", b).split()
    )


def body_problems(issuing_body: Any, body: LedgerBody) -> list[tuple[str, str]]:
    """``(path, problem)`` for each way ``issuing_body`` (the document's, as a model or a dict)
    disagrees with the ledger's body. A document without ``ledger_id`` (format v1) is judged on
    its economy only; with one (v2), on its id and its name as well."""

    def get(key: str) -> Any:
        if isinstance(issuing_body, dict):
            return issuing_body.get(key)
        return getattr(issuing_body, key, None)

    problems: list[tuple[str, str]] = []
    if get("economy") != body.economy:
        problems.append(
            ("issuing_body.economy", f"must be {body.economy}, the economy of the issuing body that signs")
        )  # fmt: skip
    ledger_id = get("ledger_id")
    if ledger_id is None:
        return problems
    if ledger_id != body.issuer_id:
        problems.append(
            ("issuing_body.ledger_id", f"must be {body.issuer_id}, the ledger id of the issuing body that signs")
        )  # fmt: skip
    name = get("name")
    if not isinstance(name, str) or not same_name(name, body.name):
        problems.append(
            ("issuing_body.name", f"must be {body.name!r}, the name the ledger records for issuing body #{body.issuer_id}")
        )  # fmt: skip
    return problems
