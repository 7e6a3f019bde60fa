"""The officer's pages: verify by file, QR photo, camera scan or number; the verdict page.

Every verification is logged and answered with a redirect to its verdict page, which can be
reopened and printed later (post/redirect/get: a reload never verifies twice).
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    url_for,
)
from werkzeug.wrappers import Response

from origincert.errors import OriginCertError
from origincert.portal import certindex, db, imagedecode, references, verification
from origincert.portal.auth import login_required
from origincert.portal.db import Verification
from origincert.portal.forms import NumberForm, QrForm, UploadForm
from origincert.portal.intake import Kind, sniff
from origincert.portal.render import page_view
from origincert.portal.security import spend
from origincert.portal.verification import CHANNELS, Actor, record, stored_result
from origincert.verdict import VerificationResult

__all__ = ["bp", "read_qr_photo"]

bp = Blueprint("verify", __name__)

Page = Response | tuple[str, int] | str


def read_qr_photo(data: bytes) -> str:
    """The text of the QR code in a photo (OriginCertError with a sentence when there is none),
    read in a child process bounded in pixels, CPU time and memory."""
    return imagedecode.read_qr_photo(data)


def _spend(setting: str) -> None:
    """One of this officer's verifications (or photo decodes) per ``setting``; 429 beyond it."""
    if not spend(current_app.config[setting], setting.lower(), f"officer:{g.officer.id}"):
        abort(429)


def _actor() -> Actor:
    officer = g.officer
    return Actor(name=officer.username, office_code=officer.office.code, officer_id=officer.id)


def _page(
    status: int = 200, *, error: str | None = None, tab: str | None = None, **forms: object
) -> tuple[str, int]:
    context = {"upload": UploadForm(), "qr": QrForm(), "number_form": NumberForm(), **forms}
    return render_template("verify.html", error=error, tab=tab, **context), status


def _verify_qr(text: str) -> VerificationResult:
    """A QR reference is checked against the file the portal holds for its anchor, if any."""
    return references.verify_qr_text(db.session(), text)


def _finish(result: VerificationResult, channel: str, raw: bytes | None = None) -> Response:
    entry_id = record(result, channel=channel, actor=_actor())
    if raw is not None:
        dbs = db.session()
        certindex.remember_upload(dbs, raw, result)
        dbs.commit()
    return redirect(url_for("verify.show", entry_id=entry_id))


@bp.get("/")
@login_required
def index() -> Page:
    return _page()


@bp.post("/verify/file")
@login_required
def upload() -> Page:
    form = UploadForm()
    if not form.validate_on_submit():
        return _page(
            400, error=_first_error(form) or "Choose a file first.", tab="file", upload=form
        )
    _spend("RATELIMIT_VERIFY")
    raw = form.file.data.read()
    if not raw:
        return _page(400, error="The file is empty.", tab="file", upload=form)
    kind = sniff(raw)
    if kind is Kind.CERTIFICATE:
        return _finish(verification.verify_file(raw), "file", raw)
    if kind is Kind.IMAGE:
        _spend("RATELIMIT_IMAGE")
        try:
            text = read_qr_photo(raw)
        except OriginCertError as exc:
            return _page(
                422,
                error=f"No certificate QR code could be read from this picture: {exc.message}",
                tab="qr",
            )
        return _finish(_verify_qr(text), "qr_photo")
    if kind is Kind.PDF:
        return _page(
            415,
            error="This is a PDF. Verify the certificate's .json file, or scan the QR code printed on the PDF.",
            tab="file",
            upload=form,
        )
    return _page(
        415,
        error="This is neither a certificate file (.json) nor a picture of a QR code (PNG, JPEG, GIF, WebP, BMP).",
        tab="file",
        upload=form,
    )


@bp.post("/verify/qr")
@login_required
def qr() -> Page:
    form = QrForm()
    if not form.validate_on_submit():
        return _page(
            400, error=_first_error(form) or "No QR code text was received.", tab="qr", qr=form
        )
    _spend("RATELIMIT_VERIFY")
    return _finish(_verify_qr((form.payload.data or "").strip()), "qr_scan")


@bp.get("/verify/scan")
@login_required
def scan() -> Page:
    return render_template("scan.html", qr=QrForm())


@bp.post("/verify/number")
@login_required
def number() -> Page:
    form = NumberForm()
    if not form.validate_on_submit():
        return _page(
            400,
            error=_first_error(form) or "Type a certificate number.",
            tab="number",
            number_form=form,
        )
    _spend("RATELIMIT_VERIFY")
    try:
        wanted = certindex.normalise_number(form.number.data or "")
    except OriginCertError as exc:
        return _page(400, error=exc.message, tab="number", number_form=form)
    dbs = db.session()
    entries = certindex.find(dbs, wanted, current_app.config["ARCHIVE_DIRS"])
    dbs.commit()
    if form.target_hash.data:
        entries = [e for e in entries if e.target_hash == form.target_hash.data]
    if not entries:
        return _page(
            404,
            error=f"No certificate numbered {wanted} is known to this portal. It has never been uploaded here and is "
            "not in the archive folders. Ask for the certificate file, or scan its QR code.",
            tab="number",
            number_form=form,
        )
    if len(entries) > 1:
        return render_template("choose.html", number=wanted, entries=entries)
    try:
        raw = certindex.read(entries[0])
    except certindex.ArchiveError as exc:
        return _page(410, error=exc.message, tab="number", number_form=form)
    return _finish(verification.verify_file(raw), "number")


@bp.get("/verifications/<int:entry_id>")
@login_required
def show(entry_id: int) -> Page:
    entry = db.session().get(Verification, entry_id)
    if entry is None or not (g.officer.is_admin or entry.office_code == g.officer.office.code):
        abort(404, "There is no verification with this number in your office's log.")
    view = page_view(stored_result(entry))
    return render_template(
        "verdict.html", entry=entry, view=view, channel=CHANNELS.get(entry.channel, entry.channel)
    )


def _first_error(form: object) -> str | None:
    for errors in getattr(form, "errors", {}).values():
        if errors:
            return str(errors[0])
    return None


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
