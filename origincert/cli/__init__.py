"""The ``origincert`` command: one Click group, one module per area under ``origincert.cli``.

The group carries the connection options (``--rpc-url`` / ``ORIGINCERT_RPC_URL``, ``--manifest`` /
``ORIGINCERT_MANIFEST``) in its context object; each area module adds its commands with
``register(main)``. Library errors become ``click.ClickException`` with exit code 1 (bad input or a
refusal) or 2 (usage, infrastructure: the node is down).
"""

from __future__ import annotations

import importlib

import click

from origincert.cli.common import DEFAULT_MANIFEST, DEFAULT_RPC_URL, Context

# Area modules, each exposing ``register(group)``. Order is the order in ``--help``.
_AREAS = (
    "chain",
    "governance",
    "keys",
    "issue",
    "redact",
    "export",
    "interop",
    "pdf",
    "verify",
    "audit",
    "portal",
    "desk",
    "demo",
    "network",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--rpc-url",
    envvar="ORIGINCERT_RPC_URL",
    default=DEFAULT_RPC_URL,
    show_default=True,
    help="JSON-RPC endpoint of your member node.",
)
@click.option(
    "--manifest",
    envvar="ORIGINCERT_MANIFEST",
    default=DEFAULT_MANIFEST,
    show_default=True,
    type=click.Path(dir_okay=False),
    help="Deployment manifest (chain id, contract addresses).",
)
@click.version_option(package_name="origincert")
@click.pass_context
def main(ctx: click.Context, rpc_url: str, manifest: str) -> None:
    """Certificates of origin anchored on a permissioned ledger: issue, verify, audit."""
    ctx.obj = Context(rpc_url=rpc_url, manifest_path=manifest)


for _name in _AREAS:
    try:
        _module = importlib.import_module(f"origincert.cli.{_name}")
    except ModuleNotFoundError as exc:  # an area not built yet
        if exc.name != f"origincert.cli.{_name}":
            raise
        continue
    _module.register(main)
