"""What is being verified: an issued file (read by the one model, ``origincert.issued``) or a QR
reference. Parsing is the ``format`` check; a problem becomes a FormatProblem with the model's
stable code. Pure: no chain, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from origincert import issued
from origincert.issued import FORMAT_ID, IssuedFile

__all__ = ["FORMAT_ID", "FormatProblem", "IssuedFile", "Reference", "Subject", "parse_issued"]


class FormatProblem(Exception):
    """Why an input is not an issued certificate file: a stable ``code`` and a sentence."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __reduce__(self) -> tuple[type[FormatProblem], tuple[str, str]]:
        return FormatProblem, (self.code, self.message)  # to and from worker processes


@dataclass(frozen=True, slots=True)
class Reference:
    """A QR code that names a certificate without carrying it (QR v2 ``OC2R:``).

    It carries the Merkle proof, so its target hash is tied to the anchored batch (or refused);
    it carries no content, so the ledger can vouch only for the anchored certificate, and the
    officer must compare the paper with what the issuing body says.
    """

    number: str
    target_hash: bytes
    leaf: bytes
    root: bytes
    chain_id: int
    registry: str
    issuer_id: int
    merkle_proof: tuple[bytes, ...]
    leaf_index: int
    batch_size: int


Subject = IssuedFile | Reference


def parse_issued(data: Any) -> IssuedFile:
    """Parse an issued file dict with the one model; raise FormatProblem naming what is wrong."""
    try:
        return issued.parse_issued(data)
    except issued.IssuedFileError as exc:
        raise FormatProblem(exc.code, exc.message) from None
