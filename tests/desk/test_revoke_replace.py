"""Revoke and replace from the desk, on a real Hardhat ledger: a clerk confirms a revocation and
the worker (the only key holder) carries it out through the issuer's journal; an exporter's
correction, approved by a clerk, is issued as the ledger's replacement. A worker killed at any
step of a revocation resumes with exactly one revocation on the ledger; another chamber's clerk
cannot revoke."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from issuer.kit import verdict_of
from sqlalchemy import select

from origincert.chain.codec import topic
from origincert.chain.logs import get_logs
from origincert.desk import revocation, service
from origincert.desk.errors import Conflict, Forbidden, NotFound
from origincert.desk.issuing import BatchPolicy, IssuingWorker
from origincert.desk.models import Application, Event, Status
from origincert.issuer import Journal
from origincert.signing import LocalSigner
from origincert.verifier import Verifier

from .support import PASSWORD, Desk, fields


class Killed(BaseException):
    """Stands for SIGKILL: nothing in memory survives, only the journal and the database."""


def make_worker(world: Any, desk: Desk, journal: Journal, tmp_path: Path) -> IssuingWorker:
    return IssuingWorker(
        sessions=desk.sessions,
        journal=journal,
        client=world.client,
        signer=LocalSigner(world.chambers["DE-berlin"]),
        chamber_id=desk.berlin.id,
        files_dir=tmp_path / "issued",
        policy=BatchPolicy(size=2, wait=0),
    )


@pytest.fixture
def journal_path(tmp_path: Path) -> Path:
    return tmp_path / "journal.sqlite"


@pytest.fixture
def worker(world: Any, desk: Desk, journal_path: Path, tmp_path: Path) -> Iterator[IssuingWorker]:
    with Journal.open(journal_path) as journal:
        yield make_worker(world, desk, journal, tmp_path)


def issue(desk: Desk, worker: IssuingWorker, n: int = 2) -> list[str]:
    """``n`` applications approved by clara and issued in one batch; their public ids."""
    ids = []
    with desk.sessions.begin() as db:
        for i in range(1, n + 1):
            app = service.create_application(db, desk.actor("alice"), fields(i))
            service.submit(db, desk.actor("alice"), app, declaration=True)
            service.approve(db, desk.actor("clara"), app)
            ids.append(app.public_id)
    assert len(worker.tick().issued) == n
    return ids


def row(desk: Desk, public_id: str) -> Application:
    with desk.sessions() as db:
        return db.scalars(select(Application).where(Application.public_id == public_id)).one()


def issued_file(desk: Desk, public_id: str) -> dict[str, Any]:
    return json.loads(row(desk, public_id).issued_file or "null")


def revocations_on_ledger(world: Any) -> int:
    address = world.client.manifest.certificate_registry.address
    return sum(
        len(get_logs(world.client, address, [topic("CertificateRegistry", name)], 0))
        for name in ("LeafRevoked", "RootRevoked")
    )


def confirm_revocation(desk: Desk, public_id: str, clerk: str = "clara") -> None:
    with desk.sessions.begin() as db:
        app = service.get_application(db, desk.actor(clerk), public_id)
        preview = revocation.preview_revocation(db, desk.actor(clerk), app, "issued_in_error")
        assert (preview.number, preview.batch_size, preview.call) == (app.number, 2, "revokeLeaf")
        revocation.request_revocation(db, desk.actor(clerk), app, reason="issued_in_error")


def test_a_confirmed_revocation_is_carried_out_once_by_the_worker(
    worker: IssuingWorker, desk: Desk, world: Any
) -> None:
    first, second = issue(desk, worker)
    confirm_revocation(desk, first)
    with pytest.raises(Conflict) as again:  # a replayed confirmation records nothing more
        confirm_revocation(desk, first, clerk="carl")
    assert again.value.code == "revocation_pending"
    assert row(desk, first).status == Status.ISSUED  # the web records; only the worker revokes
    report = worker.tick()
    assert report.revoked == [row(desk, first).number]
    assert row(desk, first).status == Status.REVOKED
    assert verdict_of(world.client, issued_file(desk, first)) == "REVOKED"
    assert verdict_of(world.client, issued_file(desk, second)) == "VALID"
    assert worker.tick().revoked == [] and revocations_on_ledger(world) == 1
    with desk.sessions() as db:
        actions = db.scalars(
            select(Event.action).where(Event.application_id == row(desk, first).id)
        ).all()
    assert actions[-2:] == ["revocation_requested", "revoke"]


@pytest.mark.parametrize("point", ["before_send", "after_send", "before_desk_records"])
def test_a_worker_killed_mid_revocation_resumes_with_exactly_one_revocation(
    point: str,
    world: Any,
    desk: Desk,
    journal_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with Journal.open(journal_path) as journal:
        first, _second = issue(desk, make_worker(world, desk, journal, tmp_path))
    confirm_revocation(desk, first)
    real_send = world.client.send

    def dying_send(fn: Any, signer: Any) -> Any:
        if point == "before_send":  # the journal holds the action, nothing left the process
            raise Killed
        real_send(fn, signer)  # mined: the ledger shows the revocation, the journal does not
        raise Killed

    with Journal.open(journal_path) as journal:
        doomed = make_worker(world, desk, journal, tmp_path)
        if point == "before_desk_records":  # the journal says done, the desk still says issued
            monkeypatch.setattr(doomed, "_settle", lambda *a: (_ for _ in ()).throw(Killed()))
        else:
            monkeypatch.setattr(world.client, "send", dying_send)
        with pytest.raises(Killed):
            doomed.tick()
    monkeypatch.undo()
    assert row(desk, first).status == Status.ISSUED
    with Journal.open(journal_path) as journal:
        report = make_worker(world, desk, journal, tmp_path).tick()
    assert report.revoked == [row(desk, first).number] and report.refused == []
    assert row(desk, first).status == Status.REVOKED
    assert revocations_on_ledger(world) == 1
    assert verdict_of(world.client, issued_file(desk, first)) == "REVOKED"


def test_a_correction_approved_by_a_clerk_is_issued_as_the_replacement(
    worker: IssuingWorker, desk: Desk, world: Any, app: Any
) -> None:
    original, _other = issue(desk, worker)
    with desk.sessions.begin() as db:
        old = service.get_application(db, desk.actor("alice"), original)
        draft = revocation.request_correction(db, desk.actor("alice"), old)
        assert revocation.request_correction(db, desk.actor("aaron"), old).id == draft.id
        assert draft.replaces_id == old.id and draft.status == Status.DRAFT
        assert draft.document["goods"] == old.document["goods"]  # prefilled from the certificate
        changed = {**draft.document, "remarks": "Consignee address corrected"}
        service.update_fields(db, desk.actor("alice"), draft, changed)
        service.submit(db, desk.actor("alice"), draft, declaration=True)
        with pytest.raises(Forbidden):  # four eyes: nobody approves their own submission
            service.approve(db, desk.actor("alice"), draft)
        service.approve(db, desk.actor("carl"), draft)
        successor, old_number = draft.public_id, old.number
    report = worker.tick()
    assert report.replaced == [old_number] and report.issued == [row(desk, successor).number]
    assert row(desk, original).status == Status.REPLACED
    assert row(desk, successor).status == Status.ISSUED
    new_file, old_file = issued_file(desk, successor), issued_file(desk, original)
    assert new_file["document"]["replaces"]["number"] == old_number  # "replaces N"
    assert new_file["document"]["remarks"] == "Consignee address corrected"
    assert verdict_of(world.client, new_file) == "VALID"
    on = old_file["document"]["issue_date"]
    from datetime import date

    result = Verifier(world.client, clock=lambda: date.fromisoformat(on)).verify(old_file)
    assert result.verdict.value == "REPLACED"
    named = result.evidence["replaced_by"]  # the ledger names the successor's root and leaf
    assert named["root"] == new_file["proof"]["root"]
    # the clerk's pages say it in words: N replaced by its successor, the successor a correction
    clerk = app.test_client()
    clerk.post("/login", data={"email": "carl@example.org", "password": PASSWORD})
    old_page = clerk.get(f"/clerk/a/{original}").get_data(as_text=True)
    assert f"Replaced by {row(desk, successor).number}." in old_page
    new_page = clerk.get(f"/clerk/a/{successor}").get_data(as_text=True)
    assert f"Correction of {old_number}" in new_page


def test_another_chambers_clerk_cannot_revoke(worker: IssuingWorker, desk: Desk, app: Any) -> None:
    first, _ = issue(desk, worker)
    with desk.sessions.begin() as db:
        with pytest.raises(NotFound):
            service.get_application(db, desk.actor("otto"), first)
        target = db.scalars(select(Application).where(Application.public_id == first)).one()
        with pytest.raises(NotFound):  # even handed the row, the service refuses
            revocation.request_revocation(db, desk.actor("otto"), target, reason="fraud")
        with pytest.raises(Forbidden):
            revocation.request_revocation(db, desk.actor("alice"), target, reason="fraud")
    client = app.test_client()
    client.post("/login", data={"email": "otto@example.org", "password": "a long enough password"})
    for path in (f"/clerk/a/{first}/revoke", f"/clerk/a/{first}/revoke/confirm"):
        assert client.post(path, data={"reason": "fraud"}).status_code == 404
    assert row(desk, first).revoke_requested_at is None


def test_the_audit_report_includes_the_desks_event_log(
    worker: IssuingWorker, desk: Desk, world: Any, tmp_path: Path
) -> None:
    from audit.auditkit import audit

    from origincert.audit.desklog import read_desk_log
    from origincert.audit.report import write_report
    from origincert.desk.administration import events_jsonl

    first, _ = issue(desk, worker)
    confirm_revocation(desk, first)
    worker.tick()
    log = tmp_path / "desk-events.jsonl"
    with desk.sessions() as db:
        log.write_text("".join(events_jsonl(db, desk.berlin.id)), encoding="utf-8")
    with audit(world) as result:
        write_report(result, tmp_path / "report", desk_logs=[read_desk_log(log)])
    report = json.loads((tmp_path / "report" / "report.json").read_text())
    [summary] = report["desk_events"]
    assert summary["revoked"] == [row(desk, first).number]
    assert summary["by_action"]["revocation_requested"] == 1
    assert summary["by_action"]["issue"] == 2
    rows = (tmp_path / "report" / "desk-events.csv").read_text().splitlines()
    assert any(",revoke," in r and row(desk, first).number in r for r in rows)
    html = (tmp_path / "report" / "report.html").read_text()
    assert "Chamber desks&#39; event logs" in html or "Chamber desks' event logs" in html


def test_an_unreachable_ledger_leaves_the_revocation_asked_until_it_returns(
    worker: IssuingWorker, desk: Desk, world: Any
) -> None:
    import copy

    from web3 import Web3

    first, _ = issue(desk, worker)
    confirm_revocation(desk, first)
    dead = copy.copy(world.client)
    dead.w3 = Web3(Web3.HTTPProvider("http://127.0.0.1:9", request_kwargs={"timeout": 2}))
    dead._issuers = dead._certificates = None
    worker.client = dead
    report = worker.tick()
    assert report.ledger_unavailable and report.revoked == [] and report.refused == []
    stays = row(desk, first)
    assert stays.status == Status.ISSUED and stays.revoke_requested_at is not None
    assert stays.issue_error is None  # waiting, not failed
    worker.client = world.client
    assert worker.tick().revoked == [stays.number]
    assert revocations_on_ledger(world) == 1


def test_a_certificate_revoked_outside_the_desk_shows_revoked_without_a_second_revocation(
    worker: IssuingWorker, desk: Desk, world: Any
) -> None:
    from origincert.issuer import revoke

    first, _ = issue(desk, worker)
    number = row(desk, first).number
    revoke(world.client, worker.signer, worker.journal, number, "lost")  # e.g. the CLI
    confirm_revocation(desk, first)
    assert worker.tick().revoked == [number]
    assert row(desk, first).status == Status.REVOKED and row(desk, first).issue_error is None
    assert revocations_on_ledger(world) == 1
