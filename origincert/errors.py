"""One exception root for the whole library, with a few families under it.

Every error carries a stable ``code`` (for programs and logs) and a message for people.
Third-party errors are wrapped at the boundary with ``raise ... from exc``.
"""

from __future__ import annotations

__all__ = [
    "ChainError",
    "ChainUnavailable",
    "ContractRevert",
    "DocumentError",
    "JournalError",
    "KeystoreError",
    "NodeHttpError",
    "OriginCertError",
    "VerificationFailed",
]


class OriginCertError(Exception):
    """Root of every error raised on purpose by origincert."""

    code: str = "error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class DocumentError(OriginCertError):
    """A certificate document or issued file is malformed or invalid.

    ``problems`` lists ``(path, message)`` pairs, e.g. ``("goods[2].hs_code", "must be 6 to 10 digits")``.
    """

    code = "document_invalid"

    def __init__(
        self,
        message: str,
        *,
        problems: list[tuple[str, str]] | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message, code=code)
        self.problems = problems or []


class KeystoreError(OriginCertError):
    """A keystore could not be read or unlocked (wrong password, bad file)."""

    code = "key_error"


class ChainError(OriginCertError):
    """Something went wrong talking to the ledger."""

    code = "chain_error"


class ChainUnavailable(ChainError):
    """The node is down, unreachable, too slow, or not the network the manifest names."""

    code = "chain_unavailable"


class NodeHttpError(ChainUnavailable):
    """The node answered with an HTTP error status (a proxy limit such as 413, a 5xx)."""

    code = "node_http_error"

    def __init__(self, url: str, status: int | None, reason: str = "") -> None:
        super().__init__(f"the node at {url} answered HTTP {status} {reason}".rstrip())
        self.status = status
        self.reason = reason


class ContractRevert(ChainError):
    """A contract refused a call with a custom error; ``error`` is its name, ``args`` its values."""

    code = "contract_revert"

    def __init__(self, error: str, args: dict[str, object], message: str | None = None) -> None:
        super().__init__(message or f"refused by the contract: {error}({_fmt(args)})")
        self.error = error
        self.error_args = args


class VerificationFailed(OriginCertError):
    """Raised by ``verify_or_raise`` when a verdict is not VALID; ``result`` holds the verdict."""

    code = "verification_failed"

    def __init__(self, message: str, result: object) -> None:
        super().__init__(message)
        self.result = result


class JournalError(OriginCertError):
    """The issuer's journal refused an operation (duplicate number, inconsistent state)."""

    code = "journal_error"


def _fmt(args: dict[str, object]) -> str:
    return ", ".join(f"{k}={v}" for k, v in args.items())
