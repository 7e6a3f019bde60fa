"""The application status machine: which transition each role may make, from which statuses.

Pure data. ``desk.service`` applies a transition with one conditional SQL UPDATE
(``WHERE status IN allowed``), so two clerks acting at once cannot both move an application.
"""

from __future__ import annotations

from dataclasses import dataclass

from origincert.desk.models import Status

__all__ = ["EDITABLE", "TRANSITIONS", "Transition"]


@dataclass(frozen=True, slots=True)
class Transition:
    name: str
    sources: frozenset[Status]
    target: Status


def _t(name: str, sources: tuple[Status, ...], target: Status) -> Transition:
    return Transition(name, frozenset(sources), target)


S = Status
TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        _t("submit", (S.DRAFT, S.AMENDMENT_REQUESTED), S.SUBMITTED),
        _t("review", (S.SUBMITTED,), S.IN_REVIEW),
        _t("approve", (S.SUBMITTED, S.IN_REVIEW), S.APPROVED),
        _t("reject", (S.SUBMITTED, S.IN_REVIEW), S.REJECTED),
        _t("request_amendment", (S.SUBMITTED, S.IN_REVIEW), S.AMENDMENT_REQUESTED),
        _t("issue", (S.APPROVED,), S.ISSUED),  # the issuing worker only
        _t("revoke", (S.ISSUED,), S.REVOKED),
        _t("replace", (S.ISSUED,), S.REPLACED),
    )
}

# an exporter may change the fields (and attachments) only in these
EDITABLE = frozenset({S.DRAFT, S.AMENDMENT_REQUESTED})
