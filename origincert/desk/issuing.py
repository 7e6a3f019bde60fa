"""The chamber's issuing worker: approved applications -> batches through the issuer's journal.

The only desk code that holds the signing key (no web module imports this one; a test keeps it
so). One tick:

1. ``resume`` the journal: a batch a killed worker left prepared, signed or submitted is finished
   (the ledger is asked first, so nothing is anchored twice);
2. *reconcile*: every approved application whose number the journal holds anchored becomes
   ``issued`` with its issued file (read from the files the issuer library wrote);
3. if a batch is due (``batch_size`` approved, or the oldest approved waited ``batch_wait``
   seconds), issue them as one batch with ``issue_batch``, then reconcile again.

The journal is the truth of what was issued; the desk database follows it. A crash between any
two steps leaves either nothing in the journal (the applications are still approved and issue at
the next tick) or a batch that step 1 finishes and step 2 records. When the ledger is
unreachable the applications stay approved, never failed, and issue when it returns.

4. corrections (approved applications linked to an issued one) are issued one by one with the
   issuer's ``replace``, and clerks' revocation requests are carried out with ``revoke``; both
   are journaled actions, so ``resume`` (step 1) finishes one a killed worker left, and
   ``_settle_actions`` marks the applications revoked or replaced once the journal says done.
   A refusal by the ledger (already revoked elsewhere, a key no longer accredited) is kept on
   the application (``issue_error``) for a clerk to see; it never blocks the other work.

The batch policy is the chamber's (set on the admin's settings page) when it has one, else the
worker's flags; it is read at every tick.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from origincert.chain import ChainClient
from origincert.desk import service
from origincert.desk.models import Application, Chamber, Status, utcnow
from origincert.errors import ChainUnavailable, ContractRevert, JournalError
from origincert.issuer import Journal, issue_batch, replace, resume, revoke, safe_file_name
from origincert.issuer.errors import IssuingError
from origincert.issuer.journal import ActionKind, ActionState, BatchState
from origincert.signers import Signer

__all__ = ["BatchPolicy", "IssuingWorker", "TickReport"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BatchPolicy:
    """One Merkle root every ``wait`` seconds or ``size`` certificates, whichever comes first."""

    size: int = 500
    wait: float = 10.0


@dataclass
class TickReport:
    resumed: int = 0  # batches a previous run left unfinished, now anchored
    issued: list[str] = field(default_factory=list)  # application numbers now issued
    batch_id: int | None = None
    ledger_unavailable: bool = False
    waiting: int = 0  # approved applications not due yet
    revoked: list[str] = field(default_factory=list)  # numbers now shown revoked
    replaced: list[str] = field(default_factory=list)  # numbers now shown replaced
    refused: list[str] = field(default_factory=list)  # numbers the ledger refused to act on


@dataclass
class IssuingWorker:
    sessions: sessionmaker[Session]
    journal: Journal
    client: ChainClient
    signer: Signer
    chamber_id: int
    files_dir: Path  # where the issuer library writes the issued files
    policy: BatchPolicy = field(default_factory=BatchPolicy)

    def tick(self) -> TickReport:
        report = TickReport()
        try:
            report.resumed = len(
                resume(self.client, self.signer, self.journal, out_dir=self.files_dir).batches
            )
            report.issued += self._reconcile()
            self._settle_actions(report)
            due = self._due(report, self._policy())
            if due:
                result = issue_batch(
                    self.client,
                    self.signer,
                    [a.document for a in due],
                    journal=self.journal,
                    out_dir=self.files_dir,
                    labels=[a.number for a in due],
                )
                report.batch_id = result.batch_id
                report.issued += self._reconcile()
            self._corrections(report)
            self._revocations(report)
            report.issued += self._reconcile()
            self._settle_actions(report)
        except ChainUnavailable as exc:
            log.warning("the ledger is unreachable (%s): approved applications wait", exc)
            report.ledger_unavailable = True
        return report

    def _policy(self) -> BatchPolicy:
        """The chamber's batch settings where it has them, the worker's flags otherwise."""
        with self.sessions() as db:
            chamber = db.get(Chamber, self.chamber_id)
        if chamber is None:
            return self.policy
        return BatchPolicy(
            size=chamber.batch_size or self.policy.size,
            wait=float(
                chamber.batch_wait_seconds
                if chamber.batch_wait_seconds is not None
                else self.policy.wait
            ),
        )

    def _journaled(self, number: str, kind: ActionKind) -> list[ActionState]:
        return [a.state for a in self.journal.actions(number=number) if a.kind is kind]

    def _refused(
        self, report: TickReport, app_id: int, number: str, exc: Exception, action: str
    ) -> None:
        log.error("the ledger refused to %s %s: %s", action, number, exc)
        with self.sessions() as db:
            app = db.get(Application, app_id)
            if app is not None:
                app.issue_error = f"{action}: {exc}"[:2000]
                service.record_event(
                    db, None, f"{action}_refused", application=app, after={"error": str(exc)}
                )
                db.commit()
        report.refused.append(number)

    def _corrections(self, report: TickReport) -> None:
        """Issue each approved correction as the ledger's replacement of its original."""
        with self.sessions() as db:
            waiting = [
                (a.id, a.number, dict(a.document), old.number)
                for a in self._approved(db, corrections=True)
                if a.issue_error is None and (old := db.get(Application, a.replaces_id)) is not None
            ]
        for app_id, number, document, old_number in waiting:
            if self.journal.existing_numbers([number]):
                continue  # journaled: resume finishes it, reconcile records it
            document.pop("replaces", None)
            try:
                replace(
                    self.client, self.signer, self.journal, old_number, document,
                    out_dir=self.files_dir, reason=f"Correction of {old_number}",
                )  # fmt: skip
            except (IssuingError, ContractRevert, JournalError) as exc:
                self._refused(report, app_id, number, exc, "replace")

    def _revocations(self, report: TickReport) -> None:
        """Carry out each revocation a clerk confirmed and the journal does not hold yet."""
        with self.sessions() as db:
            asked = [
                (a.id, a.number, a.revoke_reason or "")
                for a in db.scalars(
                    select(Application)
                    .where(
                        Application.chamber_id == self.chamber_id,
                        Application.status == Status.ISSUED,
                        Application.revoke_requested_at.is_not(None),
                        Application.issue_error.is_(None),
                    )
                    .order_by(Application.revoke_requested_at)
                )
            ]
        for app_id, number, reason in asked:
            if self._journaled(number, ActionKind.REVOKE):
                continue  # resume finishes a pending one; _settle_actions records a done one
            try:
                revoke(self.client, self.signer, self.journal, number, reason)
            except IssuingError as exc:
                if exc.code == "already_revoked":  # revoked outside the desk: show it
                    self._settle(app_id, "revoke", report.revoked, number)
                else:
                    self._refused(report, app_id, number, exc, "revoke")
            except (ContractRevert, JournalError) as exc:
                self._refused(report, app_id, number, exc, "revoke")

    def _settle_actions(self, report: TickReport) -> None:
        """Issued applications whose revocation or replacement the journal holds done."""
        with self.sessions() as db:
            successors = select(Application.replaces_id).where(
                Application.chamber_id == self.chamber_id,
                Application.replaces_id.is_not(None),
                Application.status == Status.ISSUED,
            )
            candidates = [
                (a.id, a.number)
                for a in db.scalars(
                    select(Application).where(
                        Application.chamber_id == self.chamber_id,
                        Application.status == Status.ISSUED,
                        or_(
                            Application.revoke_requested_at.is_not(None),
                            Application.id.in_(successors),
                        ),
                    )
                )
            ]
        for app_id, number in candidates:  # revoked outranks replaced, as in the verdict
            if ActionState.DONE in self._journaled(number, ActionKind.REVOKE):
                self._settle(app_id, "revoke", report.revoked, number)
            elif ActionState.DONE in self._journaled(number, ActionKind.REPLACE):
                self._settle(app_id, "replace", report.replaced, number)

    def _settle(self, app_id: int, transition: str, into: list[str], number: str) -> None:
        with self.sessions() as db:
            app = db.get(Application, app_id)
            if app is not None and app.status == Status.ISSUED:
                service.transition(db, None, app, transition)
                db.commit()
                into.append(number)

    def _approved(
        self, db: Session, limit: int | None = None, *, corrections: bool | None = None
    ) -> list[Application]:
        """Approved applications, oldest approval first; ``corrections`` True: only those that
        replace a certificate, False: only the others, None: all."""
        q = (
            select(Application)
            .where(Application.chamber_id == self.chamber_id, Application.status == Status.APPROVED)
            .order_by(Application.approved_at, Application.id)
        )
        if corrections is not None:
            linked = Application.replaces_id.is_not(None)
            q = q.where(linked if corrections else Application.replaces_id.is_(None))
        return list(db.scalars(q.limit(limit) if limit else q))

    def _due(self, report: TickReport, policy: BatchPolicy) -> list[Application]:
        with self.sessions() as db:
            waiting = self._approved(db, policy.size, corrections=False)
        report.waiting = len(waiting)
        if not waiting:
            return []
        oldest = waiting[0].approved_at or utcnow()
        if len(waiting) >= policy.size or utcnow() - oldest >= timedelta(seconds=policy.wait):
            report.waiting = 0
            # a number the journal already holds is issued (or being finished) already
            taken = set(self.journal.existing_numbers([a.number for a in waiting]))
            return [a for a in waiting if a.number not in taken]
        return []

    def _reconcile(self) -> list[str]:
        """Record as issued every approved application the journal holds anchored: one journal
        read for all of them and one set-based update (with the events and mails) in one
        transaction, where one lookup and one UPDATE per application cost 3 s a 1,000 batch."""
        with self.sessions() as db:
            approved = select(Application).where(
                Application.chamber_id == self.chamber_id, Application.status == Status.APPROVED
            )
            numbers = list(  # oldest approval first, as one transition at a time recorded them
                db.scalars(
                    approved.with_only_columns(Application.number).order_by(
                        Application.approved_at, Application.id
                    )
                )
            )
            held = self.journal.batches_of(numbers)
            ready = [
                n
                for n in numbers
                if (b := held.get(n)) and b.state is BatchState.ANCHORED and b.files_written
            ]
            apps: list[Application] = []
            for i in range(0, len(ready), 500):  # only these are loaded, not the whole queue
                apps += db.scalars(approved.where(Application.number.in_(ready[i : i + 500])))
            order = {n: i for i, n in enumerate(ready)}
            apps.sort(key=lambda a: order[a.number])
            now = utcnow()
            changes = []
            for app in apps:
                batch = held[app.number]
                text = (
                    Path(batch.out_dir or self.files_dir) / safe_file_name(app.number)
                ).read_text(encoding="utf-8")
                values = {"issued_at": now, "batch_id": batch.id, "issued_file": text}
                changes.append((app, values))
            done = service.transition_many(db, None, "issue", changes)
            db.commit()
        return [app.number for app in done]
