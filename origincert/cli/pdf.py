"""``origincert pdf``: the printable certificate of an issued file, with its QR code."""

from __future__ import annotations

from pathlib import Path

import click

from origincert.cli.common import handle_errors, read_issued, sibling, write_output

PDF_LANGUAGES = ("en", "de")  # origincert.pdf.LANGUAGES (not imported: help stays fast)


def default_output(path: Path) -> Path:
    """``dir/x.coo.json`` -> ``x.pdf`` in the current folder, not in ``dir``."""
    return sibling(path, ".pdf")


@click.command("pdf")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write (default: <name>.pdf in the current folder).",
)
@click.option(
    "--portal-url",
    envvar="ORIGINCERT_PORTAL_URL",
    metavar="URL",
    help="Verification portal printed with a reference QR code (env ORIGINCERT_PORTAL_URL).",
)
@click.option(
    "--lang",
    type=click.Choice(PDF_LANGUAGES),
    default="en",
    show_default=True,
    help="Language of the printed labels (the certificate's own text is printed as written).",
)
@handle_errors
def pdf_cmd(file: Path, output: Path | None, portal_url: str | None, lang: str) -> None:
    """Print FILE (a full or redacted copy) as an A4 PDF whose QR code verifies it."""
    from origincert.issued import parse_issued
    from origincert.pdf import render_pdf
    from origincert.qr import EMBEDDED_PREFIX, encode_payload

    issued = parse_issued(read_issued(file))  # the one issued-file model
    data = render_pdf(issued, portal_url=portal_url, lang=lang)
    target = output or default_output(file)
    write_output(target, file, data, overwrite_code="pdf_overwrite")
    embedded = encode_payload(issued, portal_url=portal_url).startswith(EMBEDDED_PREFIX)
    kind = (
        "the whole certificate (verifiable offline)"
        if embedded
        else "a reference to the ledger record"
    )
    click.echo(f"wrote {target} ({len(data) // 1024} kB); its QR code carries {kind}")


def register(group: click.Group) -> None:
    group.add_command(pdf_cmd)
