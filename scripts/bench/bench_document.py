#!/usr/bin/env python3
"""Document layer speed: parse_certificate, to_json, flatten, commit, redact, per certificate size.

The issuing pipeline must do 2,000 certificates a second on 2 cores end to end, so the document
layer's share (parse + to_json + commit) should stay well below 1 ms per certificate.
Run: .venv/bin/python scripts/bench/bench_document.py
"""

from __future__ import annotations

import json
import random
import timeit

from origincert.devtools.samples import sample_batch, sample_certificate
from origincert.document import load_json, parse_certificate
from origincert.fields import commit, flatten
from origincert.redact import redact, reveal_commitment


def per_call_us(fn, number: int) -> float:
    return min(timeit.repeat(fn, number=number, repeat=5)) / number * 1e6


def main() -> None:
    seed = bytes(range(32))
    print(
        f"{'items':>5} {'fields':>6} {'parse':>8} {'to_json':>8} {'flatten':>8} {'commit':>8} {'redact':>8} {'reveal':>8}  (µs)"
    )
    for items in (1, 5, 20, 50):
        doc = sample_certificate(random.Random(items), items=items, ledger_id=1)
        n = 2000 if items <= 5 else 300
        cert = parse_certificate(doc)
        c = commit(doc, seed)
        issued = {
            "format": "urn:origincert:issued:2",
            "document": doc,
            "proof": {
                "seed": "0x" + seed.hex(),
                "field_hashes": {p: "0x" + h.hex() for p, h in c.field_hashes.items()},
                "shape": dict(c.shape),
                "target_hash": "0x" + c.target_hash.hex(),
                "leaf": "0x" + "11" * 32, "merkle_proof": [], "root": "0x" + "11" * 32,
                "leaf_index": 0, "batch_size": 1, "signature": "0x" + "22" * 65,
                "signer": "0x" + "33" * 20, "chain_id": 1, "registry": "0x" + "44" * 20,
                "issuer_id": 1, "epoch": 0, "deadline": 0, "tx_hash": None,
            },
        }  # fmt: skip
        figures = [
            per_call_us(lambda d=doc: parse_certificate(d), n),
            per_call_us(cert.to_json, n),
            per_call_us(lambda d=doc: flatten(d), n),
            per_call_us(lambda d=doc: commit(d, seed), n),
            per_call_us(lambda f=issued: redact(f, ["exporter", "goods[0]"]), n // 10),
            per_call_us(lambda f=issued: reveal_commitment(f), n // 10),
        ]
        print(f"{items:>5} {len(flatten(doc)):>6} " + " ".join(f"{f:>8.0f}" for f in figures))

    batch = sample_batch(2000, seed=1)
    t = min(
        timeit.repeat(
            lambda: [commit(parse_certificate(d).to_json(), seed) for d in batch],
            number=1,
            repeat=3,
        )
    )
    mean_items = sum(len(d["goods"]) for d in batch) / len(batch)
    print(
        f"sample mix (mean {mean_items:.1f} items): parse + to_json + commit {t / len(batch) * 1e6:.0f} µs each, "
        f"{len(batch) / t:,.0f} certificates/s on one core"
    )
    for items in (5, 50):
        text = json.dumps(sample_certificate(random.Random(items), items=items)).encode()
        print(
            f"load_json, {items} items ({len(text):,} bytes): {per_call_us(lambda t=text: load_json(t), 500):.0f} µs"
        )
    t = min(timeit.repeat(lambda: sample_batch(500, seed=3), number=1, repeat=3))
    print(f"sample_batch: {t / 500 * 1e6:.0f} µs per certificate")


if __name__ == "__main__":
    main()
