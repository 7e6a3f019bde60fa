"""Reconciling an issuer's archive of issued files with the ledger, both ways."""

from __future__ import annotations

import json
import os
from pathlib import Path

from chainutil import World

from audit.auditkit import anchor, audit, batch4, codes, issued_file, leaf_of, single
from origincert.audit import archive as rec
from origincert.audit.patterns import PatternPolicy


def _singles(world: World, n: int, chamber: str = "DE-berlin"):
    out = []
    for _ in range(n):
        target, root, tx = single(world, world.chambers[chamber])
        out.append((target, root, tx))
    return out


def test_unanchored_certificate_and_unarchived_anchor(world: World, tmp_path: Path) -> None:
    berlin = world.chambers["DE-berlin"]
    s = _singles(world, 3)
    targets = [os.urandom(32) for _ in range(4)]
    root, _, proofs = batch4(targets)
    batch_tx = anchor(world, berlin, root, 4)
    for i, (target, r, tx) in enumerate(s[:2]):
        issued_file(tmp_path, world, f"DE-S-{i}", target, r, [], signer=berlin, tx_hash=tx.tx_hash)
    for i in range(4):
        issued_file(
            tmp_path,
            world,
            f"DE-B-{i}",
            targets[i],
            root,
            proofs[i],
            signer=berlin,
            leaf_index=i,
            batch_size=4,
            tx_hash=batch_tx.tx_hash,
        )
    ghost = os.urandom(32)  # issued and archived, never anchored
    issued_file(tmp_path, world, "DE-GHOST", ghost, leaf_of(ghost), [], signer=berlin)
    with audit(world, archives=(tmp_path,)) as r:
        assert [(f.code, f.subject, f.tx_hash) for f in r.findings] == [
            ("reconciliation.not_anchored", "DE-GHOST", None),
            ("reconciliation.anchor_not_archived", "0x" + s[2][1].hex(), s[2][2].tx_hash),
        ]
        ((folder, summary),) = r.reconciliations
        assert folder == str(tmp_path)
        assert (
            summary.files,
            summary.anchored,
            summary.issuers,
            summary.issuer_anchors,
            summary.accounted,
        ) == (7, 6, [world.chamber_ids["DE-berlin"]], 4, 3)


def test_files_that_do_not_match_the_ledger(world: World, tmp_path: Path) -> None:
    berlin, hamburg = world.chambers["DE-berlin"], world.chambers["DE-hamburg"]
    (t0, r0, _), (t1, r1, _), (t2, r2, _), (t3, r3, _) = _singles(world, 4)
    targets = [os.urandom(32) for _ in range(4)]
    root, _, proofs = batch4(targets)
    anchor(world, berlin, root, 4)
    issued_file(
        tmp_path, world, "TAMPERED", os.urandom(32), r0, [], signer=berlin, leaf=r0
    )  # target altered
    issued_file(
        tmp_path, world, "BAD-PROOF", targets[0], root, proofs[1], signer=berlin, batch_size=4
    )
    for i in (1, 2):  # two of the batch's four
        issued_file(
            tmp_path,
            world,
            f"B-{i}",
            targets[i],
            root,
            proofs[i],
            signer=berlin,
            leaf_index=i,
            batch_size=4,
        )
    issued_file(tmp_path, world, "OTHER-NET", t1, r1, [], signer=berlin, chain_id=1)
    issued_file(tmp_path, world, "CLAIMS-HAMBURG", t2, r2, [], signer=hamburg)
    issued_file(
        tmp_path, world, "SIZE", t3, r3, [], signer=berlin, batch_size=2, tx_hash="0x" + "ab" * 32
    )
    issued_file(
        tmp_path / "again", world, "SIZE", t0, r0, [], signer=berlin
    )  # the same number, another certificate
    (tmp_path / "junk.coo.json").write_text("{not json")
    with audit(world, archives=(tmp_path,)) as r:
        found = sorted((f.code, f.subject) for f in r.findings)
    assert found == sorted(
        [
            ("reconciliation.leaf_mismatch", "TAMPERED"),
            ("reconciliation.proof_mismatch", "BAD-PROOF"),
            ("reconciliation.wrong_network", "OTHER-NET"),
            ("reconciliation.wrong_issuer", "CLAIMS-HAMBURG"),
            ("reconciliation.batch_size_mismatch", "SIZE"),
            ("reconciliation.tx_mismatch", "SIZE"),
            ("reconciliation.duplicate_number", "SIZE"),
            ("reconciliation.unreadable_file", "junk.coo.json"),
            (
                "reconciliation.batch_incomplete",
                "0x" + root.hex(),
            ),  # B-1 and B-2 only: a bad proof accounts for nothing
            (
                "reconciliation.anchor_not_archived",
                "0x" + r1.hex(),
            ),  # its only file names another network
        ]
    )


def test_a_high_share_of_retroactive_certificates(world: World, tmp_path: Path) -> None:
    berlin = world.chambers["DE-berlin"]
    for i, (target, root, _) in enumerate(_singles(world, 4)):
        issued_file(tmp_path, world, f"R-{i}", target, root, [], signer=berlin, retroactive=i < 2)
    with audit(
        world, archives=(tmp_path,), patterns=PatternPolicy(retro_min=4, retro_share=0.4)
    ) as r:
        assert [(f.code, f.details) for f in r.findings] == [
            ("pattern.retroactive_share", {"certificates": 4, "retroactive": 2})
        ]
    with audit(
        world, archives=(tmp_path,), patterns=PatternPolicy(retro_min=4, retro_share=0.5)
    ) as r:
        assert r.findings == []


def test_an_archive_scoped_to_an_issuer_accounts_for_its_anchors_only(
    world: World, tmp_path: Path
) -> None:
    berlin = world.chambers["DE-berlin"]
    ((target, root, _),) = _singles(world, 1)
    _singles(world, 1, "DE-hamburg")
    issued_file(tmp_path, world, "B-0", target, root, [], signer=berlin)
    with audit(world, archives=(tmp_path,)) as r:
        assert r.findings == []
    ids = frozenset({world.chamber_ids["DE-berlin"], world.chamber_ids["DE-hamburg"]})
    with audit(world, archives=(tmp_path,), archive_issuers=ids) as r:
        assert codes(r) == ["reconciliation.anchor_not_archived"]
        assert r.findings[0].issuer_id == world.chamber_ids["DE-hamburg"]


def test_the_process_pool_reads_like_the_single_process(
    world: World, tmp_path: Path, monkeypatch
) -> None:
    berlin = world.chambers["DE-berlin"]
    for i, (target, root, _) in enumerate(_singles(world, 3)):
        issued_file(tmp_path, world, f"P-{i}", target, root, [], signer=berlin)
    (tmp_path / "bad.coo.json").write_text(json.dumps({"proof": {}}))
    files = rec.archive_files([tmp_path])
    alone = list(rec.read_archive(files, workers=1))
    monkeypatch.setattr(rec, "_POOL_MIN_FILES", 0)
    monkeypatch.setattr(rec, "_TASK_FILES", 2)
    pooled = list(rec.read_archive(files, workers=2))
    assert pooled == alone
    assert [(Path(c.path).name, [p[0] for p in c.problems]) for c in pooled] == [
        ("P-0.coo.json", []),
        ("P-1.coo.json", []),
        ("P-2.coo.json", []),
        ("bad.coo.json", ["reconciliation.unreadable_file"]),
    ]
