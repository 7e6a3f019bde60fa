"""The demo consortium: a local chain with real actors and a realistic mix of certificates.

Everything a person needs to try every other command: the manifest, keystores (with their
password file), journals, issued files (single and batch, revoked, replaced, redacted, printed,
and a tampered copy to see a forgery caught). Built only through the public library, exactly as
the CLI does it, so the demo is also an end-to-end check of the whole system.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from origincert import governance
from origincert.chain import ChainClient, Manifest, deploy
from origincert.devtools import devchain
from origincert.devtools.samples import sample_certificate
from origincert.issuer import Journal, issue_batch, issue_each, replace, revoke
from origincert.keys import create_keystore, load_keystore_signer
from origincert.pdf import render_pdf
from origincert.redact import redact
from origincert.signing import LocalSigner

YEAR = 365 * 24 * 3600

AUTHORITIES = {
    "DE": "Deutsche Industrie- und Handelskammer (competent authority DE)",
    "SG": "Singapore Customs (competent authority SG)",
}
CHAMBERS = {  # label -> (economy, name)
    "berlin": ("DE", "IHK Berlin"),
    "hamburg": ("DE", "Handelskammer Hamburg"),
    "sicc": ("SG", "Singapore International Chamber of Commerce"),
}
# Folders the demo owns inside its workdir; recreated on every run, nothing else is touched.
OWNED = ("keys", "journals", "issued", "examples", "chain", "portal", "network", "desk")


@dataclass
class DemoResult:
    workdir: Path
    rpc_url: str
    manifest_path: Path
    password_file: Path
    chain: devchain.DevChain | None  # None: the demo runs on a geth network (``--network``)
    issued: dict[str, list[Path]] = field(default_factory=dict)  # chamber label -> files
    examples: dict[str, Path] = field(default_factory=dict)  # what -> file


def _reset(workdir: Path, port: int) -> None:
    """Stop a chain left by an earlier run and clear the folders the demo owns."""
    devchain.stop(port, state_dir=workdir / "chain")
    if (workdir / "network" / "network.json").exists():
        from origincert import network

        network.down(workdir / "network")
    for name in OWNED:
        shutil.rmtree(workdir / name, ignore_errors=True)
    (workdir / "manifest.json").unlink(missing_ok=True)


def run_demo(
    workdir: Path,
    *,
    port: int = 8545,
    today: dt.date | None = None,
    portal_url: str | None = None,
    say: Callable[[str], None] = print,
    network: bool = False,
) -> DemoResult:
    """Start a chain, deploy, govern, issue; return where everything is. The chain keeps running.

    ``network``: four geth Clique validators (ports ``port`` to ``port + 3``, one-second blocks)
    in ``workdir/network`` instead of one Hardhat node."""
    workdir.mkdir(parents=True, exist_ok=True)
    _reset(workdir, port)
    today = today or dt.date.today()
    rng = random.Random(2026)
    if network:
        return _on_network(workdir, port, today, rng, portal_url, say)

    say(f"starting a local Hardhat chain on 127.0.0.1:{port}")
    node = devchain.start(port, state_dir=workdir / "chain")
    try:
        return _populate(workdir, node, today, rng, portal_url, say)
    except BaseException:
        devchain.stop(port, state_dir=workdir / "chain")
        raise


def _on_network(
    workdir: Path,
    port: int,
    today: dt.date,
    rng: random.Random,
    portal_url: str | None,
    say: Callable[[str], None],
) -> DemoResult:
    from origincert import network

    folder = workdir / "network"
    say(f"starting four geth Clique validators on 127.0.0.1:{port}..{port + 3} (1-second blocks)")
    spec = network.init(folder, period=1, http_port=port, p2p_port=port + 20000)
    try:
        network.up(folder)
        return _populate(workdir, ",".join(spec.urls), today, rng, portal_url, say)
    except BaseException:
        network.down(folder)
        raise


def _populate(
    workdir: Path,
    node: devchain.DevChain | str,
    today: dt.date,
    rng: random.Random,
    portal_url: str | None,
    say: Callable[[str], None],
) -> DemoResult:
    password = secrets.token_urlsafe(12)
    password_file = workdir / "keys" / "password.txt"
    password_file.parent.mkdir(parents=True)
    password_file.write_text(password + "\n")
    password_file.chmod(0o600)

    def key(name: str) -> LocalSigner:
        path = workdir / "keys" / f"{name}.json"
        create_keystore(path, password, kdf_work="unsafe_light")
        return load_keystore_signer(path, password)

    say(
        "creating keystores for the council, two competent authorities and three chambers "
        "(light key derivation, for a demo only: real keys use `origincert keys new`)"
    )
    keys_log = logging.getLogger("origincert.keys")
    keys_log.disabled = True  # said once above, not once per keystore
    deployer = key("deployer")
    council = [key(f"council-{i}") for i in (1, 2, 3)]
    authorities = {economy: key(f"authority-{economy.lower()}") for economy in AUTHORITIES}
    chambers = {label: key(f"chamber-{label}") for label in CHAMBERS}
    keys_log.disabled = False

    url = node if isinstance(node, str) else node.url
    # On a network a receipt counts once a block is built on it (Clique has no finality).
    client = ChainClient.connect(url, confirmations=2 if isinstance(node, str) else None)
    manifest: Manifest = deploy(client, deployer, [c.address for c in council], 2)
    manifest_path = workdir / "manifest.json"
    manifest.save(manifest_path)
    say(
        f"deployed IssuerRegistry {manifest.issuer_registry.address} and CertificateRegistry "
        f"{manifest.certificate_registry.address}; council of 3, threshold 2"
    )

    for economy, name in AUTHORITIES.items():
        p = governance.propose(
            client,
            council[0],
            "registerAuthority",
            [governance.economy_bytes(economy), authorities[economy].address, name],
        )
        governance.approve(client, council[1], p.proposal_id)
        governance.execute(client, council[0], p.proposal_id)
        say(f"council proposal {p.proposal_id} executed with 2 of 3 approvals: {name}")

    now = int(client.w3.eth.get_block("latest")["timestamp"])
    ledger_ids: dict[str, int] = {}
    for label, (economy, name) in CHAMBERS.items():
        issuer_id, _ = governance.accredit(
            client,
            authorities[economy],
            name=name,
            signing_key=chambers[label].address,
            valid_from=now - 60,
            valid_until=now + 2 * YEAR,
            key=chambers[label],
        )
        ledger_ids[label] = issuer_id
        say(f"{AUTHORITIES[economy].split(' (')[0]} accredited {name} as issuing body {issuer_id}")

    result = DemoResult(
        workdir, url, manifest_path, password_file, None if isinstance(node, str) else node
    )

    def documents(
        label: str, count: int, items: int | None = None, *, fresh: bool = False
    ) -> list[dict[str, Any]]:
        economy, name = CHAMBERS[label]
        return [
            sample_certificate(
                rng,
                economy=economy,
                items=items or rng.choice((1, 2, 3, 5)),
                issuing_body=name,
                ledger_id=ledger_ids[label],
                issued_on=today if fresh else today - dt.timedelta(days=rng.randint(1, 20)),
            )
            for _ in range(count)
        ]

    def journal(label: str) -> Journal:
        return Journal.open(workdir / "journals" / f"{label}.sqlite")

    out = {label: workdir / "issued" / label for label in CHAMBERS}
    with journal("berlin") as j:
        singles = issue_each(
            client, chambers["berlin"], documents("berlin", 3), journal=j, out_dir=out["berlin"]
        )
        batch = issue_batch(
            client, chambers["berlin"], documents("berlin", 25), journal=j, out_dir=out["berlin"]
        )
        say(
            f"IHK Berlin issued 3 single certificates and a batch of 25 in one transaction ({batch.tx_hash})"
        )
        revoked_number = singles[0].numbers[0]
        revoke(client, chambers["berlin"], j, revoked_number, "issued_in_error")
        say(f"IHK Berlin revoked {revoked_number} (issued in error)")
        result.examples["revoked"] = Path(singles[0].files[0])
        result.examples["batch member"] = Path(batch.files[0])
        result.examples["valid"] = Path(singles[1].files[0])

    with journal("hamburg") as j:
        first = issue_each(
            client, chambers["hamburg"], documents("hamburg", 2), journal=j, out_dir=out["hamburg"]
        )
        old_number = first[0].numbers[0]
        amended = documents("hamburg", 1, fresh=True)[0]
        new, _ = replace(
            client,
            chambers["hamburg"],
            j,
            old_number,
            amended,
            out_dir=out["hamburg"],
            reason="amended: corrected gross weight",
        )
        say(f"Handelskammer Hamburg replaced {old_number} by {new.numbers[0]}")
        result.examples["replaced"] = Path(first[0].files[0])
        result.examples["replacement"] = Path(new.files[0])

    with journal("sicc") as j:
        sg_batch = issue_batch(
            client, chambers["sicc"], documents("sicc", 10, items=3), journal=j, out_dir=out["sicc"]
        )
        say(
            f"Singapore International Chamber of Commerce issued a batch of 10 ({sg_batch.tx_hash})"
        )
        result.examples["printed"] = Path(sg_batch.files[0])

    examples = workdir / "examples"
    examples.mkdir()
    shown = json.loads(result.examples["printed"].read_text())
    redacted = redact(shown, ["exporter.address", "consignee.address", "goods[0].invoice"])
    result.examples["redacted"] = _write(examples / "redacted.coo.json", redacted)
    pdf = examples / "certificate.pdf"
    pdf.write_bytes(render_pdf(shown, portal_url=portal_url))
    result.examples["pdf"] = pdf
    tampered = json.loads(result.examples["valid"].read_text())
    tampered["document"]["goods"][0]["gross_weight_kg"] = _heavier(
        tampered["document"]["goods"][0]["gross_weight_kg"]
    )
    result.examples["tampered"] = _write(examples / "tampered.coo.json", tampered)
    say("wrote a redacted copy, a PDF with its QR code and a tampered copy to examples/")

    result.issued = {label: sorted(out[label].glob("*.coo.json")) for label in CHAMBERS}
    return result


def _heavier(weight: str) -> str:
    """A forger's edit: the same weight with a digit added (more goods under the same certificate)."""
    whole, _, cents = weight.partition(".")
    return f"{whole}0.{cents}" if cents else f"{whole}0"


def _write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    return path


__all__ = ["CHAMBERS", "DemoResult", "run_demo"]
