"""``origincert verify``: verify certificate files and QR codes, for people or (``--json``) programs.

Exit code 0 when every input is VALID, 1 when any is not, 2 for usage errors and when the ledger
cannot be reached (never a verdict: a node being down says nothing about a certificate).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from origincert.cli.common import Context, handle_errors
from origincert.errors import ChainError, ChainUnavailable
from origincert.verdict import CheckStatus, Verdict, VerificationResult

_MARK = {CheckStatus.OK: "ok", CheckStatus.FAILED: "FAILED", CheckStatus.SKIPPED: "skipped"}


def register(group: click.Group) -> None:
    group.add_command(verify)


@click.command("verify")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, exists=True, allow_dash=True))
@click.option(
    "--json", "as_json", is_flag=True, help="Print the results as JSON (a list for several inputs)."
)
@click.option(
    "--offline", is_flag=True, help="Do not consult the ledger: the verdict is at best UNCONFIRMED."
)
@click.option(
    "--qr",
    "qr_texts",
    multiple=True,
    metavar="TEXT",
    help="The text of a scanned QR code (repeatable).",
)
@click.option(
    "--qr-image",
    "qr_images",
    multiple=True,
    type=click.Path(dir_okay=False, exists=True),
    metavar="PNG",
    help="A picture of a QR code (repeatable).",
)
@click.option(
    "--trust-list",
    type=click.Path(file_okay=False, exists=True),
    help="Directory of trusted DID documents, for Verifiable Credential inputs.",
)
@click.option(
    "--on",
    "on",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Judge validity for this day (default: today, UTC).",
)
@click.pass_obj
@handle_errors
def verify(
    ctx: Context,
    files: tuple[str, ...],
    as_json: bool,
    offline: bool,
    qr_texts: tuple[str, ...],
    qr_images: tuple[str, ...],
    trust_list: str | None,
    on: datetime | None,
) -> None:
    """Verify certificate FILEs (- reads standard input) and QR codes against the ledger."""
    if not (files or qr_texts or qr_images):
        raise click.UsageError("give at least one FILE, --qr TEXT or --qr-image PNG")
    verifier = _verifier(ctx, offline)
    day: date | None = on.date() if on is not None else None

    labelled: list[tuple[str, VerificationResult]] = []
    raws = [_read(name) for name in files]
    from origincert.cli.interop import verify_inputs  # credentials go through the VC layer first

    labelled += verify_inputs(files, raws, verifier, trust_list, day)
    labelled += [
        (f"QR code #{i + 1}", verifier.verify_qr(text, on=day)) for i, text in enumerate(qr_texts)
    ]
    labelled += [
        (name, verifier.verify_qr_image(Path(name).read_bytes(), on=day)) for name in qr_images
    ]

    if as_json:
        out = [{"input": name, **result.to_json()} for name, result in labelled]
        click.echo(json.dumps(out[0] if len(out) == 1 else out, indent=2, ensure_ascii=False))
    else:
        click.echo("\n\n".join(report(name, result) for name, result in labelled))
    if any(result.verdict is not Verdict.VALID for _, result in labelled):
        raise click.exceptions.Exit(1)


def _verifier(ctx: Context, offline: bool) -> Any:
    from origincert.chain import Manifest
    from origincert.verifier import Verifier

    try:
        if offline:
            manifest = (
                Manifest.load(ctx.manifest_path) if Path(ctx.manifest_path).exists() else None
            )
            return Verifier.offline(manifest)
        return Verifier(ctx.client())
    except ChainUnavailable:
        raise
    except ChainError as exc:  # no or a broken manifest: a usage error, not a verdict
        raise click.UsageError(f"[{exc.code}] {exc}") from exc


def _read(name: str) -> bytes:
    if name == "-":
        return click.get_binary_stream("stdin").read()
    return Path(name).read_bytes()


def report(name: str, result: VerificationResult) -> str:
    """A verification result as an officer reads it: the verdict, why, every check, the evidence."""
    width = max(len(c.name) for c in result.checks)
    lines = [f"{name}: {result.verdict.value}", f"  {result.summary}", ""]
    for c in result.checks:
        lines.append(f"  [{_MARK[c.status]:>7}] {c.name:<{width}}  {c.message}")
    ev = result.evidence
    facts = []
    if "issuer" in ev:
        facts.append(
            f"issuing body: {ev['issuer']['description']}, no. {ev['issuer']['id']} ({ev['issuer']['status']})"
        )
    if "anchor" in ev:
        a = ev["anchor"]
        facts.append(f"anchored: {a['time']}, block {a['block']}, transaction {a['tx']}")
    if "ledger" in ev:
        facts.append(f"ledger read at block {ev['ledger']['block']} ({ev['ledger']['time']})")
    if result.withheld:
        facts.append(f"withheld by the holder: {', '.join(result.withheld)}")
    if facts:
        lines += ["", *(f"  {f}" for f in facts)]
    return "\n".join(lines)
