"""``origincert validate FILE|DIR``: check documents before issuing, with no key and no node.

Every file is checked against the certificate model and every cross-field rule (the same
``parse_certificate`` that ``issue`` runs), and the set is checked for repeated certificate numbers.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from origincert.cli.common import echo_json, envelope, handle_errors, json_option

MAX_DOCUMENT_BYTES = 4_000_000


@dataclass
class Checked:
    path: str
    number: str | None = None
    problems: list[tuple[str, str]] = field(default_factory=list)
    code: str | None = None

    @property
    def valid(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "input": self.path,
            "valid": self.valid,
            "number": self.number,
            "code": self.code,
            "problems": [{"path": p, "message": m} for p, m in self.problems],
        }


def documents(paths: tuple[Path, ...]) -> list[Path]:
    """Files as given; a folder gives its documents (``*.json`` but not issued ``*.coo.json``)."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out += sorted(
                f
                for f in p.iterdir()
                if f.is_file() and f.suffix == ".json" and not f.name.endswith(".coo.json")
            )
        else:
            out.append(p)
    return out


def check_file(path: Path) -> Checked:
    """One document: read it safely, validate it, collect every problem (nothing raised)."""
    from origincert.document import parse_certificate
    from origincert.errors import DocumentError
    from origincert.safejson import load_json

    checked = Checked(str(path))
    try:
        data = load_json(path.read_bytes(), max_bytes=MAX_DOCUMENT_BYTES)
        if isinstance(data.get("document"), dict) and "proof" in data:
            data = data["document"]  # an issued file: check the document it carries
        number = data.get("number")
        checked.number = number if isinstance(number, str) else None
        parse_certificate(data)
    except DocumentError as exc:
        checked.code = exc.code
        checked.problems = list(exc.problems) or [("", str(exc))]
    except OSError as exc:
        checked.code = "file_unreadable"
        checked.problems = [("", f"cannot read the file: {exc.strerror or exc}")]
    return checked


def check_duplicates(results: list[Checked]) -> None:
    """A number used twice in one set is a problem for each file that carries it."""
    counts = Counter(r.number for r in results if r.number is not None)
    for r in results:
        if r.number is not None and counts[r.number] > 1:
            others = [o.path for o in results if o.number == r.number and o is not r]
            r.problems.append(("number", f"is also used by {', '.join(others)}"))
            r.code = r.code or "duplicate_number"


@click.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@json_option
@handle_errors
def validate_cmd(paths: tuple[Path, ...], as_json: bool) -> None:
    """Check certificate documents against the model and every rule: no key, no node needed.

    FILE|DIR ...: a folder gives its *.json documents. Exit code 0 when all are valid, 1 otherwise.
    """
    files = documents(paths)
    if not files:
        raise click.UsageError("no certificate documents (*.json) found in the given folders")
    results = [check_file(f) for f in files]
    check_duplicates(results)
    n_bad = sum(1 for r in results if not r.valid)
    summary = {"total": len(results), "valid": len(results) - n_bad, "invalid": n_bad}
    if as_json:
        echo_json(
            envelope("validate", [r.to_json() for r in results], ok=not n_bad, summary=summary)
        )
    else:
        for r in results:
            click.echo(f"{'ok' if r.valid else 'INVALID':<8} {r.path}")
            for p, m in r.problems:
                click.echo(f"  - {p + ' ' if p else ''}{m}")
        noun = "document" if len(results) == 1 else "documents"
        click.echo(f"{len(results)} {noun}: {summary['valid']} valid, {n_bad} invalid")
    if n_bad:
        raise click.exceptions.Exit(1)


def register(group: click.Group) -> None:
    group.add_command(validate_cmd)
