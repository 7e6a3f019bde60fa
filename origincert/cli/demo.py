"""``origincert demo``: the whole system on one machine, ready to try."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

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
@click.option("--desk-port", default=8090, show_default=True, help="Port of the chamber's desk.")
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
    ctx: click.Context,
    workdir: str,
    port: int,
    portal_port: int,
    desk_port: int,
    serve: bool,
    on_network: bool,
) -> None:
    """Start a chain, deploy, set up a consortium, issue real certificates, serve the portal and
    a chamber's desk with its issuing worker."""
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
    desk_dir, desk_cmds = _desk(root, result, desk_port)
    if not serve:
        click.echo("Serve the chamber's desk and run its issuing worker with:\n  " + "\n  ".join(
            " ".join(c) for c in desk_cmds))  # fmt: skip
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
    desk_procs: list[subprocess.Popen[bytes]] = []
    try:
        for cmd, log in zip(desk_cmds, ("desk-serve.log", "desk-worker.log"), strict=True):
            with open(desk_dir / log, "wb") as out:
                desk_procs.append(subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT))
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
            for proc in desk_procs:
                proc.terminate()
                proc.wait(timeout=15)
            if on_network:
                from origincert import network

                network.down(root / "network")
            else:
                devchain.stop(port, state_dir=root / "chain")
            click.echo("stopped the local chain")


def _desk(root: Path, result: Any, desk_port: int) -> tuple[Path, list[list[str]]]:
    """The Berlin chamber's desk (sample exporters, two clerks, a waiting queue) and the commands
    that serve it and run its issuing worker with the chamber's demo key."""
    from origincert.desk.demo import create_demo_desk
    from origincert.devtools.demo import CHAMBERS

    desk_dir = root / "desk"
    password = secrets.token_urlsafe(12)
    economy, name = CHAMBERS["berlin"]
    waiting = 8
    logins = create_demo_desk(
        desk_dir, code="DEBER", name=name, economy=economy, place="Berlin", password=password,
        waiting=waiting,
    )  # fmt: skip
    users = desk_dir / "users-password.txt"
    users.write_text(password + "\n")
    users.chmod(0o600)
    cli = [sys.executable, "-m", "origincert.cli"]
    chain = ["--rpc-url", result.rpc_url, "--manifest", str(result.manifest_path)]
    commands = [
        [*cli, "desk", "serve", "--bind", f"127.0.0.1:{desk_port}", "--workers", "1",
         "--insecure-http", "--instance", str(desk_dir)],
        [*cli, *chain, "desk", "worker", "--chamber", "DEBER", "--instance", str(desk_dir),
         "--key", str(root / "keys" / "chamber-berlin.json"), "--password-file",
         str(result.password_file), "--batch-wait", "5"],
    ]  # fmt: skip
    click.echo(
        f"\nDesk of {name}: http://127.0.0.1:{desk_port}  (password of every demo user: "
        f"{password}, also in {users})\n"
        f"  chamber admin  {logins.admin}\n"
        f"  clerks         {', '.join(logins.clerks)}  ({waiting} applications wait)\n"
        f"  exporters      {', '.join(logins.exporters)} (the last one waits to be accepted)"
    )
    return desk_dir, commands


def register(group: click.Group) -> None:
    group.add_command(demo)
