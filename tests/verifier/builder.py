"""Issued files (format v2) built for tests from docs/FORMAT.md alone: keccak from eth-utils, EIP-712 from
eth-account (``chainutil``), field hashes from ``origincert.fields``. Independent of the verifier, so
a bug there cannot hide itself here; and able to make what the issuer never would (a signature for
another registry, a root anchored elsewhere)."""

from __future__ import annotations

import copy
import os
from typing import Any

from chainutil import eip712_anchor_signature
from eth_utils import keccak

from origincert import fields

FORMAT_ID = "urn:origincert:issued:2"


def leaf_of(target: bytes) -> bytes:
    return keccak(keccak(target))


def _pair(a: bytes, b: bytes) -> bytes:
    return keccak(min(a, b) + max(a, b))


def tree(leaves: list[bytes]) -> tuple[bytes, list[list[bytes]]]:
    """Root and the proof of each leaf; an odd level carries its last node up unchanged."""
    proofs: list[list[bytes]] = [[] for _ in leaves]
    positions = list(range(len(leaves)))  # leaf i -> its node index on the current level
    level = list(leaves)
    while len(level) > 1:
        nxt = [_pair(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        for leaf, pos in enumerate(positions):
            sibling = pos ^ 1
            if sibling < len(level):
                proofs[leaf].append(level[sibling])
            positions[leaf] = pos // 2
        level = nxt
    return level[0], proofs


Terms = tuple[int, int, int]  # the signed Anchor's issuerId, epoch and deadline


def signature65(
    account: Any, root: bytes, count: int, chain_id: int, registry: str, terms: Terms
) -> bytes:
    r, vs = eip712_anchor_signature(account, root, count, *terms, chain_id, registry)
    n = int.from_bytes(vs, "big")
    return r + (n & ((1 << 255) - 1)).to_bytes(32, "big") + bytes([27 + (n >> 255)])


def compact(sig: bytes) -> tuple[bytes, bytes]:
    s = int.from_bytes(sig[32:64], "big") | ((sig[64] - 27) << 255)
    return sig[:32], s.to_bytes(32, "big")


def build(
    documents: list[dict[str, Any]],
    signer: Any,
    *,
    chain_id: int,
    registry: str,
    terms: Terms = (1, 1, 2**40),
) -> tuple[list[dict[str, Any]], bytes, bytes]:
    """Full-copy issued files (format v2) for one batch, its root and the 65-byte signature (not
    anchored). ``terms`` are the signed issuer id, epoch and deadline."""
    for d in documents:  # like the issuer: a document naming no ledger id gets the signer's
        d["issuing_body"].setdefault("ledger_id", terms[0])
    seeds = [os.urandom(32) for _ in documents]
    commitments = [fields.commit(d, s) for d, s in zip(documents, seeds)]
    leaves = [leaf_of(c.target_hash) for c in commitments]
    root, proofs = tree(leaves)
    sig = signature65(signer, root, len(documents), chain_id, registry, terms)
    files = []
    for i, (doc, seed, c) in enumerate(zip(documents, seeds, commitments)):
        files.append(
            {
                "format": FORMAT_ID,
                "document": copy.deepcopy(doc),
                "proof": {
                    "seed": "0x" + seed.hex(),
                    "field_hashes": {p: "0x" + h.hex() for p, h in c.field_hashes.items()},
                    "shape": dict(c.shape),
                    "target_hash": "0x" + c.target_hash.hex(),
                    "leaf": "0x" + leaves[i].hex(),
                    "merkle_proof": ["0x" + h.hex() for h in proofs[i]],
                    "root": "0x" + root.hex(),
                    "leaf_index": i,
                    "batch_size": len(documents),
                    "signature": "0x" + sig.hex(),
                    "signer": signer.address,
                    "chain_id": chain_id,
                    "registry": registry,
                    "issuer_id": terms[0],
                    "epoch": terms[1],
                    "deadline": terms[2],
                },
            }
        )
    return files, root, sig


def anchor(
    client: Any,
    registry_contract: Any,
    root: bytes,
    count: int,
    sig: bytes,
    relayer: Any,
    terms: Terms = (1, 1, 2**40),
) -> Any:
    r, vs = compact(sig)
    fn = registry_contract.functions.anchor(root, count, *terms, r, vs)
    return client.send(fn, relayer)


def redact(issued: dict[str, Any], hide: list[str]) -> dict[str, Any]:
    """A redacted copy hiding scalar field paths (FORMAT.md): no seed, salts for the shown fields."""
    out = copy.deepcopy(issued)
    proof = out["proof"]
    seed = bytes.fromhex(proof.pop("seed")[2:])
    for path in hide:
        _delete(out["document"], path)
    shown = fields.flatten(out["document"])
    proof["salts"] = {p: "0x" + fields.derive_salt(seed, p).hex() for p in shown}
    proof["withheld"] = {p: proof["field_hashes"][p] for p in hide}
    proof.setdefault("shape", fields.shape_of(issued["document"]))
    proof["field_hashes"] = {p: proof["field_hashes"][p] for p in shown}
    return out


def _delete(doc: dict[str, Any], path: str) -> None:
    *parents, last = path.split(".")
    node: Any = doc
    for part in parents:
        name, _, index = part.partition("[")
        node = node[name]
        if index:
            node = node[int(index[:-1])]
    del node[last]
