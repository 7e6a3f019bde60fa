"""The issuer's event lookups are paged: no single eth_getLogs spans more than LOG_PAGE blocks."""

from __future__ import annotations

import os

import pytest

from origincert.issuer import ledger
from origincert.signing import LocalSigner, sign_anchor


def test_find_event_pages_its_log_queries(world, monkeypatch: pytest.MonkeyPatch) -> None:
    client = world.client
    signer = LocalSigner(world.chambers["DE-berlin"])
    root = os.urandom(32)
    r, vs = sign_anchor(signer, root, 1, client.chain_id, client.certificates.address).compact()
    anchored = client.send(client.certificates.functions.anchor(root, 1, r, vs), signer)
    for _ in range(5):
        world.rpc("evm_mine")
    spans: list[int] = []
    real = client.w3.eth.get_logs

    def spy(params):
        spans.append(int(params["toBlock"]) - int(params["fromBlock"]) + 1)
        return real(params)

    monkeypatch.setattr(client.w3.eth, "get_logs", spy)
    monkeypatch.setattr(ledger, "LOG_PAGE", 2)
    start = anchored.block_number - 4
    found = ledger.find_event(client, "Anchored", {"root": root}, from_block=start)
    assert found is not None and found.block_number == anchored.block_number
    assert len(spans) == 3 and max(spans) <= 2  # blocks -4..-3, -2..-1, then the anchor's
    spans.clear()
    assert ledger.find_event(client, "Anchored", {"root": os.urandom(32)}, from_block=start) is None
    assert max(spans) <= 2 and sum(spans) == client.block_number() - start + 1
