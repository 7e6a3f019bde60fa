"""The verifier on what the real issuer writes: issued, revoked and replaced through
``origincert.issuer``, redacted through ``origincert.redact``, read back from the files on disk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from origincert.issuer import Journal, issue_batch, issue_documents, replace, revoke
from origincert.redact import redact
from origincert.signing import LocalSigner
from origincert.verdict import Verdict
from origincert.verifier import Verifier
from verifier.conftest import DAY, documents


def test_issued_redacted_revoked_and_replaced_by_the_issuer(world: Any, tmp_path: Path) -> None:
    signer = LocalSigner(world.chambers["DE-hamburg"])
    v = Verifier(world.client, clock=lambda: DAY)
    docs = documents(4, 101)
    with Journal.open(tmp_path / "journal.sqlite") as journal:
        files = issue_documents(world.client, signer, docs[:3], journal=journal)
        results = v.verify_many(files + [redact(files[1], ["exporter", "goods[0].description"])])
        assert [r.verdict for r in results] == [Verdict.VALID] * 4
        assert results[0].evidence["issuer"]["name"] == "Chamber DE-hamburg"
        assert results[0].evidence["anchor"]["tx"] == files[0]["proof"]["tx_hash"]

        revoke(world.client, signer, journal, docs[0]["number"], 1)
        new, _ = replace(
            world.client,
            signer,
            journal,
            docs[1]["number"],
            docs[3],
            reason="amended consignee",
            out_dir=tmp_path / "new",
        )
        replacement = issue_result_file(new)
        after = v.verify_many([files[0], files[1], files[2], replacement])
        assert [r.verdict for r in after] == [
            Verdict.REVOKED,
            Verdict.REPLACED,
            Verdict.VALID,
            Verdict.VALID,
        ]
        assert after[0].evidence["revocation"]["reason"] == "issued in error"
        assert after[1].evidence["replaced_by"]["root"] == replacement["proof"]["root"]


def test_files_written_by_a_batch_verify_from_disk(world: Any, tmp_path: Path) -> None:
    signer = LocalSigner(world.chambers["DE-berlin"])
    with Journal.open(tmp_path / "journal.sqlite") as journal:
        result = issue_batch(
            world.client, signer, documents(6, 102), journal=journal, out_dir=tmp_path / "out"
        )
    raws = [Path(f).read_bytes() for f in result.files]
    assert len(raws) == 6
    results = Verifier(world.client, clock=lambda: DAY).verify_many_bytes(raws)
    assert {r.verdict for r in results} == {Verdict.VALID}
    assert {r.evidence["anchor"]["tx"] for r in results} == {result.tx_hash}


def issue_result_file(result: Any) -> dict[str, Any]:
    """The issued file of a one-certificate IssueResult (written to its out_dir, or rebuilt)."""
    import json

    assert result.files, "the replacement was issued without an out_dir"
    return json.loads(Path(result.files[0]).read_text())
