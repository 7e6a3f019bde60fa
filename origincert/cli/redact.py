"""``origincert redact``: withhold fields of an issued certificate file before handing it on."""

from __future__ import annotations

import json
from pathlib import Path

import click

from origincert.cli.common import handle_errors, read_issued, sibling, write_output


def default_output(path: Path) -> Path:
    """``dir/x.coo.json`` -> ``x.redacted.coo.json`` in the current folder, not in ``dir``."""
    return sibling(path, ".redacted.coo.json")


@click.command("redact")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--hide",
    "hide",
    multiple=True,
    required=True,
    metavar="PATH",
    help="Field to withhold (repeat): a field (exporter.name), an object (exporter) or an item (goods[0] is the first).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write (default: <name>.redacted.coo.json in the current folder).",
)
@handle_errors
def redact_cmd(file: Path, hide: tuple[str, ...], output: Path | None) -> None:
    """Write a copy of FILE with the given fields withheld; the anchored proof still verifies."""
    from origincert.cli.interop import redact_credential_file
    from origincert.issued import parse_issued
    from origincert.redact import redact

    if redact_credential_file(file, hide, output):  # a Verifiable Credential: derive a proof
        return
    issued = parse_issued(read_issued(file))  # the one issued-file model
    copy = redact(issued, hide)
    before = set(issued.withheld)
    target = output or default_output(file)
    text = json.dumps(copy, indent=2, ensure_ascii=False) + "\n"
    write_output(target, file, text.encode("utf-8"), overwrite_code="redact_overwrite")
    withheld = list(copy["proof"]["withheld"])
    new = [p for p in withheld if p not in before]
    if new:
        click.echo(f"withheld {len(new)} field(s): {', '.join(new)}")
    else:
        click.echo("nothing new withheld (those fields were already withheld)")
    if len(withheld) > len(new):
        click.echo(f"{len(withheld)} field(s) withheld in total")
    click.echo(f"wrote {target}")


def register(group: click.Group) -> None:
    group.add_command(redact_cmd)
