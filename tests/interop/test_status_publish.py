"""``origincert status publish`` against a real node: the list follows the ledger's events."""

from __future__ import annotations

import json
from pathlib import Path

from chainutil import YEAR, test_account
from click.testing import CliRunner
from verifier import builder
from verifier.conftest import documents

from origincert import governance
from origincert.cli import main
from origincert.interop.ecdsa_sd import verify_sd_derived
from origincert.interop.keystore import create_vc_keystore, load_vc_key
from origincert.interop.loader import shipped_loader
from origincert.interop.status import decode_list, is_set


def _hex(h: str) -> bytes:
    return bytes.fromhex(h[2:])


def test_publish_sets_the_bits_of_revoked_leaves_and_roots(world, tmp_path: Path) -> None:
    chamber = test_account("interop-status-chamber")
    issuer_id, _ = governance.accredit(
        world.client, world.authorities["DE"], name="Chamber status test", signing_key=chamber.address,
        valid_from=world.now() - 10, valid_until=world.now() + YEAR, key=chamber,
    )  # fmt: skip
    terms = (issuer_id, governance.epoch_of(world.client, issuer_id), world.now() + 86_400)
    certs, registry = world.client.certificates, world.manifest.certificate_registry.address
    archive = tmp_path / "archive"
    archive.mkdir()
    batches = []
    for n, seed in ((3, 41), (2, 42), (1, 43)):
        docs = documents(n, seed)
        for d in docs:
            d["issuing_body"]["ledger_id"] = issuer_id
        files, root, sig = builder.build(
            docs, chamber, chain_id=world.client.chain_id, registry=registry, terms=terms
        )
        builder.anchor(world.client, certs, root, n, sig, world.deployer, terms)
        for i, f in enumerate(files):
            (archive / f"b{seed}-{i}.coo.json").write_text(json.dumps(f))
        batches.append(files)
    p = batches[0][1]["proof"]  # leaf 1 of the first batch: index 1
    world.client.send(
        certs.functions.revokeLeaf(
            issuer_id,
            _hex(p["root"]),
            _hex(p["target_hash"]),
            [_hex(h) for h in p["merkle_proof"]],
            4,
        ),
        chamber,
    )
    world.client.send(
        certs.functions.revokeRoot(issuer_id, _hex(batches[1][0]["proof"]["root"]), 2),
        world.authorities["DE"],
    )  # indexes 3, 4

    key = tmp_path / "vc.json"
    create_vc_keystore(key, "pw", kdf_work="unsafe_light")
    manifest = tmp_path / "manifest.json"
    world.manifest.save(manifest)
    out = tmp_path / "status-1.json"
    result = CliRunner().invoke(main, [
        "--rpc-url", world.client.url, "--manifest", str(manifest), "status", "publish",
        "--issuer-id", str(issuer_id), "--archive", str(archive), "--vc-key", str(key),
        "--did", "did:web:chamber.example", "--list-url", "https://chamber.example/status/1", "-o", str(out),
    ], env={"ORIGINCERT_VC_PASSWORD": "pw"})  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "3 batch(es), 3 certificate(s) revoked" in result.output
    credential = json.loads(out.read_text())
    bits = decode_list(credential["credentialSubject"]["encodedList"])
    assert [i for i in range(8) if is_set(bits, i)] == [1, 3, 4]
    public = load_vc_key(key, "pw").public_multikey
    assert verify_sd_derived(credential, public, shipped_loader()) is True

    (archive / "b41-1.coo.json").unlink()  # the revoked leaf's file is gone: refuse, never guess
    again = CliRunner().invoke(main, [
        "--rpc-url", world.client.url, "--manifest", str(manifest), "status", "publish",
        "--issuer-id", str(issuer_id), "--archive", str(archive), "--vc-key", str(key),
        "--did", "did:web:chamber.example", "--list-url", "https://x/1", "-o", str(tmp_path / "s2.json"),
    ], env={"ORIGINCERT_VC_PASSWORD": "pw"})  # fmt: skip
    assert again.exit_code == 1 and "status_leaf_unknown" in again.output
