"""The journal on its own (no chain): all-or-nothing batches, unique numbers, forward-only states."""

from __future__ import annotations

import os
import stat

import pytest

from origincert.errors import DocumentError, JournalError
from origincert.issuer.journal import (
    ActionKind,
    ActionState,
    BatchState,
    CertificateStatus,
    Journal,
    OtherJournals,
)
from origincert.issuer.pipeline import PreparedCertificate


def _cert(number: str, i: int) -> PreparedCertificate:
    return PreparedCertificate(
        number=number,
        leaf_index=i,
        document_json=f'{{"number":"{number}"}}',
        seed=os.urandom(32),
        field_hashes=b"\7" * 32,
        target_hash=os.urandom(32),
        leaf=os.urandom(32),
        file_name=f"{number}.coo.json",
    )


def _batch(journal: Journal, numbers: list[str], chunk: int = 2):
    certs = [_cert(n, i) for i, n in enumerate(numbers)]
    return journal.record_batch(
        (certs[i : i + chunk] for i in range(0, len(certs), chunk)), out_dir="out"
    )


def test_journal_file_is_private_and_survives_reopening(tmp_path):
    path = tmp_path / "deep" / "journal.sqlite"
    with Journal.open(path) as j:
        b = _batch(j, ["A-1", "A-2", "A-3"])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with Journal.open(path) as j:
        assert [c.number for c in j.certificates(b.id)] == ["A-1", "A-2", "A-3"]
        assert j.counts() == {"prepared": 3}
        batch, cert = j.locate("A-2")
        assert batch.id == b.id and cert.leaf_index == 1 and len(cert.seed) == 32


def test_a_looser_existing_file_is_tightened(tmp_path):
    path = tmp_path / "j.sqlite"
    path.touch(mode=0o644)
    os.chmod(path, 0o644)
    Journal.open(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_sqlalchemy_url_is_accepted(tmp_path):
    with Journal.open(f"sqlite:///{tmp_path / 'url.sqlite'}") as j:
        _batch(j, ["U-1"])
        assert j.counts() == {"prepared": 1}


def test_duplicate_numbers_write_nothing(tmp_path):
    with Journal.open(tmp_path / "j.sqlite") as j:
        _batch(j, ["A-1", "A-2"])
        for numbers in (["B-1", "B-2", "A-2"], ["B-1", "B-2", "B-1"], ["B-1", "B-1"]):
            with pytest.raises(JournalError) as e:
                _batch(j, numbers)
            assert e.value.code == "duplicate_number"
        assert len(j.batches()) == 1 and j.counts() == {"prepared": 2}
        assert j.existing_numbers(["A-1", "B-1"]) == ["A-1"]


def test_a_failing_source_rolls_the_whole_batch_back(tmp_path):
    def chunks():
        yield [_cert("C-1", 0), _cert("C-2", 1)]
        raise DocumentError("the third document is invalid")

    with Journal.open(tmp_path / "j.sqlite") as j:
        with pytest.raises(DocumentError):
            j.record_batch(chunks(), out_dir=None)
        with pytest.raises(JournalError) as e:
            j.record_batch(iter([]), out_dir=None)
        assert e.value.code == "empty_batch"
        assert j.batches() == [] and j.existing_numbers(["C-1"]) == []


def test_states_only_move_forward(tmp_path):
    with Journal.open(tmp_path / "j.sqlite") as j:
        b = _batch(j, ["S-1"])
        j.mark_signed(
            b.id,
            root=b"\1" * 32,
            signature=b"\2" * 65,
            signer="0x" + "11" * 20,
            epoch=1,
            deadline=9,
        )
        j.mark_submitted(b.id, tx_hash="0x" + "aa" * 32, sender="0x" + "11" * 20)
        j.mark_submitted(
            b.id, tx_hash="0x" + "bb" * 32, sender="0x" + "11" * 20
        )  # a resend: new hash
        assert j.batch(b.id).tx_hash == "0x" + "bb" * 32
        j.mark_anchored(b.id, tx_hash="0x" + "bb" * 32, block_number=9, gas_used=50_000)
        with pytest.raises(JournalError) as e:
            j.mark_signed(
                b.id,
                root=b"\1" * 32,
                signature=b"\2" * 65,
                signer="0x" + "11" * 20,
                epoch=1,
                deadline=9,
            )
        assert e.value.code == "journal_inconsistent"
        assert j.batch(b.id).state is BatchState.ANCHORED
        assert [x.id for x in j.batches(unfinished=True)] == [b.id]  # files still to write
        j.mark_files_written(b.id, "out")
        assert j.batches(unfinished=True) == []


def test_status_follows_finished_actions_only(tmp_path):
    with Journal.open(tmp_path / "j.sqlite") as j:
        b = _batch(j, ["R-1", "R-2"])
        j.mark_signed(
            b.id,
            root=b"\1" * 32,
            signature=b"\2" * 65,
            signer="0x" + "11" * 20,
            epoch=1,
            deadline=9,
        )
        j.mark_anchored(b.id, tx_hash="0x" + "aa" * 32, block_number=3, gas_used=1)
        a = j.record_action(ActionKind.REVOKE, "R-1", reason=4)
        assert j.status("R-1") is CertificateStatus.ANCHORED and [
            x.id for x in j.actions(pending=True)
        ] == [a]
        j.mark_action_done(a, tx_hash="0x" + "cc" * 32, block_number=4, gas_used=2)
        assert (
            j.status("R-1") is CertificateStatus.REVOKED
            and j.status("R-2") is CertificateStatus.ANCHORED
        )
        f = j.record_action(ActionKind.REVOKE, "R-2", reason=4)
        j.mark_action_failed(f, error="CertificateRegistryNotAllowed")
        assert (
            j.action(f).state is ActionState.FAILED
            and j.status("R-2") is CertificateStatus.ANCHORED
        )
        assert j.actions(pending=True) == []
        with pytest.raises(JournalError) as e:
            j.record_action(ActionKind.REVOKE, "R-9", reason=1)
        assert e.value.code == "unknown_number"


def test_binding_to_one_issuing_body(tmp_path):
    with Journal.open(tmp_path / "j.sqlite") as j:
        j.bind(chain_id=31337, registry="0xAbC0000000000000000000000000000000000001", issuer_id=1)
        j.bind(chain_id=31337, registry="0xabc0000000000000000000000000000000000001", issuer_id=1)
        for other in ({"chain_id": 1, "issuer_id": 1}, {"chain_id": 31337, "issuer_id": 2}):
            with pytest.raises(JournalError) as e:
                j.bind(registry="0xabc0000000000000000000000000000000000001", **other)
            assert e.value.code == "journal_mismatch"


def test_unusable_location_is_a_journal_error(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(JournalError) as e:
        Journal.open(tmp_path / "file" / "j.sqlite")
    assert e.value.code == "journal_unavailable"
    with pytest.raises(JournalError) as e:
        Journal.open("nosuchdialect://x")
    assert e.value.code == "journal_unavailable"


BODY = {"chain_id": 31337, "registry": "0x" + "ab" * 20, "issuer_id": 1}


def test_other_journals_are_told_apart_by_the_body_they_were_bound_to(tmp_path):
    """Same body (registry compared case-blind): refused; another body id, another network: not
    this body's numbers; a journal bound to no body: consulted (refusing beats a duplicate)."""
    kinds = {
        "same": {**BODY, "registry": BODY["registry"].upper().replace("0X", "0x")},
        "other_body": {**BODY, "issuer_id": 2},
        "other_chain": {**BODY, "chain_id": 1},
        "unbound": None,
    }
    for name, bound in kinds.items():
        with Journal.open(tmp_path / f"{name}.sqlite") as j:
            if bound is not None:
                j.bind(**bound)
            _batch(j, [f"N-{name}", "N-shared"])
    paths = [tmp_path / f"{name}.sqlite" for name in kinds]
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in paths}
    with OtherJournals.open(paths) as others:
        for name, refused in [("same", True), ("other_body", False), ("other_chain", False),
                              ("unbound", True)]:  # fmt: skip
            if refused:
                with pytest.raises(JournalError, match=f"{name}.sqlite") as e:
                    others.refuse_taken([f"N-{name}", "N-free"], **BODY)
                assert e.value.code == "duplicate_number" and f"N-{name}" in str(e.value)
            else:
                others.refuse_taken([f"N-{name}", "N-free"], **BODY)
        with pytest.raises(JournalError, match="N-shared"):
            others.refuse_taken(["N-shared"], **BODY)
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in paths} == before  # read only
    assert sorted(os.listdir(tmp_path)) == sorted(p.name for p in paths)  # no -journal left


def test_the_journal_being_written_is_not_an_other_journal(tmp_path):
    with Journal.open(tmp_path / "own.sqlite") as j:
        j.bind(**BODY)
        _batch(j, ["OWN-1"])
    with OtherJournals.open([tmp_path / "own.sqlite"], exclude=str(tmp_path / "own.sqlite")) as o:
        assert o.paths == []
        o.refuse_taken(["OWN-1"], **BODY)
    with OtherJournals.open(
        [tmp_path / "own.sqlite"], exclude=f"sqlite:///{tmp_path / 'own.sqlite'}"
    ) as o:
        assert o.paths == []
