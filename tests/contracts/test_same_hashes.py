"""The same hashes on both sides: Python's Merkle proofs and EIP-712 digests against the contract's own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from chainutil import World, test_account

from origincert.merkle import MerkleTree, leaf_hash
from origincert.signing import LocalSigner, domain_separator, sign_anchor

VECTORS = Path(__file__).parent.parent / "vectors"
relayer = test_account("relayer")


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 13])
def test_merkle_vectors_prove_membership_on_chain(world: World, size: int) -> None:
    """OpenZeppelin MerkleProof (inside revokeLeaf) accepts every vector proof, and Python agrees."""
    vector = json.loads((VECTORS / f"merkle-{size}.json").read_text())
    leaves = [bytes.fromhex(x[2:]) for x in vector["leaves"]]
    root = bytes.fromhex(vector["root"][2:])
    assert [leaf_hash(bytes.fromhex(t[2:])) for t in vector["targets"]] == leaves
    assert MerkleTree.build(leaves).root == root
    c = world.client
    signer = LocalSigner(world.chambers["DE-berlin"])
    sig = sign_anchor(signer, root, size, c.chain_id, c.manifest.certificate_registry.address)
    c.send(c.certificates.functions.anchor(root, size, *sig.compact()), relayer)
    for leaf, proof in zip(leaves, vector["proofs"]):
        if size == 1:
            break  # a batch of one is revoked by its root
        proof_bytes = [bytes.fromhex(p[2:]) for p in proof]
        c.send(c.certificates.functions.revokeLeaf(root, leaf, proof_bytes, 1), signer)
        assert c.call(c.certificates.functions.certificateStatus(root, leaf))[2] == 1


def test_eip712_domain_matches_the_contract(world: World) -> None:
    c = world.client
    registry = c.manifest.certificate_registry.address
    assert c.call(c.certificates.functions.domainSeparator()) == domain_separator(
        c.chain_id, registry
    )
    assert domain_separator(c.chain_id + 1, registry) != domain_separator(c.chain_id, registry)
