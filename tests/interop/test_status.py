"""Bitstring Status List encoding and the ledger-order index."""

from __future__ import annotations

import pytest

from origincert.interop.errors import InteropError
from origincert.interop.status import MIN_ENTRIES, decode_list, encode_list, is_set, status_index


def test_bits_round_trip_in_both_encodings() -> None:
    for multibase in (True, False):
        encoded = encode_list([0, 9, MIN_ENTRIES - 1], multibase=multibase)
        assert encoded.startswith("uH4sI" if multibase else "H4sI")
        bits = decode_list(encoded)
        assert len(bits) * 8 == MIN_ENTRIES
        assert [i for i in (0, 1, 8, 9, MIN_ENTRIES - 1) if is_set(bits, i)] == [
            0,
            9,
            MIN_ENTRIES - 1,
        ]
        assert bits[0] == 0x80  # bit 0 is the most significant bit of the first byte


def test_bad_lists_and_indexes_are_refused() -> None:
    with pytest.raises(InteropError):
        encode_list([MIN_ENTRIES])
    with pytest.raises(InteropError) as info:
        decode_list("u!!!")
    assert info.value.code == "status_list_malformed"


def test_index_follows_the_ledger_order_of_batches() -> None:
    a, b, c = b"a" * 32, b"b" * 32, b"c" * 32
    batches = [(a, 5), (b, 1), (c, 300)]
    assert status_index(batches, a, 4) == 4
    assert status_index(batches, b, 0) == 5
    assert status_index(batches, c, 2) == 8
    with pytest.raises(InteropError):
        status_index(batches, b, 1)
    with pytest.raises(InteropError):
        status_index(batches, b"d" * 32, 0)


def test_revoked_indexes_from_events() -> None:
    from origincert.interop.status import revoked_indexes

    anchors = [("0xaa", 3), ("0xbb", 2)]
    positions = {("0xaa", "0x01"): 1, ("0xbb", "0x02"): 0}
    bits = revoked_indexes(
        anchors,
        revoked_roots=[],
        revoked_leaves=[("0xAA", "0x01"), ("0xcc", "0x09")],
        positions=positions,
    )
    assert bits == {1}  # another body's batch (0xcc) is ignored
    assert revoked_indexes(anchors, revoked_roots=["0xbb"], revoked_leaves=[], positions={}) == {
        3,
        4,
    }
    assert revoked_indexes(
        anchors, revoked_roots=[], revoked_leaves=[], positions={}, withdrawn_for_fraud=True
    ) == set(range(5))
    with pytest.raises(InteropError) as info:
        revoked_indexes(
            anchors, revoked_roots=[], revoked_leaves=[("0xbb", "0x07")], positions=positions
        )
    assert info.value.code == "status_leaf_unknown"
