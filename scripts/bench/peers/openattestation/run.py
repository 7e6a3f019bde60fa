#!/usr/bin/env python
"""origincert against OpenAttestation, on the same certificates, in the same run.

Generates N certificates (``origincert.devtools.samples``), then:

1. **batch wrap / issue, offline**: origincert validates, canonicalises, salts and hashes every
   field, builds the batch tree, signs the root (EIP-712) and writes each issued file (in memory);
   OpenAttestation's ``wrapDocuments`` salts and hashes every field and builds the batch tree
   (its v2 documents carry no signature: the root goes to a document store on chain). Neither
   sends anything to a ledger here.
2. **offline verification**: origincert's ``Verifier.offline().verify_many_bytes`` (schema,
   integrity, Merkle proof, signature recovery: at best UNCONFIRMED, as offline must be) against
   OpenAttestation's ``verifySignature`` on each wrapped document (target hash + Merkle proof).

Both run single-threaded (one process each, origincert with ``workers=1``) and time only the
work, not start-up or file reading. OpenAttestation runs from its own npm package, pinned in
package.json / package-lock.json beside this file (``scripts/setup`` installs it).

    .venv/bin/python scripts/bench/peers/openattestation/run.py               # 2,000 certificates
    .venv/bin/python scripts/bench/peers/openattestation/run.py --count 10000 # ~1 minute
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from eth_account import Account

from origincert.binding import LedgerBody
from origincert.issuer.pipeline import Anchoring, build_tree, issued_file_text, prepare_many
from origincert.signing import LocalSigner, sign_anchor
from origincert.verdict import Verdict
from origincert.verifier import Verifier

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # scripts/bench, for benchkit
from benchkit import documents_valid_on

DAY = date.today()  # every generated certificate is issued, and so in force, today
REGISTRY = "0x9178F546D3FF57D7A6352bD61B80cCCD46199C2d"
CHAIN_ID = 31337


def ours_issue(docs: list[dict]) -> tuple[float, list[bytes]]:
    signer = LocalSigner(Account.create())
    start = time.perf_counter()
    issuer_id, epoch, deadline = 1, 0, 2**40
    # the issuer stamps the signing body's ledger id and name, which every issued file carries
    body = LedgerBody(issuer_id, "IHK Bench", "DE")
    prepared = [c for chunk in prepare_many(docs, body=body, workers=1) for c in chunk]
    tree = build_tree([c.leaf for c in prepared])
    signature = sign_anchor(
        signer, tree.root, len(prepared), issuer_id, epoch, deadline, CHAIN_ID, REGISTRY
    )
    anchoring = Anchoring(
        root=tree.root,
        batch_size=len(prepared),
        signature=signature.to_bytes(),
        signer=signer.address,
        chain_id=CHAIN_ID,
        registry=REGISTRY,
        tx_hash=None,
        issuer_id=issuer_id,
        epoch=epoch,
        deadline=deadline,
    )
    files = [issued_file_text(c, tree.proof(i), anchoring).encode() for i, c in enumerate(prepared)]
    return time.perf_counter() - start, files


def ours_verify(files: list[bytes]) -> float:
    verifier = Verifier.offline(None, workers=1)  # one process, as theirs
    start = time.perf_counter()
    results = verifier.verify_many_bytes(files, on=DAY)
    elapsed = time.perf_counter() - start
    bad = [r.verdict for r in results if r.verdict is not Verdict.UNCONFIRMED]
    if bad:
        raise SystemExit(f"origincert: {len(bad)} certificates did not verify offline: {bad[:3]}")
    return elapsed


def theirs(docs: list[dict]) -> dict:
    if not (HERE / "node_modules" / "@govtechsg" / "open-attestation").is_dir():
        raise SystemExit("OpenAttestation is not installed: run ./scripts/setup")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "docs.json"
        path.write_text(json.dumps(docs, ensure_ascii=False))
        out = subprocess.run(
            ["node", str(HERE / "bench.mjs"), str(path)],
            check=True,
            capture_output=True,
            text=True,
            cwd=HERE,
        ).stdout
    return json.loads(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    docs = documents_valid_on(DAY, args.count, args.seed)
    issue_s, files = ours_issue(docs)
    verify_s = ours_verify(files)
    oa = theirs(docs)
    n = args.count
    print(f"{n:,} certificates, one batch, one process each; load average {os.getloadavg()[0]:.1f}")
    print(f"{'':<36} {'origincert':>14} {'OpenAttestation':>16} {'ratio':>7}")
    rows = [
        ("batch wrap / issue (offline), cert/s", n / issue_s, n / oa["wrap_seconds"]),
        ("offline verification, cert/s", n / verify_s, n / oa["verify_seconds"]),
    ]
    for label, ours, peer in rows:
        print(f"{label:<36} {ours:>14,.0f} {peer:>16,.0f} {ours / peer:>6.2f}x")
    print(
        f"(OpenAttestation {oa['package']} on node {oa['node']}; ratio > 1: origincert is faster)"
    )


if __name__ == "__main__":
    main()
