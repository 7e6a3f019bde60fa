"""A chamber desk's event log, as exported by the desk (``/admin/events.jsonl``), read into the
audit report: what the chamber's people did (approvals, revocations asked and carried out,
settings changed, with before and after) beside what the ledger shows.

Pure and bounded: the file is JSON Lines whose first line names the format; a line longer than
``MAX_LINE`` or a file of more than ``MAX_EVENTS`` events is refused, never read whole.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from origincert.errors import ArchiveError

__all__ = ["FORMAT", "DeskLog", "read_desk_log"]

FORMAT = "origincert-desk-events/1"
MAX_LINE = 1024 * 1024
MAX_EVENTS = 10_000_000


@dataclass(frozen=True)
class DeskLog:
    source: str
    chamber: int
    events: int
    by_action: dict[str, int]
    first_at: str | None
    last_at: str | None
    revoked: tuple[str, ...]  # numbers the desk's worker recorded revoked
    replaced: tuple[str, ...]
    rows: list[dict[str, Any]] = field(repr=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source, "chamber": self.chamber, "events": self.events,
            "by_action": self.by_action, "first_at": self.first_at, "last_at": self.last_at,
            "revoked": list(self.revoked), "replaced": list(self.replaced),
        }  # fmt: skip


def _bad(path: Path, line: int, why: str) -> ArchiveError:
    return ArchiveError(f"{path}: line {line}: {why}", code="desk_log_invalid")


def read_desk_log(path: Path) -> DeskLog:
    """Read one export; ArchiveError ``desk_log_invalid`` names the first bad line."""
    rows: list[dict[str, Any]] = []
    chamber = -1
    with open(path, "rb") as f:
        for number, raw in enumerate(iter(lambda: f.readline(MAX_LINE + 1), b""), 1):
            if len(raw) > MAX_LINE:
                raise _bad(path, number, f"longer than {MAX_LINE} bytes")
            try:
                record = json.loads(raw)
            except (ValueError, RecursionError):
                raise _bad(path, number, "not JSON") from None
            if not isinstance(record, dict):
                raise _bad(path, number, "not a JSON object")
            if number == 1:
                if record.get("format") != FORMAT or not isinstance(record.get("chamber"), int):
                    raise _bad(path, 1, f"not a desk event log ({FORMAT})")
                chamber = record["chamber"]
                continue
            if not isinstance(record.get("action"), str) or not isinstance(record.get("at"), str):
                raise _bad(path, number, "an event needs an action and a time")
            rows.append(record)
            if len(rows) > MAX_EVENTS:
                raise _bad(path, number, f"more than {MAX_EVENTS} events")
    if chamber < 0:
        raise ArchiveError(f"{path}: empty, not a desk event log", code="desk_log_invalid")
    by_worker = [r for r in rows if r.get("actor") == "worker" and r.get("application")]
    return DeskLog(
        source=str(path),
        chamber=chamber,
        events=len(rows),
        by_action=dict(Counter(r["action"] for r in rows)),
        first_at=rows[0]["at"] if rows else None,
        last_at=rows[-1]["at"] if rows else None,
        revoked=tuple(str(r["application"]) for r in by_worker if r["action"] == "revoke"),
        replaced=tuple(str(r["application"]) for r in by_worker if r["action"] == "replace"),
        rows=rows,
    )
