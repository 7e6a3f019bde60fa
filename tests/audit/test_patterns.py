"""Patterns on hand-built histories: a day far above usual, anchoring at unusual hours."""

from __future__ import annotations

from audit.auditkit import KEY_1, KEY_2, T0, consortium, h32
from origincert.audit.patterns import PatternPolicy, find_patterns
from origincert.audit.rules import audit_transactions
from origincert.audit.state import DAY, HOUR

POLICY = PatternPolicy(
    spike_factor=5,
    spike_min=20,
    spike_min_history=7,
    off_hours_min_anchors=40,
    off_hours_share=0.05,
)


def _daily(
    t, key: str, issuer: int, counts: list[int], *, hour: int = 10, start_day: int = 1
) -> None:
    """``counts[i]`` certificates (one batch) on day ``start_day + i`` at ``hour`` UTC."""
    for i, n in enumerate(counts):
        t.at(T0 + (start_day + i) * DAY + hour * HOUR)
        t.anchor(key, h32(f"{key}-{start_day + i}-{hour}"), issuer, n)


def test_a_day_far_above_the_issuers_usual_volume() -> None:
    t = consortium()
    _daily(t, KEY_1, 1, [3, 4, 2, 3, 5, 3, 4, 3, 60])
    _daily(t, KEY_2, 2, [3, 4, 2, 3, 5, 3, 4, 3, 14])  # more than usual, but not far above
    state, findings = audit_transactions(t.txs)
    assert findings == []
    reported: set[str] = set()
    found = find_patterns(state, reported, T0, t.timestamp, POLICY)
    assert [
        (f.code, f.issuer_id, f.details["certificates"], f.details["usual"], f.tx_hash)
        for f in found
    ] == [("pattern.volume_spike", 1, 60, 3, t.txs[-10].tx_hash)]
    assert find_patterns(state, reported, T0, t.timestamp, POLICY) == []  # reported once
    state.store.close()


def test_no_spike_without_a_week_of_history_or_outside_the_range() -> None:
    t = consortium()
    _daily(t, KEY_1, 1, [3, 3, 3, 3, 3, 80])
    state, _ = audit_transactions(t.txs)
    assert find_patterns(state, set(), T0, t.timestamp, POLICY) == []
    _daily(t, KEY_1, 1, [3, 3, 3, 80], start_day=7)
    state, _ = audit_transactions(t.txs)
    assert [f.code for f in find_patterns(state, set(), T0, t.timestamp, POLICY)] == [
        "pattern.volume_spike"
    ]
    assert (
        find_patterns(state, set(), t.timestamp + DAY, t.timestamp + 2 * DAY, POLICY) == []
    )  # a later range
    state.store.close()


def test_anchoring_at_hours_the_issuer_never_works() -> None:
    t = consortium()
    for day in range(10):
        for hour in (9, 10, 11, 14, 15):
            t.at(T0 + day * DAY + hour * HOUR)
            t.anchor(KEY_1, h32(f"work-{day}-{hour}"), 1)
    night = T0 + 10 * DAY + 3 * HOUR
    t.at(night).anchor(KEY_1, h32("night-1"), 1)
    first_night = t.txs[-1]
    t.anchor(KEY_1, h32("night-2"), 1)
    state, _ = audit_transactions(t.txs)
    found = find_patterns(state, set(), T0, t.timestamp, POLICY)
    assert [(f.code, f.details["anchors"], f.tx_hash, f.details["usual_hours"]) for f in found] == [
        ("pattern.off_hours", 2, first_night.tx_hash, [9, 10, 11, 14, 15])
    ]
    assert (
        find_patterns(state, set(), night + HOUR, t.timestamp + DAY, POLICY) == []
    )  # not in this range
    state.store.close()
