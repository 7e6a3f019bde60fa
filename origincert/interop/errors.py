"""Errors of the interop layer: each carries a stable reason code under the library's root."""

from __future__ import annotations

from origincert.errors import InteropError, ProofError, StatusListUnavailable

__all__ = ["InteropError", "ProofError", "StatusListUnavailable"]
