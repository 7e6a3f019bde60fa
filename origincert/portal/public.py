"""The page a printed QR code opens on any phone: ``/V#<payload>``.

The payload stays in the fragment, so it never reaches this server: the page's script decodes
it on the device and checks what a device can check alone (the code is undamaged, the content
adds up to the batch root its proof names). The signature, the accreditation and the ledger
need the portal: a signed-in officer checks online in one tap. The page is public and says
plainly that it has not verified the certificate.
"""

from __future__ import annotations

import base64

from flask import Blueprint, Flask, render_template

from origincert.fields import TARGET_TAG

__all__ = ["bp", "init_app"]

bp = Blueprint("public", __name__)


@bp.get("/V")
@bp.get("/v")
def scanned() -> str:
    from origincert.qr import ZDICT

    return render_template(
        "public.html",
        zdict=base64.b64encode(ZDICT).decode("ascii"),
        target_tag=TARGET_TAG.decode("ascii"),
    )


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
