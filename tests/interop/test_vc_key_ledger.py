"""The ``vc_key_registered`` check against a real Hardhat node: a credential verifies only with the
VC key the ledger registered for its issuing body when the certificate was anchored. Unregistered,
another body's, rotated out before issue, or registered only after issue: INVALID, each with its
reason code. Also the CLI's ``issuer register-vc-key`` (dry run, then sent)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from eth_account import Account
from verifier import builder
from verifier.conftest import DAY, documents

from origincert import governance
from origincert.cli import main
from origincert.governance import ledger_vc_key_registry
from origincert.interop.credential import StatusEntry, export_credential
from origincert.interop.did import TrustList, did_web, did_web_document
from origincert.interop.loader import shipped_loader
from origincert.interop.p256 import P256KeyPair, generate_key_pair
from origincert.interop.registration import (
    unsupported_registry,
    vc_key_hash,
    vc_key_possession,
)
from origincert.interop.verify import verify_credential
from origincert.verdict import CheckStatus, Verdict
from origincert.verifier import Verifier

LOADER = shipped_loader()
DID = did_web("chamber.example")
VM = f"{DID}#vc-key-1"


def register(world, label: str, key: P256KeyPair) -> None:
    issuer_id = world.chamber_ids[label]
    possession = vc_key_possession(
        key, issuer_id, world.client.chain_id, world.manifest.issuer_registry.address
    )
    governance.set_vc_key(world.client, world.chambers[label], issuer_id, possession)


def issue(world, seed: int) -> dict[str, Any]:
    """One certificate of DE-berlin, anchored in the body's current epoch."""
    chamber, issuer_id = world.chambers["DE-berlin"], world.chamber_ids["DE-berlin"]
    terms = (issuer_id, governance.epoch_of(world.client, issuer_id), world.now() + 86_400)
    docs = documents(1, seed)
    docs[0]["issuing_body"]["ledger_id"] = issuer_id
    docs[0]["issuing_body"]["name"] = governance.issuer_info(world.client, issuer_id).name
    files, root, sig = builder.build(
        docs,
        chamber,
        chain_id=world.client.chain_id,
        registry=world.manifest.certificate_registry.address,
        terms=terms,
    )
    tx = builder.anchor(
        world.client, world.client.certificates, root, 1, sig, world.deployer, terms
    )
    files[0]["proof"]["tx_hash"] = tx.tx_hash
    return files[0]


def verify(world, issued: dict[str, Any], key: P256KeyPair, *, online: bool = True):
    vc = export_credential(
        issued,
        key=key,
        issuer_did=DID,
        verification_method=VM,
        created="2026-01-05T10:00:00Z",
        status=StatusEntry("https://chamber.example/status/1", 7),
        loader=LOADER,
    )
    trust = TrustList(
        {
            DID: did_web_document(
                DID,
                key.public_multikey,
                ledger_address=world.chambers["DE-berlin"].address,
                chain_id=world.client.chain_id,
            )
        }
    )
    verifier = Verifier(world.client)
    return verify_credential(
        vc,
        trust=trust,
        loader=LOADER,
        verify_issued=lambda f: verifier.verify(f, on=DAY),
        registry=ledger_vc_key_registry(world.client) if online else unsupported_registry,
    )


def refused_with(result, code: str) -> None:
    check = result.check("vc_key_registered")
    assert (check.status, check.code) == (CheckStatus.FAILED, code), result.checks
    assert result.verdict is Verdict.INVALID


def test_the_registered_key_passes_and_the_verdict_is_valid(world) -> None:
    key = generate_key_pair()
    register(world, "DE-berlin", key)
    result = verify(world, issue(world, 41), key)
    assert result.check("vc_key_registered").status is CheckStatus.OK
    assert result.check("anchored").status is CheckStatus.OK
    assert result.verdict is Verdict.VALID
    # Without the ledger the check says so instead of passing.
    offline = verify(world, issue(world, 42), key, online=False)
    assert offline.check("vc_key_registered").status is CheckStatus.SKIPPED


def test_a_key_registered_nowhere_fails(world) -> None:
    register(world, "DE-berlin", generate_key_pair())
    refused_with(verify(world, issue(world, 43), generate_key_pair()), "vc_key_unregistered")


def test_no_key_registered_at_all_fails(world) -> None:
    refused_with(verify(world, issue(world, 44), generate_key_pair()), "vc_key_unregistered")


def test_another_bodys_key_fails(world) -> None:
    """A rogue chamber's own registered key, signing a credential of another body's certificate
    (the trust list was fooled into naming it): the ledger says whose key it is."""
    register(world, "DE-berlin", generate_key_pair())
    hamburgs = generate_key_pair()
    register(world, "DE-hamburg", hamburgs)
    refused_with(verify(world, issue(world, 45), hamburgs), "vc_key_other_issuer")


def test_a_rotated_out_key_fails_after_rotation_and_still_passes_before(world) -> None:
    """A stolen VC key after the body rotated: certificates anchored since are out of its reach;
    those anchored while it was the body's key still verify with it."""
    old, new = generate_key_pair(), generate_key_pair()
    register(world, "DE-berlin", old)
    before = issue(world, 46)
    register(world, "DE-berlin", new)
    after = issue(world, 47)
    refused_with(verify(world, after, old), "vc_key_retired")
    assert verify(world, after, new).verdict is Verdict.VALID
    earlier = verify(world, before, old)
    assert earlier.check("vc_key_registered").status is CheckStatus.OK
    assert earlier.verdict is Verdict.VALID


def test_a_key_registered_after_issue_fails(world) -> None:
    register(world, "DE-berlin", generate_key_pair())
    issued = issue(world, 48)
    later = generate_key_pair()
    register(world, "DE-berlin", later)
    refused_with(verify(world, issued, later), "vc_key_registered_after_issue")


def test_register_vc_key_cli_dry_run_then_yes(world, tmp_path: Path) -> None:
    from origincert.interop.keystore import create_vc_keystore

    vc_key = tmp_path / "vc-key.json"
    public = create_vc_keystore(vc_key, "correct horse", kdf_work="unsafe_light")
    signing = tmp_path / "berlin.json"
    keystore = Account.encrypt(
        world.chambers["DE-berlin"].key, "correct horse", kdf="scrypt", iterations=2
    )
    signing.write_text(json.dumps(keystore))
    manifest = tmp_path / "manifest.json"
    world.manifest.save(manifest)
    issuer_id = world.chamber_ids["DE-berlin"]

    def cli(*extra: str):
        return CliRunner().invoke(
            main,
            ["--rpc-url", world.client.url, "--manifest", str(manifest), "issuer", "register-vc-key",
             str(issuer_id), "--vc-key", str(vc_key), "--key", str(signing), *extra],
            env={"ORIGINCERT_VC_PASSWORD": "correct horse", "ORIGINCERT_PASSWORD": "correct horse"},
        )  # fmt: skip

    epoch = governance.epoch_of(world.client, issuer_id)
    dry = cli("--dry-run")
    assert dry.exit_code == 0 and "setVcKey" in dry.output and "nothing was sent" in dry.output
    assert governance.epoch_of(world.client, issuer_id) == epoch
    sent = cli("--yes")
    assert sent.exit_code == 0, sent.output
    assert public in sent.output
    assert governance.vc_key_at(world.client, issuer_id, epoch + 1) == vc_key_hash(public)
    again = cli("--yes")
    assert again.exit_code != 0 and "IssuerRegistryVcKeyAlreadyUsed" in again.output
    shown = CliRunner().invoke(
        main,
        ["--rpc-url", world.client.url, "--manifest", str(manifest), "issuer", "show",
         str(issuer_id)],
    )  # fmt: skip
    assert f"VC key hash 0x{vc_key_hash(public).hex()} (since epoch {epoch + 1}" in shown.output


@pytest.mark.parametrize("field", ["issuer_id", "root"])
def test_a_malformed_proof_gets_no_ledger_answer(world, field: str) -> None:
    """The evidence layer reports a broken proof; the VC key check only declines to answer."""
    answer = ledger_vc_key_registry(world.client)
    issued = issue(world, 49)
    issued["proof"][field] = "garbage"
    assert answer(issued, generate_key_pair().public_multikey) is None


def test_a_credential_of_a_certificate_never_anchored_says_so_in_the_evidence_layer(world) -> None:
    """No anchor, nothing for the VC key to be judged by: the check is skipped with its reason and
    the evidence layer gives the verdict (never VALID)."""
    key = generate_key_pair()
    register(world, "DE-berlin", key)
    issued = issue(world, 50)
    issued["proof"]["root"] = "0x" + "ab" * 32  # a root the body never anchored
    answer = ledger_vc_key_registry(world.client)(issued, key.public_multikey)
    assert answer is not None and answer.skipped and answer.code == "vc_key_no_anchor"
