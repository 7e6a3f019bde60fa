"""IssuerRegistry's VC key registry against a real Hardhat node: who may register a body's P-256 VC
key, the proof of possession, one key for one body, and the history by epoch that says which key
vouched for an anchor."""

from __future__ import annotations

import os
from dataclasses import replace

import pytest
from chainutil import World, anchor, test_account
from eth_account.messages import encode_typed_data
from eth_utils import keccak
from web3.logs import DISCARD

from origincert import governance
from origincert.errors import ContractRevert
from origincert.interop.p256 import P256KeyPair, generate_key_pair
from origincert.interop.registration import (
    VcKeyPossession,
    vc_key_hash,
    vc_key_possession,
    vc_key_possession_digest,
)

ZERO = bytes(32)
P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def reverts(error: str):
    return pytest.raises(ContractRevert, match=rf"^refused by the contract: {error}\(")


def proof(world: World, key: P256KeyPair, issuer_id: int) -> VcKeyPossession:
    return vc_key_possession(
        key, issuer_id, world.client.chain_id, world.manifest.issuer_registry.address
    )


def register(world: World, label: str, key: P256KeyPair, sender=None):
    issuer_id = world.chamber_ids[label]
    return governance.set_vc_key(
        world.client, sender or world.chambers[label], issuer_id, proof(world, key, issuer_id)
    )


def changes(world: World, tx) -> list:
    """The VcKeyChanged events of a transaction (it also emits IssuerEpochChanged)."""
    return world.client.issuers.events.VcKeyChanged().process_receipt(tx.receipt, errors=DISCARD)


def epoch(world: World, label: str) -> int:
    return governance.epoch_of(world.client, world.chamber_ids[label])


def test_possession_digest_is_the_contracts_and_eth_accounts(world: World) -> None:
    registry = world.manifest.issuer_registry.address
    key_hash = os.urandom(32)
    ours = vc_key_possession_digest(key_hash, 7, world.client.chain_id, registry)
    (theirs,) = world.client.view("IssuerRegistry", "vcKeyPossessionDigest", key_hash, 7)
    message = encode_typed_data(
        full_message={
            "types": {
                "EIP712Domain": [
                    {"name": "name", "type": "string"},
                    {"name": "version", "type": "string"},
                    {"name": "chainId", "type": "uint256"},
                    {"name": "verifyingContract", "type": "address"},
                ],
                "VcKeyPossession": [
                    {"name": "keyHash", "type": "bytes32"},
                    {"name": "issuerId", "type": "uint64"},
                ],
            },
            "primaryType": "VcKeyPossession",
            "domain": {
                "name": "origincert-issuers",
                "version": "2",
                "chainId": world.client.chain_id,
                "verifyingContract": registry,
            },
            "message": {"keyHash": key_hash, "issuerId": 7},
        }
    )
    reference = keccak(b"\x19" + message.version + message.header + message.body)
    assert ours == bytes(theirs) == reference


def test_the_contract_hashes_the_multikey_bytes_for_both_parities(world: World) -> None:
    """keccak256(0x8024 || 02/03 || x): the hash Python computes from the public Multikey."""
    seen: set[int] = set()
    while seen != {2, 3}:
        key = generate_key_pair()
        if key.public[0] in seen:
            continue
        seen.add(key.public[0])
        tx = register(world, "DE-berlin", key)
        (event,) = changes(world, tx)
        assert bytes(event["args"]["newHash"]) == vc_key_hash(key.public_multikey)
        record = governance.vc_key_record(world.client, vc_key_hash(key.public_multikey))
        assert record.issuer_id == world.chamber_ids["DE-berlin"] and record.until_epoch == 0


def test_history_answers_which_key_vouched_for_each_epoch(world: World) -> None:
    c, berlin = world.client, world.chamber_ids["DE-berlin"]
    before = epoch(world, "DE-berlin")
    assert governance.vc_key_at(c, berlin, before) == ZERO
    first, second = generate_key_pair(), generate_key_pair()
    h1, h2 = vc_key_hash(first.public_multikey), vc_key_hash(second.public_multikey)
    tx = register(world, "DE-berlin", first)
    (changed,) = changes(world, tx)
    assert changed["args"]["previousHash"] == ZERO and changed["args"]["epoch"] == before + 1
    assert epoch(world, "DE-berlin") == before + 1  # the epoch moved with the key
    root1 = os.urandom(32)
    anchor(world, world.chambers["DE-berlin"], root1)
    world.advance(60)
    tx = register(world, "DE-berlin", second)
    (changed,) = changes(world, tx)
    assert bytes(changed["args"]["previousHash"]) == h1 and bytes(changed["args"]["newHash"]) == h2
    root2 = os.urandom(32)
    anchor(world, world.chambers["DE-berlin"], root2)
    (a1,) = c.view("CertificateRegistry", "anchorOf", berlin, root1)
    (a2,) = c.view("CertificateRegistry", "anchorOf", berlin, root2)
    assert governance.vc_key_at(c, berlin, a1[6]) == h1
    assert governance.vc_key_at(c, berlin, a2[6]) == h2
    assert governance.vc_key_at(c, berlin, before) == ZERO
    assert governance.vc_key_at(c, berlin, 2**64 - 1) == h2
    old = governance.vc_key_record(c, h1)
    assert (old.from_epoch, old.until_epoch) == (before + 1, before + 2)
    assert old.retired_at > old.since > 0
    assert old.vouches_for(berlin, a1[6]) and not old.vouches_for(berlin, a2[6])
    assert governance.vc_key_record(c, h2).vouches_for(berlin, a2[6])
    # Another body's history is its own.
    assert governance.vc_key_at(c, world.chamber_ids["DE-hamburg"], a2[6]) == ZERO


def test_a_signature_made_before_a_vc_key_change_cannot_anchor_after_it(world: World) -> None:
    """The epoch moves, so no anchor ever falls between two VC keys."""
    from chainutil import anchor_tx

    fn = anchor_tx(world, world.chambers["DE-berlin"], os.urandom(32))
    register(world, "DE-berlin", generate_key_pair())
    with reverts("CertificateRegistryStaleEpoch"):
        world.client.send(fn, test_account("relayer"))


def test_only_the_bodys_key_or_its_authority_may_register(world: World) -> None:
    key = generate_key_pair()
    for who in (
        test_account("stranger"),
        world.chambers["DE-hamburg"],  # another body of the same economy
        world.authorities["SG"],  # another economy's authority
        world.council[0],
    ):
        with reverts("IssuerRegistryNotIssuerOrAuthority"):
            register(world, "DE-berlin", key, sender=who)
    register(world, "DE-berlin", key, sender=world.authorities["DE"])
    assert governance.vc_key_record(world.client, vc_key_hash(key.public_multikey)).issuer_id


def test_a_suspended_body_registers_only_through_its_authority(world: World) -> None:
    c, berlin = world.client, world.chamber_ids["DE-berlin"]
    governance.suspend(c, world.authorities["DE"], berlin)
    with reverts("IssuerRegistryNotInGoodStanding"):
        register(world, "DE-berlin", generate_key_pair())
    register(world, "DE-berlin", generate_key_pair(), sender=world.authorities["DE"])


@pytest.mark.parametrize("fraud", [False, True])
def test_a_withdrawn_body_registers_no_key_at_all(world: World, fraud: bool) -> None:
    governance.withdraw(
        world.client, world.authorities["DE"], world.chamber_ids["DE-berlin"], fraud=fraud
    )
    for who in (world.chambers["DE-berlin"], world.authorities["DE"]):
        with reverts("IssuerRegistryNotInGoodStanding"):
            register(world, "DE-berlin", generate_key_pair(), sender=who)


def test_a_body_past_its_window_registers_no_key(world: World) -> None:
    world.advance(3 * 365 * 86400)
    for who in (world.chambers["DE-berlin"], world.authorities["DE"]):
        with reverts("IssuerRegistryNotInGoodStanding"):
            register(world, "DE-berlin", generate_key_pair(), sender=who)


def test_one_key_names_one_body_once(world: World) -> None:
    """Another body cannot claim a registered key (even with its own proof), and a body cannot
    bring back its own retired key."""
    key = generate_key_pair()
    register(world, "DE-berlin", key)
    h = vc_key_hash(key.public_multikey)
    with reverts("IssuerRegistryVcKeyAlreadyUsed"):
        register(world, "DE-hamburg", key)
    register(world, "DE-berlin", generate_key_pair())
    with reverts("IssuerRegistryVcKeyAlreadyUsed"):
        register(world, "DE-berlin", key)
    assert governance.vc_key_record(world.client, h).issuer_id == world.chamber_ids["DE-berlin"]


def test_a_proof_of_possession_made_for_one_body_is_useless_to_another(world: World) -> None:
    """A rogue body (or anyone watching the pool) copying a pending registration's arguments into
    its own call: the proof names the body, so it fails, and the key stays free for its holder."""
    key = generate_key_pair()
    berlins = proof(world, key, world.chamber_ids["DE-berlin"])
    with reverts("IssuerRegistryInvalidVcPossession"):
        governance.set_vc_key(
            world.client, world.chambers["DE-hamburg"], world.chamber_ids["DE-hamburg"], berlins
        )
    # The relayer sending the very same call: not the body's key, refused before anything else.
    with reverts("IssuerRegistryNotIssuerOrAuthority"):
        governance.set_vc_key(
            world.client, test_account("relayer"), world.chamber_ids["DE-berlin"], berlins
        )
    governance.set_vc_key(
        world.client, world.chambers["DE-berlin"], world.chamber_ids["DE-berlin"], berlins
    )


def test_a_key_the_sender_does_not_hold_cannot_be_registered(world: World) -> None:
    """Somebody else's public key (from its DID document) with a proof made by another key."""
    victim, mine = generate_key_pair(), generate_key_pair()
    berlin = world.chamber_ids["DE-berlin"]
    forged = replace(proof(world, mine, berlin), qx=proof(world, victim, berlin).qx)
    forged = replace(forged, qy=proof(world, victim, berlin).qy)
    with reverts("IssuerRegistryInvalidVcPossession"):
        governance.set_vc_key(world.client, world.chambers["DE-berlin"], berlin, forged)


def test_the_high_s_twin_of_a_proof_is_refused(world: World) -> None:
    good = proof(world, generate_key_pair(), world.chamber_ids["DE-berlin"])
    twin = replace(good, s=(P256_N - int.from_bytes(good.s, "big")).to_bytes(32, "big"))
    with reverts("IssuerRegistryInvalidVcPossession"):
        governance.set_vc_key(
            world.client, world.chambers["DE-berlin"], world.chamber_ids["DE-berlin"], twin
        )


def test_a_point_off_the_curve_is_refused(world: World) -> None:
    good = proof(world, generate_key_pair(), world.chamber_ids["DE-berlin"])
    off = replace(good, qy=((int.from_bytes(good.qy, "big") + 1) % 2**256).to_bytes(32, "big"))
    with reverts("IssuerRegistryInvalidVcKey"):
        governance.set_vc_key(
            world.client, world.chambers["DE-berlin"], world.chamber_ids["DE-berlin"], off
        )
    with reverts("IssuerRegistryInvalidVcKey"):
        governance.set_vc_key(
            world.client,
            world.chambers["DE-berlin"],
            world.chamber_ids["DE-berlin"],
            replace(good, qx=ZERO, qy=ZERO),
        )


def test_an_unknown_body_is_refused(world: World) -> None:
    with reverts("IssuerRegistryUnknownIssuer"):
        governance.set_vc_key(
            world.client, world.authorities["DE"], 999, proof(world, generate_key_pair(), 999)
        )


def test_the_codec_refuses_an_answer_of_another_shape() -> None:
    from origincert.chain.codec import vc_key_record
    from origincert.errors import ChainError

    good = vc_key_record(ZERO, (1, 2, 0, 3, 0))
    assert (good.issuer_id, good.from_epoch, good.until_epoch) == (1, 2, 0)
    for values in ((1, 2, 0, 3), (1, 2, 0, 3, 0, 9), (1, 2, 0, 3, "0"), (True, 2, 0, 3, 0)):
        with pytest.raises(ChainError, match="vcKeyRecord"):
            vc_key_record(ZERO, values)
