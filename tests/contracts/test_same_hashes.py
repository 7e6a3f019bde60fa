"""The same hashes on both sides: Python's Merkle proofs and EIP-712 digests against the contract's own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from chainutil import World, test_account

from origincert import governance
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
    berlin = world.chamber_ids["DE-berlin"]
    epoch, deadline = governance.epoch_of(c, berlin), world.now() + 600
    registry = c.manifest.certificate_registry.address
    sig = sign_anchor(signer, root, size, berlin, epoch, deadline, c.chain_id, registry)
    c.send(
        c.certificates.functions.anchor(root, size, berlin, epoch, deadline, *sig.compact()),
        relayer,
    )
    targets = [bytes.fromhex(t[2:]) for t in vector["targets"]]
    for target, leaf, proof in zip(targets, leaves, vector["proofs"]):
        assert c.call(c.certificates.functions.leafOf(target)) == leaf
        if size == 1:
            break  # a batch of one is revoked by its root
        proof_bytes = [bytes.fromhex(p[2:]) for p in proof]
        c.send(c.certificates.functions.revokeLeaf(berlin, root, target, proof_bytes, 1), signer)
        status = c.call(c.certificates.functions.certificateStatus(berlin, root, leaf))
        assert status[2] == 1


def test_eip712_domain_matches_the_contract(world: World) -> None:
    c = world.client
    registry = c.manifest.certificate_registry.address
    assert c.call(c.certificates.functions.domainSeparator()) == domain_separator(
        c.chain_id, registry
    )
    assert domain_separator(c.chain_id + 1, registry) != domain_separator(c.chain_id, registry)
