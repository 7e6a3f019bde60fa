"""The four-eyes rule: how many different clerks must approve an application, and why.

Pure: the facts (how many certificates the company already has, what origin criterion it last
claimed for each HS code) are read by ``desk.service``; the decision is made here, so each rule
is one small function a test can try alone.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "FourEyesPolicy",
    "Need",
    "approvals_needed",
    "latest_claims",
    "origin_changes",
    "origin_claims",
]


@dataclass(frozen=True, slots=True)
class FourEyesPolicy:
    """A chamber's settings: ``first`` applications of a new exporter, and any change of origin
    criterion for a product (HS code) the exporter had certified before, need a second clerk."""

    first: int = 0
    origin_change: bool = False


@dataclass(frozen=True, slots=True)
class Need:
    approvals: int
    reasons: tuple[str, ...]  # stable codes: "new_exporter", "origin_changed:<hs code>"


def _claim(criterion: Any) -> str:
    return json.dumps(criterion, sort_keys=True, separators=(",", ":"))


def origin_claims(document: Mapping[str, Any]) -> dict[str, str]:
    """HS code -> the origin criterion claimed for it (as canonical JSON) in one document."""
    out: dict[str, str] = {}
    goods = document.get("goods")
    if not isinstance(goods, list):
        return out
    for item in goods:
        if (
            isinstance(item, dict)
            and isinstance(item.get("hs_code"), str)
            and "origin_criterion" in item
        ):
            out[item["hs_code"]] = _claim(item["origin_criterion"])
    return out


def origin_changes(known: Mapping[str, str], document: Mapping[str, Any]) -> list[str]:
    """The HS codes ``document`` claims under another criterion than ``known`` records."""
    return sorted(
        hs for hs, claim in origin_claims(document).items() if hs in known and known[hs] != claim
    )


def approvals_needed(
    policy: FourEyesPolicy,
    *,
    earlier_certificates: int,
    known_claims: Mapping[str, str],
    document: Mapping[str, Any],
) -> Need:
    reasons: list[str] = []
    if earlier_certificates < policy.first:
        reasons.append("new_exporter")
    if policy.origin_change:
        reasons += [f"origin_changed:{hs}" for hs in origin_changes(known_claims, document)]
    return Need(2 if reasons else 1, tuple(reasons))


def latest_claims(documents: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """What an exporter last claimed per HS code, from its certificates oldest first."""
    known: dict[str, str] = {}
    for doc in documents:
        known.update(origin_claims(doc))
    return known
