"""The interop commands end to end against a real Hardhat node: key, DID, export, redact,
verify (VALID through every layer), import (same target hash), and refusals."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from verifier import builder
from verifier.conftest import DAY, documents

from origincert import governance
from origincert.cli import main
from origincert.interop.keystore import load_vc_key
from origincert.interop.registration import vc_key_possession
from origincert.redact import reveal_commitment


@pytest.fixture
def anchored(world, tmp_path: Path) -> tuple[Path, Path, object, Path]:
    """A certificate anchored after its body registered its VC key (made with the CLI) on the
    ledger: a credential verifies only with the key registered when its certificate was anchored."""
    chamber = world.chambers["DE-berlin"]
    registry = world.manifest.certificate_registry.address
    issuer_id = world.chamber_ids["DE-berlin"]
    manifest = tmp_path / "manifest.json"
    world.manifest.save(manifest)
    key = tmp_path / "vc-key.json"
    code, out = cli(world, manifest, "issuer", "vc-key", str(key), "--unsafe-light-kdf")
    assert code == 0 and out.startswith("zDn"), out
    governance.set_vc_key(
        world.client,
        chamber,
        issuer_id,
        vc_key_possession(
            load_vc_key(key, "correct horse"),
            issuer_id,
            world.client.chain_id,
            world.manifest.issuer_registry.address,
        ),
    )
    terms = (issuer_id, governance.epoch_of(world.client, issuer_id), world.now() + 86_400)
    docs = documents(1, 31)
    docs[0]["issuing_body"]["ledger_id"] = issuer_id  # v2: the body as the ledger names it
    docs[0]["issuing_body"]["name"] = governance.issuer_info(world.client, issuer_id).name
    files, root, sig = builder.build(
        docs, chamber, chain_id=world.client.chain_id, registry=registry, terms=terms
    )
    tx = builder.anchor(
        world.client, world.client.certificates, root, 1, sig, world.deployer, terms
    )
    files[0]["proof"]["tx_hash"] = tx.tx_hash
    issued = tmp_path / "c1.coo.json"
    issued.write_text(json.dumps(files[0]))
    return issued, manifest, chamber, key


def cli(world, manifest: Path, *args: str, env: dict | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(
        main,
        ["--rpc-url", world.client.url, "--manifest", str(manifest), *args],
        env={"ORIGINCERT_VC_PASSWORD": "correct horse", **(env or {})},
    )
    return result.exit_code, result.output


def test_export_redact_verify_import(world, anchored, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # outputs go to the current folder, never beside the input
    issued, manifest, chamber, key = anchored
    trust = tmp_path / "trust"
    trust.mkdir()
    code, out = cli(world, manifest, "issuer", "did", "--vc-key", str(key), "--host", "chamber.example",
                    "--ledger-address", chamber.address, "--chain-id", str(world.client.chain_id),
                    "-o", str(trust / "berlin.json"))  # fmt: skip
    assert code == 0, out
    did = out.splitlines()[0]
    assert did == "did:web:chamber.example"

    code, out = cli(world, manifest, "export", str(issued), "--as", "vc", "--vc-key", str(key),
                    "--did", did, "--status-list", "https://chamber.example/status/1",
                    "--status-index", "5")  # fmt: skip
    assert code == 0, out
    vc_path = tmp_path / "c1.vc.json"
    assert vc_path.exists()
    code, out = cli(world, manifest, "export", str(issued), "--as", "vc", "--vc-key", str(key),
                    "--did", did, "--status-list", "https://x/1", "--status-index", "5")  # fmt: skip
    assert code == 1 and "output_exists" in out

    code, out = cli(world, manifest, "verify", "--trust-list", str(trust), "--on", DAY.isoformat(),
                    "--json", str(vc_path), str(issued))  # fmt: skip
    assert code == 0, out
    results = json.loads(out)["results"]  # the CLI's one --json envelope
    assert [r["verdict"] for r in results] == ["VALID", "VALID"]
    assert [c["name"] for c in results[0]["checks"]][:2] == ["vc_format", "vc_terms"]

    code, out = cli(
        world, manifest, "redact", str(vc_path), "--hide", "consignee", "--hide", "producer"
    )
    assert code == 0, out
    redacted = tmp_path / "c1.redacted.vc.json"
    assert "consignee" not in json.loads(redacted.read_text())["credentialSubject"]
    code, out = cli(world, manifest, "verify", "--trust-list", str(trust), "--on", DAY.isoformat(),
                    str(redacted))  # fmt: skip
    assert code == 0 and "VALID" in out, out

    code, out = cli(world, manifest, "import", str(redacted))
    assert code == 0, out
    back = json.loads((tmp_path / "c1.redacted.coo.json").read_text())
    original = json.loads(issued.read_text())
    assert (
        reveal_commitment(back).commitment.target_hash.hex() == original["proof"]["target_hash"][2:]
    )
    code, out = cli(
        world, manifest, "verify", "--on", DAY.isoformat(), str(tmp_path / "c1.redacted.coo.json")
    )
    assert code == 0 and "VALID" in out, out

    tampered = copy.deepcopy(json.loads(vc_path.read_text()))
    tampered["credentialSubject"]["consignor"]["name"] = "Forged AG"
    bad = tmp_path / "bad.vc.json"
    bad.write_text(json.dumps(tampered))
    code, out = cli(world, manifest, "verify", "--trust-list", str(trust), str(bad))
    assert code == 1 and "INVALID" in out and "vc_proof" in out, out

    code, out = cli(world, manifest, "verify", "--on", DAY.isoformat(), str(vc_path))
    assert code == 1 and "not in the trust list" in out, out

    code, out = cli(world, manifest, "export", str(issued), "--as", "untp", "--vc-key", str(key),
                    "--did", did, "--status-list", "https://chamber.example/status/1",
                    "--status-index", "5")  # fmt: skip
    assert code == 0, out
    token = (tmp_path / "c1.dcc.jwt").read_text().strip()
    from origincert.interop.files import read_trust_list
    from origincert.interop.untp import verify_vc_jwt

    dcc = verify_vc_jwt(token, read_trust_list(trust))
    assert (
        dcc["credentialSubject"]["issuedToParty"]["name"]
        == original["document"]["exporter"]["name"]
    )
    envelope = json.loads((tmp_path / "c1.dcc.jwt.json").read_text())
    assert envelope["id"] == "data:application/vc+jwt," + token


def test_verify_takes_both_forms_and_refuses_an_unreliable_status_list(
    world, anchored, tmp_path: Path
) -> None:
    """The W3C VC, the UNTP token (a .jwt file) and its envelope are VALID through every layer,
    the status list included; a stale list is exit 4 (infrastructure), never a verdict."""
    from datetime import UTC, datetime, timedelta

    from origincert.interop.credential import StatusEntry, export_credential
    from origincert.interop.did import did_web_document
    from origincert.interop.keystore import load_vc_key
    from origincert.interop.loader import shipped_loader
    from origincert.interop.status import status_list_credential
    from origincert.interop.untp import build_dcc, enveloped, sign_vc_jwt

    issued_path, manifest, chamber, key_path = anchored
    issued = json.loads(issued_path.read_text())
    # the VC key the body registered on the ledger before anchoring: the CLI asks the ledger
    key, did, url = (
        load_vc_key(key_path, "correct horse"),
        "did:web:chamber.example",
        "https://c/s/1",
    )
    method, loader, entry = f"{did}#vc-key-1", shipped_loader(), StatusEntry(url, 0)
    trust = tmp_path / "trust"
    trust.mkdir()
    doc = did_web_document(
        did, key.public_multikey, ledger_address=chamber.address, chain_id=world.client.chain_id
    )
    (trust / "chamber.json").write_text(json.dumps(doc))
    vc = export_credential(issued, key=key, issuer_did=did, verification_method=method,
                           created="2026-01-01T00:00:00Z", status=entry, loader=loader)  # fmt: skip
    token = sign_vc_jwt(build_dcc(issued, did, entry), key, method)
    inputs = {"c.vc.json": json.dumps(vc), "c.dcc.jwt": token + "\n",
              "c.dcc.jwt.json": json.dumps(enveloped(token))}  # fmt: skip
    for name, text in inputs.items():
        (tmp_path / name).write_text(text)

    def lists(folder: str, valid_from: datetime, revoked: set[int]) -> Path:
        stamp = valid_from.strftime("%Y-%m-%dT%H:%M:%SZ")
        path = tmp_path / folder
        path.mkdir()
        signed = status_list_credential(list_url=url, revoked=revoked, issuer_did=did,
                                        verification_method=method, key=key, valid_from=stamp,
                                        created=stamp, loader=loader)  # fmt: skip
        (path / "1.json").write_text(json.dumps(signed))
        return path

    now = datetime.now(UTC)
    args = ["verify", "--trust-list", str(trust), "--on", DAY.isoformat(), "--json"]
    files = [str(tmp_path / name) for name in inputs]
    code, out = cli(
        world, manifest, *args, "--status-lists", str(lists("fresh", now, set())), *files
    )
    assert code == 0, out
    results = json.loads(out)["results"]
    assert [r["verdict"] for r in results] == ["VALID"] * 3
    for r in results:
        status = next(c for c in r["checks"] if c["name"] == "vc_status")
        assert status["status"] == "ok"
    code, out = cli(world, manifest, *args, "--status-lists",
                    str(lists("revoked", now, {0})), files[1])  # fmt: skip
    assert code == 1 and json.loads(out)["results"][0]["verdict"] == "REVOKED", out
    stale = lists("stale", now - timedelta(days=2), set())
    code, out = cli(world, manifest, *args, "--status-lists", str(stale), files[0])
    assert code == 4, out
    envelope, _ = json.JSONDecoder().raw_decode(out)  # then the error line for people
    assert envelope["error"]["code"] == "status_list_stale" and not envelope["results"]
