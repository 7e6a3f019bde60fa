"""Errors of the interop layer: each carries a stable reason code under the library's root."""

from __future__ import annotations

from origincert.errors import OriginCertError

__all__ = ["InteropError", "ProofError"]


class InteropError(OriginCertError):
    """A credential, context or key cannot be used (malformed, unknown, refused by policy)."""

    code = "interop_error"


class ProofError(InteropError):
    """A Data Integrity proof cannot be created, derived or checked as given."""

    code = "proof_invalid"
