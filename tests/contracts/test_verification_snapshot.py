"""CertificateRegistry.verificationSnapshot against a real Hardhat node: in one call, from one
state, the same answers as the registries' own views (certificateStatus, keyRecord, issuer) and
the block it read, for anchored, revoked, replaced, never-anchored and other bodies' certificates."""

from __future__ import annotations

import os

import pytest
from chainutil import World, anchor, test_account
from eth_utils import keccak

from origincert.chain.codec import decode_snapshot, encode_snapshot, fn
from origincert.errors import ChainError, ContractRevert


def leaf_of(target: bytes) -> bytes:
    return keccak(keccak(target))


def snapshot_call(world: World, certs: list, keys: list[str], ids: list[int], block="latest"):
    c = world.client
    to = c.manifest.certificate_registry.address
    return c.w3.eth.call({"to": to, "data": encode_snapshot(certs, keys, ids)}, block)


def snapshot(world: World, certs: list, keys: list[str], ids: list[int], block="latest"):
    raw = snapshot_call(world, certs, keys, ids, block)
    return decode_snapshot("0x" + bytes(raw).hex(), len(certs), len(keys), len(ids))


def test_the_snapshot_answers_as_the_registries_views_do(world: World) -> None:
    c = world.client
    berlin, sicc = world.chamber_ids["DE-berlin"], world.chamber_ids["SG-sicc"]
    key = world.chambers["DE-berlin"]
    t_old, t_new, t_revoked, t_plain = (os.urandom(32) for _ in range(4))
    old, new, revoked, plain = (leaf_of(t) for t in (t_old, t_new, t_revoked, t_plain))
    for root in (old, new, revoked, plain):
        anchor(world, key, root)
    c.send(c.certificates.functions.replace(berlin, old, t_old, [], new, t_new, []), key)
    c.send(c.certificates.functions.revokeRoot(berlin, revoked, 2), key)
    unknown = os.urandom(32)
    certs = [
        (berlin, plain, plain),
        (berlin, old, old),  # replaced: two more words
        (berlin, new, new),  # the successor
        (berlin, revoked, revoked),
        (sicc, plain, plain),  # Berlin's root, asked for another body: nothing
        (berlin, unknown, unknown),  # never anchored
        (2**32 - 1, plain, plain),  # no such body
    ]
    keys = [key.address, world.chambers["SG-sicc"].address, test_account("nobody").address]
    bodies = [berlin, sicc, 2**32 - 1, 0]
    snap = snapshot(world, certs, [k.lower() for k in keys], bodies)

    head = c.w3.eth.get_block("latest")
    assert (snap.block, snap.block_time) == (head["number"], head["timestamp"])
    assert snap.parent_hash == "0x" + bytes(head["parentHash"]).hex()
    assert snap.issuer_registry == c.manifest.issuer_registry.address.lower()
    for (issuer_id, root, leaf), got in zip(certs, snap.statuses, strict=True):
        expected = c.call(c.certificates.functions.certificateStatus(issuer_id, root, leaf))
        assert got == (tuple(expected[0]), *expected[1:]), (issuer_id, root.hex())
    assert snap.statuses[1][3] > 0 and snap.statuses[1][4:] == (new, new)
    assert snap.statuses[3][0][4] > 0 and snap.statuses[3][0][5] == 2
    assert snap.statuses[4][0][2] == snap.statuses[5][0][2] == 0
    for k, got in zip(keys, snap.keys, strict=True):
        assert got == tuple(c.call(c.issuers.functions.keyRecord(k)))
    assert snap.keys[2] == (0, 0, 0)
    for i, got in zip(bodies, snap.issuers, strict=True):
        if i in (berlin, sicc):
            assert got is not None and got.id == i
            view = c.call(c.issuers.functions.issuer(i))
            assert (got.name, got.economy, got.signing_key) == (
                view[8],
                view[1].decode(),
                view[6].lower(),
            )
        else:
            assert got is None  # issuer() reverts for an id no body has


def test_a_pinned_snapshot_reads_that_block(world: World) -> None:
    key = world.chambers["DE-berlin"]
    berlin = world.chamber_ids["DE-berlin"]
    root = leaf_of(os.urandom(32))
    before = world.client.w3.eth.block_number
    anchor(world, key, root)
    then = snapshot(world, [(berlin, root, root)], [], [], hex(before))
    now = snapshot(world, [(berlin, root, root)], [], [])
    assert then.block == before and then.statuses[0][0][2] == 0  # not anchored yet there
    assert now.block > before and now.statuses[0][0][2] > 0


def test_a_malformed_query_is_refused(world: World) -> None:
    c = world.client
    f = fn("CertificateRegistry", "verificationSnapshot")
    with pytest.raises(ContractRevert, match="CertificateRegistryMalformedQuery"):
        c.call(c.certificates.functions.verificationSnapshot(b"\0" * 67, [], []))
    # a dirty uint32 or address word is refused whole, never read as another body or key
    to = c.manifest.certificate_registry.address
    clean = bytes.fromhex(encode_snapshot([], [], [7])[2:])
    dirty_id = clean[:-32] + (2**32 + 7).to_bytes(32, "big")
    clean_key = bytes.fromhex(encode_snapshot([], ["0x" + "11" * 20], [])[2:])
    at = len(f.selector) + 32 * 3 + 32 + 32  # selector, heads, bytes length, keys length
    assert clean_key[at : at + 32] == bytes(12) + b"\x11" * 20
    dirty_key = clean_key[:at] + b"\1" + clean_key[at + 1 :]
    for data in (clean, clean_key):
        c.w3.eth.call({"to": to, "data": "0x" + data.hex()})
    for data in (dirty_id, dirty_key):
        with pytest.raises(Exception):  # noqa: B017 - web3 names a bare revert differently by version
            c.w3.eth.call({"to": to, "data": "0x" + data.hex()})


def test_a_chunk_of_500_fits_a_nodes_call_gas_cap(world: World) -> None:
    """A full chunk with the most key records and bodies the verifier asks at once stays far
    under Hardhat's cap of 16,777,216 gas per call (geth's default is 50,000,000)."""
    from origincert.verifier.ledger import DEFAULT_CHUNK, SNAPSHOT_VIEWS

    c = world.client
    berlin = world.chamber_ids["DE-berlin"]
    key = world.chambers["DE-berlin"]
    t = os.urandom(32)
    anchor(world, key, leaf_of(t))
    certs = [(berlin, leaf_of(t), os.urandom(32)) for _ in range(DEFAULT_CHUNK)]
    keys = ["0x" + os.urandom(20).hex() for _ in range(SNAPSHOT_VIEWS // 2)]
    bodies = [berlin] * (SNAPSHOT_VIEWS // 2)
    data = encode_snapshot(certs, keys, bodies)
    gas = c.w3.eth.estimate_gas({"to": c.manifest.certificate_registry.address, "data": data})
    assert gas < 8_000_000
    snap = snapshot(world, certs, keys, bodies)
    assert len(snap.statuses) == DEFAULT_CHUNK and snap.statuses[0][0][0] == berlin


def test_the_decoder_refuses_an_answer_for_another_question(world: World) -> None:
    berlin = world.chamber_ids["DE-berlin"]
    raw = "0x" + bytes(snapshot_call(world, [(berlin, b"\1" * 32, b"\1" * 32)], [], [])).hex()
    decode_snapshot(raw, 1, 0, 0)
    for certs, keys, bodies in ((2, 0, 0), (0, 0, 0), (1, 1, 0), (1, 0, 1)):
        with pytest.raises(ChainError):
            decode_snapshot(raw, certs, keys, bodies)
