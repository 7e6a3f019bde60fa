"""``origincert pdf``: the printable certificate of an issued file, with its QR code."""

from __future__ import annotations

from pathlib import Path

import click

from origincert.cli.common import handle_errors
from origincert.errors import DocumentError

MAX_ISSUED_BYTES = 4_000_000  # a 50-item certificate with its proof is well under 200 kB


def default_output(path: Path) -> Path:
    """``x.coo.json`` -> ``x.pdf`` (any other name: ``<stem>.pdf``)."""
    name = path.name
    stem = name[: -len(".coo.json")] if name.endswith(".coo.json") else path.stem
    return path.with_name(f"{stem}.pdf")


@click.command("pdf")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write (default: <name>.pdf).",
)
@click.option(
    "--portal-url",
    envvar="ORIGINCERT_PORTAL_URL",
    metavar="URL",
    help="Verification portal printed with a reference QR code (env ORIGINCERT_PORTAL_URL).",
)
@handle_errors
def pdf_cmd(file: Path, output: Path | None, portal_url: str | None) -> None:
    """Print FILE (a full or redacted copy) as an A4 PDF whose QR code verifies it."""
    from origincert.document import load_json
    from origincert.pdf import render_pdf
    from origincert.qr import EMBEDDED_PREFIX, encode_payload

    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise DocumentError(
            f"cannot read {file}: {exc.strerror or exc}", code="file_unreadable"
        ) from exc
    issued = load_json(raw, max_bytes=MAX_ISSUED_BYTES)
    data = render_pdf(issued, portal_url=portal_url)
    target = output or default_output(file)
    if target.resolve() == file.resolve():
        raise DocumentError(f"refusing to overwrite the input file {file}", code="pdf_overwrite")
    try:
        target.write_bytes(data)
    except OSError as exc:
        raise DocumentError(
            f"cannot write {target}: {exc.strerror or exc}", code="file_unwritable"
        ) from exc
    embedded = encode_payload(issued, portal_url=portal_url).startswith(EMBEDDED_PREFIX)
    kind = (
        "the whole certificate (verifiable offline)"
        if embedded
        else "a reference to the ledger record"
    )
    click.echo(f"wrote {target} ({len(data) // 1024} kB); its QR code carries {kind}")


def register(group: click.Group) -> None:
    group.add_command(pdf_cmd)
