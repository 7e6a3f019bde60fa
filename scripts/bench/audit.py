#!/usr/bin/env python
"""Benchmark of ``origincert audit``: replay speed, reconciliation speed, memory at two ledger sizes.

Starts its own Hardhat node, builds a big ledger fast (automine off, hundreds of anchors per block
sent as JSON-RPC batches from Hardhat's unlocked accounts as relayers, the chambers impersonated
for revocations and replacements), writes an archive of issued files, then runs each measured
audit in a fresh child process so that peak memory is the audit's own. Hardhat-only RPC methods
are fine here (scripts/), never in origincert/.

    .venv/bin/python scripts/bench/audit.py                 # 20,000 anchors, 100,000 certificates
    .venv/bin/python scripts/bench/audit.py --anchors 4000  # a quick look
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import coincurve
from benchkit import free_port
from eth_abi import encode

from origincert.merkle import MerkleTree, leaf_hash
from origincert.signing import anchor_digest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

DAY = 86_400


class Ledger:
    """A Hardhat node with the registries, a consortium and fast bulk acts."""

    def __init__(self, workdir: Path) -> None:
        from conftest import test_account

        from origincert import governance
        from origincert.chain import ChainClient, deploy
        from origincert.devtools import devchain

        self.workdir = workdir
        self.port = free_port()
        self.node = devchain.start(self.port, state_dir=workdir / "devchain")
        self.client = c = ChainClient.connect(self.node.url, timeout=120)
        council = [test_account(f"bench-council-{i}") for i in range(3)]
        self.manifest = deploy(c, test_account("bench-deployer"), [a.address for a in council], 1)
        self.manifest_path = workdir / "manifest.json"
        self.manifest.save(self.manifest_path)
        self.p = c.w3.provider
        self.relayers = self._rpc("eth_accounts", [])
        self.nonces = {
            a: int(self._rpc("eth_getTransactionCount", [a, "latest"]), 16) for a in self.relayers
        }
        authority = test_account("bench-authority-DE")
        governance.propose(
            c, council[0], "registerAuthority", [b"DE", authority.address, "Authority DE"]
        )
        governance.execute(c, council[0], 0)
        now = c.w3.eth.get_block("latest")["timestamp"]
        self.chambers = []
        for i in range(4):
            key = test_account(f"bench-chamber-{i}")
            issuer_id, _ = governance.accredit(
                c,
                authority,
                name=f"Chamber {i}",
                signing_key=key.address,
                valid_from=now - 10,
                valid_until=now + 5 * 365 * DAY,
                key=key,
            )
            self.chambers.append((issuer_id, key, coincurve.PrivateKey(key.key)))
            self._rpc("hardhat_impersonateAccount", [key.address])
            self.nonces[key.address] = int(
                self._rpc("eth_getTransactionCount", [key.address, "latest"]), 16
            )
        fns = c.certificates.functions
        self.sel = {
            "anchor": fns.anchor(
                b"\0" * 32, 1, 0, 0, 0, b"\0" * 32, b"\0" * 32
            )._encode_transaction_data()[:10],
            "revokeRoot": fns.revokeRoot(0, b"\0" * 32, 1)._encode_transaction_data()[:10],
            "replace": fns.replace(
                0, b"\0" * 32, b"\0" * 32, [], b"\0" * 32, b"\0" * 32, []
            )._encode_transaction_data()[:10],
        }
        self.registry = self.manifest.certificate_registry.address
        self._rpc("evm_setAutomine", [False])
        self.anchors: list[tuple[int, bytes, int]] = []  # (chamber index, root, leaf count)
        self.rng = random.Random(7)

    def _rpc(self, method: str, params: list) -> object:
        r = self.p.make_request(method, params)
        if "error" in r:
            raise RuntimeError(f"{method}: {r['error']}")
        return r["result"]

    def _tx(self, sender: str, data: str) -> tuple[str, list]:
        nonce = self.nonces[sender]
        self.nonces[sender] = nonce + 1
        return (
            "eth_sendTransaction",
            [
                {
                    "from": sender,
                    "to": self.registry,
                    "data": data,
                    "gas": hex(400_000),
                    "gasPrice": "0x0",
                    "nonce": hex(nonce),
                }
            ],
        )

    def _mine(self, calls: list, advance: int) -> None:
        for i in range(0, len(calls), 500):
            for r in self.p.make_batch_request(calls[i : i + 500]):
                if "error" in r:
                    raise RuntimeError(r["error"])
        self._rpc("evm_increaseTime", [advance])
        # a full block raises the base fee above our zero gas price
        self._rpc("hardhat_setNextBlockBaseFeePerGas", ["0x0"])
        self._rpc("evm_mine", [])

    def anchor_data(self, chamber: int, root: bytes, count: int) -> str:
        # A fresh accreditation is at epoch 1 and the bench never changes a body's standing.
        issuer_id, epoch, deadline = self.chambers[chamber][0], 1, 2**40
        digest = anchor_digest(
            root, count, issuer_id, epoch, deadline, self.manifest.chain_id, self.registry
        )
        sig = self.chambers[chamber][2].sign_recoverable(digest, hasher=None)
        vs = int.from_bytes(sig[32:64], "big") | (sig[64] << 255)
        return (
            self.sel["anchor"]
            + encode(
                ["bytes32", "uint32", "uint64", "uint64", "uint64", "bytes32", "bytes32"],
                [root, count, issuer_id, epoch, deadline, sig[:32], vs.to_bytes(32, "big")],
            ).hex()
        )

    def grow(
        self,
        anchors: int,
        *,
        batch_every: int,
        batch_size: int,
        per_block: int = 400,
        revoke_every: int = 40,
        replace_every: int = 80,
        acts_per_block: int = 24,
    ) -> list[tuple[int, list[bytes], bytes, int]]:
        """Add ``anchors`` anchors (every ``batch_every``-th a batch), revocations and replacements.

        Returns the certificates: (chamber, targets, root, leaf count) per anchor."""
        made = []
        calls: list = []
        for n in range(anchors):
            chamber = n % len(self.chambers)
            count = batch_size if n % batch_every == batch_every - 1 else 1
            targets = [os.urandom(32) for _ in range(count)]
            leaves = [leaf_hash(t) for t in targets]
            root = MerkleTree.build(leaves).root
            relayer = self.relayers[n % len(self.relayers)]
            calls.append(self._tx(relayer, self.anchor_data(chamber, root, count)))
            made.append((chamber, targets, root, count))
            if len(calls) >= per_block:
                self._mine(calls, 3600)
                calls = []
        if calls:
            self._mine(calls, 3600)
        singles = [m for m in made if m[3] == 1]
        acts: list = []
        used: set[int] = set()
        for i, (chamber, targets, root, _) in enumerate(singles):
            key = self.chambers[chamber][1].address
            issuer_id = self.chambers[chamber][0]
            if i % revoke_every == 0:
                acts.append(
                    self._tx(
                        key,
                        self.sel["revokeRoot"]
                        + encode(
                            ["uint32", "bytes32", "uint8"], [issuer_id, root, 1 + i % 6]
                        ).hex(),
                    )
                )
            elif i % replace_every == 1 and i not in used:
                # the next unrevoked, unused single of the same chamber replaces it
                j = next(
                    (
                        j
                        for j in range(i + 1, min(i + 12, len(singles)))
                        if singles[j][0] == chamber and j % revoke_every and j not in used
                    ),
                    None,
                )
                if j is not None:
                    used.update((i, j))
                    new, new_target = singles[j][2], singles[j][1][0]
                    acts.append(
                        self._tx(
                            key,
                            self.sel["replace"]
                            + encode(
                                [
                                    "uint32",
                                    "bytes32",
                                    "bytes32",
                                    "bytes32[]",
                                    "bytes32",
                                    "bytes32",
                                    "bytes32[]",
                                ],
                                # v2 refuses a successor of the same block: those fail, unseen
                                [issuer_id, root, targets[0], [], new, new_target, []],
                            ).hex(),
                        )
                    )
            if len(acts) >= acts_per_block:  # a few an hour: a lawful pace, no burst to report
                self._mine(acts, 3600)
                acts = []
        if acts:
            self._mine(acts, 3600)
        self.anchors.extend((c, r, k) for c, _, r, k in made)
        return made

    def write_archive(self, folder: Path, made: list[tuple[int, list[bytes], bytes, int]]) -> int:
        """One ``<number>.coo.json`` per certificate, as the issuer writes them (docs/FORMAT.md)."""
        from origincert.devtools.samples import sample_batch

        documents = sample_batch(200, 11)
        folder.mkdir(parents=True, exist_ok=True)
        chain_id, registry = self.manifest.chain_id, self.registry
        n = 0
        for anchor_no, (chamber, targets, root, count) in enumerate(made):
            key = self.chambers[chamber][1].address
            leaves = [leaf_hash(t) for t in targets]
            tree = MerkleTree.build(leaves)
            sub = folder / f"chamber-{chamber}" / f"{anchor_no // 1000:04d}"
            sub.mkdir(parents=True, exist_ok=True)
            for i, target in enumerate(targets):
                doc = dict(documents[n % len(documents)])
                doc["number"] = f"BENCH-{chamber}-{n:07d}"
                body = {**doc["issuing_body"], "ledger_id": self.chambers[chamber][0]}
                doc["issuing_body"] = body
                data = {
                    "format": "urn:origincert:issued:2",
                    "document": doc,
                    "proof": {
                        "seed": "0x" + os.urandom(32).hex(),
                        "field_hashes": {f"f{j}": "0x" + os.urandom(32).hex() for j in range(40)},
                        "shape": {"goods": len(doc["goods"])},
                        "target_hash": "0x" + target.hex(),
                        "leaf": "0x" + leaves[i].hex(),
                        "merkle_proof": ["0x" + p.hex() for p in tree.proof(i)],
                        "root": "0x" + root.hex(),
                        "leaf_index": i,
                        "batch_size": count,
                        "signature": "0x" + "00" * 65,
                        "signer": key,
                        "chain_id": chain_id,
                        "registry": registry,
                        "tx_hash": None,
                        "issuer_id": self.chambers[chamber][0],  # as anchor_data signs it
                        "epoch": 1,
                        "deadline": 2**40,
                    },
                }
                (sub / f"{doc['number']}.coo.json").write_text(json.dumps(data))
                n += 1
        return n

    def stop(self) -> None:
        from origincert.devtools import devchain

        devchain.stop(self.port, state_dir=self.workdir / "devchain")


# ---------------------------------------------------------------------- measured runs, each in a fresh process


def child(args: argparse.Namespace) -> None:
    from origincert.audit import AuditOptions, run_audit
    from origincert.chain import ChainClient, Manifest

    if args.tracemalloc:
        tracemalloc.start()
    client = ChainClient.connect(args.url, Manifest.load(args.manifest), timeout=120)
    options = AuditOptions(
        checkpoint=Path(args.checkpoint) if args.checkpoint else None,
        archives=tuple(Path(a) for a in args.archive),
        crosscheck=not args.no_crosscheck,
    )
    t0, c0 = time.perf_counter(), time.process_time()
    with run_audit(client, options) as r:
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        out = {
            **r.stats,
            "wall_seconds": round(wall, 3),
            "cpu_seconds": round(cpu, 3),
            "findings": len(r.findings),
            "codes": sorted({f.code for f in r.findings}),
            "anchors": r.state.anchors,
            "certificates": r.state.certificates,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
    if args.tracemalloc:
        out["tracemalloc_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
    print(json.dumps(out))


def measure(ledger: Ledger, *extra: str) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--child",
        "--url",
        ledger.node.url,
        "--manifest",
        str(ledger.manifest_path),
        *extra,
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--anchors",
        type=int,
        default=20_000,
        help="anchors in the full ledger (half for the first size)",
    )
    ap.add_argument("--batch-every", type=int, default=25, help="every n-th anchor is a batch")
    ap.add_argument("--batch-size", type=int, default=101, help="certificates per batch")
    ap.add_argument(
        "--repeat", type=int, default=3, help="replay runs per ledger size (the best is reported)"
    )
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--url", help=argparse.SUPPRESS)
    ap.add_argument("--manifest", help=argparse.SUPPRESS)
    ap.add_argument("--checkpoint", help=argparse.SUPPRESS)
    ap.add_argument("--archive", action="append", default=[], help=argparse.SUPPRESS)
    ap.add_argument("--no-crosscheck", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--tracemalloc", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args)
        return

    print(
        f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (other work on the machine slows every figure)"
    )
    work = Path(tempfile.mkdtemp(prefix="origincert-bench-audit-"))
    ledger = Ledger(work)
    try:
        half = args.anchors // 2
        t = time.perf_counter()
        made = ledger.grow(half, batch_every=args.batch_every, batch_size=args.batch_size)
        print(f"built {half} anchors in {time.perf_counter() - t:.0f} s")
        measure(
            ledger, "--no-crosscheck"
        )  # warm-up: the node has just mined thousands of transactions
        small = [measure(ledger, "--no-crosscheck") for _ in range(args.repeat)]
        small_mem = measure(ledger, "--no-crosscheck", "--tracemalloc")
        t = time.perf_counter()
        made += ledger.grow(
            args.anchors - half, batch_every=args.batch_every, batch_size=args.batch_size
        )
        print(f"built {args.anchors - half} more anchors in {time.perf_counter() - t:.0f} s")
        t = time.perf_counter()
        archive = work / "archive"
        files = ledger.write_archive(archive, made)
        print(f"wrote {files} issued files in {time.perf_counter() - t:.0f} s")

        measure(ledger, "--no-crosscheck")  # warm-up
        full = [measure(ledger, "--no-crosscheck") for _ in range(args.repeat)]
        full_mem = measure(ledger, "--no-crosscheck", "--tracemalloc")
        checked = measure(ledger)
        rec = measure(ledger, "--archive", str(archive))
        cp = work / "checkpoint"
        measure(ledger, "--checkpoint", str(cp))
        ledger.grow(200, batch_every=args.batch_every, batch_size=args.batch_size)
        daily = measure(ledger, "--checkpoint", str(cp))

        print(
            "\nreplay end to end: one whole audit run without the cross-check (eth_getLogs, block headers,"
        )
        print(
            "decoding, ledger checks, every rule, state rebuild, patterns), each run in a fresh process"
        )
        for name, runs in (("half", small), ("full", full)):
            r = min(runs, key=lambda x: x["wall_seconds"])
            walls = " / ".join(f"{x['wall_seconds']:.2f}" for x in runs)
            print(
                f"  {name}: {r['anchors']:>6} anchors, {r['events']:>6} events: {walls} s; best "
                f"{r['events'] / r['wall_seconds']:,.0f} events/s (audit process CPU {r['cpu_seconds']:.2f} s, "
                f"{r['events'] / r['cpu_seconds']:,.0f} events per CPU-second); findings {r['findings']}"
            )
        print(
            "cross-check of the rebuilt state with the contracts' views (every anchor via certificateStatuses)"
        )
        print(
            f"  {checked['crosscheck_seconds']:.2f} s for {checked['anchors']} anchors = "
            f"{checked['anchors'] / checked['crosscheck_seconds']:,.0f} anchors/s (bound by the node executing the calls); "
            f"whole run {checked['wall_seconds']:.2f} s; findings {checked['findings']} {checked['codes']}"
        )
        print("reconciliation of the archive")
        print(
            f"  {rec['archived_files']} files in {rec['reconcile_seconds']:.2f} s = "
            f"{rec['archived_files'] / rec['reconcile_seconds']:,.0f} certificates/s; findings {rec['findings']} {rec['codes']}"
        )
        print("memory (peak of the audit process; tracemalloc = Python objects only)")
        for name, a, b in (("half", small[0], small_mem), ("full", full[0], full_mem)):
            print(
                f"  {name}: {a['anchors']:>6} anchors: peak RSS {a['peak_rss_mb']} MB, "
                f"tracemalloc peak {b['tracemalloc_peak_mb']} MB"
            )
        print("incremental run from a checkpoint (200 new anchors)")
        print(
            f"  {daily['events']} events, whole run {daily['wall_seconds']:.2f} s; findings {daily['findings']}"
        )
        print(f"load average at end: {os.getloadavg()[0]:.1f}")
    finally:
        ledger.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"work folder kept: {work}")


if __name__ == "__main__":
    main()
