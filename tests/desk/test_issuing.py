"""The issuing worker against a real Hardhat ledger: batches by size or by waiting time, the
issued file VALID, a killed worker resumes with every application issued exactly once, and an
unreachable ledger leaves applications approved until it returns."""

from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from issuer.kit import PASSWORD, verdict_of, write_keystore
from sqlalchemy import select
from stepkill import killed_at
from web3 import Web3

from origincert.cli import main
from origincert.desk import service
from origincert.desk.issuing import BatchPolicy, IssuingWorker
from origincert.desk.models import Application, Status
from origincert.issuer import Journal
from origincert.issuer.issuing import STEPS
from origincert.signing import LocalSigner

from .support import Desk, fields


def approve_some(desk: Desk, n: int, start: int = 1) -> list[str]:
    numbers = []
    with desk.sessions.begin() as db:
        for i in range(start, start + n):
            app = service.create_application(db, desk.actor("alice"), fields(i))
            service.submit(db, desk.actor("alice"), app, declaration=True)
            service.approve(db, desk.actor("clara"), app)
            numbers.append(app.number)
    return numbers


def statuses(desk: Desk) -> dict[str, str]:
    with desk.sessions() as db:
        return {a.number: a.status for a in db.scalars(select(Application))}


@pytest.fixture
def worker(world, desk: Desk, tmp_path: Path):
    with Journal.open(tmp_path / "journal.sqlite") as journal:
        yield IssuingWorker(
            sessions=desk.sessions,
            journal=journal,
            client=world.client,
            signer=LocalSigner(world.chambers["DE-berlin"]),
            chamber_id=desk.berlin.id,
            files_dir=tmp_path / "issued",
            policy=BatchPolicy(size=2, wait=3600),
        )


def test_batches_close_at_the_size_or_after_the_wait(
    worker: IssuingWorker, desk: Desk, world
) -> None:
    numbers = approve_some(desk, 3)
    first = worker.tick()
    assert sorted(first.issued) == numbers[:2] and first.waiting == 0
    assert statuses(desk)[numbers[2]] == Status.APPROVED  # one alone waits for the clock
    assert worker.tick().issued == []
    worker.policy = BatchPolicy(size=2, wait=0)
    assert worker.tick().issued == numbers[2:]
    with desk.sessions() as db:
        apps = db.scalars(select(Application).order_by(Application.id)).all()
        assert {a.status for a in apps} == {Status.ISSUED}
        assert apps[0].batch_id == apps[1].batch_id != apps[2].batch_id
        issued = json.loads(apps[0].issued_file)
    assert issued["document"]["number"] == numbers[0]
    assert verdict_of(world.client, issued) == "VALID"


def test_an_unreachable_ledger_leaves_applications_approved_until_it_returns(
    worker: IssuingWorker, desk: Desk, world
) -> None:
    numbers = approve_some(desk, 2)
    dead = copy.copy(world.client)
    dead.w3 = Web3(Web3.HTTPProvider("http://127.0.0.1:9", request_kwargs={"timeout": 2}))
    dead._issuers = dead._certificates = None
    worker.client = dead
    report = worker.tick()
    assert report.ledger_unavailable and report.issued == []
    assert set(statuses(desk).values()) == {Status.APPROVED}
    worker.client = world.client
    assert sorted(worker.tick().issued) == numbers


@pytest.mark.parametrize("point", STEPS)
def test_a_worker_killed_at_any_step_resumes_and_issues_each_exactly_once(
    point: str, world, desk: Desk, db_url: str, manifest_path: Path, tmp_path: Path
) -> None:
    numbers = approve_some(desk, 3)
    key = write_keystore(tmp_path / "berlin.json", world.chambers["DE-berlin"])
    env = {
        **os.environ,
        "ORIGINCERT_RPC_URL": world.client.url,
        "ORIGINCERT_MANIFEST": str(manifest_path),
        "ORIGINCERT_PASSWORD": PASSWORD,
        "ORIGINCERT_DESK_DB": db_url,
    }
    args = ["desk", "worker", "--chamber", "DEBER", "--key", str(key),
            "--instance", str(tmp_path / "inst"), "--batch-wait", "0", "--once"]  # fmt: skip
    killed = subprocess.run(
        [*killed_at(point), *args], check=False, env=env, capture_output=True, timeout=120
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()
    assert set(statuses(desk).values()) == {Status.APPROVED}
    # The kill needs a process of its own; the resume reads only what the killed one left on disk
    # and on the ledger, so Click's runner in this process proves the same, without a second
    # interpreter importing the desk and web3 (1.5 s of CPU each time).
    again = CliRunner().invoke(main, args, env=env)
    assert again.exit_code == 0, again.output
    assert set(statuses(desk).values()) == {Status.ISSUED}
    with Journal.open(tmp_path / "inst" / "journal.sqlite") as journal:
        assert sorted(journal.existing_numbers(numbers)) == numbers
        assert len({journal.locate(n)[0].id for n in numbers}) == 1  # one batch, one anchor
        assert journal.counts().get("anchored") == 3
    with desk.sessions() as db:
        issued = json.loads(db.scalars(select(Application)).first().issued_file)
    assert verdict_of(world.client, issued) == "VALID"


def test_the_job_queue_runs_the_ticks(worker: IssuingWorker, desk: Desk) -> None:
    import asyncio

    from origincert.desk.jobs import CONTEXT_KEY, queue_app

    numbers = approve_some(desk, 2)
    queue = queue_app("sqlite:///unused")

    async def run() -> None:
        async with queue.open_async():
            task = asyncio.create_task(
                queue.run_worker_async(
                    queues=["issuing"],
                    additional_context={CONTEXT_KEY: worker},
                    install_signal_handlers=False,
                )
            )
            for _ in range(100):
                await asyncio.sleep(0.1)
                if set(statuses(desk).values()) == {Status.ISSUED}:
                    break
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    asyncio.run(run())
    assert statuses(desk) == dict.fromkeys(numbers, Status.ISSUED)


def test_the_exporter_downloads_the_issued_file_and_its_pdf(
    worker: IssuingWorker, desk: Desk, app, keys
) -> None:
    [number] = approve_some(desk, 1)
    worker.policy = BatchPolicy(size=1, wait=0)
    assert worker.tick().issued == [number]
    with desk.sessions() as db:
        pid = db.scalar(select(Application.public_id))
    client = app.test_client()
    headers = {"Authorization": f"Bearer {keys['alice']}"}
    issued = client.get(f"/api/v1/applications/{pid}/certificate", headers=headers)
    assert issued.status_code == 200 and issued.json["document"]["number"] == number
    pdf = client.get(f"/api/v1/applications/{pid}/certificate.pdf", headers=headers)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    assert pdf.headers["Content-Type"] == "application/pdf"
    other = client.get(
        f"/api/v1/applications/{pid}/certificate.pdf",
        headers={"Authorization": f"Bearer {keys['bob']}"},
    )
    assert other.status_code == 404
