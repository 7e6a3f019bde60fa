"""The desk's refusals: each has a stable reason code and the HTTP status the web layer sends."""

from __future__ import annotations

from origincert.errors import Conflict, DeskError, Forbidden, Invalid, NotFound

__all__ = ["Conflict", "DeskError", "Forbidden", "Invalid", "NotFound"]
