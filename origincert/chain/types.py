"""The registries' enums and views as Python values, shared by every reader of the contracts."""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["IssuerInfo", "IssuerStatus", "ProposalState", "Standing", "VcKeyRecord"]


class ProposalState(enum.IntEnum):
    PENDING = 0
    EXECUTED = 1
    FAILED = 2
    CANCELLED = 3


class IssuerStatus(enum.IntEnum):
    NONE = 0
    ACTIVE = 1
    SUSPENDED = 2
    WITHDRAWN = 3
    WITHDRAWN_FOR_FRAUD = 4


class Standing(enum.IntEnum):
    UNKNOWN = 0
    ACCREDITED = 1
    NOT_YET_VALID = 2
    EXPIRED = 3
    SUSPENDED = 4
    WITHDRAWN = 5
    WITHDRAWN_FOR_FRAUD = 6
    KEY_NOT_YET_ACTIVE = 7
    KEY_RETIRED = 8


@dataclass(frozen=True)
class IssuerInfo:
    id: int
    economy: str
    status: IssuerStatus
    valid_from: int
    valid_until: int
    status_since: int
    signing_key: str
    metadata_hash: str
    name: str


@dataclass(frozen=True)
class VcKeyRecord:
    """One VC key hash on the ledger: the body that registered it and the epochs it vouched for,
    ``[from_epoch, until_epoch)`` (``until_epoch`` 0 while in use). ``issuer_id`` 0: never
    registered."""

    key_hash: bytes
    issuer_id: int
    from_epoch: int
    until_epoch: int
    since: int
    retired_at: int

    def vouches_for(self, issuer_id: int, epoch: int) -> bool:
        """Was this the key of ``issuer_id`` while the body was at ``epoch``?"""
        return (
            self.issuer_id == issuer_id
            and self.from_epoch <= epoch
            and (self.until_epoch == 0 or epoch < self.until_epoch)
        )
