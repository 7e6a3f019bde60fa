"""``origincert audit``: replay the ledger, check it, reconcile archives, write the report.

Made to run on a schedule: with ``--checkpoint`` each run continues where the last one stopped,
and the exit code says whether anything at or above ``--fail-on`` was found (3), apart from bad
input (1) and an unreachable node (4). ``--json`` prints the findings in the CLI's one envelope.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from origincert.cli.common import Context, ExitCode, echo_json, envelope, handle_errors, json_option


class AnomaliesFound(click.ClickException):
    """The audit ran and found anomalies at or above the chosen severity: exit code 3."""

    exit_code = ExitCode.ANOMALIES


@click.command("audit")
@click.option(
    "--checkpoint",
    type=click.Path(file_okay=False),
    help="Folder keeping the rebuilt state between runs; "
    "each run continues from it (created on first use).",
)
@click.option(
    "--to-block",
    type=int,
    help="Audit the ledger as of this block (default: the head when the run starts).",
)
@click.option(
    "--archive",
    "archives",
    multiple=True,
    type=click.Path(exists=True, file_okay=False),
    help="Folder of issued certificate files (*.coo.json) to reconcile with the ledger (repeat).",
)
@click.option(
    "--journal",
    "journals",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="An issuing body's journal (origincert issue) to reconcile with the ledger (repeat).",
)
@click.option(
    "--desk-events",
    "desk_events",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="A chamber desk's event log (its admin's JSON Lines export) to include in the report (repeat).",
)
@click.option(
    "--archive-issuer",
    "archive_issuers",
    multiple=True,
    type=int,
    help="Issuer id whose archive or journal it is (repeat; default: the issuers whose keys signed it).",
)
@click.option(
    "--status-list",
    "status_list",
    type=click.Path(exists=True, path_type=Path),
    help="Published status lists (a file or a folder) to check against the ledger (needs --trust-list).",
)
@click.option(
    "--trust-list",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Trusted DID documents: the VC keys that may sign those status lists.",
)
@click.option(
    "--out",
    default="audit-report",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder for report.json, report.html and the CSV tables.",
)
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(["json", "csv", "html"]),
    help="Report formats (repeat; default all three).",
)
@click.option(
    "--explorer-url",
    help="Link transactions in the HTML report, e.g. https://explorer.example/tx/{tx}.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["info", "warning", "critical"]),
    default="critical",
    show_default=True,
    help="Exit with code 3 when an anomaly of this severity or above is found.",
)
@click.option(
    "--no-crosscheck",
    is_flag=True,
    help="Skip comparing the rebuilt state with the contracts' views.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Processes reading archive files (default: one per idle CPU).",
)
@click.option(
    "--quiet",
    "-q",
    is_flag=True,
    help="No progress bar and no summary; the exit code and report only.",
)
@json_option
@click.pass_obj
@handle_errors
def audit(
    obj: Context,
    checkpoint: str | None,
    to_block: int | None,
    archives: tuple[str, ...],
    journals: tuple[str, ...],
    desk_events: tuple[str, ...],
    archive_issuers: tuple[int, ...],
    status_list: Path | None,
    trust_list: Path | None,
    out: str,
    formats: tuple[str, ...],
    explorer_url: str | None,
    fail_on: str,
    no_crosscheck: bool,
    workers: int | None,
    quiet: bool,
    as_json: bool,
) -> None:
    """Replay both registries, rebuild the state, check every rule, reconcile archives and report."""
    from tqdm import tqdm

    from origincert.audit import AuditOptions, Severity, run_audit
    from origincert.audit.desklog import read_desk_log
    from origincert.audit.report import check_explorer_url, write_report

    check_explorer_url(explorer_url)
    if status_list is not None and trust_list is None:
        raise click.UsageError("--status-list needs --trust-list (whose keys may sign the lists)")
    desk_logs = [read_desk_log(Path(p)) for p in desk_events]  # refused before the long replay
    options = AuditOptions(
        checkpoint=Path(checkpoint) if checkpoint else None,
        to_block=to_block,
        archives=tuple(Path(a) for a in archives),
        journals=tuple(Path(j) for j in journals),
        archive_issuers=frozenset(archive_issuers) or None,
        crosscheck=not no_crosscheck,
        workers=workers,
        status_lists=status_list,
        trust_list=trust_list,
    )
    client = obj.client()
    bar = tqdm(
        total=0,
        unit="block",
        file=sys.stderr,
        disable=quiet or as_json or not sys.stderr.isatty(),
        leave=False,
        desc="replay",
    )

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    try:
        with run_audit(client, options, on_progress=progress) as result:
            bar.close()
            written = write_report(
                result,
                out,
                formats=formats or ("json", "csv", "html"),
                explorer_url=explorer_url,
                desk_logs=desk_logs,
            )
            threshold = Severity.parse(fail_on)
            hits = [f for f in result.findings if f.severity >= threshold]
            if as_json:
                echo_json(_envelope(result, written, ok=not hits))
            elif not quiet:
                _summary(result, written)
    finally:
        bar.close()
    if hits:
        raise AnomaliesFound(
            f"{len(hits)} anomal{'y' if len(hits) == 1 else 'ies'} at or above {fail_on}; see {out}"
        )


def _envelope(result: Any, written: list[Path], *, ok: bool) -> dict[str, Any]:
    s = result.state
    summary = {
        "chain_id": result.manifest.chain_id,
        "first_block": result.first_block,
        "last_block": result.last_block,
        "events": result.stats["events"],
        "issuing_bodies": len(s.issuers),
        "anchors": s.anchors,
        "certificates": s.certificates,
        "findings": len(result.findings),
        "by_severity": {
            label: sum(1 for f in result.findings if f.severity.label == label)
            for label in ("critical", "warning", "info")
        },
        "report": [str(p) for p in written],
    }
    findings = [f.to_json() for f in result.findings]
    return envelope("audit", findings, ok=ok, summary=summary)


def _summary(result: Any, written: list[Path]) -> None:
    s = result.state
    counts = {
        label: sum(1 for f in result.findings if f.severity.label == label)
        for label in ("critical", "warning", "info")
    }
    click.echo(
        f"audited chain {result.manifest.chain_id}, blocks {result.first_block}-{result.last_block}"
        f"{' (continued from the checkpoint)' if result.resumed else ''}: {result.stats['events']} events in "
        f"{result.stats['replay_seconds']} s\n"
        f"  {len(s.issuers)} issuing bodies, {s.anchors} anchors, {s.certificates} certificates, "
        f"{s.revocations} revocations, {s.replacements} replacements"
    )
    for archive, r in result.reconciliations:
        click.echo(
            f"  archive {archive}: {r.files} files, {r.anchored} anchored, {r.accounted} of {r.issuer_anchors} anchors accounted for"
        )
    if not result.findings:
        click.echo("no anomalies found")
    else:
        click.echo(
            f"anomalies: {counts['critical']} critical, {counts['warning']} warning, {counts['info']} info"
        )
        for f in sorted(result.findings, key=lambda f: -f.severity)[:10]:
            where = (
                f" (tx {f.tx_hash})"
                if f.tx_hash
                else (f" (block {f.block})" if f.block is not None else "")
            )
            click.echo(f"  [{f.severity.label}] {f.code}: {f.message}{where}")
        if len(result.findings) > 10:
            click.echo(f"  … {len(result.findings) - 10} more in the report")
    click.echo("report: " + ", ".join(str(p) for p in written))


def register(group: click.Group) -> None:
    group.add_command(audit)
