"""Several files verified at once: a table of verdicts, and the same table as CSV.

Each file is verified and logged on its own (``verify.verify_upload``), so the table is a view
of log entries: reopening it, or downloading its CSV later, shows exactly what was logged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from flask import Blueprint, Flask, abort, g, render_template, request
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from origincert.portal import db
from origincert.portal.auth import login_required
from origincert.portal.catalogue import gettext
from origincert.portal.db import Verification
from origincert.portal.render import reason_words, verdict_view

__all__ = ["MAX_FILES", "bp", "init_app", "verify_many"]

bp = Blueprint("bulk", __name__)
MAX_FILES = 50
MAX_IDS = 200


def verify_many(files: Sequence[FileStorage]) -> tuple[str, int]:
    """Verify each uploaded file; the results page lists every one, refused files included."""
    from origincert.portal.verify import verify_upload

    chosen = [f for f in files if f.filename]
    if len(chosen) > MAX_FILES:
        return render_template(
            "bulk.html",
            rows=[],
            ids="",
            error=gettext(
                "At most %(limit)s files can be verified at once; %(sent)s were sent.",
                limit=MAX_FILES,
                sent=len(chosen),
            ),
        ), 413
    ids: list[int] = []
    names: dict[int, str] = {}
    for f in chosen:
        raw = f.read()
        if not raw:
            continue
        outcome = verify_upload(raw, file_channel="bulk")
        ids.append(outcome.entry_id)
        names[outcome.entry_id] = f.filename or ""
    return _table(ids, names), 200


def _entries(ids: Sequence[int]) -> list[Verification]:
    rows = db.session().scalars(select(Verification).where(Verification.id.in_(ids))).all()
    mine = {e.id: e for e in rows if g.officer.is_admin or e.office_code == g.officer.office.code}
    return [mine[i] for i in ids if i in mine]


def _rows(ids: Sequence[int], names: dict[int, str] | None = None) -> list[dict[str, str | int]]:
    return [
        {
            "id": e.id,
            "file": (names or {}).get(e.id, ""),
            "number": e.certificate_number or "",
            "verdict": e.verdict,
            "word": verdict_view(e.verdict).word,
            "reason": reason_words(e.reason_code),
            "issuer": e.issuer or "",
        }
        for e in _entries(ids)
    ]


def _table(ids: Sequence[int], names: dict[int, str]) -> str:
    rows = _rows(ids, names)
    counts: dict[str, int] = {}
    for row in rows:
        counts[str(row["word"])] = counts.get(str(row["word"]), 0) + 1
    return render_template(
        "bulk.html",
        rows=rows,
        counts=sorted(counts.items()),
        ids=",".join(str(i) for i in ids),
        error=None,
    )


def _ids(text: str) -> list[int]:
    try:
        ids = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        abort(400, "The list of verifications is not a list of numbers.")
    if not ids or len(ids) > MAX_IDS:
        abort(400, f"Name between 1 and {MAX_IDS} verifications.")
    return ids


@bp.get("/verify/bulk.csv")
@login_required
def export() -> Response:
    """The results table as CSV (verification, number, verdict, reason code, issuer)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["verification", "certificate_number", "verdict", "reason_code", "reason", "issuer"]
    )
    for e in _entries(_ids(request.args.get("ids", ""))):
        writer.writerow(
            [
                e.id,
                e.certificate_number or "",
                e.verdict,
                e.reason_code,
                reason_words(e.reason_code),
                e.issuer or "",
            ]
        )
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=verifications.csv"},
    )


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
