"""``origincert demo``: the whole system on one machine, ready to try."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import click

from origincert.cli.common import Context, handle_errors


@click.command("demo")
@click.option(
    "--workdir",
    default="demo",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Where the manifest, keystores, journals and issued files go (its demo folders are recreated).",
)
@click.option("--port", default=8545, show_default=True, help="Port of the local chain.")
@click.option("--portal-port", default=8000, show_default=True, help="Port of the portal.")
@click.option(
    "--serve/--no-serve",
    default=True,
    show_default=True,
    help="Serve the portal (Ctrl-C stops it and the chain); --no-serve leaves the chain running.",
)
@click.option(
    "--network",
    "on_network",
    is_flag=True,
    help="Run on four geth Clique validators (ports PORT..PORT+3) instead of one Hardhat node.",
)
@click.pass_context
@handle_errors
def demo(
    ctx: click.Context, workdir: str, port: int, portal_port: int, serve: bool, on_network: bool
) -> None:
    """Start a chain, deploy, set up a consortium, issue real certificates, serve the portal."""
    from origincert.cli.portal import add_officer
    from origincert.cli.portal import serve as serve_portal
    from origincert.devtools import devchain
    from origincert.devtools.demo import run_demo

    root = Path(workdir).resolve()
    portal_url = f"http://127.0.0.1:{portal_port}"
    result = run_demo(
        root,
        port=port,
        portal_url=portal_url,
        say=lambda s: click.echo(f"  {s}"),
        network=on_network,
    )
    ex = result.examples
    env = f"ORIGINCERT_RPC_URL={result.rpc_url} ORIGINCERT_MANIFEST={result.manifest_path}"
    click.echo(
        f"\nThe demo is ready in {root}:\n"
        f"  manifest      {result.manifest_path}\n"
        f"  keystores     {root / 'keys'} (password in {result.password_file})\n"
        f"  issued files  {root / 'issued'} ({sum(len(v) for v in result.issued.values())} certificates)\n"
        f"  try them      valid {ex['valid'].name}, revoked {ex['revoked'].name}, replaced {ex['replaced'].name},\n"
        f"                redacted, tampered and the PDF in {root / 'examples'}\n"
        f"\n  {env} \\\n    origincert verify {ex['valid']} {ex['tampered']}\n"
    )
    if not serve:
        stop = (
            f"origincert network down --dir {root / 'network'}"
            if on_network
            else f"origincert chain down --port {port} --state-dir {root / 'chain'}"
        )
        click.echo(f"The chain keeps running: stop it with `{stop}`.")
        return
    obj = Context(rpc_url=result.rpc_url, manifest_path=str(result.manifest_path))
    instance = str(root / "portal")
    password = secrets.token_urlsafe(12)
    (root / "portal").mkdir(exist_ok=True)
    credentials = root / "portal" / "officer-password.txt"
    credentials.write_text(password + "\n")
    credentials.chmod(0o600)
    master = os.getpid()
    try:
        ctx.invoke(
            add_officer,
            username="officer",
            full_name="Demo Officer",
            office="DEHAM-1",
            office_name="Hamburg Customs Office",
            is_admin=True,
            password_file=str(credentials),
            password_env="ORIGINCERT_PORTAL_PASSWORD",
            instance=instance,
        )
        ctx.obj = obj
        click.echo(
            f"\nPortal: {portal_url}\n  sign in as  officer\n  password    {password}  (also in {credentials})\n"
            "Ctrl-C stops the portal and the chain.\n"
        )
        ctx.invoke(
            serve_portal,
            bind=f"127.0.0.1:{portal_port}",
            workers=2,
            threads=8,
            archive_dirs=tuple(str(root / "issued" / label) for label in result.issued),
            database_url=None,
            offline=False,
            insecure_http=True,
            access_log=False,
            debug=False,
            instance=instance,
        )
    finally:
        if os.getpid() == master:  # gunicorn's forked workers pass through here too when they exit
            if on_network:
                from origincert import network

                network.down(root / "network")
            else:
                devchain.stop(port, state_dir=root / "chain")
            click.echo("stopped the local chain")


def register(group: click.Group) -> None:
    group.add_command(demo)
