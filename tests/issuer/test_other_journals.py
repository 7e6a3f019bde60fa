"""Numbers are unique per issuing body, not per journal: a batch is checked against the body's
other journals (other desks, other years) before anything is recorded, signed or sent."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from issuer.kit import write_docs
from origincert.errors import JournalError
from origincert.issuer import Journal, issue_batch, issue_documents, issue_each
from origincert.signing import LocalSigner


@pytest.fixture
def desk_a(world, berlin, tmp_path: Path, make_docs):
    """Desk A's journal, holding one anchored certificate of the Berlin chamber; (path, doc)."""
    path = tmp_path / "desk-a.sqlite"
    doc = make_docs(1)[0]
    with Journal.open(path) as j:
        issue_documents(world.client, berlin, [doc], journal=j)
    return path, doc


def test_a_number_another_desk_gave_is_refused_and_nothing_recorded_or_sent(
    world, berlin, tmp_path, desk_a, make_docs
):
    path_a, taken = desk_a
    before = path_a.read_bytes()
    block = world.client.block_number()
    with Journal.open(tmp_path / "desk-b.sqlite") as desk_b:
        with pytest.raises(JournalError) as e:
            issue_documents(
                world.client, berlin, [make_docs(1)[0], copy.deepcopy(taken)], journal=desk_b,
                also_check=[path_a],
            )  # fmt: skip
        assert e.value.code == "duplicate_number"
        assert taken["number"] in str(e.value) and str(path_a) in str(e.value)
        assert desk_b.batches() == [] and desk_b.counts() == {}
        # A document given as a file: its number is known only once parsed, still refused.
        files = write_docs(tmp_path / "todo", [copy.deepcopy(taken)])
        with pytest.raises(JournalError) as e:
            issue_batch(world.client, berlin, files, journal=desk_b, also_check=[path_a])
        assert e.value.code == "duplicate_number"
        with pytest.raises(JournalError) as e:
            issue_each(world.client, berlin, files, journal=desk_b, also_check=[path_a])
        assert e.value.code == "duplicate_number"
        assert desk_b.batches() == []
    assert world.client.block_number() == block  # no transaction sent
    assert path_a.read_bytes() == before  # the other journal was only read


def test_without_the_other_journal_the_duplicate_goes_through(world, berlin, tmp_path, desk_a):
    """What the check exists for: each journal alone accepts the number."""
    _, taken = desk_a
    with Journal.open(tmp_path / "desk-b.sqlite") as desk_b:
        issue_documents(world.client, berlin, [copy.deepcopy(taken)], journal=desk_b)
        assert desk_b.counts() == {"anchored": 1}


def test_fresh_numbers_are_issued_with_the_other_journals_consulted(
    world, berlin, tmp_path, desk_a, make_docs
):
    path_a, _ = desk_a
    own = tmp_path / "desk-b.sqlite"
    with Journal.open(own) as desk_b:
        # The journal being written may be listed too (a folder of them): it checks itself.
        issue_documents(
            world.client, berlin, make_docs(2), journal=desk_b, also_check=[path_a, own]
        )
        assert desk_b.counts() == {"anchored": 2}


def test_another_bodys_journal_with_the_same_number_does_not_block(
    world, berlin, tmp_path, make_docs
):
    hamburg = LocalSigner(world.chambers["DE-hamburg"])
    doc = make_docs(1)[0]
    other_body = tmp_path / "hamburg.sqlite"
    with Journal.open(other_body) as j:
        issue_documents(world.client, hamburg, [copy.deepcopy(doc)], journal=j)
    with Journal.open(tmp_path / "berlin.sqlite") as j:
        issue_documents(world.client, berlin, [doc], journal=j, also_check=[other_body])
        assert j.counts() == {"anchored": 1}


@pytest.mark.parametrize("kind", ["missing", "not_sqlite", "not_a_journal"])
def test_an_unreadable_other_journal_is_a_clear_error(world, berlin, tmp_path, make_docs, kind):
    other = tmp_path / "other.sqlite"
    if kind == "not_sqlite":
        other.write_text(json.dumps({"not": "a journal"}) * 200)
    elif kind == "not_a_journal":
        import sqlite3

        with sqlite3.connect(other) as db:
            db.execute("CREATE TABLE t (x)")
    block = world.client.block_number()
    with Journal.open(tmp_path / "desk-b.sqlite") as desk_b:
        with pytest.raises(JournalError) as e:
            issue_documents(world.client, berlin, make_docs(1), journal=desk_b, also_check=[other])
        assert e.value.code == "journal_unreadable" and str(other) in str(e.value)
        assert desk_b.batches() == []
    assert world.client.block_number() == block
