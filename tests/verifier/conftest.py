"""Verifier fixtures: a ledger scene built once for the package (issuers in every state, batches
anchored, revoked, replaced, a second registry) and the adversarial corpus derived from it.

The scene is built inside an ``evm_snapshot`` and reverted when the package's tests are done, so
no other test sees it. Tests that change the chain further use ``world`` (rewound per test).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from origincert import governance
from origincert.chain import ChainClient, Manifest
from origincert.devtools.samples import sample_certificate
from origincert.document import parse_certificate
from origincert.redact import redact
from origincert.verifier import Verifier
from verifier import builder

DAY = datetime.now(
    UTC
).date()  # the day the scene's certificates are checked for (samples are recent)
YEAR = 365 * 24 * 3600


def key(label: str) -> LocalAccount:
    """A deterministic key of this package's own (never one of the shared world's)."""
    return Account.from_key(keccak(text=f"origincert-verifier-test:{label}"))


def documents(
    n: int,
    seed: int,
    *,
    economy: str = "DE",
    valid_on: date | None = DAY,
    items: int | None = None,
) -> list[dict[str, Any]]:
    """``n`` sample certificates of ``economy``; with ``valid_on``, only ones valid that day."""
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    while len(out) < n:
        d = sample_certificate(rng, economy=economy, items=items)
        issued, until = date.fromisoformat(d["issue_date"]), date.fromisoformat(d["valid_until"])
        if valid_on is None or issued <= valid_on <= until:
            out.append(d)
    return out


def document_where(
    seed: int, predicate: Any, economy: str = "DE", issued_on: date | None = None
) -> dict[str, Any]:
    rng = random.Random(seed)
    while True:
        d = sample_certificate(rng, economy=economy, issued_on=issued_on)
        if predicate(d):
            parse_certificate(d)
            return d


@dataclass
class Scene:
    """Named issued files on the ledger, in known states."""

    client: ChainClient
    manifest: Manifest
    relayer: LocalAccount
    files: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    roots: dict[str, bytes] = field(default_factory=dict)
    signatures: dict[str, bytes] = field(default_factory=dict)
    issuers: dict[str, int] = field(default_factory=dict)
    keys: dict[str, LocalAccount] = field(default_factory=dict)
    second_registry: str = ""

    @property
    def registry(self) -> str:
        return self.manifest.certificate_registry.address

    def issue(
        self,
        name: str,
        docs: list[dict[str, Any]],
        signer: LocalAccount,
        *,
        registry: str | None = None,
        chain_id: int | None = None,
        anchor_on: Any = None,
    ) -> list[dict[str, Any]]:
        terms = self.terms(signer)
        ledger_name = governance.issuer_info(self.client, terms[0]).name
        for d in docs:  # each document names the signer's issuing body as the ledger does (v2)
            d["issuing_body"]["ledger_id"] = terms[0]
            d["issuing_body"]["name"] = ledger_name
        files, root, sig = builder.build(
            docs,
            signer,
            chain_id=chain_id or self.client.chain_id,
            registry=registry or self.registry,
            terms=terms,
        )
        if anchor_on is not None:
            tx = builder.anchor(self.client, anchor_on, root, len(docs), sig, self.relayer, terms)
            for f in files:
                f["proof"]["tx_hash"] = tx.tx_hash
        self.files[name], self.roots[name], self.signatures[name] = files, root, sig
        return files

    def terms(self, signer: LocalAccount) -> tuple[int, int, int]:
        """The signer's body (1 for an unknown key), its epoch now, and a deadline a day ahead."""
        c = self.client
        issuer_id = int(c.call(c.issuers.functions.keyRecord(signer.address))[0])
        epoch = governance.epoch_of(c, issuer_id) if issuer_id else 1
        return (issuer_id or 1, epoch, _now(c) + 86_400)

    def accredit(self, name: str, authority: LocalAccount, signing: LocalAccount, now: int) -> int:
        issuer_id, _ = governance.accredit(
            self.client, authority, name=f"Chamber {name}", signing_key=signing.address,
            valid_from=now - 10, valid_until=now + 2 * YEAR, key=signing,
        )  # fmt: skip
        self.issuers[name], self.keys[name] = issuer_id, signing
        return issuer_id


def _now(client: ChainClient) -> int:
    return int(client.w3.eth.get_block("latest")["timestamp"])


def _build_scene(world: Any) -> Scene:
    c = world.client
    scene = Scene(c, world.manifest, key("relayer"))
    certs = c.certificates
    berlin, hamburg, de = (
        world.chambers["DE-berlin"],
        world.chambers["DE-hamburg"],
        world.authorities["DE"],
    )
    now = _now(c)

    # Good certificates: a batch of 5 (odd, so one leaf is carried up), a single, a redacted copy.
    scene.issue("batch", documents(5, 1), berlin, anchor_on=certs)
    scene.issue("single", documents(1, 2), hamburg, anchor_on=certs)
    scene.issue("sg", documents(1, 3, economy="SG"), world.chambers["SG-sicc"], anchor_on=certs)

    # Revoked: a whole batch by the authority (fraud), one leaf of a batch by the chamber (lost).
    scene.issue("root_revoked", documents(2, 4), berlin, anchor_on=certs)
    berlin_id = world.chamber_ids["DE-berlin"]
    c.send(certs.functions.revokeRoot(berlin_id, scene.roots["root_revoked"], 2), de)
    leaf_batch = scene.issue("leaf_revoked", documents(3, 5), berlin, anchor_on=certs)
    p = leaf_batch[1]["proof"]
    c.send(
        certs.functions.revokeLeaf(
            berlin_id,
            bytes.fromhex(p["root"][2:]),
            bytes.fromhex(p["target_hash"][2:]),
            [bytes.fromhex(h[2:]) for h in p["merkle_proof"]],
            4,
        ),
        berlin,
    )

    # Replaced: a single certificate replaced by another single one.
    old = scene.issue("replaced", documents(1, 6), berlin, anchor_on=certs)[0]["proof"]
    new = scene.issue("replacement", documents(1, 7), berlin, anchor_on=certs)[0]["proof"]
    h = lambda x: bytes.fromhex(x[2:])
    c.send(
        certs.functions.replace(
            berlin_id,
            h(old["root"]),
            h(old["target_hash"]),
            [],
            h(new["root"]),
            h(new["target_hash"]),
            [],
        ),
        berlin,
    )

    # A certificate naming an issuing body of SG, signed and anchored by a German chamber.
    scene.issue("economy_mismatch", documents(1, 17, economy="SG"), berlin, anchor_on=certs)

    # Issued, signed and anchored, but not a valid certificate (an HS code no chapter has).
    invalid = documents(1, 18)[0]
    invalid["goods"][0]["hs_code"] = "000000"
    scene.issue("schema_invalid", [invalid], berlin, anchor_on=certs)

    # Goods of several items (for reordering, appending and dropping), and an anchored
    # certificate that breaks a cross-field rule on fields a redacted copy still shows.
    scene.issue("multi", documents(2, 19, items=3), berlin, anchor_on=certs)
    rule_invalid = documents(1, 20, items=3)[0]
    rule_invalid["goods"][1]["item_number"] = 5
    scene.issue("rule_invalid", [rule_invalid], berlin, anchor_on=certs)

    # Validity: expired on DAY, and not yet issued on DAY.
    expired = document_where(8, lambda d: True, issued_on=DAY - timedelta(days=800))
    future = document_where(9, lambda d: True, issued_on=DAY + timedelta(days=5))
    scene.issue("expired", [expired], berlin, anchor_on=certs)
    scene.issue("future", [future], berlin, anchor_on=certs)

    # Issuers that changed after issuing: suspended, withdrawn for fraud, withdrawn (ordinary), key rotated.
    for name in ("suspended", "fraud", "withdrawn", "rotated"):
        scene.accredit(name, de, key(name), now)
    scene.issue("suspended", documents(1, 10), key("suspended"), anchor_on=certs)
    scene.issue("fraud", documents(1, 11), key("fraud"), anchor_on=certs)
    scene.issue("withdrawn", documents(1, 12), key("withdrawn"), anchor_on=certs)
    scene.issue("rotated", documents(1, 13), key("rotated"), anchor_on=certs)
    world.advance(60)
    governance.suspend(c, de, scene.issuers["suspended"])
    governance.withdraw(c, de, scene.issuers["fraud"], fraud=True)
    governance.withdraw(c, de, scene.issuers["withdrawn"], fraud=False)
    governance.rotate_key(
        c, key("rotated"), scene.issuers["rotated"], key("rotated-2").address, key=key("rotated-2")
    )
    # An issuing body accredited only after the batch above was anchored.
    scene.accredit("later", de, key("later"), _now(c))

    # Another registry on the same chain (same issuer registry), and a signature for another chain.
    deployed = c.deploy(
        "CertificateRegistry", [world.manifest.issuer_registry.address], key("deployer")
    )
    scene.second_registry = deployed.receipt["contractAddress"]
    scene.issue("other_registry", documents(1, 14), berlin, registry=scene.second_registry,
                anchor_on=c.contract("CertificateRegistry", scene.second_registry))  # fmt: skip
    scene.issue("other_chain", documents(1, 15), berlin, chain_id=c.chain_id + 1)
    # Signed by a key that was never accredited: cannot be anchored.
    scene.issue("never_accredited", documents(1, 16), key("never"))

    # Redacted copies of good certificates.
    scene.files["redacted"] = [
        redact(scene.files["batch"][0], ["exporter.address", "goods[0].invoice", "consignee"]),
        redact(scene.files["single"][0], ["producer", "declaration"]),
        redact(
            scene.files["multi"][0],
            ["exporter.address", "goods[1].invoice", "consignee", "goods[2]"],
        ),
    ]
    return scene


@pytest.fixture(scope="package")
def scene(world_session: Any) -> Iterator[Scene]:
    snapshot = world_session.rpc("evm_snapshot")["result"]
    try:
        yield _build_scene(world_session)
    finally:
        world_session.rpc("evm_revert", [snapshot])
        world_session.client.forget_nonces()


@pytest.fixture(scope="package")
def verifier(scene: Scene) -> Verifier:
    return Verifier(scene.client, clock=lambda: DAY)


@pytest.fixture(scope="package")
def offline() -> Verifier:
    return Verifier.offline(clock=lambda: DAY)
