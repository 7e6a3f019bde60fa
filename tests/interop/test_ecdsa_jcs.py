"""ecdsa-jcs-2019 against the W3C P-256 vector, byte for byte."""

from __future__ import annotations

import copy

import rfc8785

from origincert.interop.ecdsa_jcs import hash_data, sign_jcs, verify_jcs
from origincert.interop.p256 import P256KeyPair
from origincert.interop.proofs import ProofOptions

from .conftest import ECDSA, read_json

D = ECDSA / "ecdsa-jcs-2019-p256"


def test_jcs_vector_matches_byte_for_byte():
    unsigned = read_json(ECDSA / "unsigned.json")
    config = read_json(D / "proofConfigJCSECDSAP256.json")
    assert rfc8785.dumps(config).decode() == (D / "proofCanonJCSECDSAP256.txt").read_text()
    assert rfc8785.dumps(unsigned).decode() == (D / "canonDocJCSECDSAP256.txt").read_text()
    assert hash_data(unsigned, config).hex() == (D / "combinedHashJCSECDSAP256.txt").read_text()
    key = P256KeyPair.from_multikey(read_json(ECDSA / "p256KeyPair.json")["secretKeyMultibase"])
    options = ProofOptions("ecdsa-jcs-2019", config["verificationMethod"], config["created"])
    assert sign_jcs(unsigned, key, options) == read_json(D / "signedJCSECDSAP256.json")


def test_jcs_vector_verifies_and_tampering_fails():
    signed = read_json(D / "signedJCSECDSAP256.json")
    public = read_json(ECDSA / "p256KeyPair.json")["publicKeyMultibase"]
    assert verify_jcs(signed, public) is True
    changed = copy.deepcopy(signed)
    changed["credentialSubject"]["alumniOf"] = "Elsewhere"
    assert verify_jcs(changed, public) is False
