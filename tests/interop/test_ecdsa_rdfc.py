"""ecdsa-rdfc-2019 against the W3C vectors, byte for byte, and against tampering."""

from __future__ import annotations

import copy

import pytest

from origincert.interop.ecdsa_rdfc import hash_data, sign_rdfc, verify_rdfc
from origincert.interop.errors import InteropError, ProofError
from origincert.interop.p256 import P256KeyPair
from origincert.interop.proofs import ProofOptions
from origincert.interop.rdf import canonicalize

from .conftest import ECDSA, read_json

CASES = [
    ("ecdsa-rdfc-2019-p256", ECDSA / "unsigned.json"),
    ("ecdsa-rdfc-2019-p256/employ", ECDSA / "employmentAuth.json"),
]


def _key() -> P256KeyPair:
    return P256KeyPair.from_multikey(read_json(ECDSA / "p256KeyPair.json")["secretKeyMultibase"])


def test_key_pair_round_trips_the_vector_multikeys() -> None:
    pair = read_json(ECDSA / "p256KeyPair.json")
    key = _key()
    assert key.public_multikey == pair["publicKeyMultibase"]
    assert key.secret_multikey == pair["secretKeyMultibase"]
    assert "z42t" not in repr(key)


@pytest.mark.parametrize(("folder", "unsigned_path"), CASES)
def test_intermediates_and_signature_match_byte_for_byte(folder, unsigned_path, vector_loader):
    d = ECDSA / folder
    unsigned = read_json(unsigned_path)
    config = read_json(d / "proofConfigECDSAP256.json")
    signed = read_json(d / "signedECDSAP256.json")
    assert (
        "".join(canonicalize(unsigned, vector_loader)) == (d / "canonDocECDSAP256.txt").read_text()
    )
    proof_only = {k: v for k, v in config.items() if k != "@context"}
    combined = hash_data(unsigned, proof_only, vector_loader)
    assert combined.hex() == (d / "combinedHashECDSAP256.txt").read_text().strip()
    options = ProofOptions(
        cryptosuite="ecdsa-rdfc-2019",
        verification_method=config["verificationMethod"],
        created=config["created"],
    )
    out = sign_rdfc(unsigned, _key(), options, vector_loader)
    assert out["proof"]["proofValue"] == signed["proof"]["proofValue"]
    assert out == signed
    assert "proof" not in unsigned


@pytest.mark.parametrize(("folder", "unsigned_path"), CASES)
def test_signed_vector_verifies_and_a_changed_value_does_not(folder, unsigned_path, vector_loader):
    signed = read_json(ECDSA / folder / "signedECDSAP256.json")
    public = read_json(ECDSA / "p256KeyPair.json")["publicKeyMultibase"]
    assert verify_rdfc(signed, public, vector_loader) is True
    tampered = copy.deepcopy(signed)
    tampered["validFrom"] = "2024-01-01T00:00:00Z"
    assert verify_rdfc(tampered, public, vector_loader) is False
    other = P256KeyPair.from_secret(b"\x01" * 32).public_multikey
    assert verify_rdfc(signed, other, vector_loader) is False


def test_remote_context_is_refused_with_a_reason(vector_loader):
    doc = read_json(ECDSA / "unsigned.json")
    doc["@context"] = [*doc["@context"], "https://evil.example/ctx"]
    with pytest.raises(InteropError, match="not one origincert knows") as info:
        canonicalize(doc, vector_loader)
    assert info.value.code == "context_unknown"


def test_a_document_with_a_proof_is_not_signed_again(vector_loader):
    signed = read_json(ECDSA / "ecdsa-rdfc-2019-p256" / "signedECDSAP256.json")
    options = ProofOptions("ecdsa-rdfc-2019", "did:key:x#x")
    with pytest.raises(ProofError) as info:
        sign_rdfc(signed, _key(), options, vector_loader)
    assert info.value.code == "proof_set"
