"""``origincert verify``: verify certificate files, folders and QR codes, for people or
(``--json``) programs.

Exit code 0 when every input is VALID, 1 when any is not, 2 for usage errors, 4 when the ledger
cannot be reached (never a verdict: a node being down says nothing about a certificate).
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from origincert.cli.common import Context, echo_json, envelope, handle_errors, json_option
from origincert.errors import ChainError, ChainUnavailable
from origincert.pdfqr import is_pdf
from origincert.verdict import CheckStatus, Verdict, VerificationResult

_MARK = {CheckStatus.OK: "ok", CheckStatus.FAILED: "FAILED", CheckStatus.SKIPPED: "skipped"}


def register(group: click.Group) -> None:
    group.add_command(verify)


@click.command("verify")
@click.argument("files", nargs=-1, type=click.Path(exists=True, allow_dash=True))
@json_option
@click.option(
    "--quiet", "-q", is_flag=True, help="One line per certificate (its verdict), then the summary."
)
@click.option(
    "--offline", is_flag=True, help="Do not consult the ledger: the verdict is at best UNCONFIRMED."
)
@click.option(
    "--qr",
    "qr_texts",
    multiple=True,
    metavar="TEXT",
    help="The text of a scanned QR code, or the portal link it holds (repeatable).",
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
    "--status-lists",
    type=click.Path(exists=True),
    help="Published status lists (a file or a folder), for credentials' revocation bits.",
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
    quiet: bool,
    offline: bool,
    qr_texts: tuple[str, ...],
    qr_images: tuple[str, ...],
    trust_list: str | None,
    status_lists: str | None,
    on: datetime | None,
) -> None:
    """Verify certificate FILEs or DIRs (- reads standard input) and QR codes against the ledger.

    A FILE is an issued file, the printed PDF (its QR code is read) or a credential exported from
    one (a W3C VC, a UNTP .jwt or its envelope: checked against --trust-list, and against
    --status-lists when given); a folder gives its issued files (*.coo.json); a QR code is its
    text or a link to the portal carrying it. A summary line ends the report.
    """
    names = expand(files)
    if not (names or qr_texts or qr_images):
        raise click.UsageError("give at least one FILE or DIR, --qr TEXT or --qr-image PNG")
    verifier = _verifier(ctx, offline)
    day: date | None = on.date() if on is not None else None

    labelled: list[tuple[str, VerificationResult]] = []
    raws = [_read(name) for name in names]
    from origincert.cli.interop import verify_inputs  # credentials go through the VC layer first

    pdf_at = {i for i, raw in enumerate(raws) if is_pdf(raw)}  # the printed PDF: its QR code
    others = iter(
        verify_inputs(
            tuple(n for i, n in enumerate(names) if i not in pdf_at),
            [r for i, r in enumerate(raws) if i not in pdf_at],
            verifier,
            trust_list,
            day,
            status_lists,
            client=None if offline else ctx.client(),
        )
    )
    labelled += [
        (name, verifier.verify_pdf(raws[i], on=day)) if i in pdf_at else next(others)
        for i, name in enumerate(names)
    ]
    labelled += [
        (f"QR code #{i + 1}", verifier.verify_qr(text, on=day)) for i, text in enumerate(qr_texts)
    ]
    labelled += [
        (name, verifier.verify_qr_image(Path(name).read_bytes(), on=day)) for name in qr_images
    ]

    all_valid = all(result.verdict is Verdict.VALID for _, result in labelled)
    counts = summary_counts(result for _, result in labelled)
    repeated = duplicate_numbers(labelled)
    if repeated:
        counts["duplicate_numbers"] = repeated
    if as_json:
        results = [{"input": name, **result.to_json()} for name, result in labelled]
        echo_json(envelope("verify", results, ok=all_valid, summary=counts))
    else:
        if quiet:
            click.echo("\n".join(f"{r.verdict.value:<12} {name}" for name, r in labelled))
        else:
            click.echo("\n\n".join(report(name, result) for name, result in labelled))
        click.echo(("" if quiet else "\n") + summary_line(counts))
        for group in repeated:
            click.echo(
                f"warning: number {group['number']} of issuing body {group['issuer_id']} is used by "
                f"{len(group['inputs'])} different certificates ({', '.join(group['inputs'])}): "
                "numbers are unique per issuing body; ask it which one is in force",
                err=True,
            )
    if not all_valid:
        raise click.exceptions.Exit(1)


def expand(paths: Sequence[str]) -> list[str]:
    """Files as given; a folder gives its issued files (``*.coo.json``), sorted by name."""
    out: list[str] = []
    for p in paths:
        path = Path(p)
        if p != "-" and path.is_dir():
            out += sorted(str(f) for f in path.iterdir() if f.name.endswith(".coo.json"))
        else:
            out.append(p)
    return out


def duplicate_numbers(labelled: Sequence[tuple[str, VerificationResult]]) -> list[dict[str, Any]]:
    """Inputs that are different certificates (other leaves) under one number of one issuing
    body, as the ledger names the body: a warning, not a verdict (both are the body's own)."""
    groups: dict[tuple[int, str], dict[str, list[str]]] = {}
    for name, result in labelled:
        ev = result.evidence
        issuer, shown, batch = ev.get("issuer"), ev.get("certificate"), ev.get("batch")
        if not (isinstance(issuer, dict) and isinstance(shown, dict) and isinstance(batch, dict)):
            continue
        number, leaf = shown.get("number"), batch.get("leaf")
        if isinstance(number, str) and isinstance(leaf, str):
            groups.setdefault((issuer["id"], number), {}).setdefault(leaf, []).append(name)
    return [
        {"issuer_id": issuer_id, "number": number, "inputs": [n[0] for n in leaves.values()]}
        for (issuer_id, number), leaves in sorted(groups.items())
        if len(leaves) > 1
    ]


def summary_counts(results: Any) -> dict[str, Any]:
    """``{"total": n, "verdicts": {"VALID": 308, "REVOKED": 1, ...}}``, most frequent first."""
    counter = Counter(r.verdict.value for r in results)
    return {"total": sum(counter.values()), "verdicts": dict(counter.most_common())}


def summary_line(counts: dict[str, Any]) -> str:
    """``3 certificates: 2 VALID, 1 REVOKED``."""
    total = counts["total"]
    noun = "certificate" if total == 1 else "certificates"
    parts = ", ".join(f"{n} {v}" for v, n in counts["verdicts"].items())
    return f"{total} {noun}: {parts}"


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
        return sys.stdin.buffer.read()
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
