"""Revoke and replace from the desk: a clerk asks, the issuing worker (the only key holder) acts.

A clerk's revocation is a *request* recorded on the application (reason code, comment, who,
when) by one conditional UPDATE, so two clerks at once, a double click or a replayed form record
it once; the worker then revokes through the issuer's journal and the application shows revoked.
An exporter's correction is a new draft prefilled from the issued certificate and linked to it
(``replaces_id``); approved under the usual four-eyes rules, the worker issues it with the
ledger's ``replace``, and the original shows replaced. No Flask here, no key.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from origincert.desk import service
from origincert.desk.errors import Conflict, Forbidden, Invalid, NotFound
from origincert.desk.messages import N_
from origincert.desk.models import Application, Status, utcnow
from origincert.desk.service import Actor

__all__ = [
    "REVOKE_REASONS",
    "RevocationPreview",
    "correction_of",
    "preview_revocation",
    "request_correction",
    "request_revocation",
]

# what a clerk may choose: names of the issuer's REVOCATION_REASONS (the worker turns them into
# the contract's codes; web modules never import the issuer), less ``issuer_withdrawn``, which is
# the competent authority's
REVOKE_REASONS: dict[str, str] = {
    "issued_in_error": N_("Issued in error"),
    "fraud": N_("Fraud: the declaration or the evidence was false"),
    "cancelled": N_("Cancelled: the shipment did not take place"),
    "lost": N_("Lost: the exporter will receive a replacement"),
    "superseded": N_("Superseded by another certificate"),
}
_OPEN = (Status.DRAFT, Status.SUBMITTED, Status.IN_REVIEW, Status.AMENDMENT_REQUESTED)


@dataclass(frozen=True, slots=True)
class RevocationPreview:
    """What a revocation will do, shown before the clerk confirms (as ``origincert revoke``):
    the certificate, its batch, the reason and the contract call the worker will send."""

    number: str
    batch_id: int | None
    batch_size: int
    reason: str
    call: str  # revokeRoot for a batch of one, else revokeLeaf with the certificate's proof


def _check_reason(reason: str) -> None:
    if reason not in REVOKE_REASONS:
        raise Invalid(
            f"unknown revocation reason {reason!r}",
            code="reason_unknown",
            problems=[("reason", "choose one of the reasons in the list")],
        )


def _require_issued_of_chamber(actor: Actor, app: Application) -> None:
    if not actor.is_clerk:
        raise Forbidden("only the chamber's clerks may revoke", code="clerk_only")
    if app.chamber_id != actor.user.chamber_id:  # get_application already hides it; be sure
        raise NotFound("no such application", code="application_unknown")
    if app.status != Status.ISSUED:
        raise Conflict(f"the certificate is {app.status}; only an issued one is revoked",
                       code="not_issued")  # fmt: skip


def preview_revocation(
    session: Session, actor: Actor, app: Application, reason: str
) -> RevocationPreview:
    """The confirmation step: what the worker will send and what every verifier will then see."""
    _check_reason(reason)
    _require_issued_of_chamber(actor, app)
    size = session.scalar(
        select(func.count(Application.id)).where(
            Application.chamber_id == app.chamber_id, Application.batch_id == app.batch_id
        )
    )
    size = max(int(size or 0), 1)
    call = "revokeRoot" if size == 1 else "revokeLeaf"
    return RevocationPreview(app.number, app.batch_id, size, reason, call)


def request_revocation(
    session: Session, actor: Actor, app: Application, *, reason: str, comment: str = ""
) -> Application:
    """Record the clerk's confirmed request; Conflict ``revocation_pending`` if already asked."""
    _check_reason(reason)
    _require_issued_of_chamber(actor, app)
    now = utcnow()
    result = session.execute(
        update(Application)
        .where(
            Application.id == app.id,
            Application.status == Status.ISSUED.value,
            Application.revoke_requested_at.is_(None),
        )
        .values(
            revoke_reason=reason,
            revoke_comment=comment.strip()[:2000] or None,
            revoke_requested_by=actor.user.id,
            revoke_requested_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    session.refresh(app)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(
            f"certificate {app.number} is already being revoked or is no longer issued",
            code="revocation_pending",
        )
    service.record_event(
        session, actor, "revocation_requested", application=app,
        before={"status": app.status}, after={"reason": reason, "comment": app.revoke_comment},
    )  # fmt: skip
    return app


def correction_of(session: Session, app: Application) -> Application | None:
    """The open or approved correction of ``app``, if the exporter asked for one."""
    return session.scalar(
        select(Application).where(
            Application.replaces_id == app.id,
            Application.status.in_([*_OPEN, Status.APPROVED]),
        )
    )


def request_correction(session: Session, actor: Actor, app: Application) -> Application:
    """A draft prefilled from the issued certificate, marked as its correction (one at a time: a
    second request returns the open one)."""
    if not actor.is_exporter or app.company_id != actor.user.company_id:
        raise NotFound("no such application", code="application_unknown")
    if app.status != Status.ISSUED or app.revoke_requested_at is not None:
        raise Conflict(
            f"certificate {app.number} is {app.status}; only an issued one can be corrected",
            code="not_issued",
        )
    existing = correction_of(session, app)
    if existing is not None:
        return existing
    fields = {k: v for k, v in app.document.items() if k not in ("valid_until", "replaces")}
    draft = service.create_application(session, actor, fields)
    draft.replaces_id = app.id
    service.record_event(
        session, actor, "correction_requested", application=draft,
        after={"correction_of": app.number},
    )  # fmt: skip
    return draft
