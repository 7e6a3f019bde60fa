#!/usr/bin/env python3
"""Each fast path of the offline verifier beside the reference it stands in for, per certificate.

No ledger: full-copy issued files are built from the benchmark's sample documents as the issuer
builds them (seeded field hashes, batches of 250 under one signed Merkle root, not anchored) and
written as it writes them (``IssuedFile.to_text``). Each step runs on
every file, best of 5, in CPU time per certificate; the answers of both sides are compared.
The figures in the docstrings of ``safejson.load_json``, ``fields.hash_seeded``,
``issued._hex_map``, ``document.parse_certificate`` and the verifier's workers come from here.

Run: .venv/bin/python scripts/bench/native.py [--count 2000]
"""

from __future__ import annotations

import argparse
import gc
import os
import pickle
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from benchkit import account, documents_valid_on

from origincert import document, fields, issued, merkle, safejson
from origincert._native import NATIVE
from origincert.signing import LocalSigner, sign_anchor
from origincert.verdict import Verdict
from origincert.verifier import Verifier
from origincert.verifier import verifier as vm

DAY = date.today()


REGISTRY = "0x" + "22" * 20


def issued_files(n: int, batch: int = 250) -> list[bytes]:
    signer = LocalSigner(account("chamber-DE"))
    docs = documents_valid_on(DAY, n, seed=7)
    out = []
    for start in range(0, n, batch):
        part = docs[start : start + batch]
        for doc in part:
            doc["issuing_body"].setdefault("ledger_id", 1)
        seeds = [os.urandom(32) for _ in part]
        commits = [fields.commit(d, s) for d, s in zip(part, seeds, strict=True)]
        tree = merkle.MerkleTree.build([merkle.leaf_hash(c.target_hash) for c in commits])
        sig = sign_anchor(signer, tree.root, len(part), 1, 1, 2**40, 31337, REGISTRY).to_bytes()
        for i, (doc, seed, c) in enumerate(zip(part, seeds, commits, strict=True)):
            f = issued.IssuedFile(
                document=doc, seed=seed, salts={}, field_hashes=dict(c.field_hashes),
                withheld={}, shape=dict(c.shape), target_hash=c.target_hash,
                leaf=merkle.leaf_hash(c.target_hash), merkle_proof=tree.proof(i), root=tree.root,
                leaf_index=i, batch_size=len(part), signature=sig, signer=signer.address.lower(),
                chain_id=31337, registry=REGISTRY, issuer_id=1, epoch=1, deadline=2**40,
            )  # fmt: skip
            out.append(f.to_text().encode())
    return out


def best(work: Callable[[Any], Any], items: list[Any]) -> tuple[float, list[Any]]:
    """CPU µs per item, best of 5, and the answers."""
    times, out = [], []
    for _ in range(5):
        c = time.process_time()
        out = [work(x) for x in items]
        times.append(time.process_time() - c)
    return min(times) * 1e6 / len(items), out


def row(label: str, fast: tuple[float, list[Any]], ref: tuple[float, list[Any]]) -> None:
    assert fast[1] == ref[1], f"{label}: the fast path's answers differ"
    print(f"{label:<46} {fast[0]:7.1f} µs   reference {ref[0]:7.1f} µs   ({ref[0] / fast[0]:.1f}x)")


def _reference_commit(f: issued.IssuedFile) -> tuple[Any, ...]:
    leaves, shape = fields.flatten_with_shape(f.document)
    hashes = fields.seeded_hashes(leaves, f.seed or b"")
    return hashes, shape, fields._target_hash(hashes, f.shape)


def _via_the_model(doc: dict[str, Any]) -> document.Certificate:
    return document.Certificate.model_validate(doc)


def _no_interning(config: Any, raws: list[bytes]) -> list[Any]:
    stages, day = config
    return [vm._finish(stages, vm._start(stages, vm._parse_raw(r, stages.max_bytes), day), None)
            for r in raws]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=2000)
    args = parser.parse_args()
    assert NATIVE, "the native core is not installed: run ./scripts/setup"
    raws = issued_files(args.count)
    print(
        f"{len(raws):,} issued files, {sum(map(len, raws)) / len(raws) / 1000:.1f} kB each; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    gc.disable()
    try:
        row(
            "JSON: load_json (native json_load)",
            best(safejson.load_json, raws),
            best(safejson._load_json, raws),
        )
        data = [safejson.load_json(r) for r in raws]
        maps = [d["proof"]["field_hashes"] for d in data]
        row(
            "proof's field hashes: hex_map",
            best(lambda m: issued._hex_map({"h": m}, "h", 32), maps),
            best(lambda m: issued._hex_decode(m, "h", 32), maps),
        )
        files = [issued.parse_issued(d) for d in data]
        row(
            "field hashes + target: hash_seeded",
            best(lambda f: fields.hash_seeded(f.document, f.seed, f.shape, f.field_hashes), files),
            best(_reference_commit, files),
        )
        row(
            "target hash alone (redacted copies, issuing)",
            best(lambda f: fields.target_hash(f.field_hashes, f.shape), files),
            best(lambda f: fields._target_hash(f.field_hashes, f.shape), files),
        )
        docs = [f.document for f in files]
        row(
            "schema: parse_certificate (rules on the input)",
            best(document.parse_certificate, docs),
            best(_via_the_model, docs),
        )
        v = Verifier.offline(clock=lambda: DAY, workers=1)
        config = (v._stages, DAY)
        chunks = [raws[i : i + 500] for i in range(0, len(raws), 500)]
        interned = [vm._verify_offline(config, c) for c in chunks]
        plain = [_no_interning(config, c) for c in chunks]
        assert {r.verdict for c in interned for r in c} == {Verdict.UNCONFIRMED}
        assert [[r.to_json() for r in c] for c in interned] == [
            [r.to_json() for r in c] for c in plain
        ]
        per = len(raws) / len(chunks)
        for label, results in (("interned checks", interned), ("every check its own", plain)):
            t_dump, blobs = best(lambda c: pickle.dumps(c, pickle.HIGHEST_PROTOCOL), results)
            t_load, _ = best(pickle.loads, blobs)
            size = sum(map(len, blobs)) / len(raws)
            print(
                f"a worker's results, {label:<20}: pickle {t_dump / per:5.1f} µs + unpickle "
                f"{t_load / per:5.1f} µs per certificate, {size:,.0f} bytes"
            )
    finally:
        gc.enable()


if __name__ == "__main__":
    main()
