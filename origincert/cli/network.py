"""``origincert network``: a consortium of validator nodes (geth Clique here, Besu QBFT as a kit)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from origincert.cli.common import InfrastructureError, handle_errors

_DIR = click.option(
    "--dir",
    "folder",
    default=".origincert/network",
    show_default=True,
    envvar="ORIGINCERT_NETWORK_DIR",
    type=click.Path(file_okay=False, path_type=Path),
    help="The network's folder (keys, genesis, node data).",
)
_NODES = click.option(
    "--node", "nodes", multiple=True, help="Only this node (name or number; repeat). Default: all."
)


@click.group("network")
def network() -> None:
    """Run a consortium network: one validator node per member."""


@network.command("init")
@_DIR
@click.option("--validators", default=4, show_default=True, help="Number of validator nodes.")
@click.option(
    "--engine",
    type=click.Choice(["geth", "besu"]),
    default="geth",
    show_default=True,
    help="geth: Clique nodes to run here; besu: the QBFT deployment kit for production.",
)
@click.option("--chain-id", default=202612, show_default=True)
@click.option("--period", default=2, show_default=True, help="Seconds between blocks.")
@click.option("--http-port", default=8545, show_default=True, help="First node's JSON-RPC port.")
@click.option("--p2p-port", default=30303, show_default=True, help="First node's peer port.")
@click.option("--free-ports", is_flag=True, help="Pick free ports instead of consecutive ones.")
@click.option("--force", is_flag=True, help="Replace a network already in the folder.")
@handle_errors
def init_cmd(
    folder: Path,
    validators: int,
    engine: str,
    chain_id: int,
    period: int,
    http_port: int,
    p2p_port: int,
    free_ports: bool,
    force: bool,
) -> None:
    """Generate validators' keys, genesis and static peer lists (or the Besu kit)."""
    from origincert.network import init

    spec = init(
        folder,
        validators=validators,
        engine=engine,
        chain_id=chain_id,
        period=period,
        http_port=None if free_ports else http_port,
        p2p_port=None if free_ports else p2p_port,
        force=force,
    )
    click.echo(
        f"{engine} network of {len(spec.nodes)} validators, chain {spec.chain_id}, in {folder}"
    )
    for n in spec.nodes:
        click.echo(f"  {n.name}  {n.url}  validator {n.validator}")
    if engine == "besu":
        click.echo(f"Besu QBFT kit written; see {folder / 'README.md'} (it does not run here)")
    else:
        click.echo(f"start it with: origincert network up --dir {folder}")


def _print_reports(reports: list) -> None:  # type: ignore[type-arg]
    for r in reports:
        if not r.up:
            click.echo(f"  {r.url}  DOWN ({r.error})")
            continue
        signer = f", sealed by {r.head_signer}" if r.head_signer else ""
        click.echo(f"  {r.url}  block {r.head} {r.head_hash[:12]}…  peers {r.peers}{signer}")


@network.command("up")
@_DIR
@_NODES
@click.option("--wait", default=120.0, show_default=True, help="Seconds to wait for agreement.")
@handle_errors
def up_cmd(folder: Path, nodes: tuple[str, ...], wait: float) -> None:
    """Start the nodes; return once they agree on a head."""
    from origincert.network import load_spec, up

    reports = up(folder, nodes=list(nodes) or None, wait=wait)
    click.echo("the nodes agree on the head:")
    _print_reports(reports)
    urls = ",".join(load_spec(folder).urls)
    click.echo(f"export ORIGINCERT_RPC_URL={urls}")


@network.command("down")
@_DIR
@_NODES
@handle_errors
def down_cmd(folder: Path, nodes: tuple[str, ...]) -> None:
    """Stop the nodes."""
    from origincert.network import down

    stopped = down(folder, nodes=list(nodes) or None)
    click.echo(
        f"stopped {', '.join(stopped)}" if stopped else "no node of this network was running"
    )


@network.command("status")
@_DIR
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@handle_errors
def status_cmd(folder: Path, as_json: bool) -> None:
    """Each node's head, peers and who seals; exit 4 when a node is down."""
    from dataclasses import asdict

    from origincert.network import status

    s = status(folder)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "engine": s.spec.engine,
                    "chain_id": s.spec.chain_id,
                    "agreed": s.agreed,
                    "nodes": [
                        {"name": n.name, "validator": n.validator, **asdict(r)}
                        for n, r in zip(s.spec.nodes, s.reports, strict=True)
                    ],
                },
                indent=2,
            )
        )
    else:
        signers = next((r.signers for r in s.reports if r.up), ())
        click.echo(
            f"chain {s.spec.chain_id}, {len(s.spec.nodes)} validators; signers: {', '.join(signers) or '?'}"
        )
        _print_reports(list(s.reports))
        click.echo(
            "the nodes agree (same block at the lowest head)"
            if s.agreed
            else "the nodes DISAGREE (or all are down)"
        )
    down = [n.name for n, r in zip(s.spec.nodes, s.reports, strict=True) if not r.up]
    if down:
        raise InfrastructureError(f"[node_down] not answering: {', '.join(down)}")


def register(group: click.Group) -> None:
    group.add_command(network)
