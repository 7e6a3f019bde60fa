#!/usr/bin/env python3
"""Speed of the interop layer, offline, on one core: export (ecdsa-sd-2023 base proof), derive
(redact), verify a derived credential, verify a base proof, and sign/verify the UNTP vc+jwt, for a
certificate of ITEMS goods items (a 3-item and a 50-item certificate by default).

The ledger part of each issued file is well formed but not anchored (the VC layer does not read
it); the full verification adds the usual checks, measured by scripts/bench/verify.py.

Run: .venv/bin/python scripts/bench/interop_vc.py [--items 3 50] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from origincert.devtools.samples import sample_certificate
from origincert.fields import commit
from origincert.interop.credential import StatusEntry, derive_credential, export_credential
from origincert.interop.did import TrustList, did_web, did_web_document
from origincert.interop.ecdsa_sd import verify_sd_base, verify_sd_derived
from origincert.interop.loader import shipped_loader
from origincert.interop.p256 import P256KeyPair
from origincert.interop.untp import build_dcc, sign_vc_jwt, verify_vc_jwt
from origincert.issued import FORMAT_ID

DID = did_web("chamber.example")
VM = f"{DID}#vc-key-1"
KEY = P256KeyPair.from_secret(bytes(range(1, 33)))
ADDRESS = "0x" + "ab" * 20


def issued_file(items: int) -> dict[str, Any]:
    rng = random.Random(items)
    doc = json.loads(json.dumps(sample_certificate(rng, items=items, economy="DE")))
    doc["issuing_body"]["ledger_id"] = 1
    seed = rng.randbytes(32)
    c = commit(doc, seed)
    proof = {
        "seed": "0x" + seed.hex(),
        "field_hashes": {p: "0x" + h.hex() for p, h in c.field_hashes.items()},
        "shape": dict(c.shape),
        "target_hash": "0x" + c.target_hash.hex(),
        "leaf": "0x" + rng.randbytes(32).hex(),
        "merkle_proof": ["0x" + rng.randbytes(32).hex() for _ in range(8)],
        "root": "0x" + rng.randbytes(32).hex(),
        "leaf_index": 3,
        "batch_size": 250,
        "signature": "0x" + rng.randbytes(65).hex(),
        "signer": ADDRESS,
        "chain_id": 31337,
        "registry": "0x" + "cd" * 20,
        "issuer_id": 1,
        "epoch": 1,
        "deadline": 2**40,
    }
    return {"format": FORMAT_ID, "document": doc, "proof": proof}


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, nargs="+", default=[3, 50])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    loader = shipped_loader()
    trust = TrustList(
        {DID: did_web_document(DID, KEY.public_multikey, ledger_address=ADDRESS, chain_id=31337)}
    )
    status = StatusEntry("https://chamber.example/status/1", 7)
    print(f"median of {args.repeat} runs, milliseconds per certificate")
    print(
        f"{'items':>5} {'statements':>10} {'export':>8} {'derive':>8} {'verify derived':>15} {'verify base':>12} {'jwt sign':>9} {'jwt verify':>11} {'VC bytes':>9}"
    )
    for items in args.items:
        issued = issued_file(items)
        export_ms, vc = timed(
            lambda issued=issued: export_credential(
                issued,
                key=KEY,
                issuer_did=DID,
                verification_method=VM,
                created="2026-01-01T00:00:00Z",
                status=status,
                loader=loader,
            ),
            args.repeat,
        )
        derive_ms, derived = timed(
            lambda vc=vc: derive_credential(vc, ["consignee", "goods[0].invoice"], loader),
            args.repeat,
        )
        verify_ms, ok = timed(
            lambda derived=derived: verify_sd_derived(derived, KEY.public_multikey, loader),
            args.repeat,
        )
        base_ms, ok_base = timed(
            lambda vc=vc: verify_sd_base(vc, KEY.public_multikey, loader), args.repeat
        )
        dcc = build_dcc(issued, DID, status)
        sign_ms, token = timed(lambda dcc=dcc: sign_vc_jwt(dcc, KEY, VM), args.repeat)
        jwt_ms, _ = timed(lambda token=token: verify_vc_jwt(token, trust), args.repeat)
        assert ok and ok_base
        from origincert.interop.ecdsa_sd import parse_base_proof_value

        statements = len(parse_base_proof_value(vc["proof"]["proofValue"]).signatures)
        size = len(json.dumps(vc))
        print(
            f"{items:>5} {statements:>10} {export_ms:>8.1f} {derive_ms:>8.1f} {verify_ms:>15.1f} {base_ms:>12.1f} {sign_ms:>9.2f} {jwt_ms:>11.2f} {size:>9}"
        )


if __name__ == "__main__":
    main()
