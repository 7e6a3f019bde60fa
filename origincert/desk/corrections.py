"""The exporter asks for a correction of an issued certificate: a new draft prefilled from it,
marked as its correction; once a clerk approves it, the worker issues it as the replacement."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, flash, redirect, url_for
from flask_babel import gettext as _

from origincert.desk import revocation, service
from origincert.desk.models import Role
from origincert.desk.web import actor, db, role_required

__all__ = ["bp", "init_app"]

bp = Blueprint("corrections", __name__, url_prefix="/exporter")


@bp.post("/a/<public_id>/correction")
@role_required(Role.EXPORTER.value, Role.EXPORTER_ADMIN.value)
def request(public_id: str) -> Any:
    original = service.get_application(db(), actor(), public_id)
    draft = revocation.request_correction(db(), actor(), original)
    db().commit()
    flash(_("A correction of %(number)s: change what is wrong, then submit it.",
            number=original.number))  # fmt: skip
    return redirect(url_for("exporter.application", public_id=draft.public_id))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
