#!/usr/bin/env python3
"""The desk end to end: applications submitted through the REST API, approved by a rule made for
the benchmark, issued in batches by the issuing worker on a ledger that mines a block every
2 seconds.

Goal (issue 16, 2 cores): >= 200 applications a second accepted, and every certificate VALID
within 30 s of its approval.

Steps: start a Hardhat node, deploy, accredit one chamber (automine), then switch the node to
one block every ``--block-seconds``; create the desk (SQLite, migrations), its chamber, one
exporter company and an API key; serve the desk with ``origincert desk serve`` in its own
process; ``--clients`` threads post the applications with ``POST /api/v1/applications/bulk``
(``--chunk`` per call, validated and submitted in the same call); the benchmark rule approves
every submitted application (as a clerk, through the desk's own rules) while the issuing
worker, in its own process as in production, ticks until all are issued (``--batch-size`` /
``--batch-wait``). The time from approval to VALID is taken per certificate from its approval to its batch's anchoring receipt, and one
issued file of each batch is checked VALID by the verifier.

Run: .venv/bin/python scripts/bench/desk.py [--count 2000] [--clients 4] [--chunk 100]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import requests
from benchkit import consortium, free_port
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from origincert.desk import accounts, service
from origincert.desk.db import engine_for, migrate, session_factory
from origincert.desk.documents import DESK_FIELDS
from origincert.desk.issuing import BatchPolicy, IssuingWorker
from origincert.desk.models import Application, CompanyStatus, Role, Status
from origincert.devtools import devchain
from origincert.devtools.samples import sample_certificate
from origincert.issuer import Journal
from origincert.verifier import Verifier
from origincert.webkit.passwords import hasher

ROOT = Path(__file__).resolve().parents[2]


def exporter_fields(n: int, seed: int) -> list[dict]:
    rng, today = random.Random(seed), datetime.now(UTC).date()
    out = []
    for _ in range(n):
        d = sample_certificate(rng, economy="DE", issued_on=today)
        out.append({k: v for k, v in d.items() if k not in DESK_FIELDS and k != "valid_until"})
    return out


def run_worker(
    db_url: str, node_url: str, manifest: Any, signer: Any, chamber_id: int, work: Path, args: Any
) -> None:
    """The issuing worker's process: ticks until every application is issued. Its own database
    engine and node connection (nothing is shared with the parent but the files)."""
    from origincert.chain import ChainClient

    sessions = session_factory(engine_for(db_url))
    client = ChainClient.connect(node_url, manifest=manifest)
    busy = 0
    with Journal.open(work / "journal.sqlite") as journal:
        worker = IssuingWorker(sessions=sessions, journal=journal, client=client, signer=signer,
                               chamber_id=chamber_id, files_dir=work / "issued",
                               policy=BatchPolicy(size=args.batch_size, wait=args.batch_wait))  # fmt: skip
        issued = 0
        while issued < args.count:
            try:
                issued += len(worker.tick().issued)
            except OperationalError:  # SQLite's writer lock: the next tick resumes (journal)
                busy += 1
            time.sleep(0.2)
    (work / "worker-busy").write_text("x" * busy)
    os._exit(0)  # no finaliser of the parent's copied connections runs here


def wait_http(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise SystemExit(f"the desk did not answer at {url}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--chunk", type=int, default=100)
    ap.add_argument("--batch-size", type=int, default=1000)
    ap.add_argument("--batch-wait", type=float, default=5.0)
    ap.add_argument("--block-seconds", type=int, default=2)
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="desk-bench-"))
    port = free_port()
    node = devchain.start(port, state_dir=work / "chain")
    desk_proc = None
    try:
        client, signer = consortium(node.url)
        client.w3.provider.make_request("evm_setAutomine", [False])
        client.w3.provider.make_request("evm_setIntervalMining", [args.block_seconds * 1000])

        url = f"sqlite:///{work / 'desk.sqlite'}"
        migrate(url)
        sessions = session_factory(engine_for(url))
        ph = hasher("CHEAPEST")
        with sessions.begin() as db:
            chamber = accounts.create_chamber(
                db, code="DEBENCH", name="IHK Bench", economy="DE", place="Berlin"
            )
            company = accounts.create_company(
                db, chamber, "Bench Exports GmbH", status=CompanyStatus.ACTIVE
            )
            exporter = accounts.create_user(db, ph, email="exporter@bench.example", name="Exporter",
                                            password="x" * 16, role=Role.EXPORTER_ADMIN, chamber=chamber,
                                            company=company)  # fmt: skip
            clerk = accounts.create_user(db, ph, email="clerk@bench.example", name="Clerk",
                                         password="x" * 16, role=Role.CLERK, chamber=chamber)  # fmt: skip
            _, key = accounts.create_api_key(db, exporter, "bench")
            chamber_id = chamber.id

        desk_port = free_port()
        env = {**os.environ, "ORIGINCERT_DESK_RATELIMIT_ENABLED": "false",
               "ORIGINCERT_DESK_ARGON2_PROFILE": "CHEAPEST"}  # fmt: skip
        desk_proc = subprocess.Popen(
            [sys.executable, "-m", "origincert.cli", "desk", "serve", "--bind",
             f"127.0.0.1:{desk_port}", "--db", url, "--instance", str(work / "desk"), "--insecure-http"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        base = f"http://127.0.0.1:{desk_port}"
        wait_http(base + "/api/v1/openapi.json")

        payloads = exporter_fields(args.count, seed=7)
        chunks = [payloads[i : i + args.chunk] for i in range(0, len(payloads), args.chunk)]
        errors: list[str] = []
        retries: list[int] = []
        lock = threading.Lock()

        def post_chunks(mine: list[list[dict]]) -> None:
            s = requests.Session()
            s.headers["Authorization"] = f"Bearer {key}"
            for chunk in mine:
                body = {"applications": chunk, "submit": True, "declaration": True}
                for _attempt in range(10):  # 503 + Retry-After: the writer lock was busy
                    r = s.post(base + "/api/v1/applications/bulk", json=body, timeout=120)
                    if r.status_code != 503:
                        break
                    with lock:
                        retries.append(1)
                    time.sleep(float(r.headers.get("Retry-After", "1")))
                if r.status_code != 201:
                    with lock:
                        errors.append(f"{r.status_code} {r.text[:200]}")

        t0 = time.perf_counter()
        threads = [threading.Thread(target=post_chunks, args=(chunks[i :: args.clients],))
                   for i in range(args.clients)]  # fmt: skip
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        accept_s = time.perf_counter() - t0
        if errors:
            raise SystemExit(f"{len(errors)} bulk calls failed, first: {errors[0]}")

        # the issuing worker runs in its own process, as in production (`desk worker`), while
        # the benchmark rule approves every submitted application (as a clerk, through the
        # desk's own rules), committing every 50
        busy: list[str] = []
        t0 = time.perf_counter()
        worker = multiprocessing.get_context("fork").Process(
            target=run_worker,
            args=(url, node.url, client.manifest, signer, chamber_id, work, args),
            name="desk-bench-worker",
        )
        worker.start()
        with sessions() as db:
            actor = service.Actor(db.get(type(clerk), clerk.id), "bench-rule")
            todo = db.scalars(
                select(Application.id).where(Application.status == Status.SUBMITTED)
            ).all()
            for start in range(0, len(todo), 50):
                for _attempt in range(20):  # the writer lock was busy: this chunk again
                    try:
                        for app_id in todo[start : start + 50]:
                            service.approve(db, actor, db.get(Application, app_id))
                        db.commit()
                        break
                    except OperationalError:
                        db.rollback()
                        busy.append("approve")
        approve_s = time.perf_counter() - t0
        worker.join()
        issue_s = time.perf_counter() - t0
        if worker.exitcode != 0:
            raise SystemExit(f"the issuing worker failed (exit {worker.exitcode})")
        journal = Journal.open(work / "journal.sqlite")
        batches = [b for b in journal.batches() if b.state == "anchored"]
        anchored_at = {
            b.id: float(client.w3.eth.get_block(b.block_number)["timestamp"]) for b in batches
        }
        journal.close()
        with sessions() as db:
            apps = db.scalars(select(Application)).all()
            lags = [anchored_at[a.batch_id] - a.approved_at.timestamp() for a in apps]
            one_per_batch = {a.batch_id: a.issued_file for a in apps}
        verifier = Verifier(client, clock=lambda: date.today())
        verdicts = {verifier.verify(json.loads(f)).verdict.value for f in one_per_batch.values()}

        n = args.count
        lines = [
            f"applications: {n} via {len(chunks)} bulk calls of {args.chunk}, {args.clients} clients",
            (
                f"accepted (validated + submitted): {n / accept_s:7.1f} applications/s "
                f"({accept_s:.1f} s, {len(retries)} calls retried after 503)"
            ),
            f"approved by the bench rule:       {n / approve_s:7.1f} applications/s",
            (
                f"issued, first approval to last issued (approving meanwhile): {n / issue_s:.1f} "
                f"certificates/s ({issue_s:.1f} s, {args.block_seconds}-s blocks)"
            ),
            f"anchors per 1,000 certificates:   {1000 * len(batches) / n:7.2f} ({len(batches)} batches)",
            (
                f"approval -> anchored (VALID):     median {statistics.median(lags):.1f} s, "
                f"max {max(lags):.1f} s"
            ),
        ]
        print("\n".join(lines))
        print(f"verdicts of one file per batch:   {sorted(verdicts)}")
        print(
            f"writer lock busy, retried:        {busy.count('approve')} approval chunks, "
            f"{(work / 'worker-busy').read_text().count('x')} worker ticks"
        )
    finally:
        if desk_proc is not None:
            desk_proc.terminate()
            desk_proc.wait(timeout=10)
        devchain.stop(port, state_dir=work / "chain")


if __name__ == "__main__":
    main()
