"""One exception root for the whole library, with a few families under it.

Every error carries a stable ``code`` (for programs and logs) and a message for people.
Third-party errors are wrapped at the boundary with ``raise ... from exc``. Every public exception
is declared here (tests/test_errors.py walks the sources to keep it so); the modules that raise
them re-export them under their old names.

    OriginCertError
      DocumentError            a certificate document or issued file is malformed or invalid
      KeystoreError            a keystore cannot be created, read or unlocked
      SigningError             an anchor or signature cannot be encoded, signed or recovered
      MerkleError              a batch or proof that cannot be one
      JournalError             the issuer's journal refused an operation
      IssuingError             an issue, revoke or replace that cannot go ahead
        NotAccredited          the signing key may not anchor now
      ChainError               talking to the ledger went wrong
        ChainUnavailable       the node is down, too slow, or another network
          NodeHttpError        the node answered with an HTTP error status
        ContractRevert         a contract refused with a custom error
          ProposalFailed       a council act reverted when executed (the proposal is final)
        RpcError               the node answered with a JSON-RPC error object
      VerificationFailed       ``verify_or_raise``: the verdict is not VALID
      AccountError             portal: an account cannot be created or changed
      ConfigError              portal: its configuration is invalid
      ArchiveError             portal: an archive folder or file cannot be read
      PasswordError            web kit: a web account's password is refused
      DeskError                the chamber's desk (Invalid, NotFound, Forbidden, Conflict)
      InteropError             a credential, context or key cannot be used
        ProofError             a Data Integrity proof cannot be made or checked
        StatusListUnavailable  a status list is missing, unreadable, unsigned or stale (never a verdict)
      NetworkError             the consortium network cannot be set up, started or stopped
    DocumentError
      IssuedFileError          not a (v2) issued certificate file
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AccountError",
    "ArchiveError",
    "ChainError",
    "ChainUnavailable",
    "ConfigError",
    "Conflict",
    "ContractRevert",
    "DeskError",
    "DocumentError",
    "Forbidden",
    "InteropError",
    "Invalid",
    "IssuedFileError",
    "IssuingError",
    "JournalError",
    "KeystoreError",
    "MerkleError",
    "NetworkError",
    "NodeHttpError",
    "NotAccredited",
    "NotFound",
    "OriginCertError",
    "PasswordError",
    "ProofError",
    "ProposalFailed",
    "RpcError",
    "SigningError",
    "StatusListUnavailable",
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


class ProposalFailed(ContractRevert):
    """The council act reverted when executed: the transaction recorded the failure and the
    proposal is now final (``Failed``). ``error`` names the act's own custom error."""

    code = "proposal_failed"

    def __init__(self, proposal_id: int, cause: ContractRevert, tx: Any) -> None:
        super().__init__(
            cause.error,
            cause.error_args,
            f"{cause} (proposal {proposal_id} failed when executed and is now final)",
        )
        self.proposal_id, self.cause, self.tx = proposal_id, cause, tx


class VerificationFailed(OriginCertError):
    """Raised by ``verify_or_raise`` when a verdict is not VALID; ``result`` holds the verdict."""

    code = "verification_failed"

    def __init__(self, message: str, result: object) -> None:
        super().__init__(message)
        self.result = result


class JournalError(OriginCertError):
    """The issuer's journal refused an operation (duplicate number, inconsistent state)."""

    code = "journal_error"


class SigningError(OriginCertError):
    """An anchor, digest or signature that cannot be encoded, signed or recovered."""

    code = "signing_error"


class MerkleError(OriginCertError):
    """A batch or proof that cannot be a Merkle batch or proof (empty, wrong sizes, bad index)."""

    code = "merkle_invalid"


class IssuingError(OriginCertError):
    """An issue, revoke or replace that cannot go ahead; ``code`` says why."""

    code = "issuing_error"


# Keyed by the name of ``origincert.governance.Standing`` (kept here so errors stay import-light).
_STANDING_WORDS = {
    "UNKNOWN": "not registered as the key of any issuing body",
    "NOT_YET_VALID": "the key of an issuing body whose accreditation has not started yet",
    "EXPIRED": "the key of an issuing body whose accreditation has expired",
    "SUSPENDED": "the key of a suspended issuing body",
    "WITHDRAWN": "the key of a withdrawn issuing body",
    "WITHDRAWN_FOR_FRAUD": "the key of an issuing body withdrawn for fraud",
    "KEY_NOT_YET_ACTIVE": "a key of its issuing body that is not active yet",
    "KEY_RETIRED": "a retired key of its issuing body (the key was rotated)",
}


class NotAccredited(IssuingError):
    """The signing key may not anchor now: ``standing`` is what the IssuerRegistry says of it."""

    code = "issuer_not_accredited"

    def __init__(self, address: str, issuer_id: int, standing: Any) -> None:
        who = f"issuing body #{issuer_id}" if issuer_id else "no issuing body"
        name = getattr(standing, "name", str(standing))
        super().__init__(
            f"the signing key {address} may not issue: it is "
            f"{_STANDING_WORDS.get(name, name.lower())} "
            f"(standing {name.lower()}, {who}); nothing was recorded or sent"
        )
        self.address = address
        self.issuer_id = issuer_id
        self.standing = standing


class RpcError(ChainError):
    """The node answered a request with a JSON-RPC error object (or an HTTP error status)."""

    code = "rpc_error"

    def __init__(
        self, method: str, rpc_code: int | None, rpc_message: str, data: Any = None
    ) -> None:
        super().__init__(f"the node refused {method}: {rpc_message} (code {rpc_code})")
        self.method = method
        self.rpc_code = rpc_code
        self.rpc_message = rpc_message
        self.data = data


class AccountError(OriginCertError):
    """An account could not be created or changed (bad name, weak password, duplicate)."""

    code = "account_error"


class ConfigError(OriginCertError):
    """The portal's configuration is invalid."""

    code = "portal_config_invalid"


class ArchiveError(OriginCertError):
    """An archive folder or an archived file cannot be read."""

    code = "archive_error"


# ---- raised by origincert.desk.errors


class DeskError(OriginCertError):
    """A refusal of the chamber's desk, with the HTTP status its web layer answers."""

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
    """Not allowed for this account's role."""

    code = "forbidden"
    http_status = 403


class Conflict(DeskError):
    """The application is not in a status that allows this (someone else acted first)."""

    code = "conflict"
    http_status = 409


# ---- raised by origincert.interop.errors


class InteropError(OriginCertError):
    """A credential, context or key cannot be used (malformed, unknown, refused by policy)."""

    code = "interop_error"


class ProofError(InteropError):
    """A Data Integrity proof cannot be created, derived or checked as given."""

    code = "proof_invalid"


class StatusListUnavailable(InteropError):
    """A status list a verdict needs is unreadable, not signed by its issuer's VC key, or stale.

    An infrastructure failure like an unreachable node: it says nothing about the certificate,
    so it is never turned into INVALID (the CLI exits 4, the portal answers 503).
    """

    code = "status_list_unavailable"


# ---- raised by origincert.issued


class IssuedFileError(DocumentError):
    """Why an input is not a (v2) issued certificate file: a stable ``code`` and a sentence for people.

    Codes: ``format_unknown`` (no or another marker), ``format_v1``, ``format_invalid``
    (structure or a proof value), ``withheld_forbidden`` (an unhideable field withheld).
    """

    code = "format_invalid"


# ---- raised by origincert.network.layout


class NetworkError(OriginCertError):
    """The consortium network cannot be set up, started or stopped as asked."""

    code = "network_error"


# ---- raised by origincert.webkit.passwords


class PasswordError(AccountError):
    """A web account's password is refused (too weak, unknown hashing profile)."""

    code = "password_invalid"


def _fmt(args: dict[str, object]) -> str:
    return ", ".join(f"{k}={v}" for k, v in args.items())
