"""The audit's check of published status lists against a real Hardhat chain: a correct list has
no finding, a list missing a revocation is critical, a list signed by another key is refused,
a list older than the newest revocation is stale; and ``origincert audit --status-list`` runs it."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from chainutil import YEAR, test_account
from click.testing import CliRunner
from verifier import builder
from verifier.conftest import documents

from origincert import governance
from origincert.audit.findings import Severity
from origincert.audit.statuslists import archive_positions, body_events, check_status_lists
from origincert.cli import main
from origincert.interop.did import TrustList, did_web_document
from origincert.interop.loader import shipped_loader
from origincert.interop.p256 import P256KeyPair
from origincert.interop.status import revoked_indexes, status_list_credential

DID, URL = "did:web:audited.example", "https://audited.example/status/1"
KEY, THIEF = P256KeyPair.from_secret(b"\x31" * 32), P256KeyPair.from_secret(b"\x09" * 32)


def _hex(h: str) -> bytes:
    return bytes.fromhex(h[2:])


@pytest.fixture
def body(world, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A body with two batches (3 and 2 certificates), leaf 1 of the first revoked."""
    folder = tmp_path_factory.mktemp("audit-status")
    chamber = test_account("interop-audit-status-chamber")
    issuer_id, _ = governance.accredit(
        world.client, world.authorities["DE"], name="Chamber audit status test",
        signing_key=chamber.address, valid_from=world.now() - 10, valid_until=world.now() + YEAR,
        key=chamber,
    )  # fmt: skip
    terms = (issuer_id, governance.epoch_of(world.client, issuer_id), world.now() + 86_400)
    certs, registry = world.client.certificates, world.manifest.certificate_registry.address
    archive = folder / "archive"
    archive.mkdir()
    batches = []
    for n, seed in ((3, 51), (2, 52)):
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
    p = batches[0][1]["proof"]
    world.client.send(
        certs.functions.revokeLeaf(issuer_id, _hex(p["root"]), _hex(p["target_hash"]),
                                   [_hex(h) for h in p["merkle_proof"]], 4),
        chamber,
    )  # fmt: skip
    trust = folder / "trust"
    trust.mkdir()
    doc = did_web_document(
        DID, KEY.public_multikey, ledger_address=chamber.address, chain_id=world.client.chain_id
    )
    (trust / "audited.json").write_text(json.dumps(doc))
    manifest = folder / "manifest.json"
    world.manifest.save(manifest)
    return {"id": issuer_id, "chamber": chamber, "archive": archive, "trust": trust,
            "manifest": manifest, "folder": folder}  # fmt: skip


def _signed(bits: set[int], at: datetime, *, key: P256KeyPair = KEY) -> dict[str, Any]:
    stamp = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return status_list_credential(list_url=URL, revoked=bits, issuer_did=DID,
                                  verification_method=f"{DID}#vc-key-1", key=key,
                                  valid_from=stamp, created=stamp, loader=shipped_loader())  # fmt: skip


def _check(world, body: dict[str, Any], list_vc: dict[str, Any]) -> list[Any]:
    issuer_of: Callable[[int, str], int | None] = lambda chain, account: (
        body["id"] if (chain, account) == (world.client.chain_id, body["chamber"].address.lower())
        else None
    )  # fmt: skip
    return check_status_lists(
        {URL: list_vc}, (),
        trust=TrustList({DID: json.loads((body["trust"] / "audited.json").read_text())}),
        issuer_of_account=issuer_of,
        events_of=lambda issuer_id: body_events(world.client, issuer_id),
        positions=archive_positions([body["archive"]], workers=1),
        block_time=lambda block: int(world.client.w3.eth.get_block(block)["timestamp"]),
    )  # fmt: skip


def _fresh(world) -> datetime:
    """Now on the chain's clock (earlier tests move it ahead of the wall clock)."""
    return datetime.fromtimestamp(world.now() + 1, UTC)


def test_the_rebuilt_bits_are_the_ledger_s(world, body) -> None:
    events = body_events(world.client, body["id"])
    assert [count for _, count in events.anchors] == [3, 2]
    positions = archive_positions([body["archive"]], workers=1)
    assert revoked_indexes(events.anchors, revoked_roots=events.revoked_roots,
                           revoked_leaves=events.revoked_leaves, positions=positions) == {1}  # fmt: skip


def test_a_correct_list_has_no_finding(world, body) -> None:
    assert _check(world, body, _signed({1}, _fresh(world))) == []


def test_a_list_missing_a_revocation_is_critical(world, body) -> None:
    findings = _check(world, body, _signed(set(), _fresh(world)))
    assert [(f.code, f.severity, f.details.get("index")) for f in findings] == [
        ("status_list.revocation_missing", Severity.CRITICAL, 1)
    ]
    assert findings[0].issuer_id == body["id"] and findings[0].subject == URL


def test_an_active_certificate_shown_revoked_is_a_warning(world, body) -> None:
    findings = _check(world, body, _signed({1, 3}, _fresh(world)))
    assert [(f.code, f.severity, f.details.get("index")) for f in findings] == [
        ("status_list.revoked_without_event", Severity.WARNING, 3)
    ]


def test_a_list_signed_by_another_key_is_refused(world, body) -> None:
    findings = _check(world, body, _signed({1}, _fresh(world), key=THIEF))
    assert [(f.code, f.severity, f.details.get("reason")) for f in findings] == [
        ("status_list.untrusted", Severity.CRITICAL, "status_list_signature_invalid")
    ]


def test_a_list_older_than_the_newest_revocation_is_stale(world, body) -> None:
    findings = _check(world, body, _signed({1}, _fresh(world) - timedelta(days=1)))
    assert [(f.code, f.severity) for f in findings] == [("status_list.stale", Severity.WARNING)]


def test_the_audit_command_checks_the_lists(world, body) -> None:
    lists = body["folder"] / "lists"
    lists.mkdir(exist_ok=True)
    (lists / "1.json").write_text(json.dumps(_signed(set(), _fresh(world))))
    (lists / "broken.json").write_text("{ not json")
    base = ["--rpc-url", world.client.url, "--manifest", str(body["manifest"]), "audit", "--json",
            "--no-crosscheck", "--out", str(body["folder"] / "report"), "--fail-on", "critical",
            "--status-list", str(lists)]  # fmt: skip
    refused = CliRunner().invoke(main, base)
    assert refused.exit_code == 2 and "--trust-list" in refused.output
    result = CliRunner().invoke(
        main, [*base, "--trust-list", str(body["trust"]), "--archive", str(body["archive"])]
    )
    envelope, _ = json.JSONDecoder().raw_decode(result.output)
    mine = sorted(
        (f["code"], f["severity"]) for f in envelope["results"] if f["kind"] == "status_list"
    )
    assert mine == [("status_list.revocation_missing", "critical"),
                    ("status_list.unreadable", "critical")]  # fmt: skip
    assert result.exit_code == 3
