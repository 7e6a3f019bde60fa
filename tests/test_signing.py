"""EIP-712 anchor signing: fixed vectors, eth-account's encoder as the reference, strict signatures."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest
from chainutil import eip712_anchor_message, eip712_key_possession_message
from eth_account import Account
from eth_utils import keccak, to_checksum_address
from hypothesis import given, settings
from hypothesis import strategies as st

from origincert.signing import (
    SECP256K1_N,
    LocalSigner,
    Signature,
    Signer,
    SigningError,
    anchor_digest,
    key_possession_digest,
    recover_anchor_signer,
    recover_signer,
    sign_anchor,
    sign_key_possession,
)

VECTORS = json.loads((Path(__file__).parent / "vectors" / "eip712-anchor-2.json").read_text())
KEY = bytes.fromhex(VECTORS["private_key"][2:])
REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
R = b"\7" * 32  # a batch root


def unhex(value: str) -> bytes:
    assert value.startswith("0x")
    return bytes.fromhex(value[2:])


def reference_digest(*args) -> bytes:
    message = eip712_anchor_message(*args)
    return keccak(b"\x19" + message.version + message.header + message.body)


TERMS = (1, 1, 2**40)  # issuer id, epoch, deadline


@pytest.fixture(scope="module")
def signer() -> LocalSigner:
    return LocalSigner(Account.from_key(KEY))


@pytest.mark.parametrize(
    "case", VECTORS["cases"], ids=lambda c: f"{c['leaf_count']}@{c['chain_id']}"
)
def test_vectors(case: dict, signer: LocalSigner) -> None:
    root = unhex(case["root"])
    terms = (case["issuer_id"], case["epoch"], case["deadline"])
    args = (root, case["leaf_count"], *terms, case["chain_id"], case["registry"])
    digest = anchor_digest(*args)
    assert digest == unhex(case["digest"])
    # RFC 6979: the same signature whichever way; a zero root is signed only as a raw digest
    signature = sign_anchor(signer, *args) if any(root) else signer.sign_digest(digest)
    assert signature.to_bytes() == unhex(case["signature"])
    assert signature.compact() == (unhex(case["r"]), unhex(case["vs"]))
    assert recover_signer(digest, unhex(case["signature"])) == VECTORS["address"] == signer.address
    assert (
        recover_anchor_signer(
            root,
            case["leaf_count"],
            *terms,
            unhex(case["signature"]),
            chain_id=case["chain_id"],
            registry=case["registry"],
        )
        == signer.address
    )


@pytest.mark.parametrize("case", VECTORS["key_possession"], ids=lambda c: c["economy"])
def test_key_possession_vectors(case: dict, signer: LocalSigner) -> None:
    args = (case["issuer_id"], case["economy"], case["chain_id"], case["issuer_registry"])
    digest = key_possession_digest(case["key"], *args)
    assert digest == unhex(case["digest"])
    assert recover_signer(digest, sign_key_possession(signer, *args)) == signer.address


@settings(max_examples=100, deadline=None)
@given(
    root=st.binary(min_size=32, max_size=32).filter(any),
    leaf_count=st.integers(1, 2**32 - 1),
    issuer_id=st.integers(1, 2**32 - 1),
    epoch=st.integers(0, 2**64 - 1),
    deadline=st.integers(0, 2**64 - 1),
    chain_id=st.integers(1, 2**256 - 1),
    registry=st.binary(min_size=20, max_size=20).map(to_checksum_address),
)
def test_digest_equals_eth_account_encoder(
    root: bytes,
    leaf_count: int,
    issuer_id: int,
    epoch: int,
    deadline: int,
    chain_id: int,
    registry: str,
) -> None:
    args = (root, leaf_count, issuer_id, epoch, deadline, chain_id, registry)
    assert anchor_digest(*args) == reference_digest(*args)


@settings(max_examples=50, deadline=None)
@given(
    key=st.binary(min_size=20, max_size=20).map(to_checksum_address),
    issuer_id=st.integers(0, 2**32 - 1),
    economy=st.sampled_from(["DE", "SG", "FR", "ZZ"]),
    chain_id=st.integers(1, 2**64),
    registry=st.binary(min_size=20, max_size=20).map(to_checksum_address),
)
def test_key_possession_digest_equals_eth_account_encoder(
    key: str, issuer_id: int, economy: str, chain_id: int, registry: str
) -> None:
    message = eip712_key_possession_message(key, issuer_id, economy, chain_id, registry)
    reference = keccak(b"\x19" + message.version + message.header + message.body)
    assert key_possession_digest(key, issuer_id, economy, chain_id, registry) == reference


@settings(max_examples=25, deadline=None)
@given(st.binary(min_size=32, max_size=32))
def test_signatures_round_trip_and_recover(signer: LocalSigner, digest: bytes) -> None:
    signature = signer.sign_digest(digest)
    assert Signature.from_bytes(signature.to_bytes()) == signature
    r, vs = signature.compact()
    assert int.from_bytes(r, "big") == signature.r
    assert int.from_bytes(vs, "big") >> 255 == signature.v - 27
    assert int.from_bytes(vs, "big") & ((1 << 255) - 1) == signature.s
    assert (
        recover_signer(digest, signature)
        == recover_signer(digest, signature.to_bytes())
        == signer.address
    )


def test_domain_binds_chain_and_registry(signer: LocalSigner) -> None:
    root = keccak(text="batch")
    signature = sign_anchor(signer, root, 3, *TERMS, 31337, REGISTRY)
    others = (
        anchor_digest(root, 3, *TERMS, 1, REGISTRY),
        anchor_digest(root, 3, *TERMS, 31337, "0x" + "11" * 20),
        anchor_digest(root, 4, *TERMS, 31337, REGISTRY),
        anchor_digest(root, 3, 2, 1, 2**40, 31337, REGISTRY),  # another body
        anchor_digest(root, 3, 1, 2, 2**40, 31337, REGISTRY),  # another epoch
        anchor_digest(root, 3, 1, 1, 2**40 + 1, 31337, REGISTRY),  # another deadline
    )
    for digest in others:
        assert recover_signer(digest, signature) != signer.address


def test_registry_case_does_not_change_the_digest() -> None:
    root = b"\1" * 32
    digest = anchor_digest(root, 1, *TERMS, 5, REGISTRY)
    assert digest == anchor_digest(root, 1, *TERMS, 5, REGISTRY.lower())
    assert digest == anchor_digest(root, 1, *TERMS, 5, "0x" + REGISTRY[2:].upper())


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ((b"\1" * 31, 1, 1, REGISTRY), "root_malformed"),
        (("00" * 32, 1, 1, REGISTRY), "root_malformed"),
        ((R, 0, 1, REGISTRY), "leaf_count_out_of_range"),
        ((R, 2**32, 1, REGISTRY), "leaf_count_out_of_range"),
        ((R, True, 1, REGISTRY), "leaf_count_out_of_range"),
        ((R, 1, 0, REGISTRY), "chain_id_invalid"),
        ((R, 1, 2**256, REGISTRY), "chain_id_invalid"),
        ((R, 1, "31337", REGISTRY), "chain_id_invalid"),
        ((R, 1, 1, REGISTRY[2:]), "address_invalid"),
        ((R, 1, 1, REGISTRY[:-1]), "address_invalid"),
        ((R, 1, 1, REGISTRY.replace("F", "f", 1)), "address_invalid"),  # checksum typo
        ((R, 1, 1, bytes(20)), "address_invalid"),
    ],
)
def test_bad_anchor_inputs_are_refused(args: tuple, code: str) -> None:
    root, count, chain_id, registry = args
    with pytest.raises(SigningError) as exc:
        anchor_digest(root, count, *TERMS, chain_id, registry)
    assert exc.value.code == code


@pytest.mark.parametrize(
    ("terms", "code"),
    [
        ((0, 1, 1), "issuer_id_out_of_range"),
        ((2**32, 1, 1), "issuer_id_out_of_range"),
        ((1, -1, 1), "epoch_out_of_range"),
        ((1, 2**64, 1), "epoch_out_of_range"),
        ((1, 1, 2**64), "deadline_out_of_range"),
        ((1, 1, "soon"), "deadline_out_of_range"),
    ],
)
def test_bad_anchor_terms_are_refused(terms: tuple, code: str) -> None:
    with pytest.raises(SigningError) as exc:
        anchor_digest(R, 1, *terms, 1, REGISTRY)
    assert exc.value.code == code


def test_high_s_twin_is_refused(signer: LocalSigner) -> None:
    digest = keccak(text="digest")
    good = signer.sign_digest(digest)
    twin = good.to_bytes()[:32] + (SECP256K1_N - good.s).to_bytes(32, "big") + bytes([55 - good.v])
    with pytest.raises(SigningError, match="upper half") as exc:
        recover_signer(digest, twin)
    assert exc.value.code == "signature_malformed"


@pytest.mark.parametrize("v", [0, 1, 26, 29, 255])
def test_bad_v_is_refused(signer: LocalSigner, v: int) -> None:
    digest = keccak(text="digest")
    raw = signer.sign_digest(digest).to_bytes()[:64] + bytes([v])
    with pytest.raises(SigningError, match="v must be 27 or 28") as exc:
        recover_signer(digest, raw)
    assert exc.value.code == "signature_malformed"


@pytest.mark.parametrize(
    "raw",
    [
        bytes(65)[:-1] + b"\x1b",  # r = s = 0
        bytes(64),  # too short
        bytes(66),  # too long
        "0x" + "00" * 65,  # hex text, not bytes
        (5).to_bytes(32, "big") + (5).to_bytes(32, "big") + b"\x1b",  # r is no point's x coordinate
        SECP256K1_N.to_bytes(32, "big") + (5).to_bytes(32, "big") + b"\x1b",  # r out of range
    ],
)
def test_malformed_signatures_are_refused(raw: object) -> None:
    with pytest.raises(SigningError) as exc:
        recover_signer(bytes(32), raw)  # type: ignore[arg-type]
    assert exc.value.code == "signature_malformed"


def test_digest_must_be_32_bytes(signer: LocalSigner) -> None:
    for bad in (bytes(31), "00" * 32):
        with pytest.raises(SigningError) as exc:
            signer.sign_digest(bad)  # type: ignore[arg-type]
        assert exc.value.code == "digest_malformed"
        with pytest.raises(SigningError) as exc:
            recover_signer(bad, bytes(65))  # type: ignore[arg-type]
        assert exc.value.code == "digest_malformed"


def test_a_faulty_signer_is_caught_before_anything_is_sent(signer: LocalSigner) -> None:
    class WrongKey:
        address = signer.address

        def sign_digest(self, digest: bytes) -> Signature:
            return LocalSigner(Account.from_key(b"\x02" * 32)).sign_digest(digest)

    assert isinstance(WrongKey(), Signer)
    with pytest.raises(SigningError, match=signer.address) as exc:
        sign_anchor(WrongKey(), R, 1, *TERMS, 31337, REGISTRY)
    assert exc.value.code == "signer_mismatch"


def test_a_zero_root_is_never_signed(signer: LocalSigner) -> None:
    with pytest.raises(SigningError) as exc:
        sign_anchor(signer, bytes(32), 1, *TERMS, 31337, REGISTRY)
    assert exc.value.code == "root_malformed"


def test_local_signer_never_shows_its_key(signer: LocalSigner) -> None:
    secrets = (KEY.hex(), KEY.hex().upper(), str(int.from_bytes(KEY, "big")))
    shown = repr(signer) + str(signer) + f"{signer!r} {signer}" + repr([signer])
    assert signer.address in repr(signer)
    assert not any(secret in shown for secret in secrets)
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(signer)
    assert not hasattr(signer, "key") and not hasattr(signer, "__dict__")


def test_local_signer_signs_transactions_for_the_chain_client(signer: LocalSigner) -> None:
    tx = {
        "chainId": 31337,
        "nonce": 0,
        "gas": 21000,
        "gasPrice": 0,
        "to": REGISTRY,
        "value": 0,
        "data": b"",
    }
    signed = signer.sign_transaction(tx)
    assert Account.recover_transaction(signed.raw_transaction) == signer.address


def test_local_signer_wraps_only_local_accounts() -> None:
    with pytest.raises(TypeError):
        LocalSigner(KEY)  # type: ignore[arg-type]
