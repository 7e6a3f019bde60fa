"""The VC keystore (encrypted, never overwritten) and did:web documents / trust-list lookups."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from origincert.errors import KeystoreError
from origincert.interop.did import TrustList, did_web, did_web_document, ledger_accounts
from origincert.interop.errors import InteropError
from origincert.interop.keystore import create_vc_keystore, load_vc_key, vc_keystore_public
from origincert.interop.p256 import P256KeyPair
from origincert.interop.registration import vc_key_hash

ADDRESS = "0x" + "ab" * 20


def test_keystore_round_trip_and_refusals(tmp_path: Path) -> None:
    path = tmp_path / "vc.json"
    public = create_vc_keystore(path, "pw", kdf_work="unsafe_light")
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    assert vc_keystore_public(path) == public
    assert load_vc_key(path, "pw").public_multikey == public
    assert load_vc_key(path, "pw").secret.hex() not in path.read_text()
    with pytest.raises(KeystoreError) as info:
        load_vc_key(path, "wrong")
    assert info.value.code == "keystore_locked"
    with pytest.raises(KeystoreError) as info:
        create_vc_keystore(path, "pw", kdf_work="unsafe_light")
    assert info.value.code == "keystore_exists"
    blob = json.loads(path.read_text())
    blob["publicKeyMultibase"] = P256KeyPair.from_secret(b"\x03" * 32).public_multikey
    swapped = tmp_path / "swapped.json"
    swapped.write_text(json.dumps(blob))
    with pytest.raises(KeystoreError):
        load_vc_key(swapped, "pw")  # the public key is bound as associated data


def test_did_web_document_and_lookup() -> None:
    did = did_web("chamber.example:8443", "coo")
    assert did == "did:web:chamber.example%3A8443:coo"
    key = P256KeyPair.from_secret(b"\x04" * 32)
    doc = did_web_document(did, key.public_multikey, ledger_address=ADDRESS, chain_id=7)
    assert ledger_accounts(doc) == {(7, ADDRESS)}
    trust = TrustList({did: doc})
    assert trust.assertion_key(f"{did}#vc-key-1")["publicKeyMultibase"] == key.public_multikey
    for method in (f"{did}#other", "did:web:elsewhere.example#vc-key-1"):
        with pytest.raises(InteropError) as info:
            trust.assertion_key(method)
        assert info.value.code == "key_unknown"
    with pytest.raises(InteropError):
        did_web("bad host/with/slash")


def test_vc_key_hash_is_keccak_of_the_multikey_bytes() -> None:
    key = P256KeyPair.from_secret(b"\x04" * 32)
    assert len(vc_key_hash(key.public_multikey)) == 32
    assert vc_key_hash(key.public_multikey) != vc_key_hash(
        P256KeyPair.from_secret(b"\x05" * 32).public_multikey
    )


def test_a_did_document_can_name_every_signing_key_a_body_has_used() -> None:
    key = P256KeyPair.from_secret(b"\x04" * 32)
    old, new = "0x" + "11" * 20, "0x" + "22" * 20
    doc = did_web_document(
        "did:web:c.example", key.public_multikey, ledger_address=[old, new], chain_id=5
    )
    assert ledger_accounts(doc) == {(5, old), (5, new)}
    with pytest.raises(InteropError):
        did_web_document("did:web:c.example", key.public_multikey, ledger_address=[], chain_id=5)
