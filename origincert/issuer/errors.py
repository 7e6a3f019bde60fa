"""Refusals of the issuing workflows (all raised before anything is sent to the ledger)."""

from __future__ import annotations

from origincert.errors import OriginCertError
from origincert.governance import Standing

__all__ = ["IssuingError", "NotAccredited"]


class IssuingError(OriginCertError):
    """An issue, revoke or replace that cannot go ahead; ``code`` says why."""

    code = "issuing_error"


_STANDING_WORDS = {
    Standing.UNKNOWN: "not registered as the key of any issuing body",
    Standing.NOT_YET_VALID: "the key of an issuing body whose accreditation has not started yet",
    Standing.EXPIRED: "the key of an issuing body whose accreditation has expired",
    Standing.SUSPENDED: "the key of a suspended issuing body",
    Standing.WITHDRAWN: "the key of a withdrawn issuing body",
    Standing.WITHDRAWN_FOR_FRAUD: "the key of an issuing body withdrawn for fraud",
    Standing.KEY_NOT_YET_ACTIVE: "a key of its issuing body that is not active yet",
    Standing.KEY_RETIRED: "a retired key of its issuing body (the key was rotated)",
}


class NotAccredited(IssuingError):
    """The signing key may not anchor now: ``standing`` is what the IssuerRegistry says of it."""

    code = "issuer_not_accredited"

    def __init__(self, address: str, issuer_id: int, standing: Standing) -> None:
        who = f"issuing body #{issuer_id}" if issuer_id else "no issuing body"
        super().__init__(
            f"the signing key {address} may not issue: it is {_STANDING_WORDS[standing]} "
            f"(standing {standing.name.lower()}, {who}); nothing was recorded or sent"
        )
        self.address = address
        self.issuer_id = issuer_id
        self.standing = standing
