"""The one issued-file model (origincert.issued): strict reading, writing, and every reader using it."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from origincert.audit.archive import read_issued_file
from origincert.devtools.samples import sample_certificate
from origincert.errors import DocumentError
from origincert.fields import commit
from origincert.issued import FORMAT_ID, IssuedFile, parse_issued, read_issued
from origincert.portal import certindex
from origincert.redact import redact


def full_copy(seed: int = 1) -> dict[str, Any]:
    doc = json.loads(json.dumps(sample_certificate(random.Random(seed), items=3, ledger_id=1)))
    c = commit(doc, bytes(range(32)))
    return {
        "format": FORMAT_ID,
        "document": doc,
        "proof": {
            "seed": "0x" + bytes(range(32)).hex(),
            "field_hashes": {p: "0x" + h.hex() for p, h in c.field_hashes.items()},
            "shape": dict(c.shape),
            "target_hash": "0x" + c.target_hash.hex(),
            "leaf": "0x" + "11" * 32,
            "merkle_proof": ["0x" + "22" * 32],
            "root": "0x" + "33" * 32,
            "leaf_index": 1,
            "batch_size": 2,
            "signature": "0x" + "44" * 65,
            "signer": "0x" + "AB" * 20,
            "chain_id": 31337,
            "registry": "0x" + "cd" * 20,
            "issuer_id": doc["issuing_body"]["ledger_id"],
            "epoch": 3,
            "deadline": 1_900_000_000,
            "tx_hash": "0x" + "ee" * 32,
        },
    }


def test_a_file_reads_and_writes_back_to_itself() -> None:
    data = full_copy()
    f = parse_issued(data)
    assert isinstance(f, IssuedFile) and not f.redacted
    assert (f.issuer_id, f.epoch, f.deadline, f.shape) == (1, 3, 1_900_000_000, {"goods": 3})
    assert f.ledger_id == 1 and f.number == data["document"]["number"]
    again = f.to_json()
    assert again["proof"]["signer"].lower() == "0x" + "ab" * 20  # written in EIP-55
    assert parse_issued(again) == f
    assert parse_issued(json.loads(f.to_text())) == f
    assert read_issued(f.to_text().encode()) == f


def test_a_redacted_copy_reads_and_writes_back_to_itself() -> None:
    out = redact(full_copy(), ["exporter", "goods[1]"])
    f = parse_issued(out)
    assert f.redacted and f.seed is None and f.shape == {"goods": 3}
    assert out["document"]["goods"][1] is None  # the placeholder keeps the other items' paths
    assert parse_issued(f.to_json()) == f


@pytest.mark.parametrize(
    ("edit", "code"),
    [
        (lambda d: d.update(format="urn:origincert:issued:1"), "format_v1"),
        (lambda d: d.pop("format"), "format_unknown"),
        (lambda d: d["proof"].pop("shape"), "format_invalid"),
        (lambda d: d["proof"].pop("issuer_id"), "format_invalid"),
        (lambda d: d["proof"].update(issuer_id=0), "format_invalid"),
        (lambda d: d["proof"].update(epoch=-1), "format_invalid"),
        (lambda d: d["proof"].update(deadline=2**64), "format_invalid"),
        (lambda d: d["proof"].update(shape={"goods": True}), "format_invalid"),
        (lambda d: d["proof"].update(shape={"Goods!": 1}), "format_invalid"),
        (lambda d: d["proof"].update(shape=[3]), "format_invalid"),
    ],
)
def test_refusals_have_stable_codes(edit: Any, code: str) -> None:
    data = full_copy()
    edit(data)
    with pytest.raises(DocumentError) as err:
        parse_issued(data)
    assert err.value.code == code


def test_the_v1_refusal_says_why_and_what_to_do() -> None:
    with pytest.raises(DocumentError, match="version 1 .* no longer accepted.*version 2"):
        parse_issued({**full_copy(), "format": "urn:origincert:issued:1"})


@pytest.mark.parametrize(
    "path", ["number", "issuing_body.economy", "issuing_body.ledger_id", "valid_until"]
)
def test_every_reader_refuses_a_withheld_unhideable_field(path: str) -> None:
    data = redact(full_copy(), ["exporter"])
    data["proof"]["withheld"][path] = data["proof"]["field_hashes"].pop(path)
    del data["proof"]["salts"][path]
    with pytest.raises(DocumentError) as err:
        parse_issued(data)
    assert err.value.code == "withheld_forbidden"


def test_bytes_are_read_bounded_and_without_duplicate_keys() -> None:
    raw = json.dumps(full_copy()).encode()
    with pytest.raises(DocumentError) as err:
        read_issued(raw[:-1] + b', "format": "x"}')
    assert err.value.code == "json_duplicate_key"
    with pytest.raises(DocumentError) as err:
        read_issued(raw, max_bytes=100)
    assert err.value.code == "json_too_large"


def test_the_audit_archive_reads_through_the_model(tmp_path: Path) -> None:
    good = tmp_path / "good.coo.json"
    good.write_text(json.dumps(full_copy()))
    rec = read_issued_file(str(good))
    assert rec.batch_size == 2 and rec.signer == "0x" + "ab" * 20
    assert [p for p, _ in rec.problems] == [  # the made-up leaf and proof
        "reconciliation.leaf_mismatch",
        "reconciliation.proof_mismatch",
    ]
    for name, text in (
        ("v1", json.dumps({**full_copy(), "format": "urn:origincert:issued:1"})),
        ("dup", json.dumps(full_copy())[:-1] + ', "format": "x"}'),
    ):
        path = tmp_path / f"{name}.coo.json"
        path.write_text(text)
        problems = read_issued_file(str(path)).problems
        assert problems[0][0] == "reconciliation.unreadable_file", name
    assert "format_v1" in read_issued_file(str(tmp_path / "v1.coo.json")).problems[0][1]


def test_the_portal_index_reads_through_the_model() -> None:
    data = full_copy()
    ident = certindex.identify(json.dumps(data).encode())
    assert ident is not None and ident.number == data["document"]["number"]
    assert ident.target_hash == data["proof"]["target_hash"]
    v1 = {**data, "format": "urn:origincert:issued:1"}
    assert certindex.identify(json.dumps(v1).encode()) is None
