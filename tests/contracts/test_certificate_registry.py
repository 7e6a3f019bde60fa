"""CertificateRegistry against a real Hardhat node: anchoring, replay protection, revocation, replacement."""

from __future__ import annotations

import os

import pytest
from chainutil import World, eip712_anchor_signature, test_account
from eth_utils import keccak

from origincert import governance
from origincert.errors import ContractRevert

relayer = test_account("relayer")
stranger = test_account("stranger")


def reverts(error: str):
    return pytest.raises(ContractRevert, match=rf"^refused by the contract: {error}\(")


def leaf_of(target: bytes) -> bytes:
    return keccak(keccak(target))


def pair(a: bytes, b: bytes) -> bytes:
    return keccak(min(a, b) + max(a, b))


def anchor(
    world: World,
    signer,
    root: bytes,
    count: int = 1,
    *,
    chain_id: int | None = None,
    registry: str | None = None,
):
    c = world.client
    r, vs = eip712_anchor_signature(
        signer,
        root,
        count,
        chain_id or c.chain_id,
        registry or c.manifest.certificate_registry.address,
    )
    return c.send(c.certificates.functions.anchor(root, count, r, vs), relayer)


def status(world: World, root: bytes, leaf: bytes):
    return world.client.call(world.client.certificates.functions.certificateStatus(root, leaf))


def test_relayer_anchors_for_an_accredited_issuer(world: World) -> None:
    root = leaf_of(os.urandom(32))
    tx = anchor(world, world.chambers["DE-berlin"], root, 3)
    issuer_id, count, at, block, revoked_at, reason = world.client.call(
        world.client.certificates.functions.anchorOf(root)
    )
    assert (issuer_id, count, block, revoked_at, reason) == (
        world.chamber_ids["DE-berlin"],
        3,
        tx.block_number,
        0,
        0,
    )
    assert at == world.client.w3.eth.get_block(tx.block_number)["timestamp"]
    logs = world.client.certificates.events.Anchored().process_receipt(tx.receipt)
    assert logs[0]["args"]["signer"] == world.chambers["DE-berlin"].address


def test_duplicate_root_refused(world: World) -> None:
    root = os.urandom(32)
    anchor(world, world.chambers["DE-berlin"], root)
    with reverts("CertificateRegistryAlreadyAnchored"):
        anchor(world, world.chambers["DE-berlin"], root)
    with reverts("CertificateRegistryAlreadyAnchored"):  # not even by another issuer
        anchor(world, world.chambers["SG-sicc"], root)


def test_signature_for_another_chain_or_contract_is_refused(world: World) -> None:
    key = world.chambers["DE-berlin"]
    # The domain binds chain id and registry: the recovered signer is some unknown key.
    with reverts("CertificateRegistryNotAccredited"):
        anchor(world, key, os.urandom(32), chain_id=world.client.chain_id + 1)
    with reverts("CertificateRegistryNotAccredited"):
        anchor(world, key, os.urandom(32), registry=world.manifest.issuer_registry.address)
    # A signature over one root cannot anchor another, nor another leaf count.
    c = world.client
    root = os.urandom(32)
    r, vs = eip712_anchor_signature(
        key, root, 1, c.chain_id, c.manifest.certificate_registry.address
    )
    with reverts("CertificateRegistryNotAccredited"):
        c.send(c.certificates.functions.anchor(os.urandom(32), 1, r, vs), relayer)
    with reverts("CertificateRegistryNotAccredited"):
        c.send(c.certificates.functions.anchor(root, 2, r, vs), relayer)


def test_malformed_signature_and_empty_batch_refused(world: World) -> None:
    c = world.client
    with reverts("CertificateRegistryInvalidSignature"):
        c.send(
            c.certificates.functions.anchor(os.urandom(32), 1, b"\1" * 32, b"\xff" * 32), relayer
        )
    with reverts("CertificateRegistryEmptyBatch"):
        anchor(world, world.chambers["DE-berlin"], os.urandom(32), 0)


def test_unaccredited_suspended_withdrawn_and_retired_keys_cannot_anchor(world: World) -> None:
    c, de = world.client, world.authorities["DE"]
    with reverts("CertificateRegistryNotAccredited"):
        anchor(world, stranger, os.urandom(32))
    berlin = world.chamber_ids["DE-berlin"]
    governance.suspend(c, de, berlin)
    with reverts("CertificateRegistryNotAccredited"):
        anchor(world, world.chambers["DE-berlin"], os.urandom(32))
    governance.reinstate(c, de, berlin)
    anchor(world, world.chambers["DE-berlin"], os.urandom(32))
    governance.withdraw(c, de, berlin, fraud=False)
    with reverts("CertificateRegistryNotAccredited"):
        anchor(world, world.chambers["DE-berlin"], os.urandom(32))
    hamburg = world.chambers["DE-hamburg"]
    governance.rotate_key(
        c, hamburg, world.chamber_ids["DE-hamburg"], test_account("hamburg-new").address
    )
    with reverts("CertificateRegistryNotAccredited"):
        anchor(world, hamburg, os.urandom(32))
    anchor(world, test_account("hamburg-new"), os.urandom(32))


def test_accreditation_window_bounds_anchoring(world: World) -> None:
    key = test_account("late-chamber")
    now = world.now()
    governance.accredit(
        world.client,
        world.authorities["SG"],
        name="late",
        signing_key=key.address,
        valid_from=now + 500,
        valid_until=now + 1000,
    )
    with reverts("CertificateRegistryNotAccredited"):
        anchor(world, key, os.urandom(32))
    world.advance(600)
    anchor(world, key, os.urandom(32))
    world.advance(600)
    with reverts("CertificateRegistryNotAccredited"):
        anchor(world, key, os.urandom(32))


def test_revoke_root_by_issuer_authority_not_stranger(world: World) -> None:
    c = world.client
    key = world.chambers["DE-berlin"]
    roots = [os.urandom(32) for _ in range(3)]
    for root in roots:
        anchor(world, key, root)
    for who in (stranger, world.authorities["SG"], world.chambers["DE-hamburg"], relayer):
        with reverts("CertificateRegistryNotAllowed"):
            c.send(c.certificates.functions.revokeRoot(roots[0], 1), who)
    c.send(c.certificates.functions.revokeRoot(roots[0], 2), key)
    c.send(c.certificates.functions.revokeRoot(roots[1], 4), world.authorities["DE"])
    assert status(world, roots[0], roots[0])[0][5] == 2
    assert status(world, roots[1], roots[1])[0][5] == 4
    with reverts("CertificateRegistryAlreadyRevoked"):
        c.send(c.certificates.functions.revokeRoot(roots[0], 1), key)
    with reverts("CertificateRegistryInvalidReason"):
        c.send(c.certificates.functions.revokeRoot(roots[2], 0), key)
    with reverts("CertificateRegistryUnknownRoot"):
        c.send(c.certificates.functions.revokeRoot(os.urandom(32), 1), key)


def test_rotated_key_revokes_earlier_anchors_old_key_cannot(world: World) -> None:
    c = world.client
    old, new = world.chambers["SG-sicc"], test_account("sicc-2")
    root = os.urandom(32)
    anchor(world, old, root)
    governance.rotate_key(c, old, world.chamber_ids["SG-sicc"], new.address)
    with reverts("CertificateRegistryNotAllowed"):
        c.send(c.certificates.functions.revokeRoot(root, 1), old)
    c.send(c.certificates.functions.revokeRoot(root, 1), new)


def test_revoke_leaf_needs_a_valid_proof(world: World) -> None:
    c = world.client
    key = world.chambers["DE-berlin"]
    a, b, d = (leaf_of(os.urandom(32)) for _ in range(3))
    root = pair(pair(a, b), d)
    anchor(world, key, root, 3)
    with reverts("CertificateRegistryInvalidProof"):
        c.send(c.certificates.functions.revokeLeaf(root, a, [d], 1), key)
    with reverts("CertificateRegistryNotAllowed"):
        c.send(c.certificates.functions.revokeLeaf(root, a, [b, d], 1), stranger)
    c.send(c.certificates.functions.revokeLeaf(root, a, [b, d], 3), key)
    s = status(world, root, a)
    assert (s[1] > 0, s[2]) == (True, 3)
    assert status(world, root, b)[1] == 0  # its neighbour is untouched
    with reverts("CertificateRegistryAlreadyRevoked"):
        c.send(c.certificates.functions.revokeLeaf(root, a, [b, d], 3), key)
    c.send(c.certificates.functions.revokeLeaf(root, d, [pair(a, b)], 1), world.authorities["DE"])


def test_replace_links_old_to_new(world: World) -> None:
    c = world.client
    key = world.chambers["DE-berlin"]
    old, new, other = (leaf_of(os.urandom(32)) for _ in range(3))
    for root in (old, new):
        anchor(world, key, root)
    anchor(world, world.chambers["SG-sicc"], other)
    with reverts("CertificateRegistryIssuerMismatch"):
        c.send(c.certificates.functions.replace(old, old, [], other, other, []), key)
    with reverts("CertificateRegistryNotAllowed"):
        c.send(c.certificates.functions.replace(old, old, [], new, new, []), stranger)
    with reverts("CertificateRegistrySelfReplacement"):
        c.send(c.certificates.functions.replace(old, old, [], old, old, []), key)
    c.send(c.certificates.functions.replace(old, old, [], new, new, []), key)
    s = status(world, old, old)
    assert (s[4], s[5]) == (new, new) and s[3] > 0
    with reverts("CertificateRegistryAlreadyReplaced"):
        c.send(c.certificates.functions.replace(old, old, [], new, new, []), key)


def test_replacing_a_revoked_certificate_is_refused(world: World) -> None:
    c = world.client
    key = world.chambers["DE-berlin"]
    old, new = os.urandom(32), os.urandom(32)
    anchor(world, key, old)
    anchor(world, key, new)
    c.send(c.certificates.functions.revokeRoot(old, 1), key)
    with reverts("CertificateRegistryAlreadyRevoked"):
        c.send(c.certificates.functions.replace(old, old, [], new, new, []), key)


def test_batch_status_view_matches_single_view(world: World) -> None:
    c = world.client
    roots = [os.urandom(32) for _ in range(4)]
    for root in roots:
        anchor(world, world.chambers["DE-berlin"], root)
    c.send(c.certificates.functions.revokeRoot(roots[2], 1), world.chambers["DE-berlin"])
    many = c.call(
        c.certificates.functions.certificateStatuses(roots + [b"\0" * 32], roots + [b"\0" * 32])
    )
    assert many == [status(world, r, r) for r in roots + [b"\0" * 32]]
    with reverts("CertificateRegistryLengthMismatch"):
        c.call(c.certificates.functions.certificateStatuses(roots, roots[:2]))


def test_gas_budget(world: World) -> None:
    """The issue's budget: anchoring <= 60,000 gas with the signature check, revoking <= 50,000."""
    root = os.urandom(32)
    assert anchor(world, world.chambers["DE-berlin"], root).gas_used <= 60_000
    c = world.client
    assert (
        c.send(c.certificates.functions.revokeRoot(root, 1), world.chambers["DE-berlin"]).gas_used
        <= 50_000
    )
