#!/usr/bin/env python3
"""The node's CPU for the verifier's ledger reads, two ways, on a Hardhat node it starts itself.

Issues ``--count`` certificates (batches of 250), then sends, ``--runs`` times each and
interleaved, with the node's CPU time (utime + stime from /proc) measured around them:

- 500 certificates' statuses as ``certificateStatuses`` calls of 125 (one JSON-RPC request), the
  way the verifier read them before ``verificationSnapshot``, and as one ``verificationSnapshot``;
- a single certificate's reads as one request of the head before and after, its status, the
  signer's key record, the body's view and the anchoring receipt (before), and as one snapshot and
  the receipt (now).

What a deployless lens would cost per certificate is the first line: it could only call the
registries' views. Prints medians, and the load average.

Run: .venv/bin/python scripts/bench/snapshot.py [--count 500] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import requests
from benchkit import consortium, documents_valid_on, free_port

from origincert.chain.codec import encode_snapshot, fn
from origincert.devtools import devchain
from origincert.issuer import Journal, issue_batch
from origincert.verifier.recompute import leaf_of


def _cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work, port = Path(tmp), free_port()
        node = devchain.start(port, state_dir=work / "node")
        try:
            client, signer = consortium(node.url)
            docs = documents_valid_on(date.today(), args.count, seed=3)
            files: list[str] = []
            for start in range(0, args.count, 250):
                with Journal.open(work / f"journal-{start}.sqlite") as journal:
                    r = issue_batch(
                        client, signer, docs[start : start + 250], journal=journal, out_dir=work
                    )
                files += [str(f) for f in r.files]
            proofs = [json.loads(Path(f).read_text())["proof"] for f in files]
            certs = [
                (p["issuer_id"], bytes.fromhex(p["root"][2:]), leaf_of(bytes.fromhex(p["target_hash"][2:])))
                for p in proofs
            ]  # fmt: skip
            assert client.manifest is not None
            registry = client.manifest.certificate_registry.address
            issuers = client.manifest.issuer_registry.address
            key, body, tx = signer.address.lower(), certs[0][0], proofs[0]["tx_hash"]
            session = requests.Session()

            def request(calls: list[tuple[str, list[Any]]]) -> None:
                body_ = [
                    {"jsonrpc": "2.0", "id": i, "method": m, "params": p}
                    for i, (m, p) in enumerate(calls)
                ]
                answers = session.post(node.url, json=body_, timeout=60).json()
                assert all("result" in a for a in answers), answers

            def call(to: str, data: str) -> tuple[str, list[Any]]:
                return ("eth_call", [{"to": to, "data": data}, "latest"])

            statuses = fn("CertificateRegistry", "certificateStatuses")

            def status_calls(part: list[tuple[int, bytes, bytes]]) -> tuple[str, list[Any]]:
                return call(registry, statuses.data(*(list(x) for x in zip(*part, strict=True))))

            head = ("eth_getBlockByNumber", ["latest", False])
            receipt = ("eth_getTransactionReceipt", [tx])
            cases = {
                f"{len(certs)} certificates, certificateStatuses calls of 125": [
                    status_calls(certs[i : i + 125]) for i in range(0, len(certs), 125)
                ],
                f"{len(certs)} certificates, one verificationSnapshot": [
                    call(registry, encode_snapshot(certs, [key], [body]))
                ],
                "one certificate, heads + status + key record + body + receipt": [
                    head,
                    status_calls(certs[:1]),
                    call(issuers, fn("IssuerRegistry", "keyRecord").data(signer.address)),
                    call(issuers, fn("IssuerRegistry", "issuer").data(body)),
                    receipt,
                    head,
                ],
                "one certificate, verificationSnapshot + receipt": [
                    call(registry, encode_snapshot(certs[:1], [key], [body])),
                    receipt,
                ],
            }
            repeat = {label: 10 if label.startswith(str(len(certs))) else 200 for label in cases}
            cpu: dict[str, list[float]] = {label: [] for label in cases}
            for label, calls in cases.items():
                request(calls)  # warm up
            for _ in range(args.runs):
                for label, calls in cases.items():
                    before = _cpu(node.pid)
                    for _ in range(repeat[label]):
                        request(calls)
                    cpu[label].append((_cpu(node.pid) - before) / repeat[label])
            for label, times in cpu.items():
                print(f"{label}: node CPU {statistics.median(times) * 1e3:.2f} ms a request")
            print(f"machine: load average {os.getloadavg()[0]:.1f}")
        finally:
            devchain.stop(port, state_dir=work / "node")


if __name__ == "__main__":
    main()
