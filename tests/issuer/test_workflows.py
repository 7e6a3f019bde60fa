"""Issue, revoke and replace against a real Hardhat node; every refusal before anything is recorded."""

from __future__ import annotations

import copy
import json

import pytest
from chainutil import test_account
from web3 import Web3

from issuer.kit import verdict_of
from origincert import governance, merkle
from origincert.errors import ChainUnavailable, DocumentError, JournalError
from origincert.governance import Standing
from origincert.issuer import (
    BatchState,
    CertificateStatus,
    IssuingError,
    Journal,
    NotAccredited,
    issue_batch,
    issue_documents,
    replace,
    resume,
    revoke,
)
from origincert.issuer.issuing import ANCHOR_DEADLINE, STEPS
from origincert.issuer.ledger import anchor_of, certificate_status
from origincert.signing import LocalSigner


def BERLIN(world) -> int:
    return world.chamber_ids["DE-berlin"]


def _b(hex_str: str) -> bytes:
    return bytes.fromhex(hex_str[2:])


def test_issue_one_is_a_batch_of_one_anchored_and_valid(
    world, berlin, journal, make_docs, tmp_path
):
    [doc] = make_docs(1)
    [issued] = issue_documents(
        world.client, berlin, [doc], journal=journal, out_dir=tmp_path / "out"
    )

    proof = issued["proof"]
    assert (
        proof["root"] == proof["leaf"] and proof["merkle_proof"] == [] and proof["batch_size"] == 1
    )
    assert proof["signer"] == berlin.address and proof["chain_id"] == world.client.chain_id
    anchor = anchor_of(world.client, world.chamber_ids["DE-berlin"], _b(proof["root"]))
    assert (
        anchor is not None
        and anchor.leaf_count == 1
        and anchor.issuer_id == world.chamber_ids["DE-berlin"]
    )
    on_disk = json.loads((tmp_path / "out" / f"{doc['number']}.coo.json").read_text())
    assert on_disk == issued
    assert journal.status(doc["number"]) is CertificateStatus.ANCHORED
    assert verdict_of(world.client, issued) == "VALID"


def test_issue_batch_anchors_every_certificate_in_one_transaction(
    world, berlin, journal, make_docs, tmp_path
):
    docs = make_docs(5)
    before = world.client.block_number()
    result = issue_batch(world.client, berlin, docs, journal=journal, out_dir=tmp_path / "out")

    assert world.client.block_number() == before + 1  # one transaction
    assert result.leaf_count == 5 and result.gas_used and result.tx_hash.startswith("0x")
    files = [json.loads((tmp_path / "out" / f"{d['number']}.coo.json").read_text()) for d in docs]
    assert {f["proof"]["root"] for f in files} == {result.root}
    for i, f in enumerate(files):
        p = f["proof"]
        assert p["leaf_index"] == i and p["batch_size"] == 5 and p["tx_hash"] == result.tx_hash
        assert merkle.verify_proof(_b(p["leaf"]), [_b(x) for x in p["merkle_proof"]], _b(p["root"]))
        assert f["document"]["number"] == docs[i]["number"]
    assert verdict_of(world.client, files[3]) == "VALID"
    assert journal.counts() == {"anchored": 5}
    b = journal.batch(result.batch_id)
    assert b.state is BatchState.ANCHORED and b.files_written and b.block_number == before + 1


def test_a_run_passes_every_step_in_order(world, berlin, journal, make_docs, tmp_path):
    """The ``step`` callback hears each point of STEPS, in order: where the crash tests kill."""
    seen: list[str] = []
    issue_batch(
        world.client, berlin, make_docs(4), journal=journal, out_dir=tmp_path, step=seen.append
    )
    assert list(dict.fromkeys(seen)) == list(STEPS)
    assert seen.count("mid_files") == 1 and seen[-1] == "mid_files"


def test_relayer_sends_the_anchor_the_issuing_body_signs_it(world, berlin, journal, make_docs):
    relayer = test_account("relayer")
    result = issue_batch(world.client, berlin, make_docs(2), journal=journal, relayer=relayer)
    tx = world.client.w3.eth.get_transaction(result.tx_hash)
    assert tx["from"] == relayer.address
    assert journal.batch(result.batch_id).signer == berlin.address


def test_revoke_a_leaf_of_a_batch_leaves_the_others(world, berlin, journal, make_docs):
    docs = make_docs(3)
    files = issue_documents(world.client, berlin, docs, journal=journal)
    action = revoke(world.client, berlin, journal, docs[1]["number"], "lost")

    assert action.reason == 4 and action.tx_hash is not None
    root = _b(files[0]["proof"]["root"])
    statuses = [
        certificate_status(world.client, BERLIN(world), root, _b(f["proof"]["leaf"])) for f in files
    ]
    assert [s.revoked for s in statuses] == [False, True, False]
    assert statuses[1].anchor.revoked_at == 0  # the leaf, not the batch
    assert journal.status(docs[1]["number"]) is CertificateStatus.REVOKED
    assert journal.status(docs[0]["number"]) is CertificateStatus.ANCHORED
    assert verdict_of(world.client, files[1]) == "REVOKED"
    assert verdict_of(world.client, files[0]) == "VALID"

    with pytest.raises(IssuingError, match="already revoked") as e:
        revoke(world.client, berlin, journal, docs[1]["number"], "fraud")
    assert e.value.code == "already_revoked"
    assert len(journal.actions()) == 1  # the refused one was not recorded


def test_revoke_a_single_certificate_revokes_its_root(world, berlin, journal, make_docs):
    [doc] = make_docs(1)
    [issued] = issue_documents(world.client, berlin, [doc], journal=journal)
    revoke(world.client, berlin, journal, doc["number"], "1")
    anchor = anchor_of(world.client, world.chamber_ids["DE-berlin"], _b(issued["proof"]["root"]))
    assert anchor.revoked_at != 0 and anchor.revocation_reason == 1


def test_revoke_refuses_unknown_number_and_bad_reason(world, berlin, journal, make_docs):
    issue_documents(world.client, berlin, make_docs(1), journal=journal)
    with pytest.raises(JournalError) as e:
        revoke(world.client, berlin, journal, "DE-NOPE-1", "lost")
    assert e.value.code == "unknown_number"
    with pytest.raises(IssuingError) as e:
        revoke(world.client, berlin, journal, "DE-T-00000", "because")
    assert e.value.code == "bad_reason"
    assert journal.actions() == []


def test_replace_issues_the_successor_and_links_it_on_chain(
    world, berlin, journal, make_docs, tmp_path
):
    old, new = make_docs(2)
    [old_file] = issue_documents(
        world.client, berlin, [old], journal=journal, out_dir=tmp_path / "out"
    )
    _, action = replace(
        world.client,
        berlin,
        journal,
        old["number"],
        new,
        out_dir=tmp_path / "out",
        reason="amended consignee",
    )

    new_file = json.loads((tmp_path / "out" / f"{new['number']}.coo.json").read_text())
    assert new_file["document"]["replaces"] == {
        "number": old["number"], "issue_date": old["issue_date"], "reason": "amended consignee",
    }  # fmt: skip
    s = certificate_status(
        world.client, BERLIN(world), _b(old_file["proof"]["root"]), _b(old_file["proof"]["leaf"])
    )
    assert s.replaced and s.replaced_by_leaf == _b(new_file["proof"]["leaf"])
    assert action.new_number == new["number"] and action.tx_hash is not None
    assert journal.status(old["number"]) is CertificateStatus.REPLACED
    assert journal.status(new["number"]) is CertificateStatus.ANCHORED
    assert verdict_of(world.client, old_file) == "REPLACED"
    assert verdict_of(world.client, new_file) == "VALID"

    with pytest.raises(IssuingError) as e:
        replace(world.client, berlin, journal, old["number"], make_docs(1)[0], reason="again")
    assert e.value.code == "already_replaced"


def test_replace_refuses_a_document_that_replaces_another(world, berlin, journal, make_docs):
    old, new = make_docs(2)
    issue_documents(world.client, berlin, [old], journal=journal)
    new = {
        **new,
        "replaces": {"number": "DE-OTHER-1", "issue_date": old["issue_date"], "reason": "x"},
    }
    with pytest.raises(IssuingError) as e:
        replace(world.client, berlin, journal, old["number"], new)
    assert e.value.code == "replaces_mismatch"
    with pytest.raises(IssuingError) as e:
        replace(world.client, berlin, journal, old["number"], make_docs(1)[0])
    assert e.value.code == "replace_reason_missing"
    assert journal.counts() == {"anchored": 1}


def test_duplicate_number_is_refused_and_nothing_written(world, berlin, journal, make_docs):
    docs = make_docs(2)
    issue_documents(world.client, berlin, docs[:1], journal=journal)
    block = world.client.block_number()
    again = copy.deepcopy(docs[0])
    with pytest.raises(JournalError, match=docs[0]["number"]) as e:
        issue_documents(world.client, berlin, [docs[1], again], journal=journal)
    assert e.value.code == "duplicate_number"
    with pytest.raises(JournalError) as e:
        issue_documents(world.client, berlin, [docs[1], copy.deepcopy(docs[1])], journal=journal)
    assert e.value.code == "duplicate_number"
    assert journal.counts() == {"anchored": 1} and len(journal.batches()) == 1
    assert world.client.block_number() == block


def test_invalid_documents_are_all_named_and_nothing_recorded(world, berlin, journal, make_docs):
    docs = make_docs(4)
    docs[1]["goods"][0]["hs_code"] = "12"
    del docs[3]["exporter"]
    with pytest.raises(DocumentError) as e:
        issue_batch(
            world.client,
            berlin,
            docs,
            journal=journal,
            labels=["a.json", "b.json", "c.json", "d.json"],
        )
    assert "2 of 4 documents" in str(e.value)
    assert {p.split(":")[0] for p, _ in e.value.problems} == {"b.json", "d.json"}
    assert journal.batches() == []


def test_document_of_another_economy_is_refused(world, berlin, journal, make_docs):
    [doc] = make_docs(1, prefix="SG-T", economy="SG")
    with pytest.raises(DocumentError) as e:
        issue_documents(world.client, berlin, [doc], journal=journal)
    assert e.value.code == "issuing_body_mismatch"
    assert journal.batches() == []


def test_unregistered_key_is_refused_naming_its_standing(world, journal, make_docs):
    stranger = LocalSigner(test_account("stranger"))
    with pytest.raises(NotAccredited, match="not registered") as e:
        issue_documents(world.client, stranger, make_docs(1), journal=journal)
    assert e.value.standing is Standing.UNKNOWN and e.value.code == "issuer_not_accredited"
    assert journal.batches() == []


def test_suspended_issuer_is_refused_naming_suspension(world, berlin, journal, make_docs):
    governance.suspend(world.client, world.authorities["DE"], world.chamber_ids["DE-berlin"], 1)
    block = world.client.block_number()
    with pytest.raises(NotAccredited, match="suspended") as e:
        issue_documents(world.client, berlin, make_docs(1), journal=journal)
    assert e.value.standing is Standing.SUSPENDED
    assert journal.batches() == [] and world.client.block_number() == block


def test_suspension_between_prepare_and_resume_is_refused_then_finished(
    world, berlin, journal, make_docs
):
    """A batch left prepared is not sent for a suspended body; after reinstatement resume anchors it."""
    docs = make_docs(2)

    def stop(name: str) -> None:
        if name == "after_prepare":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        issue_batch(world.client, berlin, docs, journal=journal, step=stop)
    assert journal.counts() == {"prepared": 2}

    chamber = world.chamber_ids["DE-berlin"]
    governance.suspend(world.client, world.authorities["DE"], chamber, 1)
    with pytest.raises(NotAccredited, match="suspended"):
        resume(world.client, berlin, journal)
    # Nothing is signed while suspended: the signature would name an epoch that is void.
    assert journal.counts() == {"prepared": 2}

    governance.reinstate(world.client, world.authorities["DE"], chamber)
    report = resume(world.client, berlin, journal)
    assert [r.leaf_count for r in report.batches] == [2] and journal.counts() == {"anchored": 2}


def test_a_signature_voided_by_a_new_epoch_or_its_deadline_is_signed_again(
    world, berlin, journal, make_docs
):
    """Signed, then the body's epoch moved (suspend + reinstate) and the deadline passed: the old
    signature can never be anchored, so resume signs the same root again and anchors it."""

    def stop(name: str) -> None:
        if name == "after_sign":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        issue_batch(world.client, berlin, make_docs(2), journal=journal, step=stop)
    [signed] = journal.batches()
    chamber = world.chamber_ids["DE-berlin"]
    governance.suspend(world.client, world.authorities["DE"], chamber, 1)
    governance.reinstate(world.client, world.authorities["DE"], chamber)
    world.advance(ANCHOR_DEADLINE + 10)
    report = resume(world.client, berlin, journal)
    [anchored] = journal.batches()
    assert [r.leaf_count for r in report.batches] == [2] and journal.counts() == {"anchored": 2}
    assert anchored.root == signed.root and anchored.signature != signed.signature
    assert anchored.epoch == signed.epoch + 2 == governance.epoch_of(world.client, chamber)
    assert anchored.deadline > signed.deadline


def test_journal_of_another_issuing_body_is_refused(world, berlin, journal, make_docs):
    issue_documents(world.client, berlin, make_docs(1), journal=journal)
    hamburg = LocalSigner(world.chambers["DE-hamburg"])
    with pytest.raises(JournalError) as e:
        issue_documents(world.client, hamburg, make_docs(1), journal=journal)
    assert e.value.code == "journal_mismatch"


def test_node_down_is_chain_unavailable_and_records_nothing(world, berlin, journal, make_docs):
    from chainutil import free_port

    dead = copy.copy(world.client)
    dead.w3 = Web3(
        Web3.HTTPProvider(f"http://127.0.0.1:{free_port()}", request_kwargs={"timeout": 2})
    )
    dead._issuers = dead._certificates = None
    with pytest.raises(ChainUnavailable):
        issue_documents(dead, berlin, make_docs(2), journal=journal)
    assert journal.batches() == []


def test_a_batch_larger_than_the_database_cache(world, berlin, journal, make_docs, tmp_path):
    """Hundreds of certificates spill SQLite's page cache mid-transaction (an exclusive lock):
    nothing in the batch's own recording may read the journal through another connection."""
    docs = make_docs(1000)
    result = issue_batch(
        world.client, berlin, docs, journal=journal, out_dir=tmp_path / "out", workers=2
    )
    assert result.leaf_count == 1000 and journal.counts() == {"anchored": 1000}
    assert len(list((tmp_path / "out").iterdir())) == 1000


def test_interrupted_revocation_is_found_on_the_ledger_not_sent_again(
    world, berlin, journal, make_docs, monkeypatch
):
    docs = make_docs(2)
    issue_documents(world.client, berlin, docs, journal=journal)

    def crash(*args, **kwargs):
        raise KeyboardInterrupt  # the process dies after the transaction was mined

    with monkeypatch.context() as m:
        m.setattr(Journal, "mark_action_done", crash)
        with pytest.raises(KeyboardInterrupt):
            revoke(world.client, berlin, journal, docs[0]["number"], "lost")
    [pending] = journal.actions(pending=True)
    assert pending.state.value == "submitted" and pending.tx_hash is not None
    nonce = world.client.w3.eth.get_transaction_count(berlin.address)

    report = resume(world.client, berlin, journal)
    [action] = report.actions
    assert action.found_on_ledger and action.tx_hash == pending.tx_hash
    assert world.client.w3.eth.get_transaction_count(berlin.address) == nonce
    assert journal.status(docs[0]["number"]) is CertificateStatus.REVOKED


def test_interrupted_replacement_is_linked_by_resume(
    world, berlin, journal, make_docs, monkeypatch
):
    from origincert.issuer import actions

    old, new = make_docs(2)
    issue_documents(world.client, berlin, [old], journal=journal)

    def crash(*args, **kwargs):
        raise KeyboardInterrupt  # the successor is anchored, the link not yet sent

    with monkeypatch.context() as m:
        m.setattr(actions, "finish_action", crash)
        with pytest.raises(KeyboardInterrupt):
            replace(world.client, berlin, journal, old["number"], new, reason="amended")
    assert journal.status(new["number"]) is CertificateStatus.ANCHORED
    assert journal.status(old["number"]) is CertificateStatus.ANCHORED

    report = resume(world.client, berlin, journal)
    [action] = report.actions
    assert action.new_number == new["number"] and not action.found_on_ledger
    batch, cert = journal.locate(old["number"])
    assert certificate_status(world.client, BERLIN(world), batch.root, cert.leaf).replaced
    assert journal.status(old["number"]) is CertificateStatus.REPLACED
