"""``origincert issue``, ``revoke`` and ``replace``: a chamber's daily work, thin over ``origincert.issuer``.

The issuer (web3, SQLAlchemy) is imported inside each command, so ``--help`` stays fast.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from origincert.cli.common import (
    Context,
    confirm,
    confirm_options,
    echo_json,
    envelope,
    handle_errors,
    json_option,
    key_options,
)
from origincert.issuer import DEFAULT_JOURNAL
from origincert.issuer.reasons import REVOCATION_REASONS

if TYPE_CHECKING:
    from origincert.issuer import IssueResult
    from origincert.issuer.issuing import Progress

DEFAULT_OUT = "issued"
POOL_THRESHOLD = 1000  # below this many documents a process pool costs more than it saves

_journal_option = click.option(
    "--journal",
    "journal_location",
    default=DEFAULT_JOURNAL,
    show_default=True,
    envvar="ORIGINCERT_JOURNAL",
    help="The issuing body's journal: a path (SQLite) or an SQLAlchemy URL.",
)
_out_option = click.option(
    "--out",
    "out_dir",
    default=DEFAULT_OUT,
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the issued certificate files.",
)


def _relayer_options(fn: Any) -> Any:
    for option in reversed(
        [
            click.option(
                "--relayer-key",
                type=click.Path(dir_okay=False),
                help="Keystore of an account that sends the transaction instead.",
            ),
            click.option(
                "--relayer-password-file",
                type=click.Path(dir_okay=False),
                help="File holding the relayer keystore password.",
            ),
            click.option(
                "--relayer-password-env",
                default="ORIGINCERT_RELAYER_PASSWORD",
                show_default=True,
                help="Environment variable holding the relayer keystore password.",
            ),
        ]
    ):
        fn = option(fn)
    return fn


def _other_journal_options(fn: Any) -> Any:
    """Numbers are unique per issuing body, not per journal: name the body's other journals."""
    fn = click.option(
        "--journal-dir",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        help="A folder of the body's journals: every *.sqlite in it except --journal is checked likewise.",
    )(fn)
    return click.option(
        "--other-journal",
        "other_journals",
        multiple=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="Another journal of the same issuing body (read only): refuse a number it holds. Repeatable.",
    )(fn)


def _also_check(other_journals: tuple[Path, ...], journal_dir: Path | None) -> list[Path]:
    """The journals to consult: those named, then the folder's ``*.sqlite`` (the library skips
    the journal being written)."""
    return [*other_journals, *(sorted(journal_dir.glob("*.sqlite")) if journal_dir else [])]


def _relayer(key: str | None, password_file: str | None, password_env: str) -> Any:
    if key is None:
        return None
    from origincert.keys import load_signer, read_password

    return load_signer(key, read_password(prompt=True, file=password_file, env=password_env))


def _documents(paths: tuple[Path, ...]) -> list[Path]:
    """Files as given; a folder gives its ``*.json`` files (not issued ``*.coo.json`` ones), sorted."""
    from origincert.issuer.pipeline import FILE_SUFFIX

    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out += sorted(
                f
                for f in p.iterdir()
                if f.suffix == ".json" and not f.name.endswith(FILE_SUFFIX) and f.is_file()
            )
        else:
            out.append(p)
    return out


@contextmanager
def _bars() -> Iterator[Progress]:
    """A tqdm bar per stage (on a terminal only)."""
    from tqdm import tqdm

    bars: dict[str, tqdm[Any]] = {}

    def progress(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            label = {"prepare": "validate + hash", "files": "write files"}.get(stage, stage)
            bar = bars[stage] = tqdm(
                total=total, desc=label, unit="cert", disable=None, leave=False
            )
        bar.update(done - bar.n)

    try:
        yield progress
    finally:
        for bar in bars.values():
            bar.close()


def _gas(gas_used: int | None) -> str:
    return f", gas {gas_used:,}" if gas_used is not None else ""


def _summary(r: IssueResult, *, resumed: bool = False) -> str:
    noun = "certificate" if r.leaf_count == 1 else "certificates"
    what = (
        "recorded (found anchored on the ledger)"
        if r.found_on_ledger
        else ("finished" if resumed else "issued")
    )
    gas = _gas(r.gas_used)
    lines = [
        f"{what} {r.leaf_count:,} {noun} in batch #{r.batch_id}"
        + (f" ({r.numbers[0]})" if r.leaf_count == 1 else f" ({r.numbers[0]} .. {r.numbers[-1]})"),
        f"  root        {r.root}",
        f"  transaction {r.tx_hash} (block {r.block_number}{gas})",
    ]
    if r.out_dir is not None:
        lines.append(f"  files in    {r.out_dir}")
    return "\n".join(lines)


def batch_json(r: IssueResult) -> dict[str, Any]:
    """An anchored batch for ``--json``."""
    return {
        "kind": "batch",
        "batch_id": r.batch_id,
        "numbers": list(r.numbers),
        "root": r.root,
        "tx_hash": r.tx_hash,
        "block_number": r.block_number,
        "gas_used": r.gas_used,
        "files": list(r.files),
        "found_on_ledger": r.found_on_ledger,
    }


def action_json(a: Any) -> dict[str, Any]:
    """A revocation or replacement for ``--json``."""
    return {
        "kind": a.kind.value,
        "number": a.number,
        "new_number": a.new_number,
        "reason": a.reason,
        "tx_hash": a.tx_hash,
        "block_number": a.block_number,
        "gas_used": a.gas_used,
        "found_on_ledger": a.found_on_ledger,
    }


def _issued_summary(batches: list[IssueResult]) -> dict[str, Any]:
    return {"batches": len(batches), "certificates": sum(b.leaf_count for b in batches)}


@click.command("issue")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@_journal_option
@_out_option
@click.option("--batch/--single", "as_batch", default=True, show_default=True,
              help="Anchor all documents in one transaction, or each on its own.")  # fmt: skip
@_relayer_options
@click.option(
    "--resume", is_flag=True, help="Finish whatever an interrupted run left in the journal."
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    help="Processes for hashing (default: one per core for large batches).",
)
@_other_journal_options
@json_option
@click.pass_obj
@handle_errors
@key_options
def issue(
    obj: Context,
    signer: Any,
    paths: tuple[Path, ...],
    journal_location: str,
    out_dir: Path,
    as_batch: bool,
    relayer_key: str | None,
    relayer_password_file: str | None,
    relayer_password_env: str,
    resume: bool,
    workers: int | None,
    other_journals: tuple[Path, ...],
    journal_dir: Path | None,
    as_json: bool,
) -> None:
    """Issue the certificate documents in FILE|DIR ... and anchor them on the ledger.

    Every certificate is journaled before it is signed; after a crash, `--resume` finishes the
    work without anchoring anything twice. Numbers are unique per issuing body: with several
    journals (a desk each, a year each), name the others with --other-journal or --journal-dir.
    """
    if resume == bool(paths):
        raise click.UsageError("give either certificate files or folders to issue, or --resume")
    also_check = _also_check(other_journals, journal_dir)
    if resume and also_check:
        raise click.UsageError(
            "--other-journal and --journal-dir check new numbers; not with --resume"
        )
    from origincert.issuer import Journal, issuing, resuming
    from origincert.issuer.pipeline import default_workers

    relayer = _relayer(relayer_key, relayer_password_file, relayer_password_env)
    client = obj.client()
    say = (lambda _text: None) if as_json else click.echo
    with Journal.open(journal_location) as journal, _bars() as progress:
        if resume:
            report = resuming.resume(client, signer, journal, relayer=relayer, progress=progress)
            if as_json:
                results = [batch_json(r) for r in report.batches]
                results += [action_json(a) for a in report.actions]
                echo_json(
                    envelope(
                        "issue",
                        results,
                        ok=True,
                        summary={
                            **_issued_summary(list(report.batches)),
                            "actions": len(report.actions),
                        },
                    )
                )
                return
            for r in report.batches:
                click.echo(_summary(r, resumed=True))
            for a in report.actions:
                click.echo(
                    f"{a.kind.value} of {a.number} recorded on the ledger (transaction {a.tx_hash})"
                )
            if not report.batches and not report.actions:
                click.echo("nothing to resume: every batch in the journal is anchored and written")
            return
        sources = _documents(paths)
        if not sources:
            raise click.UsageError("no certificate documents (*.json) found in the given folders")
        labels = [str(p) for p in sources]
        if as_batch:
            n_workers = workers or (default_workers() if len(sources) >= POOL_THRESHOLD else 1)
            result = issuing.issue_batch(
                client, signer, sources, journal=journal, out_dir=out_dir, relayer=relayer, labels=labels,
                workers=n_workers, progress=progress, also_check=also_check,
            )  # fmt: skip
            batches = [result]
            say(_summary(result))
        else:
            batches = []

            def on_issued(r: IssueResult) -> None:
                batches.append(r)
                say(_summary(r))

            issuing.issue_each(
                client, signer, sources, journal=journal, out_dir=out_dir, relayer=relayer, labels=labels,
                on_issued=on_issued, also_check=also_check,
            )  # fmt: skip
    if as_json:
        echo_json(
            envelope(
                "issue", [batch_json(b) for b in batches], ok=True, summary=_issued_summary(batches)
            )
        )


@click.command("revoke")
@click.argument("number")
@click.option(
    "--reason",
    required=True,
    help="Reason code: "
    + ", ".join(f"{n} ({c})" for n, c in REVOCATION_REASONS.items())
    + ", or a number 1..255.",
)
@_journal_option
@confirm_options
@json_option
@click.pass_obj
@handle_errors
@key_options
def revoke(
    obj: Context,
    signer: Any,
    number: str,
    reason: str,
    journal_location: str,
    assume_yes: bool,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Revoke certificate NUMBER (a leaf of its batch, or the whole batch of one).

    Shows what will be sent and asks first (--yes skips the question, --dry-run sends nothing).
    """
    from origincert.cli.preview import revocation_plan
    from origincert.issuer import Journal, actions

    with Journal.open(journal_location) as journal:
        plan = revocation_plan(obj.client(), signer, journal, number, reason)
        if dry_run:
            if as_json:
                echo_json(envelope("revoke", [plan.to_json()], ok=True, summary={"dry_run": True}))
            else:
                click.echo("\n".join([*plan.lines(), "dry run: nothing was sent"]))
            return
        confirm(plan.lines(), assume_yes=assume_yes)
        a = actions.revoke(obj.client(), signer, journal, number, reason)
    if as_json:
        echo_json(envelope("revoke", [action_json(a)], ok=True, summary={"dry_run": False}))
        return
    click.echo(
        f"revoked {a.number} (reason {a.reason})\n  transaction {a.tx_hash} (block {a.block_number}{_gas(a.gas_used)})"
    )


@click.command("replace")
@click.argument("old_number")
@click.argument("new_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--reason", help="Why it is replaced (fills the new document's `replaces` when it has none)."
)
@_journal_option
@_out_option
@_relayer_options
@_other_journal_options
@json_option
@click.pass_obj
@handle_errors
@key_options
def replace(
    obj: Context,
    signer: Any,
    old_number: str,
    new_file: Path,
    reason: str | None,
    journal_location: str,
    out_dir: Path,
    relayer_key: str | None,
    relayer_password_file: str | None,
    relayer_password_env: str,
    other_journals: tuple[Path, ...],
    journal_dir: Path | None,
    as_json: bool,
) -> None:
    """Issue NEW_FILE as the replacement of certificate OLD_NUMBER and link them on the ledger."""
    from origincert.issuer import Journal, actions

    relayer = _relayer(relayer_key, relayer_password_file, relayer_password_env)
    with Journal.open(journal_location) as journal:
        issued, action = actions.replace(
            obj.client(),
            signer,
            journal,
            old_number,
            new_file,
            out_dir=out_dir,
            reason=reason,
            relayer=relayer,
            also_check=_also_check(other_journals, journal_dir),
        )
    if as_json:
        results = [batch_json(issued), action_json(action)]
        echo_json(envelope("replace", results, ok=True, summary=_issued_summary([issued])))
        return
    click.echo(_summary(issued))
    click.echo(
        f"{old_number} replaced by {issued.numbers[0]}\n"
        f"  transaction {action.tx_hash} (block {action.block_number}{_gas(action.gas_used)})"
    )


def register(group: click.Group) -> None:
    group.add_command(issue)
    group.add_command(revoke)
    group.add_command(replace)
