"""Batch trees per docs/FORMAT.md: fixed vectors, and random batches against a naive reference."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from Crypto.Hash import keccak as pycryptodome_keccak
from hypothesis import given, settings
from hypothesis import strategies as st

from origincert.merkle import (
    MerkleError,
    MerkleTree,
    hash_pair,
    leaf_hash,
    root_from_proof,
    verify_proof,
)

VECTOR_FILES = sorted((Path(__file__).parent / "vectors").glob("merkle-*.json"))
hashes32 = st.binary(min_size=32, max_size=32)


def unhex(value: str) -> bytes:
    assert value.startswith("0x")
    return bytes.fromhex(value[2:])


def kk(data: bytes) -> bytes:
    return pycryptodome_keccak.new(digest_bits=256, data=data).digest()


def reference_root(nodes: list[bytes]) -> bytes:
    """FORMAT.md written out the slow, obvious way."""
    while len(nodes) > 1:
        pairs = [kk(min(a, b) + max(a, b)) for a, b in zip(nodes[::2], nodes[1::2])]
        nodes = pairs + ([nodes[-1]] if len(nodes) % 2 else [])
    return nodes[0]


def test_vector_files_cover_the_agreed_sizes() -> None:
    sizes = sorted(len(json.loads(p.read_text())["leaves"]) for p in VECTOR_FILES)
    assert sizes == [1, 2, 3, 5, 8, 13]


@pytest.mark.parametrize("path", VECTOR_FILES, ids=lambda p: p.stem)
def test_vectors(path: Path) -> None:
    v = json.loads(path.read_text())
    leaves = [unhex(x) for x in v["leaves"]]
    assert [leaf_hash(unhex(t)) for t in v["targets"]] == leaves
    tree = MerkleTree.build(leaves)
    assert tree.root == unhex(v["root"])
    for i, expected in enumerate(v["proofs"]):
        assert tree.proof(i) == tuple(unhex(x) for x in expected)
        assert verify_proof(leaves[i], tree.proof(i), tree.root)


def test_leaf_is_double_keccak_of_the_target() -> None:
    target = bytes(range(32))
    assert leaf_hash(target) == kk(kk(target))


def test_single_leaf_is_its_own_root_with_an_empty_proof() -> None:
    leaf = leaf_hash(b"\x07" * 32)
    tree = MerkleTree.build([leaf])
    assert tree.root == leaf
    assert tree.proof(0) == ()
    assert verify_proof(leaf, (), leaf)


def test_odd_level_carries_its_last_node_up_unchanged() -> None:
    a, b, c = (leaf_hash(bytes([i]) * 32) for i in range(3))
    tree = MerkleTree.build([a, b, c])
    assert tree.root == hash_pair(hash_pair(a, b), c)
    assert tree.proof(2) == (hash_pair(a, b),)


@settings(max_examples=150, deadline=None)
@given(st.lists(hashes32, min_size=1, max_size=70))
def test_random_batches_match_the_reference_and_every_proof_verifies(leaves: list[bytes]) -> None:
    tree = MerkleTree.build(leaves)
    assert tree.root == reference_root(leaves)
    assert len(tree) == len(leaves)
    for i, leaf in enumerate(leaves):
        proof = tree.proof(i)
        assert len(proof) <= (len(leaves) - 1).bit_length()
        assert root_from_proof(leaf, proof) == tree.root


@settings(max_examples=100, deadline=None)
@given(st.lists(hashes32, min_size=2, max_size=40, unique=True), st.data())
def test_a_proof_proves_only_its_own_leaf(leaves: list[bytes], data: st.DataObject) -> None:
    tree = MerkleTree.build(leaves)
    i = data.draw(st.integers(0, len(leaves) - 1))
    j = data.draw(st.integers(0, len(leaves) - 1).filter(lambda k: k != i))
    assert not verify_proof(leaves[j], tree.proof(i), tree.root)
    outsider = kk(b"not in the batch" + leaves[i])
    assert not verify_proof(outsider, tree.proof(i), tree.root)


@given(hashes32, hashes32)
def test_hash_pair_is_order_independent(a: bytes, b: bytes) -> None:
    assert hash_pair(a, b) == hash_pair(b, a) == kk(min(a, b) + max(a, b))


def test_wrong_root_does_not_verify() -> None:
    leaves = [leaf_hash(bytes([i]) * 32) for i in range(5)]
    tree = MerkleTree.build(leaves)
    other = MerkleTree.build(leaves[:4])
    assert not verify_proof(leaves[0], tree.proof(0), other.root)


def test_duplicate_leaves_each_get_a_proof_by_position() -> None:
    same = leaf_hash(b"\x01" * 32)
    tree = MerkleTree.build([same, leaf_hash(b"\x02" * 32), same])
    assert tree.proof(0) != tree.proof(2)
    assert verify_proof(same, tree.proof(0), tree.root) and verify_proof(
        same, tree.proof(2), tree.root
    )


def test_empty_batch_is_an_error() -> None:
    with pytest.raises(MerkleError, match="at least one leaf") as exc:
        MerkleTree.build([])
    assert exc.value.code == "batch_empty"


@pytest.mark.parametrize("bad", [b"\x00" * 31, b"\x00" * 33, "0x" + "00" * 32, None, 5])
def test_malformed_leaves_are_refused(bad: object) -> None:
    with pytest.raises(MerkleError, match="leaf 1 must be 32 bytes") as exc:
        MerkleTree.build([bytes(32), bad])  # type: ignore[list-item]
    assert exc.value.code == "leaf_malformed"


def test_one_bytes_value_is_not_a_sequence_of_leaves() -> None:
    with pytest.raises(MerkleError) as exc:
        MerkleTree.build(bytes(64))
    assert exc.value.code == "leaf_malformed"


@pytest.mark.parametrize("index", [-1, 3, True, 1.0, "0"])
def test_proof_index_must_be_in_the_batch(index: object) -> None:
    tree = MerkleTree.build([bytes(32), b"\x01" * 32, b"\x02" * 32])
    with pytest.raises(MerkleError, match="not in a batch of 3") as exc:
        tree.proof(index)  # type: ignore[arg-type]
    assert exc.value.code == "index_out_of_range"


@pytest.mark.parametrize(
    ("leaf", "proof", "root", "code"),
    [
        (bytes(31), (), bytes(32), "leaf_malformed"),
        (bytes(32), (bytes(32), bytes(20)), bytes(32), "proof_malformed"),
        (bytes(32), bytes(32), bytes(32), "proof_malformed"),
        (bytes(32), (), "0x00", "root_malformed"),
    ],
)
def test_malformed_proof_inputs_raise(leaf: object, proof: object, root: object, code: str) -> None:
    with pytest.raises(MerkleError) as exc:
        verify_proof(leaf, proof, root)  # type: ignore[arg-type]
    assert exc.value.code == code


def test_target_and_pair_sizes_are_checked() -> None:
    with pytest.raises(MerkleError) as exc:
        leaf_hash(b"short")
    assert exc.value.code == "target_hash_malformed"
    with pytest.raises(MerkleError) as exc:
        hash_pair(bytes(32), b"short")
    assert exc.value.code == "node_malformed"


def test_tree_is_frozen() -> None:
    tree = MerkleTree.build([bytes(32), b"\x01" * 32])
    with pytest.raises(dataclasses.FrozenInstanceError):
        tree.levels = ()  # type: ignore[misc]


def test_leaves_given_as_bytearray_are_copied_not_shared() -> None:
    leaf = bytearray(32)
    tree = MerkleTree.build([leaf, b"\x01" * 32])
    root = tree.root
    leaf[0] = 0xFF
    assert tree.leaves[0] == bytes(32) and tree.root == root
