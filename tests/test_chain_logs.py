"""Every log query is paged: a node that refuses wide ranges (Besu: 5,000 blocks) still answers
the issuer's look-ups of old certificates."""

from __future__ import annotations

import os

import pytest
from chainutil import World, anchor

from origincert.chain.logs import block_spans, default_log_span
from origincert.errors import ChainError
from origincert.issuer.ledger import find_event


def test_block_spans_cover_the_range_without_gaps_or_overlap() -> None:
    assert list(block_spans(5, 14, 4)) == [(5, 8), (9, 12), (13, 14)]
    assert list(block_spans(5, 5, 1000)) == [(5, 5)]
    assert list(block_spans(6, 5, 10)) == []
    with pytest.raises(ValueError):
        list(block_spans(0, 1, 0))


def test_the_span_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORIGINCERT_LOG_SPAN", "250")
    assert default_log_span() == 250
    monkeypatch.setenv("ORIGINCERT_LOG_SPAN", "0")
    with pytest.raises(ChainError) as exc:
        default_log_span()
    assert exc.value.code == "bad_log_span"


def test_find_event_asks_no_range_wider_than_the_span(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = world.client
    root = os.urandom(32)
    tx = anchor(world, world.chambers["DE-berlin"], root)
    for _ in range(7):
        world.rpc("evm_mine")
    asked: list[tuple[int, int]] = []
    real = c.w3.eth.get_logs

    def spy(query):  # a node that refuses more than 3 blocks per query
        lo, hi = int(query["fromBlock"]), int(query["toBlock"])
        asked.append((lo, hi))
        if hi - lo + 1 > 3:
            raise AssertionError("range too wide")
        return real(query)

    monkeypatch.setattr(c.w3.eth, "get_logs", spy)
    monkeypatch.setattr(c, "log_span", 3)
    start = tx.block_number - 4
    event = find_event(c, "Anchored", [root], from_block=start)
    assert event is not None and event.tx_hash == tx.tx_hash
    assert asked[0][0] == start and all(hi - lo < 3 for lo, hi in asked)
    assert len(asked) == 2  # stops at the first span that holds it
    assert find_event(c, "Anchored", [os.urandom(32)], from_block=start) is None
    assert asked[-1][1] == c.block_number()  # searched to the head, span by span
