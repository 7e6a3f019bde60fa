"""The verification log: search it, page through it, export it to CSV.

Officers see their own office's entries; administrators see every office's.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    g,
    render_template,
    request,
    stream_with_context,
)
from sqlalchemy import Select, func, select

from origincert.portal import db
from origincert.portal.auth import login_required
from origincert.portal.catalogue import gettext
from origincert.portal.db import Verification
from origincert.portal.forms import LogSearchForm
from origincert.portal.verification import ATTEMPT_OUTCOMES, CHANNELS
from origincert.verdict import Verdict

__all__ = ["bp", "csv_safe", "outcomes"]

bp = Blueprint("log", __name__)

CSV_COLUMNS = (
    "id",
    "time_utc",
    "officer",
    "office",
    "channel",
    "certificate_number",
    "issuer",
    "verdict",
    "reason_code",
)


def outcomes() -> list[str]:
    """Every word a log entry can carry: the verdicts, then the attempts that reached none."""
    words = [v.value for v in Verdict]
    return words + [w for w in ATTEMPT_OUTCOMES if w not in words]


def _form() -> LogSearchForm:
    form = LogSearchForm(request.args)
    form.verdict.choices = [("", gettext("Any verdict"))] + [
        (w, gettext(w.replace("_", " "))) for w in outcomes()
    ]
    form.channel.choices = [("", gettext("Any method"))] + [
        (key, gettext(label)) for key, label in CHANNELS.items()
    ]
    return form


def _query(form: LogSearchForm) -> Select[Verification]:
    q = select(Verification)
    if not g.officer.is_admin:
        q = q.where(Verification.office_code == g.officer.office.code)
    elif form.office.data:
        q = q.where(Verification.office_code == form.office.data.strip().upper())
    if form.number.data:
        q = q.where(
            Verification.certificate_number.contains(
                form.number.data.strip().upper(), autoescape=True
            )
        )
    if form.officer.data:
        q = q.where(Verification.actor.contains(form.officer.data.strip().lower(), autoescape=True))
    if form.verdict.data:
        q = q.where(Verification.verdict == form.verdict.data)
    if form.channel.data:
        q = q.where(Verification.channel == form.channel.data)
    if form.since.data:
        q = q.where(Verification.created_at >= _start_of(form.since.data))
    if form.until.data:
        q = q.where(Verification.created_at < _start_of(form.until.data + timedelta(days=1)))
    return q


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


@bp.get("/log")
@login_required
def index() -> Any:
    form = _form()
    if request.args and not form.validate():
        return render_template(
            "log.html", form=form, entries=[], total=0, page=1, pages=1, channels=CHANNELS
        ), 400
    page_size = current_app.config["LOG_PAGE_SIZE"]
    page = max(1, request.args.get("page", 1, type=int) or 1)
    dbs = db.session()
    q = _query(form)
    total = dbs.scalar(select(func.count()).select_from(q.subquery())) or 0
    pages = max(1, -(-total // page_size))
    page = min(page, pages)
    entries = dbs.scalars(
        q.order_by(Verification.created_at.desc(), Verification.id.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    return render_template(
        "log.html",
        form=form,
        entries=entries,
        total=total,
        page=page,
        pages=pages,
        channels=CHANNELS,
    )


_FORMULA = frozenset("=+-@")
_SEPARATORS = re.compile(r"[,;\t\r\n|]")  # what a spreadsheet may split a line on, by locale


def csv_safe(value: Any) -> str:
    """A cell a spreadsheet shows as text (OWASP's CSV injection advice, widened).

    The cell gets a leading ``'`` when any piece of it, split where some locale's spreadsheet
    splits cells (``;`` in German Excel), starts with ``= + - @`` once invisible characters
    (spaces, NBSP, zero-width, control) are skipped and full-width forms such as ``＝`` are read as
    their ASCII twins, or when it starts with a TAB or CR. Every cell is also quoted.
    """
    text = "" if value is None else str(value)
    if text[:1] in ("\t", "\r"):
        return "'" + text
    for piece in _SEPARATORS.split(unicodedata.normalize("NFKC", text)):
        if _first_visible(piece) in _FORMULA:
            return "'" + text
    return text


def _first_visible(text: str) -> str:
    for ch in text:
        if not unicodedata.category(ch).startswith(("Z", "C")):
            return ch
    return ""


@bp.get("/log.csv")
@login_required
def export() -> Any:
    form = _form()
    if not form.validate():
        abort(400, "The search filters are not valid.")
    q = _query(form).order_by(Verification.created_at, Verification.id)
    dbs = db.session()

    def rows() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
        writer.writerow(CSV_COLUMNS)
        for entry in dbs.scalars(q.execution_options(yield_per=500)):
            writer.writerow(
                csv_safe(v)
                for v in (
                    entry.id,
                    entry.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    entry.actor,
                    entry.office_code,
                    entry.channel,
                    entry.certificate_number,
                    entry.issuer,
                    entry.verdict,
                    entry.reason_code,
                )
            )
            if buffer.tell() > 64 * 1024:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return Response(
        stream_with_context(rows()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="verification-log-{stamp}.csv"'},
    )


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
