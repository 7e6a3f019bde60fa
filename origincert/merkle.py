"""Batch Merkle trees per docs/FORMAT.md, checkable on chain by OpenZeppelin ``MerkleProof``.

Leaves are double-hashed (``keccak256(keccak256(target_hash))``) so no 64-byte inner node can pass
for a leaf; pairs are sorted before hashing, so a proof is just the sibling hashes, no directions.
A level with an odd count carries its last node up unchanged. The tree keeps every level, so a
proof is read off by index in O(log N), never found by searching.

    >>> tree = MerkleTree.build([leaf_hash(bytes(32)), leaf_hash(b"\\x01" * 32)])
    >>> verify_proof(tree.leaves[1], tree.proof(1), tree.root)
    True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from eth_hash.auto import keccak

from origincert.errors import MerkleError

__all__ = ["MerkleError", "MerkleTree", "hash_pair", "leaf_hash", "root_from_proof", "verify_proof"]

HASH_SIZE = 32


def _check_hash(value: object, what: str, code: str) -> bytes:
    if not isinstance(value, (bytes, bytearray)) or len(value) != HASH_SIZE:
        got = (
            f"{len(value)} bytes" if isinstance(value, (bytes, bytearray)) else type(value).__name__
        )
        raise MerkleError(f"{what} must be {HASH_SIZE} bytes, got {got}", code=code)
    return bytes(value)


def leaf_hash(target_hash: bytes) -> bytes:
    """The leaf of a certificate: OpenZeppelin's double-hashed leaf of its 32-byte target hash."""
    return keccak(keccak(_check_hash(target_hash, "a target hash", "target_hash_malformed")))


def _pair(a: bytes, b: bytes) -> bytes:
    # Byte order of equal-length strings is the numeric order Solidity uses for bytes32.
    return keccak(a + b if a <= b else b + a)


def hash_pair(a: bytes, b: bytes) -> bytes:
    """An inner node: ``keccak256(min(a, b) || max(a, b))``, as ``MerkleProof`` computes it."""
    return _pair(
        _check_hash(a, "a node", "node_malformed"), _check_hash(b, "a node", "node_malformed")
    )


def _next_level(level: tuple[bytes, ...]) -> tuple[bytes, ...]:
    n = len(level)
    parents = [_pair(level[i], level[i + 1]) for i in range(0, n - 1, 2)]
    if n % 2:
        parents.append(level[-1])
    return tuple(parents)


@dataclass(frozen=True, slots=True)
class MerkleTree:
    """Every level of a batch tree, leaves first, root last. Build it with ``MerkleTree.build``."""

    levels: tuple[tuple[bytes, ...], ...]

    @classmethod
    def build(cls, leaves: Sequence[bytes]) -> MerkleTree:
        """Build in O(N) from leaf hashes (``leaf_hash`` of each target hash), in batch order.

        Raises MerkleError ``batch_empty`` for no leaves, ``leaf_malformed`` for a leaf that is
        not 32 bytes.
        """
        if isinstance(leaves, (bytes, bytearray, str)):
            raise MerkleError(
                "leaves must be a sequence of 32-byte hashes, not one value", code="leaf_malformed"
            )
        level = tuple(
            _check_hash(leaf, f"leaf {i}", "leaf_malformed") for i, leaf in enumerate(leaves)
        )
        if not level:
            raise MerkleError("a batch needs at least one leaf", code="batch_empty")
        levels = [level]
        while len(level) > 1:
            level = _next_level(level)
            levels.append(level)
        return cls(tuple(levels))

    @property
    def root(self) -> bytes:
        return self.levels[-1][0]

    @property
    def leaves(self) -> tuple[bytes, ...]:
        return self.levels[0]

    def __len__(self) -> int:
        return len(self.levels[0])

    def proof(self, index: int) -> tuple[bytes, ...]:
        """The sibling hashes from leaf ``index`` up to the root (empty for a batch of one).

        Raises MerkleError ``index_out_of_range`` unless ``0 <= index < len(self)``.
        """
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(self):
            raise MerkleError(
                f"leaf index {index!r} is not in a batch of {len(self)}", code="index_out_of_range"
            )
        siblings = []
        for level in self.levels[:-1]:
            sibling = index ^ 1
            if sibling < len(level):  # the last node of an odd level has no sibling: carried up
                siblings.append(level[sibling])
            index >>= 1
        return tuple(siblings)


def root_from_proof(leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root that ``proof`` leads to from ``leaf`` (OpenZeppelin ``MerkleProof.processProof``).

    Raises MerkleError ``leaf_malformed`` / ``proof_malformed`` for hashes that are not 32 bytes.
    """
    node = _check_hash(leaf, "the leaf", "leaf_malformed")
    if isinstance(proof, (bytes, bytearray, str)):
        raise MerkleError(
            "a proof must be a sequence of 32-byte hashes, not one value", code="proof_malformed"
        )
    for i, sibling in enumerate(proof):
        node = _pair(node, _check_hash(sibling, f"proof element {i}", "proof_malformed"))
    return node


def verify_proof(leaf: bytes, proof: Sequence[bytes], root: bytes) -> bool:
    """Whether ``proof`` shows ``leaf`` is in the batch with ``root``.

    A malformed leaf, proof or root raises MerkleError rather than returning False.
    """
    expected = _check_hash(root, "the root", "root_malformed")
    return root_from_proof(leaf, proof) == expected
