"""CertificateRegistry v2 against a real Hardhat node: anchoring per issuing body, signed epoch and
deadline, revocation and replacement of real leaves only."""

from __future__ import annotations

import os

import pytest
from chainutil import World, anchor, anchor_tx, test_account
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


def status(world: World, issuer_id: int, root: bytes, leaf: bytes):
    c = world.client
    return c.call(c.certificates.functions.certificateStatus(issuer_id, root, leaf))


def ids(world: World, label: str) -> int:
    return world.chamber_ids[label]


def test_relayer_anchors_for_an_accredited_issuer(world: World) -> None:
    root = leaf_of(os.urandom(32))
    berlin = ids(world, "DE-berlin")
    epoch = governance.epoch_of(world.client, berlin)
    tx = anchor(world, world.chambers["DE-berlin"], root, 3)
    got = world.client.call(world.client.certificates.functions.anchorOf(berlin, root))
    issuer_id, count, at, block, revoked_at, reason, anchored_epoch = got
    assert (issuer_id, count, block, revoked_at, reason, anchored_epoch) == (
        berlin,
        3,
        tx.block_number,
        0,
        0,
        epoch,
    )
    assert at == world.client.w3.eth.get_block(tx.block_number)["timestamp"]
    logs = world.client.certificates.events.Anchored().process_receipt(tx.receipt)
    assert logs[0]["args"]["signer"] == world.chambers["DE-berlin"].address
    # Another body's view of the same root is empty: anchors are keyed per body.
    sicc = ids(world, "SG-sicc")
    assert world.client.call(world.client.certificates.functions.anchorOf(sicc, root))[2] == 0


def test_duplicate_root_refused_for_the_same_body_only(world: World) -> None:
    root = os.urandom(32)
    anchor(world, world.chambers["DE-berlin"], root)
    with reverts("CertificateRegistryAlreadyAnchored"):
        anchor(world, world.chambers["DE-berlin"], root)
    # Another body anchoring the same root takes nothing from Berlin: it is its own record.
    anchor(world, world.chambers["SG-sicc"], root)
    c = world.client
    assert c.call(c.certificates.functions.anchorOf(ids(world, "DE-berlin"), root))[0] == ids(
        world, "DE-berlin"
    )


def test_signature_for_another_chain_contract_root_count_or_body_is_refused(world: World) -> None:
    key = world.chambers["DE-berlin"]
    berlin = ids(world, "DE-berlin")
    # The domain binds chain id and registry: the recovered signer is some unknown key.
    with reverts("CertificateRegistrySignerNotIssuer"):
        anchor(world, key, os.urandom(32), chain_id=world.client.chain_id + 1)
    with reverts("CertificateRegistrySignerNotIssuer"):
        anchor(world, key, os.urandom(32), registry=world.manifest.issuer_registry.address)
    c = world.client
    root = os.urandom(32)
    fn = anchor_tx(world, key, root, 1)
    _, _, issuer_id, epoch, deadline, r, vs = fn.args
    with reverts("CertificateRegistrySignerNotIssuer"):
        c.send(
            c.certificates.functions.anchor(os.urandom(32), 1, issuer_id, epoch, deadline, r, vs),
            relayer,
        )
    with reverts("CertificateRegistrySignerNotIssuer"):
        c.send(c.certificates.functions.anchor(root, 2, issuer_id, epoch, deadline, r, vs), relayer)
    with reverts("CertificateRegistrySignerNotIssuer"):  # a later deadline than signed
        c.send(
            c.certificates.functions.anchor(root, 1, issuer_id, epoch, deadline + 1, r, vs),
            relayer,
        )
    # Berlin's key signing for Hamburg's id (same economy) is not Hamburg's signature.
    with reverts("CertificateRegistrySignerNotIssuer"):
        anchor(world, key, os.urandom(32), issuer_id=ids(world, "DE-hamburg"))
    assert berlin == issuer_id


def test_malformed_signature_zero_root_and_empty_batch_refused(world: World) -> None:
    c = world.client
    berlin = ids(world, "DE-berlin")
    deadline = world.now() + 100
    with reverts("CertificateRegistryInvalidSignature"):
        c.send(
            c.certificates.functions.anchor(
                os.urandom(32), 1, berlin, 1, deadline, b"\1" * 32, b"\xff" * 32
            ),
            relayer,
        )
    with reverts("CertificateRegistryEmptyBatch"):
        anchor(world, world.chambers["DE-berlin"], os.urandom(32), 0)
    with reverts("CertificateRegistryZeroRoot"):
        anchor(world, world.chambers["DE-berlin"], bytes(32))


def test_expired_deadline_and_stale_epoch_are_refused(world: World) -> None:
    c, de = world.client, world.authorities["DE"]
    key = world.chambers["DE-berlin"]
    berlin = ids(world, "DE-berlin")
    with reverts("CertificateRegistrySignatureExpired"):
        anchor(world, key, os.urandom(32), deadline=world.now() - 1)
    late = anchor_tx(world, key, os.urandom(32), deadline=world.now() + 10)
    world.advance(60)
    with reverts("CertificateRegistrySignatureExpired"):
        c.send(late, relayer)
    epoch = governance.epoch_of(c, berlin)
    with reverts("CertificateRegistryStaleEpoch"):
        anchor(world, key, os.urandom(32), epoch=epoch - 1)
    with reverts("CertificateRegistryStaleEpoch"):
        anchor(world, key, os.urandom(32), epoch=epoch + 1)
    # Every change of standing moves the epoch; the body may move it itself to void signatures.
    governance.suspend(c, de, berlin)
    governance.reinstate(c, de, berlin)
    assert governance.epoch_of(c, berlin) == epoch + 2
    governance.bump_epoch(c, key, berlin)
    assert governance.epoch_of(c, berlin) == epoch + 3
    with reverts("IssuerRegistryNotIssuerOrAuthority"):
        governance.bump_epoch(c, stranger, berlin)


def test_unaccredited_suspended_withdrawn_and_retired_keys_cannot_anchor(world: World) -> None:
    c, de = world.client, world.authorities["DE"]
    with reverts("CertificateRegistryNotAccredited"):
        anchor(world, stranger, os.urandom(32))
    berlin = ids(world, "DE-berlin")
    governance.suspend(c, de, berlin)
    with reverts("CertificateRegistryNotAccredited"):
        anchor(world, world.chambers["DE-berlin"], os.urandom(32))
    governance.reinstate(c, de, berlin)
    anchor(world, world.chambers["DE-berlin"], os.urandom(32))
    governance.withdraw(c, de, berlin, fraud=False)
    with reverts("CertificateRegistryNotAccredited"):
        anchor(world, world.chambers["DE-berlin"], os.urandom(32))
    hamburg = world.chambers["DE-hamburg"]
    fresh = test_account("hamburg-new")
    governance.rotate_key(c, hamburg, ids(world, "DE-hamburg"), fresh.address, key=fresh)
    with reverts("CertificateRegistryNotAccredited"):
        anchor(world, hamburg, os.urandom(32))
    anchor(world, fresh, os.urandom(32))


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
        key=key,
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
    berlin = ids(world, "DE-berlin")
    roots = [os.urandom(32) for _ in range(3)]
    for root in roots:
        anchor(world, key, root)
    for who in (stranger, world.authorities["SG"], world.chambers["DE-hamburg"], relayer):
        with reverts("CertificateRegistryNotAllowed"):
            c.send(c.certificates.functions.revokeRoot(berlin, roots[0], 1), who)
    c.send(c.certificates.functions.revokeRoot(berlin, roots[0], 2), key)
    c.send(c.certificates.functions.revokeRoot(berlin, roots[1], 4), world.authorities["DE"])
    assert status(world, berlin, roots[0], roots[0])[0][5] == 2
    assert status(world, berlin, roots[1], roots[1])[0][5] == 4
    with reverts("CertificateRegistryAlreadyRevoked"):
        c.send(c.certificates.functions.revokeRoot(berlin, roots[0], 1), key)
    with reverts("CertificateRegistryInvalidReason"):
        c.send(c.certificates.functions.revokeRoot(berlin, roots[2], 0), key)
    with reverts("CertificateRegistryUnknownRoot"):
        c.send(c.certificates.functions.revokeRoot(berlin, os.urandom(32), 1), key)
    with reverts("CertificateRegistryUnknownRoot"):  # Berlin's root is not Hamburg's
        c.send(
            c.certificates.functions.revokeRoot(ids(world, "DE-hamburg"), roots[2], 1),
            world.chambers["DE-hamburg"],
        )


def test_rotated_key_revokes_earlier_anchors_old_key_cannot(world: World) -> None:
    c = world.client
    old, new = world.chambers["SG-sicc"], test_account("sicc-2")
    sicc = ids(world, "SG-sicc")
    root = os.urandom(32)
    anchor(world, old, root)
    governance.rotate_key(c, old, sicc, new.address, key=new)
    with reverts("CertificateRegistryNotAllowed"):
        c.send(c.certificates.functions.revokeRoot(sicc, root, 1), old)
    c.send(c.certificates.functions.revokeRoot(sicc, root, 1), new)


def test_revoke_leaf_needs_a_valid_proof_of_a_real_leaf(world: World) -> None:
    c = world.client
    key = world.chambers["DE-berlin"]
    berlin = ids(world, "DE-berlin")
    ta, tb, td = (os.urandom(32) for _ in range(3))
    a, b, d = (leaf_of(t) for t in (ta, tb, td))
    root = pair(pair(a, b), d)
    anchor(world, key, root, 3)
    with reverts("CertificateRegistryInvalidProof"):
        c.send(c.certificates.functions.revokeLeaf(berlin, root, ta, [d], 1), key)
    with reverts("CertificateRegistryNotAllowed"):
        c.send(c.certificates.functions.revokeLeaf(berlin, root, ta, [b, d], 1), stranger)
    c.send(c.certificates.functions.revokeLeaf(berlin, root, ta, [b, d], 3), key)
    s = status(world, berlin, root, a)
    assert (s[1] > 0, s[2]) == (True, 3)
    assert status(world, berlin, root, b)[1] == 0  # its neighbour is untouched
    with reverts("CertificateRegistryAlreadyRevoked"):
        c.send(c.certificates.functions.revokeLeaf(berlin, root, ta, [b, d], 3), key)
    c.send(
        c.certificates.functions.revokeLeaf(berlin, root, td, [pair(a, b)], 1),
        world.authorities["DE"],
    )
    assert c.call(c.certificates.functions.leafOf(ta)) == a


def test_replace_links_old_to_new(world: World) -> None:
    c = world.client
    key = world.chambers["DE-berlin"]
    berlin = ids(world, "DE-berlin")
    t_old, t_new, t_other = (os.urandom(32) for _ in range(3))
    old, new, other = (leaf_of(t) for t in (t_old, t_new, t_other))
    for root in (old, new):
        anchor(world, key, root)
    anchor(world, world.chambers["SG-sicc"], other)
    with reverts("CertificateRegistryUnknownRoot"):  # SICC's root is not Berlin's
        c.send(c.certificates.functions.replace(berlin, old, t_old, [], other, t_other, []), key)
    with reverts("CertificateRegistryNotAllowed"):
        c.send(c.certificates.functions.replace(berlin, old, t_old, [], new, t_new, []), stranger)
    with reverts("CertificateRegistrySelfReplacement"):
        c.send(c.certificates.functions.replace(berlin, old, t_old, [], old, t_old, []), key)
    c.send(c.certificates.functions.replace(berlin, old, t_old, [], new, t_new, []), key)
    s = status(world, berlin, old, old)
    assert (s[4], s[5]) == (new, new) and s[3] > 0
    with reverts("CertificateRegistryAlreadyReplaced"):
        c.send(c.certificates.functions.replace(berlin, old, t_old, [], new, t_new, []), key)


def test_replacing_a_revoked_certificate_is_refused(world: World) -> None:
    c = world.client
    key = world.chambers["DE-berlin"]
    berlin = ids(world, "DE-berlin")
    t_old, t_new = os.urandom(32), os.urandom(32)
    old, new = leaf_of(t_old), leaf_of(t_new)
    anchor(world, key, old)
    anchor(world, key, new)
    c.send(c.certificates.functions.revokeRoot(berlin, old, 1), key)
    with reverts("CertificateRegistryAlreadyRevoked"):
        c.send(c.certificates.functions.replace(berlin, old, t_old, [], new, t_new, []), key)


def test_batch_status_view_matches_single_view(world: World) -> None:
    c = world.client
    berlin = ids(world, "DE-berlin")
    roots = [os.urandom(32) for _ in range(4)]
    for root in roots:
        anchor(world, world.chambers["DE-berlin"], root)
    c.send(c.certificates.functions.revokeRoot(berlin, roots[2], 1), world.chambers["DE-berlin"])
    everything = roots + [b"\0" * 32]
    many = c.call(
        c.certificates.functions.certificateStatuses(
            [berlin] * len(everything), everything, everything
        )
    )
    assert many == [status(world, berlin, r, r) for r in everything]
    with reverts("CertificateRegistryLengthMismatch"):
        c.call(c.certificates.functions.certificateStatuses([berlin] * 4, roots, roots[:2]))
    with reverts("CertificateRegistryLengthMismatch"):
        c.call(c.certificates.functions.certificateStatuses([berlin], roots, roots))


def test_gas_budget(world: World) -> None:
    """The issue's budgets: anchoring <= 60,000 gas with the signature check, revokeRoot <=
    50,000, revokeLeaf <= 70,000 (a batch of 1,024, proof of 10)."""
    c = world.client
    key = world.chambers["DE-berlin"]
    berlin = ids(world, "DE-berlin")
    root = os.urandom(32)
    assert anchor(world, key, root).gas_used <= 60_000
    assert c.send(c.certificates.functions.revokeRoot(berlin, root, 1), key).gas_used <= 50_000
    target = os.urandom(32)
    node, proof = leaf_of(target), [os.urandom(32) for _ in range(10)]
    for sibling in proof:
        node = pair(node, sibling)
    anchor(world, key, node, 1024)
    fn = c.certificates.functions.revokeLeaf(berlin, node, target, proof, 1)
    assert c.send(fn, key).gas_used <= 70_000
