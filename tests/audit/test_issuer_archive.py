"""Reconciling what the real issuer wrote (its files and its journal) with the ledger."""

from __future__ import annotations

import random
from pathlib import Path

from chainutil import World

from audit.auditkit import KEY_1, audit, consortium, h32, single
from origincert.audit.archive import ArchivedCertificate
from origincert.audit.reconcile import reconcile
from origincert.audit.rules import audit_transactions
from origincert.devtools.samples import sample_certificate
from origincert.issuer import Journal, issue_batch, issue_documents, replace, revoke


def _docs(n: int, prefix: str) -> list[dict]:
    return [
        sample_certificate(random.Random(i), number=f"{prefix}-{i:04d}", economy="DE")
        for i in range(n)
    ]


def test_the_issuers_files_and_journal_reconcile_cleanly(
    world: World, berlin_signer, journal: Journal, journal_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "issued"
    [single_file] = issue_documents(
        world.client, berlin_signer, _docs(1, "DE-ONE"), journal=journal, out_dir=out
    )
    issue_batch(world.client, berlin_signer, _docs(3, "DE-BATCH"), journal=journal, out_dir=out)
    revoke(world.client, berlin_signer, journal, "DE-BATCH-0001", "lost")
    new = sample_certificate(random.Random(9), number="DE-NEW-0001", economy="DE")
    replace(world.client, berlin_signer, journal, "DE-ONE-0000", new, out_dir=out, reason="amended")
    with audit(world, archives=(out,), journals=(journal_path,)) as r:
        assert r.findings == []
        # the folder and the journal are one archive: each certificate in both is one certificate
        ((_, both),) = r.reconciliations
        assert (both.files, both.anchored, both.issuer_anchors, both.accounted) == (10, 10, 3, 3)
        assert both.sources == {world.chamber_ids["DE-berlin"]: [str(out), str(journal_path)]}
        assert r.state.revocations == 1 and r.state.replacements == 1
        assert (
            r.state.store.anchor(
                world.chamber_ids["DE-berlin"], single_file["proof"]["root"]
            ).issuer_id
            == world.chamber_ids["DE-berlin"]
        )


def test_a_lost_file_and_an_anchor_the_issuer_never_recorded(
    world: World, berlin_signer, journal: Journal, journal_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "issued"
    batch = issue_batch(world.client, berlin_signer, _docs(3, "DE-B"), journal=journal, out_dir=out)
    (out / "DE-B-0002.coo.json").unlink()
    _, _, rogue_tx = single(world, world.chambers["DE-berlin"])  # the key, used outside the issuer
    with audit(world, archives=(out,)) as r:
        assert sorted((f.code, f.tx_hash) for f in r.findings) == sorted(
            [
                ("reconciliation.batch_incomplete", batch.tx_hash),  # a file lost
                ("reconciliation.anchor_not_archived", rogue_tx.tx_hash),  # not among the files
            ]
        )
    with audit(world, archives=(out,), journals=(journal_path,)) as r:
        # folder and journal are one archive: the journal accounts for the lost file, and the
        # rogue anchor is one finding, not one per place it is missing from
        assert [(f.code, f.tx_hash) for f in r.findings] == [
            ("reconciliation.anchor_not_archived", rogue_tx.tx_hash)
        ]


def test_journal_batches_on_their_way_and_a_journal_behind_the_ledger() -> None:
    t = consortium().anchor(KEY_1, h32("landed"), 1)
    state, _ = audit_transactions(t.txs)

    def record(number: str, root: str, journal_state: str, batch: int) -> ArchivedCertificate:
        return ArchivedCertificate(
            f"j.sqlite#{number}",
            number,
            root,
            root,
            0,
            1,
            KEY_1,
            None,
            1,
            "0xreg",
            False,
            (),
            journal_state=journal_state,
            journal_batch=batch,
        )

    found, summary = reconcile(
        state,
        [
            record(
                "SUBMITTED", h32("in flight"), "submitted", 1
            ),  # not on the ledger yet: pending, not missing
            record(
                "LANDED", h32("landed"), "submitted", 2
            ),  # on the ledger, the journal does not know yet
        ],
        chain_id=1,
        registry="0xreg",
    )
    assert [(f.code, f.subject) for f in found] == [
        ("reconciliation.journal_pending", "SUBMITTED"),
        ("reconciliation.journal_behind", "LANDED"),
    ]
    assert (summary.anchored, summary.accounted) == (1, 1)
    state.store.close()


def test_two_folders_of_one_chamber_and_a_number_used_twice(
    world: World, berlin_signer, journal: Journal, tmp_path: Path
) -> None:
    """The review's case: a clerk issues from a second workstation (a second journal and folder)
    and gives one number twice. Judged together, the folders account for each other's anchors,
    and the number is one critical finding naming both files, not a wall of false criticals."""
    first, second = tmp_path / "clerk" / "issued", tmp_path / "clerk" / "issued2"
    issue_batch(world.client, berlin_signer, _docs(3, "DE-MUC"), journal=journal, out_dir=first)
    again = sample_certificate(random.Random(77), number="DE-MUC-0001", economy="DE")
    with Journal.open(tmp_path / "workstation-2.sqlite") as other:
        issue_documents(world.client, berlin_signer, [again], journal=other, out_dir=second)
    with audit(world, archives=(first, second)) as r:
        assert [(f.code, f.severity.label, f.subject) for f in r.findings] == [
            ("reconciliation.duplicate_number", "critical", "DE-MUC-0001")
        ]
        [duplicate] = r.findings
        assert duplicate.details["files"] == [
            "issued/DE-MUC-0001.coo.json",
            "issued2/DE-MUC-0001.coo.json",
        ]
        assert len(duplicate.details["leaves"]) == 2
        ((_, summary),) = r.reconciliations
        assert summary.sources == {world.chamber_ids["DE-berlin"]: [str(first), str(second)]}
