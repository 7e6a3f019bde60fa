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
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from origincert.chain import ChainClient
from origincert.desk import service
from origincert.desk.models import Application, Status, utcnow
from origincert.errors import ChainUnavailable
from origincert.issuer import Journal, issue_batch, resume, safe_file_name
from origincert.issuer.journal import BatchState
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
            due = self._due(report)
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
        except ChainUnavailable as exc:
            log.warning("the ledger is unreachable (%s): approved applications wait", exc)
            report.ledger_unavailable = True
        return report

    def _approved(self, db: Session, limit: int | None = None) -> list[Application]:
        q = (
            select(Application)
            .where(Application.chamber_id == self.chamber_id, Application.status == Status.APPROVED)
            .order_by(Application.approved_at, Application.id)
        )
        return list(db.scalars(q.limit(limit) if limit else q))

    def _due(self, report: TickReport) -> list[Application]:
        with self.sessions() as db:
            waiting = self._approved(db, self.policy.size)
        report.waiting = len(waiting)
        if not waiting:
            return []
        oldest = waiting[0].approved_at or utcnow()
        if len(waiting) >= self.policy.size or utcnow() - oldest >= timedelta(
            seconds=self.policy.wait
        ):
            report.waiting = 0
            # a number the journal already holds is issued (or being finished) already
            taken = set(self.journal.existing_numbers([a.number for a in waiting]))
            return [a for a in waiting if a.number not in taken]
        return []

    def _reconcile(self) -> list[str]:
        """Record as issued every approved application the journal holds anchored."""
        done: list[str] = []
        with self.sessions() as db:
            approved = self._approved(db)
            taken = set(self.journal.existing_numbers([a.number for a in approved]))
            for app in approved:
                if app.number not in taken:
                    continue
                batch, _cert = self.journal.locate(app.number)
                if batch.state is not BatchState.ANCHORED or not batch.files_written:
                    continue
                text = (
                    Path(batch.out_dir or self.files_dir) / safe_file_name(app.number)
                ).read_text(encoding="utf-8")
                service.transition(
                    db,
                    None,
                    app,
                    "issue",
                    issued_at=utcnow(),
                    batch_id=batch.id,
                    issued_file=text,
                )
                done.append(app.number)
            db.commit()
        return done
