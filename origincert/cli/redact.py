"""``origincert redact``: withhold fields of an issued certificate file before handing it on."""

from __future__ import annotations

import json
from pathlib import Path

import click

from origincert.cli.common import handle_errors
from origincert.errors import DocumentError

MAX_ISSUED_BYTES = 4_000_000  # a 50-item certificate with its proof is well under 200 kB


def default_output(path: Path) -> Path:
    """``x.coo.json`` -> ``x.redacted.coo.json`` (any other name: ``<stem>.redacted.coo.json``)."""
    name = path.name
    stem = name[: -len(".coo.json")] if name.endswith(".coo.json") else path.stem
    return path.with_name(f"{stem}.redacted.coo.json")


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
    help="Where to write (default: <name>.redacted.coo.json).",
)
@handle_errors
def redact_cmd(file: Path, hide: tuple[str, ...], output: Path | None) -> None:
    """Write a copy of FILE with the given fields withheld; the anchored proof still verifies."""
    from origincert.document import load_json
    from origincert.redact import redact

    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise DocumentError(
            f"cannot read {file}: {exc.strerror or exc}", code="file_unreadable"
        ) from exc
    issued = load_json(raw, max_bytes=MAX_ISSUED_BYTES)
    copy = redact(issued, hide)
    before = set(issued["proof"].get("withheld") or {})  # redact() has checked the proof's shape
    target = output or default_output(file)
    if target.resolve() == file.resolve():
        raise DocumentError(f"refusing to overwrite the input file {file}", code="redact_overwrite")
    try:
        target.write_text(json.dumps(copy, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as exc:
        raise DocumentError(
            f"cannot write {target}: {exc.strerror or exc}", code="file_unwritable"
        ) from exc
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
