#!/usr/bin/env python3
"""The system on a real four-node geth Clique network: what a member sees.

Prints, for one-second blocks (``--period``):
- the time from ``issue`` (one certificate, its own batch) to VALID read from another member's
  node, in seconds and blocks, with 2 confirmations;
- certificates per block for single issuance (each certificate its own transaction, sent at
  block speed, then awaited);
- single verifications against the member's own node (no added latency): median and p95;
- verifications per second against a node behind a loopback proxy that adds 100 ms to every
  request, and the round trips (HTTP requests) per verification, which should be one.

The script builds the network itself in a temporary folder (``origincert network init/up``),
deploys, accredits one chamber, measures, and stops the nodes. About a minute.

Run: .venv/bin/python scripts/bench/network.py [--period 1] [--singles 20] [--verifications 30]
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from benchkit import consortium, documents_valid_on

from origincert import network
from origincert.chain import ChainClient
from origincert.issuer import Journal, issue_batch, issue_each
from origincert.verdict import Verdict
from origincert.verifier import Verifier, recompute

DAY = date.today()


class LatencyProxy:
    """A loopback HTTP proxy to one node that holds every request ``delay`` seconds and counts
    them (kept-alive connections both ways, as a member's client would have)."""

    def __init__(self, target: str, delay: float) -> None:
        parts = urlsplit(target)
        host, port = parts.hostname or "127.0.0.1", parts.port or 80
        self.requests = 0
        lock = threading.Lock()
        local = threading.local()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with lock:
                    proxy.requests += 1
                time.sleep(delay)
                conn = getattr(local, "conn", None)
                if conn is None:
                    conn = local.conn = http.client.HTTPConnection(host, port, timeout=30)
                conn.request("POST", "/", body, {"Content-Type": "application/json"})
                answer = conn.getresponse().read()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_port}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--period", type=int, default=1, help="seconds between blocks")
    parser.add_argument("--singles", type=int, default=20, help="certificates issued one by one")
    parser.add_argument("--verifications", type=int, default=30)
    parser.add_argument("--delay", type=float, default=0.100, help="added latency, seconds")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="origincert-net-") as tmp:
        folder = Path(tmp) / "network"
        t0 = time.perf_counter()
        spec = network.init(folder, period=args.period, http_port=None, p2p_port=None)
        network.up(folder)
        print(f"network of 4 geth Clique validators up in {time.perf_counter() - t0:.1f} s "
              f"({args.period}-second blocks)")  # fmt: skip
        try:
            run(spec, Path(tmp), args)
        finally:
            network.down(folder)


def run(spec: network.NetworkSpec, tmp: Path, args: argparse.Namespace) -> None:
    client, chamber = consortium(",".join(spec.urls))
    client.confirmations = 2
    manifest = client.manifest
    assert manifest is not None
    other = Verifier.connect(spec.urls[3], manifest)  # another member's node
    docs = documents_valid_on(DAY, args.singles + args.verifications + 3, seed=7)

    # 1. issue -> VALID, seen from another member's node
    seconds, blocks = [], []
    with Journal.open(tmp / "j1.sqlite") as journal:
        for doc in docs[:3]:
            start_block = client.block_number()
            t0 = time.perf_counter()
            done = issue_batch(client, chamber, [doc], journal=journal, out_dir=tmp / "one")
            issued = (tmp / "one" / Path(done.files[0]).name).read_bytes()
            while other.verify_bytes(issued, on=DAY).verdict is not Verdict.VALID:
                time.sleep(0.05)
            seconds.append(time.perf_counter() - t0)
            blocks.append(ChainClient.connect(spec.urls[3]).block_number() - start_block)
    print(f"issue -> VALID on another node (2 confirmations): "
          f"{', '.join(f'{s:.2f} s' for s in seconds)}; "
          f"{', '.join(str(b) for b in blocks)} blocks")  # fmt: skip

    # 2. certificates per block, single issuance at block speed
    singles = docs[3 : 3 + args.singles]
    with Journal.open(tmp / "j2.sqlite") as journal:
        first = client.block_number()
        t0 = time.perf_counter()
        results = issue_each(client, chamber, singles, journal=journal, out_dir=tmp / "singles")
        elapsed = time.perf_counter() - t0
    used = sorted({r.block_number for r in results})
    span = used[-1] - first
    print(f"single issuance: {len(results)} certificates in {elapsed:.1f} s, in {len(used)} "
          f"blocks ({len(results) / len(used):.1f} certificates per block that carried any; "
          f"{len(results) / max(span, 1):.1f} per block elapsed, blocks {first + 1}..{used[-1]})")  # fmt: skip

    # 3. single verifications against the member's own node (geth, loopback), warm process
    files = sorted((tmp / "singles").glob("*.coo.json"))
    raws = [f.read_bytes() for f in files]
    near = Verifier.connect(spec.urls[0], manifest)
    near.verify_bytes(raws[0], on=DAY)  # warm: connection, code checks
    walls, cpus = [], []
    for i in range(max(args.verifications, 30)):
        recompute._recover.cache_clear()  # nothing reused from an earlier call
        t0, c0 = time.perf_counter(), time.process_time()
        verdict = near.verify_bytes(raws[i % len(raws)], on=DAY).verdict
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
        assert verdict is Verdict.VALID, verdict
    walls.sort()
    print(f"single verification against the member's own geth node: median "
          f"{statistics.median(walls) * 1e3:.2f} ms, p95 {walls[int(len(walls) * 0.95)] * 1e3:.2f} ms "
          f"over {len(walls)}; verifier CPU median {statistics.median(cpus) * 1e3:.2f} ms")  # fmt: skip

    # 4. verifications against a node 100 ms away
    proxy = LatencyProxy(spec.urls[0], args.delay)
    try:
        far = Verifier.connect(proxy.url, manifest)
        far.verify_bytes(raws[0], on=DAY)  # warm: connection, code checks
        n = args.verifications
        before = proxy.requests
        t0 = time.perf_counter()
        verdicts = [far.verify_bytes(raws[i % len(raws)], on=DAY).verdict for i in range(n)]
        serial = time.perf_counter() - t0
        trips = (proxy.requests - before) / n
        assert all(v is Verdict.VALID for v in verdicts), verdicts
        before = proxy.requests
        t0 = time.perf_counter()
        with ThreadPoolExecutor(16) as pool:
            verdicts = list(
                pool.map(lambda i: far.verify_bytes(raws[i % len(raws)], on=DAY).verdict, range(n))
            )
        parallel = time.perf_counter() - t0
        assert all(v is Verdict.VALID for v in verdicts), verdicts
        print(f"verify against a node {args.delay * 1000:.0f} ms away: {trips:.2f} round trips per "
              f"verification; {n / serial:.1f} verifications/s one at a time "
              f"({serial / n * 1000:.0f} ms each), {n / parallel:.1f}/s with 16 threads "
              f"({(proxy.requests - before) / n:.2f} round trips each)")  # fmt: skip
    finally:
        proxy.close()
    print(f"load average {os.getloadavg()[0]:.1f} (2 cores shared)")


if __name__ == "__main__":
    main()
