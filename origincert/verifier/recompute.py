"""Pure recomputation from a certificate file: field hashes, target hash, leaf, signer.

The hashing itself lives in ``origincert.fields``, ``origincert.merkle`` and ``origincert.signing``
(one way to do each thing); this module only applies it to a parsed file, and remembers each
signature it recovered, so a batch of 10,000 certificates under one root recovers it once.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from origincert import fields, merkle, signing
from origincert.errors import OriginCertError
from origincert.issued import IssuedFile

__all__ = ["Recomputed", "leaf_of", "recompute_fields", "recovered_signer"]


@dataclass(frozen=True, slots=True)
class Recomputed:
    """The file's content hashed again. ``hashes`` covers the shown fields that have a salt."""

    hashes: dict[str, bytes]
    # shown fields with no salt in a redacted copy: cannot be from issuance
    unsalted: tuple[str, ...]
    # lists whose length in the document differs from the committed shape: (path, shown, committed)
    reshaped: tuple[tuple[str, int, int], ...]
    target_hash: bytes


def recompute_fields(f: IssuedFile) -> Recomputed:
    """Hash every shown field with its salt; the target hash adds the withheld fields' hashes.

    One walk of the document gives its leaves and its lists' lengths, and the target hash is
    computed once, over the committed shape (hash once: each was computed twice before).
    Raises OriginCertError (from ``fields``) when the document holds something not hashable.
    """
    if f.seed is not None:
        hashes, shown_shape, target = fields.hash_seeded(
            f.document, f.seed, f.shape, f.field_hashes
        )
        return Recomputed(hashes, (), _reshaped(shown_shape, f.shape, False), target)
    leaves, shown_shape = fields.flatten_with_shape(f.document)
    reshaped = _reshaped(shown_shape, f.shape, f.redacted)
    hashes = {}
    unsalted: list[str] = []
    for path, value in leaves.items():
        salt = f.salts.get(path)
        if salt is None:
            unsalted.append(path)
        else:
            hashes[path] = fields.field_hash(salt, path, value)
    return Recomputed(
        hashes,
        tuple(unsalted),
        reshaped,
        fields.target_hash({**hashes, **f.withheld}, f.shape),
    )


def _reshaped(
    shown: dict[str, int], committed: dict[str, int], redacted: bool
) -> tuple[tuple[str, int, int], ...]:
    """Lists whose shown length is not the committed one. A redacted copy may drop a list whose
    every item is hidden (it is then absent from the document), never shorten or lengthen one."""
    out = [(p, n, committed.get(p, 0)) for p, n in shown.items() if committed.get(p) != n]
    if not redacted:
        out += [(p, 0, n) for p, n in committed.items() if p not in shown]
    return tuple(sorted(out))


@functools.lru_cache(maxsize=16_384)
def leaf_of(target_hash: bytes) -> bytes:
    """The certificate's leaf (computed for the ledger query, the merkle check and the evidence)."""
    return merkle.leaf_hash(target_hash)


def in_batch(leaf: bytes, proof: tuple[bytes, ...], root: bytes) -> bool:
    """Whether ``proof`` leads from ``leaf`` to ``root``. The certificates of one batch share the
    upper nodes of their paths, so each pair is hashed once per batch, not once per certificate."""
    node = leaf
    for sibling in proof:
        node = _pair(node, sibling)
    return node == root


@functools.lru_cache(maxsize=65_536)
def _pair(a: bytes, b: bytes) -> bytes:
    return merkle.hash_pair(a, b)


def recovered_signer(f: IssuedFile) -> str | None:
    """The key that signed ``Anchor(root, batch_size, issuer_id, epoch, deadline)`` in the file's
    own domain (lowercase), or None."""
    return _recover(
        f.root, f.batch_size, f.issuer_id, f.epoch, f.deadline, f.chain_id, f.registry, f.signature
    )


@functools.lru_cache(maxsize=4096)
def _recover(
    root: bytes,
    leaf_count: int,
    issuer_id: int,
    epoch: int,
    deadline: int,
    chain_id: int,
    registry: str,
    signature: bytes,
) -> str | None:
    try:
        return signing.recover_anchor_signer(
            root, leaf_count, issuer_id, epoch, deadline, signature,
            chain_id=chain_id, registry=registry,
        ).lower()  # fmt: skip
    except OriginCertError:  # malformed, malleable (high s) or matching no key
        return None
