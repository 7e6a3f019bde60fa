"""The worker records an anchored batch in the desk with one journal read, whatever its size,
and records exactly what one transition per application would: status, issued file, an event
with before/after and the exporter's mail for each."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from sqlalchemy import select

from origincert.desk.issuing import BatchPolicy, IssuingWorker
from origincert.desk.models import Application, Event, OutboxMail, Status
from origincert.issuer import Journal
from origincert.signing import LocalSigner

from .support import Desk
from .test_issuing import approve_some


@pytest.fixture
def worker(world, desk: Desk, tmp_path: Path) -> Iterator[IssuingWorker]:
    with Journal.open(tmp_path / "journal.sqlite") as journal:
        yield IssuingWorker(
            sessions=desk.sessions,
            journal=journal,
            client=world.client,
            signer=LocalSigner(world.chambers["DE-berlin"]),
            chamber_id=desk.berlin.id,
            files_dir=tmp_path / "issued",
        )


def anchored_not_recorded(
    worker: IssuingWorker, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    """A batch of ``size`` anchored and its files written, the desk not told (as a worker killed
    right after anchoring leaves it)."""
    worker.policy = BatchPolicy(size=size, wait=3600)
    with monkeypatch.context() as m:
        m.setattr(worker, "_reconcile", list)
        assert worker.tick().batch_id is not None


def reads_to_record(worker: IssuingWorker, monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    """(journal reads, applications recorded) of one reconcile."""
    journal = worker.journal
    real = journal._read
    reads = 0

    def counted() -> AbstractContextManager[object]:
        nonlocal reads
        reads += 1
        return real()

    with monkeypatch.context() as m:
        m.setattr(journal, "_read", counted)
        recorded = worker._reconcile()
    return reads, len(recorded)


def test_a_batch_is_recorded_with_one_journal_read_whatever_its_size(
    worker: IssuingWorker, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = approve_some(desk, 2)
    anchored_not_recorded(worker, monkeypatch, 2)
    assert reads_to_record(worker, monkeypatch) == (1, 2)

    large = approve_some(desk, 7, start=3)
    anchored_not_recorded(worker, monkeypatch, 7)
    assert reads_to_record(worker, monkeypatch) == (1, 7)

    with desk.sessions() as db:
        apps = db.scalars(select(Application).order_by(Application.id)).all()
        assert [a.number for a in apps] == small + large
        assert {a.status for a in apps} == {Status.ISSUED}
        assert all(a.issued_file and a.number in a.issued_file for a in apps)
        assert all(a.batch_id is not None and a.issued_at is not None for a in apps)
        for app in apps:
            issue = db.scalars(
                select(Event).where(Event.application_id == app.id, Event.action == "issue")
            ).all()
            assert len(issue) == 1
            assert issue[0].before == {"status": "approved", "version": app.version - 1}
            assert issue[0].after == {"status": "issued", "version": app.version}
            mails = db.scalars(
                select(OutboxMail).where(
                    OutboxMail.application_id == app.id,
                    OutboxMail.subject.startswith(f"Certificate {app.number} issued"),
                )
            ).all()
            assert len(mails) == 1
    assert reads_to_record(worker, monkeypatch) == (1, 0)  # nothing left: recorded once
