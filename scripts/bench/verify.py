#!/usr/bin/env python3
"""Verifier speed against a local Hardhat node it starts itself.

Targets (2 cores): offline batch verification >= 5,000 certificates a second, online batch
>= 3,000 a second, and a single online verification in a warm process at a median <= 3 ms and a
95th percentile <= 6 ms, in one JSON-RPC round trip.

The script starts a node, deploys the registries, accredits one chamber, issues the certificates
with the real issuer (batches of ``--batch``, plus ``--singles`` batches of one), then times, from
the files' bytes: the whole batch through ``verify_many_bytes`` online and offline (each the median
of 3 runs; large batches use the worker processes), the offline batch in this process alone (its
CPU per certificate is the code's cost), and single ``verify_bytes`` calls on certificates anchored
on their own, with the signature cache cleared before each so nothing is reused from an earlier
call. Besides wall time it prints the CPU time of the verifier (this process and its workers), of
the node, the JSON-RPC round trips and the load average: on a shared machine the CPU times say
what the code costs.

Run: .venv/bin/python scripts/bench/verify.py [--count 10000] [--batch 250] [--singles 100]
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any, Self

from benchkit import consortium, documents_valid_on, free_port

from origincert.chain import ChainClient, rpc
from origincert.devtools import devchain
from origincert.issuer import Journal, issue_batch
from origincert.signing import LocalSigner
from origincert.verdict import Verdict
from origincert.verifier import Verifier, recompute, workers
from origincert.verifier.verifier import PARALLEL_FROM

DAY = date.today()  # the chamber is accredited from the node's clock, so verify as of today


def _cpu(pid: int) -> float:
    """utime + stime of a process, in seconds (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Meter:
    """Wall time, the verifier's CPU time (this process and its worker processes) and the node
    process's CPU time over a block: on a shared machine the CPU times say what the code costs,
    the wall time what others left of it."""

    def __init__(self, node_pid: int) -> None:
        self._node = node_pid
        self.wall = self.cpu = self.node = 0.0
        self.trips = 0

    def _workers(self) -> float:
        return sum(_cpu(pid) for pid in workers.pids())

    def __enter__(self) -> Self:
        self._trips = _TRIPS[0]
        self._t, self._c = time.perf_counter(), time.process_time() + self._workers()
        self._n = _cpu(self._node)
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self._t
        self.cpu = time.process_time() + self._workers() - self._c
        self.node = _cpu(self._node) - self._n
        self.trips = _TRIPS[0] - self._trips


_TRIPS = [0]  # JSON-RPC requests (HTTP round trips) the verifier sent


def _count_round_trips() -> None:
    real = rpc._HttpTransport.send

    def counted(transport: Any, calls: Any) -> Any:
        _TRIPS[0] += 1
        return real(transport, calls)

    rpc._HttpTransport.send = counted  # type: ignore[method-assign]


def _median_run(runs: list[Meter]) -> Meter:
    return sorted(runs, key=lambda r: r.wall)[len(runs) // 2]


def issue(
    client: ChainClient, signer: LocalSigner, work: Path, count: int, batch: int, singles: int
) -> tuple[list[Path], list[Path]]:
    docs = documents_valid_on(DAY, count + singles, seed=7)
    batched: list[Path] = []
    lone: list[Path] = []
    t0 = time.perf_counter()
    for start in range(0, count, batch):
        with Journal.open(work / f"journal-{start}.sqlite") as journal:
            r = issue_batch(
                client,
                signer,
                docs[start : start + batch],
                journal=journal,
                out_dir=work / "batches",
            )
        batched += [Path(f) for f in r.files]
    with Journal.open(work / "journal-singles.sqlite") as journal:
        for d in docs[count:]:
            r = issue_batch(client, signer, [d], journal=journal, out_dir=work / "singles")
            lone += [Path(f) for f in r.files]
    print(
        f"issued {len(batched):,} in batches of {batch:,} and {len(lone)} alone in {time.perf_counter() - t0:.1f} s"
    )
    return batched, lone


def stages(raws: list[bytes], alone: Verifier) -> None:
    """Where a certificate's CPU goes in this process: each stage on every file, best of 3."""
    from origincert import document
    from origincert.issued import parse_issued
    from origincert.safejson import load_json

    def best(work: Any, items: list[Any]) -> tuple[float, list[Any]]:
        times, out = [], []
        for _ in range(3):
            c = time.process_time()
            out = [work(x) for x in items]
            times.append(time.process_time() - c)
        return min(times) * 1e6 / len(items), out

    gc.disable()
    try:
        t_json, data = best(load_json, raws)
        t_model, files = best(parse_issued, data)
        t_schema, _ = best(lambda f: document.parse_certificate(f.document), files)
        t_hash, _ = best(recompute.recompute_fields, files)
        t_proof, _ = best(
            lambda f: (
                recompute.in_batch(recompute.leaf_of(f.target_hash), f.merkle_proof, f.root)
                and recompute.recovered_signer(f)
            ),
            files,
        )
        t_all = best(lambda _: alone.verify_many_bytes(raws), [None])[0] / len(raws)
    finally:
        gc.enable()
    rest = t_all - t_json - t_model - t_schema - t_hash - t_proof
    print(
        f"CPU per certificate, in this process: {t_all:.0f} µs = JSON {t_json:.0f} + file model "
        f"{t_model:.0f} + schema (pydantic and rules) {t_schema:.0f} + field hashes and target "
        f"{t_hash:.0f} + Merkle proof and signature (once per root) {t_proof:.0f} + the other "
        f"checks, evidence and result {rest:.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=250)
    parser.add_argument("--singles", type=int, default=100)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        port = free_port()
        node = devchain.start(port, state_dir=work / "node")
        try:
            client, signer = consortium(node.url)
            batched, lone = issue(client, signer, work, args.count, args.batch, args.singles)
            raws = [p.read_bytes() for p in batched]
            singles = [p.read_bytes() for p in lone]
            online = Verifier(client, clock=lambda: DAY)
            offline = Verifier.offline(client.manifest, clock=lambda: DAY)
            alone = Verifier.offline(client.manifest, clock=lambda: DAY, workers=1)
            _count_round_trips()

            online.verify_many_bytes(raws)  # warm up: imports, workers, kept-alive connections
            print(
                f"machine: {workers.cores()} cores, load average {os.getloadavg()[0]:.1f} before "
                f"the runs; {online.workers} worker processes from {PARALLEL_FROM:,} certificates"
            )
            n = len(raws)
            for label, v, expected, cores in (
                ("online", online, Verdict.VALID, 2),
                ("offline", offline, Verdict.UNCONFIRMED, 2),
                ("offline in this process alone", alone, Verdict.UNCONFIRMED, 1),
            ):
                runs = []
                for _ in range(3):
                    recompute._recover.cache_clear()
                    with Meter(node.pid) as m:
                        results = v.verify_many_bytes(raws)
                    runs.append(m)
                    assert {r.verdict for r in results} == {expected}, {r.verdict for r in results}
                m = _median_run(runs)
                print(
                    f"batch, {label}: {n:,} certificates in {m.wall:.2f} s = {n / m.wall:,.0f}/s "
                    f"(median of 3; best {n / min(r.wall for r in runs):,.0f}/s); CPU per "
                    f"certificate: verifier {m.cpu * 1e6 / n:.0f} µs, node {m.node * 1e6 / n:.0f} µs; "
                    f"{m.trips} round trips from this process (a large batch's workers read their own); CPU-bound on {cores} idle core(s): "
                    f"{cores * n / (m.cpu + m.node):,.0f}/s"
                )

            stages(raws, alone)

            walls, cpus, nodes, trips = [], [], [], []
            for raw in singles * 3:
                recompute._recover.cache_clear()
                with Meter(node.pid) as m:
                    r = online.verify_bytes(raw)
                assert r.verdict is Verdict.VALID, r.summary
                walls.append(m.wall)
                cpus.append(m.cpu)
                nodes.append(m.node)
                trips.append(m.trips)
            walls.sort()
            print(
                f"single, warm process: median {statistics.median(walls) * 1e3:.2f} ms, "
                f"p95 {walls[int(len(walls) * 0.95)] * 1e3:.2f} ms over {len(walls)} verifications; "
                f"CPU: verifier median {statistics.median(cpus) * 1e3:.2f} ms, node mean "
                f"{statistics.fmean(nodes) * 1e3:.2f} ms (clock ticks of 10 ms, so the mean); "
                f"round trips each: {sorted(set(trips))}"
            )
            print(f"machine: load average {os.getloadavg()[0]:.1f} after the runs")
        finally:
            devchain.stop(port, state_dir=work / "node")


if __name__ == "__main__":
    main()
