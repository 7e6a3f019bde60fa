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
from origincert.portal.catalogue import N_, gettext

__all__ = ["bp", "init_app"]

bp = Blueprint("public", __name__)

# The sentences offline.js shows, translated here and handed to the page.
WORDS = (
    N_("A number in the code is too large."),
    N_("Certificate number"),
    N_("Certificate read"),
    N_("Code intact"),
    N_("Consignee"),
    N_("Content and proof"),
    N_(
        "Every field adds up to the batch root the code names (%(count)s certificate(s) in the batch). Who signed that root, and whether the signer is an accredited issuing body, is checked online."
    ),
    N_("Exporter"),
    N_("Fingerprint"),
    N_("Form"),
    N_("Importing country"),
    N_("Issue date"),
    N_("Issuing body (as named on the certificate)"),
    N_("Item %(number)s"),
    N_("Portal"),
    N_("Reference read"),
    N_("The QR code was read completely and its checksum matches."),
    N_("The certificate holds a value that cannot be checked (%(path)s)."),
    N_("The certificate in the code is not readable compressed data."),
    N_("The code carries the whole certificate (%(count)s item(s))."),
    N_("The code could not be read on this device. Check it online."),
    N_("The code has flags this page does not know."),
    N_("The code holds a character that is not Base45."),
    N_("The code is damaged or was altered (its checksum does not match). Scan it again."),
    N_("The code is not valid Base45."),
    N_("The code is truncated."),
    N_(
        "The code names certificate %(number)s but does not carry its content: compare the paper with the record online."
    ),
    N_("The content does not add up to the batch root in the code: do not accept it."),
    N_("The decoder did not load. Sign in to the portal and scan the code there."),
    N_("There is no origincert code in this link. Scan the QR code in box 11 of the certificate."),
    N_("This browser cannot hash here (the page must be opened over HTTPS)."),
    N_("This code does not hold together. Do not accept the certificate."),
    N_("This code uses another format version: check it online."),
    N_(
        "This device found nothing wrong with the code. That is not a verification: check it online."
    ),
)


@bp.get("/V")
@bp.get("/v")
def scanned() -> str:
    from origincert.qr import ZDICT

    return render_template(
        "public.html",
        words={w: gettext(w) for w in WORDS},
        zdict=base64.b64encode(ZDICT).decode("ascii"),
        target_tag=TARGET_TAG.decode("ascii"),
    )


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
