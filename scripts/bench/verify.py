#!/usr/bin/env python3
"""Verifier speed against a local Hardhat node it starts itself.

Targets (2 cores): batch verification of 10,000 issued certificates at >= 1,000 certificates a
second, and a single verification in a warm process at a median <= 5 ms.

The script starts a node, deploys the registries, accredits one chamber, issues the certificates
with the real issuer (batches of 250, plus 100 batches of one), then times, from the files'
bytes: the whole batch through ``verify_many_bytes`` (and offline, to show the CPU share), and
single ``verify_bytes`` calls on certificates anchored on their own, with the signature cache
cleared before each so nothing is reused from an earlier call. Besides wall time it prints the
CPU time of the verifier and of the node and the load average: on a shared machine the CPU times
say what the code costs.

Run: .venv/bin/python scripts/bench/verify.py [--count 10000] [--batch 250] [--singles 100]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Self

from benchkit import consortium, documents_valid_on, free_port

from origincert.chain import ChainClient
from origincert.devtools import devchain
from origincert.issuer import Journal, issue_batch
from origincert.signing import LocalSigner
from origincert.verdict import Verdict
from origincert.verifier import Verifier, recompute

DAY = date.today()  # the chamber is accredited from the node's clock, so verify as of today


class Meter:
    """Wall time, this process's CPU time and the node process's CPU time over a block: on a
    shared machine the CPU times say what the code costs, the wall time what others left of it."""

    def __init__(self, node_pid: int) -> None:
        self._stat = Path(f"/proc/{node_pid}/stat")
        self.wall = self.cpu = self.node = 0.0

    def _node_cpu(self) -> float:
        try:
            fields = self._stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime

    def __enter__(self) -> Self:
        self._t, self._c, self._n = time.perf_counter(), time.process_time(), self._node_cpu()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self._t
        self.cpu = time.process_time() - self._c
        self.node = self._node_cpu() - self._n


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

            online.verify_many_bytes(raws[:200])  # warm up: imports, kept-alive connections
            print(
                f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} before the runs"
            )

            runs = []
            for _ in range(3):
                recompute._recover.cache_clear()
                with Meter(node.pid) as m:
                    results = online.verify_many_bytes(raws)
                runs.append(m)
                assert {r.verdict for r in results} == {Verdict.VALID}, {r.verdict for r in results}
            m = sorted(runs, key=lambda r: r.wall)[1]  # the median run
            n = len(raws)
            print(
                f"batch, online: {n:,} certificates in {m.wall:.2f} s = {n / m.wall:,.0f} certificates/s "
                f"(median of 3; best {n / min(r.wall for r in runs):,.0f}/s); CPU: verifier {m.cpu * 1e6 / n:.0f} µs, "
                f"node {m.node * 1e6 / n:.0f} µs per certificate, so {n / max(m.cpu, m.node):,.0f}/s on two idle cores"
            )
            with Meter(node.pid) as m:
                offline.verify_many_bytes(raws)
            print(
                f"batch, offline (the file checks alone): {n / m.wall:,.0f} certificates/s, CPU {m.cpu * 1e6 / n:.0f} µs each"
            )

            walls, cpus, nodes = [], [], []
            for raw in singles * 3:
                recompute._recover.cache_clear()
                with Meter(node.pid) as m:
                    r = online.verify_bytes(raw)
                assert r.verdict is Verdict.VALID, r.summary
                walls.append(m.wall)
                cpus.append(m.cpu)
                nodes.append(m.node)
            walls.sort()
            print(
                f"single, warm process: median {statistics.median(walls) * 1e3:.2f} ms, "
                f"p95 {walls[int(len(walls) * 0.95)] * 1e3:.2f} ms over {len(walls)} verifications; "
                f"CPU median: verifier {statistics.median(cpus) * 1e3:.2f} ms, node {statistics.median(nodes) * 1e3:.2f} ms"
            )
            print(f"machine: load average {os.getloadavg()[0]:.1f} after the runs")
        finally:
            devchain.stop(port, state_dir=work / "node")


if __name__ == "__main__":
    main()
