"""The ledger's own checks on block headers: links, no gaps, time never backwards."""

from __future__ import annotations

from origincert.audit.blocks import Header, check_headers


def _chain(n: int, start: int = 10, t0: int = 1000) -> list[Header]:
    out, parent = [], "0x" + "00" * 32
    for i in range(n):
        h = "0x" + f"{start + i:064x}"
        out.append(Header(start + i, h, parent, t0 + 2 * i))
        parent = h
    return out


def test_a_linked_chain_is_clean_across_calls() -> None:
    chain = _chain(6)
    assert check_headers(None, chain) == []
    assert (
        check_headers(chain[2], chain[3:]) == []
    )  # continuing from the last header of a previous range


def test_a_broken_link_a_gap_and_time_going_back() -> None:
    chain = _chain(6)
    chain[2] = Header(chain[2].number, chain[2].hash, "0x" + "ab" * 32, chain[2].timestamp)
    chain[4] = Header(chain[4].number, chain[4].hash, chain[4].parent_hash, chain[3].timestamp - 1)
    found = check_headers(None, chain[:5] + chain[5:])
    assert [(f.code, f.block) for f in found] == [
        ("ledger.broken_link", 12),
        ("ledger.time_went_back", 14),
    ]
    assert [(f.code, f.block) for f in check_headers(chain[0], chain[2:3])] == [
        ("ledger.missing_block", 12)
    ]


def test_equal_timestamps_are_allowed() -> None:
    a, b = _chain(2)
    assert check_headers(a, [Header(b.number, b.hash, b.parent_hash, a.timestamp)]) == []
