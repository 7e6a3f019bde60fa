"""Refusals of the issuing workflows (all raised before anything is sent to the ledger).

Declared in :mod:`origincert.errors` with every other public exception; re-exported here.
"""

from __future__ import annotations

from origincert.errors import IssuingError, NotAccredited

__all__ = ["IssuingError", "NotAccredited"]
