"""The officer's pages: verify by file, QR photo, camera scan or number; the verdict page.

Every verification is logged and answered with a redirect to its verdict page, which can be
reopened and printed later (post/redirect/get: a reload never verifies twice).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response

from origincert import qrlink, retake
from origincert.errors import OriginCertError
from origincert.pdfqr import Printed
from origincert.portal import certindex, credentials, db, imagedecode, references, verification
from origincert.portal.auth import login_required
from origincert.portal.catalogue import N_, gettext
from origincert.portal.db import Verification
from origincert.portal.forms import NumberForm, QrForm, UploadForm
from origincert.portal.intake import Kind, sniff
from origincert.portal.namesakes import namesakes
from origincert.portal.render import page_view
from origincert.portal.security import spend
from origincert.portal.successor import successor_number
from origincert.portal.verification import (
    CHANNELS,
    Actor,
    record,
    record_attempt,
    stored_result,
)
from origincert.verdict import VerificationResult

__all__ = ["Outcome", "bp", "read_printed", "read_qr_pdf", "read_qr_photo", "verify_upload"]

bp = Blueprint("verify", __name__)

Page = Response | tuple[str, int] | str


def read_qr_photo(data: bytes) -> str:
    """The text of the QR code in a photo (OriginCertError with a sentence when there is none),
    read in a child process bounded in pixels, CPU time and memory."""
    return imagedecode.read_qr_photo(data)


# The camera page's sentences (scan.js), translated here and handed to the page.
SCAN_WORDS = (
    N_("QR code read. Verifying\u2026"),
    N_("Looking for a QR code\u2026"),
    N_("The QR decoder did not load. Take a photo of the QR code instead."),
    N_(
        "This browser cannot use the camera here (the portal must be opened over HTTPS). "
        "Take a photo of the QR code instead."
    ),
    N_(
        "Camera access was refused. Allow it in the browser's settings, or take a photo of the "
        "QR code instead."
    ),
    N_("No camera could be started on this device. Take a photo of the QR code instead."),
)


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


def _log(result: VerificationResult, channel: str, raw: bytes | None = None) -> int:
    entry_id = record(result, channel=channel, actor=_actor())
    if raw is not None:
        dbs = db.session()
        certindex.remember_upload(dbs, raw, result)
        dbs.commit()
    return entry_id


def _finish(result: VerificationResult, channel: str, raw: bytes | None = None) -> Response:
    return redirect(url_for("verify.show", entry_id=_log(result, channel, raw)))


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one uploaded file: a logged verdict (``entry_id``), or why there is none."""

    entry_id: int
    status: int = 200
    error: str | None = None
    tab: str = "file"


def verify_upload(raw: bytes, *, file_channel: str = "file") -> Outcome:
    """Verify one uploaded file, whatever it is (issued file, PDF, photo); always logged."""
    _spend("RATELIMIT_VERIFY")
    kind = sniff(raw)
    credential = credentials.sniff(raw) if kind in (Kind.CERTIFICATE, Kind.UNKNOWN) else None
    if credential is not None:  # a W3C VC or a UNTP vc+jwt: its layers, then the file inside
        return Outcome(
            _log(credentials.verify(credential), credentials.channel(credential, api=False))
        )
    if kind is Kind.CERTIFICATE:
        return Outcome(_log(verification.verify_file(raw), file_channel, raw))
    if kind in (Kind.IMAGE, Kind.PDF):
        _spend("RATELIMIT_IMAGE")  # decoding a photo or rendering a PDF costs CPU
        channel = "qr_photo" if kind is Kind.IMAGE else "pdf"
        try:
            if kind is Kind.PDF:
                printed = read_printed(raw)
                if printed.attached is not None:  # the issued file itself, checked against the QR
                    result = verification.verify_printed(printed)
                    return Outcome(_log(result, channel, printed.attached))
            text = qrlink.payload_of(read_qr_photo(raw) if kind is Kind.IMAGE else _qr_of(printed))
        except OriginCertError as exc:
            message = _unreadable_words(kind, exc)
            outcome = "UNREADABLE" if exc.code in retake.READER_CODES else "REFUSED"
            entry_id = record_attempt(
                outcome, channel=channel, actor=_actor(), reason_code=exc.code, message=message
            )
            return Outcome(entry_id, 422, message, "qr" if kind is Kind.IMAGE else "file")
        return Outcome(_log(_verify_qr(text), channel))
    message = gettext(
        "This is neither a certificate file (.json), a certificate PDF, "
        "nor a picture of a QR code (PNG, JPEG, GIF, WebP, BMP)."
    )
    entry_id = record_attempt(
        "REFUSED",
        channel=file_channel,
        actor=_actor(),
        reason_code="input_unknown",
        message=message,
    )
    return Outcome(entry_id, 415, message)


@bp.get("/")
@login_required
def index() -> Page:
    return _page()


@bp.post("/verify/file")
@login_required
def upload() -> Page:
    if len([f for f in request.files.getlist("file") if f.filename]) > 1:
        from origincert.portal.bulk import verify_many

        return verify_many(request.files.getlist("file"))
    form = UploadForm()
    if not form.validate_on_submit():
        return _page(
            400,
            error=_first_error(form) or gettext("Choose a file first."),
            tab="file",
            upload=form,
        )
    raw = form.file.data.read()
    if not raw:
        return _page(400, error=gettext("The file is empty."), tab="file", upload=form)
    outcome = verify_upload(raw)
    if outcome.error is not None:
        return _page(outcome.status, error=outcome.error, tab=outcome.tab, upload=form)
    return redirect(url_for("verify.show", entry_id=outcome.entry_id))


def read_qr_pdf(data: bytes) -> str:
    """The text of the certificate QR code printed in a PDF (OriginCertError when there is none)."""
    from origincert.pdfqr import qr_text_from_pdf

    return qr_text_from_pdf(data)


def read_printed(data: bytes) -> Printed:
    """A PDF's attached issued file and QR code (OriginCertError for a refused attachment)."""
    from origincert.pdfqr import read_printed as read

    return read(data)


def _qr_of(printed: Printed) -> str:
    if printed.qr_text is None:
        assert printed.qr_error is not None
        raise printed.qr_error
    return printed.qr_text


def _unreadable_words(kind: Kind, exc: OriginCertError) -> str:
    """What to do next when no QR code could be read: never an accusation (it is not MALFORMED).
    The same sentence as the CLI's and the API's (origincert.retake), in the officer's language."""
    if exc.code not in retake.READER_CODES:  # not origincert's, or a refused attachment
        return exc.message[:1].upper() + exc.message[1:] + "."
    return gettext(retake.PDF if kind is Kind.PDF else retake.PHOTO, detail=exc.message)


@bp.post("/verify/qr")
@login_required
def qr() -> Page:
    form = QrForm()
    if not form.validate_on_submit():
        return _page(
            400,
            error=_first_error(form) or gettext("No QR code text was received."),
            tab="qr",
            qr=form,
        )
    _spend("RATELIMIT_VERIFY")
    channel = "qr_scan" if request.form.get("source") == "camera" else "qr_paste"
    try:
        text = qrlink.payload_of(form.payload.data or "")
    except OriginCertError as exc:
        message = exc.message[:1].upper() + exc.message[1:] + "."
        record_attempt(
            "REFUSED", channel=channel, actor=_actor(), reason_code=exc.code, message=message
        )
        return _page(422, error=message, tab="qr", qr=form)
    return _finish(_verify_qr(text), channel)


@bp.get("/verify/scan")
@login_required
def scan() -> Page:
    return render_template("scan.html", qr=QrForm(), words={w: gettext(w) for w in SCAN_WORDS})


@bp.post("/verify/number")
@login_required
def number() -> Page:
    form = NumberForm()
    if not form.validate_on_submit():
        return _page(
            400,
            error=_first_error(form) or gettext("Type a certificate number."),
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
        message = gettext(
            "No certificate numbered %(number)s is known to this portal. It has never been uploaded here and is "
            "not in the archive folders. Ask for the certificate file, or scan its QR code.",
            number=wanted,
        )
        record_attempt(
            "NOT_FOUND",
            channel="number",
            actor=_actor(),
            reason_code="number_unknown",
            message=message,
            number=wanted,
        )
        return _page(404, error=message, tab="number", number_form=form)
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
    stored = stored_result(entry)
    evidence = (stored.get("result") or {}).get("evidence") or {}
    successor = (
        successor_number(db.session(), evidence, current_app.config["ARCHIVE_DIRS"])
        if isinstance(evidence, dict) and entry.verdict == "REPLACED"
        else None
    )
    view = page_view(stored, channel=entry.channel, successor=successor)
    same_number = namesakes(db.session(), evidence) if isinstance(evidence, dict) else []
    return render_template(
        "verdict.html",
        entry=entry,
        view=view,
        namesakes=same_number,
        channel=CHANNELS.get(entry.channel, entry.channel),
    )


def _first_error(form: object) -> str | None:
    for errors in getattr(form, "errors", {}).values():
        if errors:
            return str(errors[0])
    return None


def init_app(app: Flask) -> None:
    from origincert.portal import bulk, i18n, public

    app.register_blueprint(bp)
    bulk.init_app(app)
    public.init_app(app)
    i18n.init_app(app)
