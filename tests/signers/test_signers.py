"""The signer interface: typed data in, the contract's digest signed, transactions signed alike."""

from __future__ import annotations

import os

import pytest
from chainutil import test_account
from eth_account import Account
from hypothesis import given, settings
from hypothesis import strategies as st

from origincert.errors import SigningError
from origincert.signers import HashSigner, Signer, typed_data_digest
from origincert.signing import (
    SECP256K1_N,
    LocalSigner,
    anchor_digest,
    anchor_typed_data,
    key_possession_digest,
    key_possession_typed_data,
    recover_signer,
    sign_anchor,
)

REGISTRY = "0x" + "5c" * 20
TO = test_account("registry").address


class KeyInMemory(HashSigner):
    """A hash-only signer over a local key; ``high_s`` returns the malleable twin, as some
    devices do, and only ``(r, s)`` as every PKCS#11 token does."""

    def __init__(self, label: str, *, high_s: bool = False) -> None:
        self._account = test_account(label)
        self._high_s = high_s

    @property
    def address(self) -> str:
        return self._account.address

    def _sign_hash(self, digest: bytes) -> tuple[int, int]:
        signed = self._account.unsafe_sign_hash(digest)
        return signed.r, (SECP256K1_N - signed.s) if self._high_s else signed.s


@settings(max_examples=50, deadline=None)
@given(
    root=st.binary(min_size=32, max_size=32),
    leaf_count=st.integers(1, 2**32 - 1),
    issuer_id=st.integers(1, 2**32 - 1),
    epoch=st.integers(0, 2**64 - 1),
    deadline=st.integers(0, 2**64 - 1),
    chain_id=st.integers(1, 2**64),
)
def test_the_typed_data_hashes_to_the_contracts_digest(
    root: bytes, leaf_count: int, issuer_id: int, epoch: int, deadline: int, chain_id: int
) -> None:
    """If the Anchor type changes in anchor_digest, anchor_typed_data must change with it."""
    args = (root, leaf_count, issuer_id, epoch, deadline, chain_id, REGISTRY)
    assert typed_data_digest(anchor_typed_data(*args)) == anchor_digest(*args)


@settings(max_examples=30, deadline=None)
@given(issuer_id=st.integers(0, 2**32 - 1), economy=st.sampled_from(["DE", "SG", "TH"]))
def test_the_key_possession_typed_data_hashes_to_its_digest(issuer_id: int, economy: str) -> None:
    args = (test_account("new key").address, issuer_id, economy, 31337, REGISTRY)
    assert typed_data_digest(key_possession_typed_data(*args)) == key_possession_digest(*args)


def test_typed_data_is_json_a_device_can_show() -> None:
    import json

    typed = anchor_typed_data(b"\x07" * 32, 3, 1, 0, 2**40, 31337, REGISTRY)
    assert json.loads(json.dumps(typed)) == typed
    assert typed["primaryType"] == "Anchor" and typed["message"]["leafCount"] == 3
    assert typed["message"]["issuerId"] == 1 and typed["message"]["deadline"] == 2**40


@pytest.mark.parametrize("high_s", [False, True])
def test_a_hash_signer_gives_canonical_recoverable_signatures(high_s: bool) -> None:
    signer = KeyInMemory("hash-signer", high_s=high_s)
    assert isinstance(signer, Signer)
    for _ in range(8):  # both recovery ids come up
        root = os.urandom(32)
        args = (root, 5, 1, 0, 2**40, 31337, REGISTRY)
        signature = sign_anchor(signer, *args)
        assert signature.s <= SECP256K1_N // 2
        assert recover_signer(anchor_digest(*args), signature) == signer.address


def test_sign_anchor_gives_the_signer_typed_data_not_a_digest() -> None:
    seen: list[object] = []

    class Device(KeyInMemory):
        def sign_typed_data(self, typed_data):  # type: ignore[no-untyped-def]
            seen.append(typed_data)
            return super().sign_typed_data(typed_data)

        def sign_digest(self, digest: bytes):  # type: ignore[no-untyped-def]
            if not seen:
                raise AssertionError("asked to blind-sign a digest")
            return super().sign_digest(digest)

    sign_anchor(Device("device"), b"\x01" * 32, 2, 7, 3, 2**40, 31337, REGISTRY)
    assert seen and seen[0]["message"] == {
        "root": "0x" + "01" * 32,
        "leafCount": 2,
        "issuerId": 7,
        "epoch": 3,
        "deadline": 2**40,
    }


def test_a_signer_with_the_wrong_key_is_caught() -> None:
    class Liar(KeyInMemory):
        @property
        def address(self) -> str:
            return test_account("someone else").address

    with pytest.raises(SigningError) as exc:
        Liar("liar").sign_digest(b"\x02" * 32)
    assert exc.value.code == "signer_mismatch"


@pytest.mark.parametrize(
    "tx",
    [
        {"to": TO, "value": 0, "gas": 90_000, "gasPrice": 0, "nonce": 7, "chainId": 31337,
         "data": "0x1234"},
        {"to": TO, "value": 1, "gas": 90_000, "maxFeePerGas": 2, "maxPriorityFeePerGas": 1,
         "nonce": 0, "chainId": 1337, "data": "0x"},
    ],
)  # fmt: skip
def test_transactions_are_signed_exactly_as_a_local_key_signs_them(tx: dict) -> None:
    """RFC 6979 makes a local key's signature deterministic: the hash signer must give the same
    raw transaction byte for byte, legacy and EIP-1559 alike."""
    signer = KeyInMemory("tx-signer")
    local = LocalSigner(test_account("tx-signer"))
    ours, theirs = signer.sign_transaction(dict(tx)), local.sign_transaction(dict(tx))
    assert ours.raw_transaction == theirs.raw_transaction and ours.hash == theirs.hash
    assert Account.recover_transaction(ours.raw_transaction) == signer.address


def test_a_transaction_from_someone_else_is_refused() -> None:
    tx = {"to": TO, "value": 0, "gas": 21_000, "gasPrice": 0, "nonce": 0, "chainId": 1}
    with pytest.raises(SigningError, match="this key is"):
        KeyInMemory("k").sign_transaction({**tx, "from": test_account("other").address})


def test_bad_typed_data_is_a_signing_error() -> None:
    with pytest.raises(SigningError) as exc:
        typed_data_digest({"types": {}, "message": {}})
    assert exc.value.code == "typed_data_invalid"
