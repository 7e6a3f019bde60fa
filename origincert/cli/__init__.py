"""The ``origincert`` command: one lazy Click group, one module per area under ``origincert.cli``.

The group carries the connection options (``--rpc-url`` / ``ORIGINCERT_RPC_URL``, ``--manifest`` /
``ORIGINCERT_MANIFEST``, ``--timeout`` / ``ORIGINCERT_TIMEOUT``) in its context object; they are
accepted before or after the subcommand. Each area module adds its commands with ``register(group)``
and is imported only when one of its commands runs, so ``origincert --help`` and offline commands
never pay for web3, SQLAlchemy or Flask. Exit codes are :class:`origincert.cli.common.ExitCode` (one table in the README).
"""

from __future__ import annotations

import importlib

import click

from origincert.cli.common import DEFAULT_MANIFEST, DEFAULT_RPC_URL, DEFAULT_TIMEOUT, Context

# Every top-level command: name -> (area module, one-line help shown by ``--help`` without
# importing the module). Order is the order in ``--help``. tests/cli/test_contract.py checks this
# table against what each area's ``register(group)`` really adds, help text included.
COMMANDS: dict[str, tuple[str, str]] = {
    "chain": ("chain", "Start a local chain, deploy the registries, inspect the network."),
    "council": ("governance", "Council acts by M-of-N approval: propose, approve, execute."),
    "authority": (
        "governance",
        "A competent authority accredits and oversees the issuing bodies of its economy.",
    ),
    "issuer": ("governance,interop", "An issuing body's own acts and status."),
    "keys": (
        "keys",
        "Encrypted keystores, one per actor (council member, authority, issuing body, deployer).",
    ),
    "template": (
        "template",
        "Print a document template for a form (ICC, EUR1, FORM_A, D, E, RCEP, ...), dated today.",
    ),
    "validate": (
        "validate",
        "Check certificate documents against the model and every rule: no key, no node needed.",
    ),
    "issue": (
        "issue",
        "Issue the certificate documents in FILE|DIR ... and anchor them on the ledger.",
    ),
    "revoke": (
        "issue",
        "Revoke certificate NUMBER (a leaf of its batch, or the whole batch of one).",
    ),
    "replace": (
        "issue",
        "Issue NEW_FILE as the replacement of certificate OLD_NUMBER and link them on the ledger.",
    ),
    "redact": (
        "redact",
        "Write a copy of FILE with the given fields withheld; the anchored proof still verifies.",
    ),
    "export": (
        "export",
        "Write FILE as a credential signed with the chamber's VC key (never the seed).",
    ),
    "import": (
        "interop",
        (
            "Turn an exported credential back into an issued certificate file (verify it "
            "afterwards), or with --foreign a checked foreign credential into a draft document "
            "plus its unmapped fields."
        ),
    ),
    "status": ("interop", "Bitstring Status Lists for outsiders, built from the ledger's events."),
    "pdf": ("pdf", "Print FILE (a full or redacted copy) as an A4 PDF whose QR code verifies it."),
    "verify": (
        "verify",
        "Verify certificate FILEs or DIRs (- reads standard input) and QR codes against the ledger.",
    ),
    "audit": (
        "audit",
        "Replay both registries, rebuild the state, check every rule, reconcile archives and report.",
    ),
    "portal": (
        "portal",
        "The customs verification portal: serve it, add officers, issue API tokens.",
    ),
    "desk": (
        "desk",
        "The chamber's e-CO desk: exporters apply, clerks review, the worker issues in batches.",
    ),
    "network": ("network", "Run a consortium network: one validator node per member."),
    "demo": (
        "demo",
        (
            "Start a chain, deploy, set up a consortium, issue real certificates, serve the portal "
            "and a chamber's desk with its issuing worker."
        ),
    ),
}

# Options of the group that may also be written after the subcommand (``verify x --manifest m``).
GLOBAL_OPTIONS = ("--rpc-url", "--manifest", "--timeout")


def load_command(name: str) -> click.Command | None:
    """Import the area module(s) that define command ``name`` and return the command.

    A group two areas add to (``issuer``: governance's acts, interop's VC identity) is one group
    holding the subcommands of both, with the first area's help."""
    entry = COMMANDS.get(name)
    if entry is None:
        return None
    found: list[click.Command] = []
    for module_name in entry[0].split(","):
        scratch = click.Group()
        importlib.import_module(f"origincert.cli.{module_name}").register(scratch)
        if name in scratch.commands:
            found.append(scratch.commands[name])
    if len(found) < 2:
        return found[0] if found else None
    merged = click.Group(name, help=found[0].help, short_help=found[0].short_help)
    for group in found:
        assert isinstance(group, click.Group), f"{name}: only groups can be shared by areas"
        for sub in group.commands.values():
            merged.add_command(sub)
    return merged


def _option_names(cmd: click.Command) -> set[str]:
    names = {o for p in cmd.params if isinstance(p, click.Option) for o in p.opts}
    if isinstance(cmd, click.Group):
        for sub in cmd.commands.values():
            names |= _option_names(sub)
    return names


def hoist_global_options(args: list[str], own: set[str]) -> tuple[list[str], list[str]]:
    """Split the group's options written after the subcommand from the subcommand's own arguments.

    An option the subcommand tree declares itself (``own``) stays where it is; ``--`` ends the scan.
    """
    hoisted: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest += args[i:]
            break
        name = arg.split("=", 1)[0]
        if name in GLOBAL_OPTIONS and name not in own:
            width = 1 if "=" in arg else 2
            hoisted += args[i : i + width]
            i += width
            continue
        rest.append(arg)
        i += 1
    return hoisted, rest


def _subcommand_index(args: list[str]) -> int | None:
    """Where the subcommand's name is: the first word that is not the group's option or its value."""
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            return None
        if arg in GLOBAL_OPTIONS:
            i += 2
            continue
        if arg in COMMANDS:
            return i
        i += 1
    return None


class LazyGroup(click.Group):
    """A group whose subcommands are imported when used (Click's ``examples/complex`` pattern)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return load_command(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the commands from the table, without importing a single area."""
        with formatter.section("Commands"):
            formatter.write_dl([(name, help_) for name, (_, help_) in COMMANDS.items()])

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        sub = _subcommand_index(args)
        if sub is not None:
            cmd = load_command(args[sub])
            own = _option_names(cmd) if cmd is not None else set()
            hoisted, rest = hoist_global_options(args[sub + 1 :], own)
            args = [*args[:sub], *hoisted, args[sub], *rest]
        return super().parse_args(ctx, args)


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
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
@click.option(
    "--timeout",
    envvar="ORIGINCERT_TIMEOUT",
    default=DEFAULT_TIMEOUT,
    show_default=True,
    type=click.FloatRange(min=0.1, max=3600),
    metavar="SECONDS",
    help="Give up on a node that has not answered a request in this time (exit code 4).",
)
@click.version_option(package_name="origincert")
@click.pass_context
def main(ctx: click.Context, rpc_url: str, manifest: str, timeout: float) -> None:
    """Certificates of origin anchored on a permissioned ledger: issue, verify, audit.

    Exit codes: 0 done (every certificate VALID), 1 a verdict other than VALID or a refusal,
    2 usage error, 3 the audit found anomalies, 4 the ledger cannot be reached.
    """
    ctx.obj = Context(rpc_url=rpc_url, manifest_path=manifest, timeout=timeout)
