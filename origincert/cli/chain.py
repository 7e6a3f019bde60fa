"""``origincert chain``: the local development chain and the deployment of the registries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from origincert.cli.common import Context, handle_errors, key_options


@click.group("chain")
def chain() -> None:
    """Start a local chain, deploy the registries, inspect the network."""


@chain.command("up")
@click.option("--port", default=8545, show_default=True, help="Port on 127.0.0.1.")
@click.option(
    "--state-dir", default=".origincert", show_default=True, type=click.Path(file_okay=False)
)
@handle_errors
def up(port: int, state_dir: str) -> None:
    """Start a local Hardhat node in the background; return once it answers."""
    from origincert.devtools import devchain

    node = devchain.start(port, state_dir=Path(state_dir))
    click.echo(f"local chain running at {node.url} (pid {node.pid}, log {node.log})")


@chain.command("down")
@click.option("--port", default=8545, show_default=True)
@click.option(
    "--state-dir", default=".origincert", show_default=True, type=click.Path(file_okay=False)
)
@handle_errors
def down(port: int, state_dir: str) -> None:
    """Stop the local node started by `chain up`."""
    from origincert.devtools import devchain

    if devchain.stop(port, state_dir=Path(state_dir)):
        click.echo(f"stopped the local chain on port {port}")
    else:
        click.echo(f"no local chain started by origincert on port {port}")


@chain.command("deploy")
@key_options
@click.option(
    "--council", "council", multiple=True, required=True, help="Council member address (repeat)."
)
@click.option(
    "--threshold",
    type=int,
    required=True,
    help="Approvals needed to execute a council act (M of N).",
)
@click.pass_obj
@handle_errors
def deploy_cmd(obj: Context, signer: Any, council: tuple[str, ...], threshold: int) -> None:
    """Deploy both registries with their council, and write the manifest."""
    from origincert.chain import ChainClient, deploy

    client = ChainClient.connect(obj.rpc_url)
    manifest = deploy(client, signer, list(council), threshold)
    manifest.save(obj.manifest_path)
    click.echo(
        f"deployed on chain {manifest.chain_id}\n"
        f"  IssuerRegistry      {manifest.issuer_registry.address} (block {manifest.issuer_registry.block})\n"
        f"  CertificateRegistry {manifest.certificate_registry.address} (block {manifest.certificate_registry.block})\n"
        f"  council of {len(council)}, threshold {threshold}\n"
        f"manifest written to {obj.manifest_path}"
    )


@chain.command("info")
@click.pass_obj
@handle_errors
def info(obj: Context) -> None:
    """Show the network, the registries and the council."""
    client = obj.client()
    members = client.call(client.issuers.functions.councilMembers())
    threshold = client.call(client.issuers.functions.threshold())
    issuers = client.call(client.issuers.functions.issuerCount())
    click.echo(
        f"chain {client.chain_id} at {obj.rpc_url}, block {client.block_number()}\n"
        f"  IssuerRegistry      {client.issuers.address}\n"
        f"  CertificateRegistry {client.certificates.address}\n"
        f"  council: {threshold} of {len(members)}: {', '.join(members)}\n"
        f"  issuing bodies accredited so far: {issuers}"
    )


def register(group: click.Group) -> None:
    group.add_command(chain)
