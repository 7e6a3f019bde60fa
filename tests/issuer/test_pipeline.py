"""The pure issuing core: what is hashed, how files are named and assembled (no chain)."""

from __future__ import annotations

import json
import random

import pytest
from chainutil import test_account

from origincert import fields, merkle, signing
from origincert.devtools.samples import sample_certificate
from origincert.document import parse_certificate
from origincert.errors import DocumentError
from origincert.issuer.pipeline import (
    Anchoring,
    build_tree,
    field_hashes_json,
    issued_file,
    issued_file_text,
    prepare_certificate,
    prepare_many,
    safe_file_name,
)
from origincert.verifier.subject import parse_issued

REGISTRY = "0x" + "ab" * 20


def _doc(i: int, **kw):
    kw.setdefault("ledger_id", 1)
    return sample_certificate(random.Random(i), number=f"DE-P-{i:04d}", economy="DE", **kw)


def test_safe_file_name_keeps_safe_numbers_and_separates_unsafe_ones():
    assert safe_file_name("DE-2025-0001") == "DE-2025-0001.coo.json"
    a, b = safe_file_name("DE/2025/1"), safe_file_name("DE_2025_1")
    assert "/" not in a and a != b and a.endswith(".coo.json")
    for hostile in ("../x", "/etc/passwd", ".hidden", "a\x00b", "é" * 300):
        name = safe_file_name(hostile)
        assert (
            "/" not in name and "\x00" not in name and not name.startswith(".") and len(name) < 120
        )


def test_prepare_commits_the_canonical_document_with_its_seed():
    doc = _doc(1)
    doc.pop("valid_until", None)  # the model fills the default: the canonical form has it
    seed = bytes(range(32))
    p = prepare_certificate(doc, 7, seed=seed)

    canonical = parse_certificate(doc).to_json()
    assert json.loads(p.document_json) == canonical and "valid_until" in canonical
    c = fields.commit(canonical, seed)
    assert json.loads(p.field_hashes_json) == {k: "0x" + v.hex() for k, v in c.field_hashes.items()}
    assert p.field_hashes == b"".join(c.field_hashes.values())
    assert (
        field_hashes_json(p.document_json, p.field_hashes) == p.field_hashes_json
    )  # the journal's way back
    with pytest.raises(DocumentError) as e:
        field_hashes_json(p.document_json, p.field_hashes[:-32])
    assert e.value.code == "field_hashes_mismatch"
    assert p.target_hash == c.target_hash and p.leaf == merkle.leaf_hash(c.target_hash)
    assert (p.number, p.leaf_index, p.seed, p.file_name) == (
        doc["number"],
        7,
        seed,
        f"{doc['number']}.coo.json",
    )


def test_prepare_uses_a_fresh_seed_each_time():
    doc = _doc(2)
    a, b = prepare_certificate(doc, 0), prepare_certificate(doc, 0)
    assert a.seed != b.seed and a.target_hash != b.target_hash and len(a.seed) == 32


def test_prepare_refuses_another_economy():
    with pytest.raises(DocumentError) as e:
        prepare_certificate(_doc(3), 0, economy="SG")
    assert e.value.code == "issuing_body_mismatch"
    assert e.value.problems[0][0] == "issuing_body.economy"


@pytest.mark.parametrize("workers", [1, 2])
def test_prepare_many_keeps_order_and_reports_every_invalid_document(workers, monkeypatch):
    from origincert.issuer import pipeline

    monkeypatch.setattr(pipeline, "CHUNK", 3)  # several chunks, so the pool is used
    docs = [_doc(i) for i in range(8)]
    got = []
    for chunk in prepare_many(docs, workers=workers):
        got += chunk
    assert [p.number for p in got] == [d["number"] for d in docs]
    assert [p.leaf_index for p in got] == list(range(8))
    for p in got:  # each result is the commitment of its own document
        assert fields.commit(json.loads(p.document_json), p.seed).target_hash == p.target_hash

    docs[2]["goods"][0]["hs_code"] = "1"
    docs[6] = {"not": "a certificate"}
    with pytest.raises(DocumentError) as e:
        list(prepare_many(docs, workers=workers, labels=[f"f{i}.json" for i in range(8)]))
    assert "2 of 8 documents" in str(e.value)
    assert {p.split(":")[0] for p, _ in e.value.problems} == {"f2.json", "f6.json"}


def test_issued_file_is_the_format_and_its_proof_checks():
    docs = [_doc(i) for i in range(3)]
    docs[1]["exporter"]["name"] = 'Müller & Söhne GmbH "Nord"'  # non-ASCII and quotes survive
    prepared = [prepare_certificate(d, i) for i, d in enumerate(docs)]
    tree = build_tree([p.leaf for p in prepared])
    account = test_account("pipeline")
    sig = signing.sign_anchor(
        signing.LocalSigner(account), tree.root, 3, 7, 2, 2**40, 31337, REGISTRY
    )
    anchoring = Anchoring(
        tree.root, 3, sig.to_bytes(), account.address, 31337, REGISTRY, "0x" + "cd" * 32,
        issuer_id=7, epoch=2, deadline=2**40,
    )  # fmt: skip

    text = issued_file_text(prepared[1], tree.proof(1), anchoring)
    f = issued_file(prepared[1], tree.proof(1), anchoring)
    assert json.loads(text) == f and text.endswith("}\n")
    assert f["document"] == parse_certificate(docs[1]).to_json()
    assert f["format"] == "urn:origincert:issued:2" and set(f) == {"format", "document", "proof"}
    parsed = parse_issued(f)  # the verifier's strict reading of the format
    # the fast writer writes the one model's file (the model spells addresses in EIP-55)
    again = parsed.to_json()
    assert again["proof"].pop("registry").lower() == f["proof"]["registry"].lower()
    assert again == {**f, "proof": {k: v for k, v in f["proof"].items() if k != "registry"}}
    assert list(parsed.to_json()["proof"]) == list(f["proof"])
    assert parsed.issuer_id == anchoring.issuer_id
    assert parsed.shape == {"goods": len(docs[1]["goods"])}
    assert parsed.leaf_index == 1 and parsed.batch_size == 3 and parsed.root == tree.root
    assert merkle.verify_proof(parsed.leaf, parsed.merkle_proof, parsed.root)
    assert (parsed.issuer_id, parsed.epoch, parsed.deadline) == (7, 2, 2**40)
    signer = signing.recover_anchor_signer(
        parsed.root, 3, 7, 2, 2**40, parsed.signature, chain_id=31337, registry=REGISTRY
    )
    assert signer == account.address
    assert fields.commit(f["document"], parsed.seed).target_hash == parsed.target_hash


_POOL_SCRIPT = """
import multiprocessing, random, sys, time
from origincert.issuer import pipeline
from origincert.devtools.samples import sample_certificate
pipeline.CHUNK = 5
docs = [sample_certificate(random.Random(i), number=f"DE-K-{i}", economy="DE") for i in range(60)]
stream = pipeline.prepare_many(docs, workers=2)
next(stream)
print(" ".join(str(p.pid) for p in multiprocessing.active_children()), flush=True)
time.sleep(60)
"""


def test_pool_workers_exit_when_the_issuing_process_is_killed():
    """kill -9 of the issuer mid-hashing must not leave its hashing workers behind."""
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    proc = subprocess.Popen([sys.executable, "-c", _POOL_SCRIPT], stdout=subprocess.PIPE, text=True)
    try:
        workers = [int(p) for p in proc.stdout.readline().split()]
        assert len(workers) == 2
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
    deadline = time.monotonic() + 10
    while (
        any(Path(f"/proc/{w}").exists() and "(Z" not in _state(w) for w in workers)
        and time.monotonic() < deadline
    ):
        time.sleep(0.1)
    assert all(not Path(f"/proc/{w}").exists() or "(Z" in _state(w) for w in workers)


def _state(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/status") as f:
            return next(line for line in f if line.startswith("State:"))
    except (OSError, StopIteration):
        return "(Z gone)"
