"""What to say when no QR code could be read from a photo or a PDF, on every surface alike.

An unreadable photo says nothing about any certificate, so it is never MALFORMED: the verdict is
UNREADABLE and the words say what to do next. The CLI and the library print these sentences; the
portal and its API translate the same ones (they are in the translation catalogue).
"""

from __future__ import annotations

from typing import Literal

__all__ = ["READER_CODES", "advice"]


def N_(message: str) -> str:
    """Marks a message for the portal's catalogue (babel.cfg extracts this module)."""
    return message


PHOTO = N_(
    "No QR code could be read from this picture: retake the photo, closer to the code, sharp and "
    "well lit, with the whole code inside the picture. (%(detail)s)"
)
PDF = N_(
    "No certificate QR code could be read from this PDF. Upload the certificate's .json file, or "
    "scan the QR code on the paper. (%(detail)s)"
)

# The picture and PDF readers' refusals (origincert.qr, origincert.pdfqr, the portal's decoder):
# each is a reason code of the UNREADABLE verdict.
READER_CODES = {
    "qr_not_found": N_("no QR code was found in the picture"),
    "qr_ambiguous": N_("the picture shows more than one certificate QR code"),
    "qr_image_unreadable": N_("the file is not a readable picture"),
    "qr_image_too_large": N_("the picture exceeds the size or pixel limit"),
    "qr_decode_too_costly": N_(
        "the picture took more time or memory to decode than a QR photo may"
    ),
    "pdf_unreadable": N_("the file is not a readable PDF"),
    "pdf_no_qr": N_("no QR code could be read on the PDF's pages"),
    "pdf_too_large": N_("the PDF exceeds the size or page limit"),
    "pdf_too_slow": N_("the PDF took too long to read"),
}


def advice(source: Literal["photo", "pdf"], detail: str) -> str:
    """The English sentence for ``source``; the portal passes :data:`PHOTO`/:data:`PDF` to gettext."""
    return (PHOTO if source == "photo" else PDF) % {"detail": detail}
