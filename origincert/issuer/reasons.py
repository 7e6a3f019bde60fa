"""Revocation reason codes, as CertificateRegistry's NatSpec defines them."""

from __future__ import annotations

from origincert.issuer.errors import IssuingError

__all__ = ["REVOCATION_REASONS", "parse_reason"]

REVOCATION_REASONS: dict[str, int] = {
    "issued_in_error": 1,
    "fraud": 2,
    "cancelled": 3,
    "lost": 4,
    "superseded": 5,
    "issuer_withdrawn": 6,
}


def parse_reason(value: str | int) -> int:
    """A reason by name (``lost``) or number (``4``; 1..255, other agreements' own codes allowed).

    Raises IssuingError ``bad_reason``.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        code = value
    elif isinstance(value, str) and value.strip().isdigit():
        code = int(value.strip())
    elif isinstance(value, str) and value.strip().lower().replace("-", "_") in REVOCATION_REASONS:
        return REVOCATION_REASONS[value.strip().lower().replace("-", "_")]
    else:
        names = ", ".join(f"{n} ({c})" for n, c in REVOCATION_REASONS.items())
        raise IssuingError(
            f"unknown revocation reason {value!r}; one of {names}, or a number 1..255",
            code="bad_reason",
        )
    if not 1 <= code <= 255:
        raise IssuingError(f"a revocation reason is a number 1..255, got {code}", code="bad_reason")
    return code
