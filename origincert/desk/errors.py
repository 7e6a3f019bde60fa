"""The desk's refusals: each has a stable reason code and the HTTP status the web layer sends."""

from __future__ import annotations

from origincert.errors import OriginCertError

__all__ = ["Conflict", "DeskError", "Forbidden", "Invalid", "NotFound"]


class DeskError(OriginCertError):
    code = "desk_error"
    http_status = 400

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        problems: list[tuple[str, str]] | None = None,
    ) -> None:
        super().__init__(message, code=code)
        self.problems = problems or []


class Invalid(DeskError):
    """Bad input: ``problems`` names each field and what is wrong with it."""

    code = "invalid"
    http_status = 422


class NotFound(DeskError):
    """Unknown, or not yours: the desk never says which."""

    code = "not_found"
    http_status = 404


class Forbidden(DeskError):
    code = "forbidden"
    http_status = 403


class Conflict(DeskError):
    """The application is not in a status that allows this (someone else acted first)."""

    code = "conflict"
    http_status = 409
