#!/usr/bin/env python3
"""The portal's JSON verify API under concurrent clients, served by gunicorn, against a real chain.

Target (2 cores, chain + portal + clients on the same machine): >= 300 verifications a second with
a p99 latency <= 100 ms, for 16 concurrent clients.

The script starts a local Hardhat node, deploys the registries, accredits one chamber, issues
certificates with the real issuer (batches of 100, as a chamber's daily run would), starts
``origincert portal serve`` (gunicorn, N workers x T threads) on loopback, issues an API token,
then runs the clients: each one a thread with its own keep-alive connection, posting issued
files to ``POST /api/v1/verify/file`` back to back for a fixed time after a warm-up. Every answer
must be HTTP 200 with verdict VALID, and every verification is written to the portal's log
(SQLite, WAL), as in production. The API rate limit is raised for the run (it is not what is
measured).

Run: .venv/bin/python scripts/bench/portal_api.py [--clients 16] [--seconds 20] [--workers 2] [--threads 8]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import date
from pathlib import Path

import requests
from benchkit import consortium, documents_valid_on, free_port

from origincert.chain import ChainClient
from origincert.devtools import devchain
from origincert.issuer import Journal, issue_batch
from origincert.portal import accounts, create_app, db
from origincert.signing import LocalSigner

ROOT = Path(__file__).resolve().parents[2]
API_PATH = "/api/v1/verify/file"


def issue(client: ChainClient, signer: LocalSigner, work: Path, count: int) -> list[bytes]:
    files: list[Path] = []
    docs = documents_valid_on(date.today(), count, seed=11)
    with Journal.open(work / "journal.sqlite") as journal:
        for start in range(0, count, 100):
            r = issue_batch(
                client, signer, docs[start : start + 100], journal=journal, out_dir=work / "issued"
            )
            files += [Path(f) for f in r.files]
    return [p.read_bytes() for p in files]


def api_token(instance: Path) -> str:
    app = create_app({"RPC_URL": "", "ARGON2_PROFILE": "CHEAPEST"}, instance_path=instance)
    with app.app_context():
        dbs = db.session()
        office = accounts.ensure_office(dbs, "BENCH-1", "Benchmark office")
        _, clear = accounts.issue_token(
            dbs, name="load generator", office=office, created_by="bench"
        )
        dbs.commit()
    return clear


def start_portal(
    url: str, manifest: Path, instance: Path, port: int, workers: int, threads: int
) -> subprocess.Popen[bytes]:
    env = {**os.environ, "ORIGINCERT_PORTAL_RATELIMIT_API": '"100000000 per minute"'}
    command = [
        str(Path(sys.executable).parent / "origincert"), "--rpc-url", url, "--manifest", str(manifest),
        "portal", "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
        "--no-access-log", "--insecure-http", "--instance", str(instance),
    ]  # fmt: skip
    log = open(instance / "server.log", "wb")  # noqa: SIM115 - the server's, closed with it
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the portal did not start:\n{(instance / 'server.log').read_text()}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=1).ok:
                return server
        except requests.ConnectionError:
            time.sleep(0.2)
    raise SystemExit("the portal did not answer within 60 s")


def stop_portal(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


class Client(threading.Thread):
    """One customs system: its own keep-alive connection, one request at a time, as fast as
    answers come. Plain http.client, so the load generator takes as little CPU from the server
    as it can on a shared 2-core machine."""

    def __init__(
        self,
        index: int,
        port: int,
        token: str,
        files: list[bytes],
        start: float,
        warmup: float,
        stop: float,
    ) -> None:
        super().__init__(name=f"client-{index}", daemon=True)
        self.port, self.files, self.index = port, files, index
        self.start_at, self.measure_from, self.stop_at = start, start + warmup, stop
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.latencies: list[float] = []
        self.verdicts: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()

    def run(self) -> None:
        i = self.index * 7919
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        while time.monotonic() < self.start_at:
            time.sleep(0.001)
        while True:
            t0 = time.monotonic()
            if t0 >= self.stop_at:
                break
            body = self.files[i % len(self.files)]
            i += 1
            try:
                connection.request("POST", API_PATH, body=body, headers=self.headers)
                response = connection.getresponse()
                answer = response.read()
            except (OSError, http.client.HTTPException) as exc:
                self.errors[type(exc).__name__] += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                continue
            elapsed = time.monotonic() - t0
            if t0 < self.measure_from:
                continue
            if response.status != 200:
                self.errors[f"HTTP {response.status}"] += 1
                continue
            self.latencies.append(elapsed)
            self.verdicts[json.loads(answer)["verdict"]] += 1
        connection.close()


def group_cpu_seconds(pgid: int) -> float:
    """CPU time (user + system) used so far by every live process of a process group (Linux /proc)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # field 5 of stat: the process group
            total += int(fields[11]) + int(fields[12])  # fields 14, 15: utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def machine_cpu_seconds() -> float:
    """CPU time the whole machine has been busy (all processes, all cores), from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, round(p / 100 * len(sorted_values)) - 1))
    return sorted_values[k]


def run_load(
    port: int,
    token: str,
    files: list[bytes],
    clients: int,
    seconds: float,
    warmup: float,
    groups: dict[str, int],
) -> dict:
    start = time.monotonic() + 0.5
    stop = start + warmup + seconds
    threads = [Client(i, port, token, files, start, warmup, stop) for i in range(clients)]
    for t in threads:
        t.start()
    time.sleep(max(0.0, start + warmup - time.monotonic()))
    cpu_before = {name: group_cpu_seconds(pgid) for name, pgid in groups.items()}
    clients_before = sum(os.times()[:2])
    machine_before = machine_cpu_seconds()
    for t in threads:
        t.join()
    cpu = {
        name: (group_cpu_seconds(pgid) - cpu_before[name]) / seconds
        for name, pgid in groups.items()
    }
    cpu["clients"] = (sum(os.times()[:2]) - clients_before) / seconds
    # anything else running on the machine meanwhile (a shared machine skews the figures)
    cpu["other processes"] = max(
        0.0, (machine_cpu_seconds() - machine_before) / seconds - sum(cpu.values())
    )
    latencies = sorted(x for t in threads for x in t.latencies)
    verdicts = sum((t.verdicts for t in threads), Counter())
    errors = sum((t.errors for t in threads), Counter())
    return {
        "clients": clients,
        "seconds": seconds,
        "verifications": len(latencies),
        "per_second": len(latencies) / seconds,
        "p50_ms": percentile(latencies, 50) * 1e3,
        "p90_ms": percentile(latencies, 90) * 1e3,
        "p99_ms": percentile(latencies, 99) * 1e3,
        "max_ms": (latencies[-1] if latencies else float("nan")) * 1e3,
        "mean_ms": statistics.fmean(latencies) * 1e3 if latencies else float("nan"),
        "verdicts": dict(verdicts),
        "errors": dict(errors),
        "cpu_cores_busy": {name: round(value, 2) for name, value in cpu.items()},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument(
        "--seconds", type=float, default=20.0, help="measured time, after the warm-up"
    )
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--certificates", type=int, default=1000)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    if not (
        1 <= args.clients <= 256 and 1 <= args.seconds <= 600 and 1 <= args.certificates <= 20_000
    ):
        parser.error("clients 1-256, seconds 1-600, certificates 1-20000")

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        chain_port, portal_port = free_port(), free_port()
        node = devchain.start(chain_port, state_dir=work / "node")
        server = None
        try:
            client, signer = consortium(node.url)
            manifest = work / "manifest.json"
            assert client.manifest is not None
            client.manifest.save(manifest)
            files = issue(client, signer, work, args.certificates)
            token = api_token(work / "portal")
            server = start_portal(
                node.url, manifest, work / "portal", portal_port, args.workers, args.threads
            )
            print(
                f"portal: gunicorn {args.workers} workers x {args.threads} threads; {len(files)} certificates; "
                f"{args.clients} clients for {args.seconds:.0f} s after {args.warmup:.0f} s of warm-up",
                file=sys.stderr,
            )
            groups = {"chain node": os.getpgid(node.pid), "portal": server.pid}
            figures = run_load(
                portal_port, token, files, args.clients, args.seconds, args.warmup, groups
            )
        finally:
            if server is not None:
                stop_portal(server)
            devchain.stop(chain_port, state_dir=work / "node")
            server_log = work / "portal" / "server.log"
            problems = server_log.read_text(errors="replace") if server_log.exists() else ""
    if "Traceback" in problems or "ERROR" in problems:
        print(f"the portal logged errors:\n{problems[-4000:]}", file=sys.stderr)
    figures.update(workers=args.workers, threads=args.threads, cpus=os.cpu_count())
    ok = figures["verdicts"] == {"VALID": figures["verifications"]} and not figures["errors"]
    met = figures["per_second"] >= 300 and figures["p99_ms"] <= 100
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print(
            f"{figures['verifications']:,} verifications in {args.seconds:.0f} s: {figures['per_second']:,.0f}/s; "
            f"latency p50 {figures['p50_ms']:.1f} ms, p90 {figures['p90_ms']:.1f} ms, p99 {figures['p99_ms']:.1f} ms, "
            f"max {figures['max_ms']:.1f} ms; verdicts {figures['verdicts']}; errors {figures['errors'] or 'none'}\n"
            f"CPU cores busy: {', '.join(f'{k} {v}' for k, v in figures['cpu_cores_busy'].items())} (of {os.cpu_count()})\n"
            f"target (>= 300/s, p99 <= 100 ms): {'met' if met else 'NOT met'}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
