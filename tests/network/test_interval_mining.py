"""The same waiting logic on Hardhat mining a block every second (``evm_setIntervalMining``):
confirmations counted, single issuance at block speed, and a transaction the node dropped handed
to it again as signed."""

from __future__ import annotations

import os
import time
from pathlib import Path

from chainutil import World

from origincert.issuer import Journal, issue_each
from origincert.issuer.ledger import anchor_terms
from origincert.signing import LocalSigner, sign_anchor


def _anchor_tx(world: World) -> str:
    """Send an anchoring transaction of a fresh root without waiting: its hash."""
    client = world.client
    signer = LocalSigner(world.chambers["DE-berlin"])
    terms = anchor_terms(client, signer.address)
    deadline = world.now() + 3600
    root = os.urandom(32)
    r, vs = sign_anchor(
        signer, root, 1, terms.issuer_id, terms.epoch, deadline, client.chain_id,
        client.certificates.address,
    ).compact()  # fmt: skip
    fn = client.certificates.functions.anchor(
        root, 1, terms.issuer_id, terms.epoch, deadline, r, vs
    )
    return client.submit(fn, signer)


def test_a_receipt_counts_once_deep_enough(interval_world: World) -> None:
    client = interval_world.client
    start = time.monotonic()
    tx_hash = _anchor_tx(interval_world)
    assert client.w3.eth.get_transaction(tx_hash)["blockNumber"] is None  # pending: no automine
    done = client.wait(tx_hash, confirmations=3, timeout=30)
    assert client.block_number() >= done.block_number + 2
    assert time.monotonic() - start >= 2.0  # three blocks at one a second


def test_single_issuance_goes_at_block_speed(
    interval_world: World, make_docs, tmp_path: Path
) -> None:
    client = interval_world.client
    signer = LocalSigner(interval_world.chambers["DE-berlin"])
    docs = make_docs(8, prefix="DE-SPEED")
    first_block = client.block_number()
    with Journal.open(tmp_path / "j.sqlite") as journal:
        results = issue_each(client, signer, docs, journal=journal, out_dir=tmp_path / "out")
        assert journal.counts() == {"anchored": 8}
    blocks = [r.block_number for r in results]
    # Not one block each: blocks carry several (how many depends on the machine's load).
    assert len(set(blocks)) < len(blocks)
    assert max(blocks.count(b) for b in blocks) >= 2
    assert max(blocks) - first_block < len(blocks)
    assert [r.numbers[0] for r in results] == [d["number"] for d in docs]
    assert len(list((tmp_path / "out").glob("*.coo.json"))) == 8


def test_a_dropped_transaction_is_handed_back_as_signed(interval_world: World) -> None:
    client = interval_world.client
    tx_hash = _anchor_tx(interval_world)
    assert client.w3.provider.make_request("hardhat_dropTransaction", [tx_hash])["result"]
    # The node forgot it; the client kept the signed bytes and hands them back while it waits.
    done = client.wait(tx_hash, timeout=30)
    assert done.tx_hash == tx_hash and done.receipt["status"] == 1
