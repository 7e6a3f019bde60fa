"""What every subcommand shares: the context object, exit codes, error mapping, the one ``--json``
envelope, confirmations before irreversible acts, password and key options."""

from __future__ import annotations

import enum
import functools
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from origincert.errors import (
    ChainUnavailable,
    DocumentError,
    OriginCertError,
    StatusListUnavailable,
)

if TYPE_CHECKING:
    from origincert.chain import ChainClient

DEFAULT_RPC_URL = "http://127.0.0.1:8545"
DEFAULT_MANIFEST = ".origincert/manifest.json"
DEFAULT_TIMEOUT = 10.0  # seconds a node may take to answer one request

F = TypeVar("F", bound=Callable[..., Any])


class ExitCode(enum.IntEnum):
    """Every exit code of ``origincert``; the README's table is this one."""

    OK = 0  # done; for verify: every certificate VALID
    NOT_VALID = 1  # a verdict other than VALID, bad input, or a refusal (nothing was changed)
    USAGE = 2  # a bad option or argument (Click's own code), or declined when asked to confirm
    ANOMALIES = 3  # audit: anomalies at or above --fail-on
    UNREACHABLE = 4  # the ledger cannot be reached or did not answer within --timeout, or a
    # status list needed for a credential is unreadable, not its issuer's or stale


class OriginCertClickError(click.ClickException):
    """A refusal or bad input: exit code 1."""

    exit_code = ExitCode.NOT_VALID


class InfrastructureError(click.ClickException):
    """The node is down, unreachable or too slow: exit code 4, never mistaken for a bad
    certificate (1) or a bad flag (2)."""

    exit_code = ExitCode.UNREACHABLE


@dataclass
class Context:
    rpc_url: str
    manifest_path: str
    timeout: float = DEFAULT_TIMEOUT
    _client: ChainClient | None = field(default=None, repr=False)

    def client(self) -> ChainClient:
        """The chain client, connected lazily so offline commands never touch the network."""
        if self._client is None:
            from origincert.chain import ChainClient, Manifest

            manifest = Manifest.load(self.manifest_path)
            # No hidden retries: web3 retries a timed-out request five times with backoff by
            # default, which turned a hung node into a minute of silence.
            self._client = ChainClient.connect(
                self.rpc_url, manifest, timeout=self.timeout, retry=False
            )
        return self._client


# ---------------------------------------------------------------------------- --json


_JSON_KEY = "origincert.json"


def envelope(
    command: str,
    results: Sequence[Mapping[str, Any]],
    *,
    ok: bool,
    summary: Mapping[str, Any] | None = None,
    error: OriginCertError | None = None,
) -> dict[str, Any]:
    """The one shape every ``--json`` output has, for one input or many, success or failure:
    ``{"command", "ok", "summary", "results": [...], "error": null | {"code", "message"}}``."""
    return {
        "command": command,
        "ok": ok,
        "summary": dict(summary or {}),
        "results": [dict(r) for r in results],
        "error": None if error is None else {"code": error.code, "message": str(error)},
    }


def json_option(fn: F) -> F:
    """``--json``: print one :func:`envelope` on standard output (also when the command fails)."""

    def remember(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
        ctx.meta[_JSON_KEY] = value
        return value

    return click.option(
        "--json",
        "as_json",
        is_flag=True,
        callback=remember,
        is_eager=True,
        help="Print one JSON object on standard output (same shape for every command).",
    )(fn)


def echo_json(data: Mapping[str, Any]) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def handle_errors(fn: F) -> F:
    """Turn library errors into Click errors with the right exit code and no traceback; with
    ``--json`` the error is also printed as the envelope on standard output."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (ChainUnavailable, StatusListUnavailable) as exc:  # infrastructure, never a verdict
            _json_error(exc)
            raise InfrastructureError(f"[{exc.code}] {exc}") from exc
        except OriginCertError as exc:
            _json_error(exc)
            raise OriginCertClickError(f"[{exc.code}] {exc}") from exc

    return wrapper  # type: ignore[return-value]


def _json_error(exc: OriginCertError) -> None:
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.meta.get(_JSON_KEY) and not ctx.meta.get(_JSON_KEY + ".done"):
        ctx.meta[_JSON_KEY + ".done"] = True
        echo_json(envelope(ctx.command_path.split(" ", 1)[-1], [], ok=False, error=exc))


# ---------------------------------------------------------------------------- confirmations


def _interactive() -> bool:
    return sys.stdin.isatty()


def confirm_options(fn: F) -> F:
    """``--yes`` (do not ask) and ``--dry-run`` (show the transaction, send nothing)."""
    fn = click.option(
        "--dry-run",
        is_flag=True,
        help="Show what would be sent (the transaction and its effect) and send nothing.",
    )(fn)
    return click.option(
        "--yes", "-y", "assume_yes", is_flag=True, help="Do not ask for confirmation."
    )(fn)


def confirm(what: Sequence[str], *, assume_yes: bool) -> None:
    """Show what an irreversible act will do, then ask; without a terminal, ``--yes`` is needed.

    Declining raises a usage error (exit 2): nothing was sent.
    """
    for line in what:
        click.echo(line, err=True)
    if assume_yes:
        return
    if not _interactive():
        raise click.UsageError("this cannot be undone: pass --yes to confirm (or --dry-run)")
    try:
        agreed = click.confirm("This cannot be undone. Go ahead?", default=False, err=True)
    except click.Abort:  # Ctrl-C or end of input
        agreed = False
    if not agreed:
        raise click.UsageError("not confirmed: nothing was sent")


def vc_password_options(fn: F) -> F:
    """``--password-file`` / ``--password-env`` for the chamber's VC keystore (P-256), kept apart
    from the ledger key's ``ORIGINCERT_PASSWORD``."""
    fn = click.option(
        "--password-env",
        default="ORIGINCERT_VC_PASSWORD",
        show_default=True,
        help="Environment variable holding the VC keystore password.",
    )(fn)
    return click.option(
        "--password-file",
        type=click.Path(dir_okay=False),
        help="File holding the VC keystore password.",
    )(fn)


def key_options(fn: F) -> F:
    """``--key KEYSTORE`` with ``--password-file`` / ``--password-env``; adds ``signer`` to the kwargs."""

    @click.option(
        "--key",
        "key_path",
        required=True,
        type=click.Path(dir_okay=False),
        help="Encrypted keystore of the acting key.",
    )
    @click.option(
        "--password-file",
        type=click.Path(dir_okay=False),
        help="File holding the keystore password.",
    )
    @click.option(
        "--password-env",
        default="ORIGINCERT_PASSWORD",
        show_default=True,
        help="Environment variable holding the keystore password (used when set).",
    )
    @functools.wraps(fn)
    @handle_errors
    def wrapper(
        *args: Any, key_path: str, password_file: str | None, password_env: str, **kwargs: Any
    ) -> Any:
        from origincert.keys import load_signer, read_password

        password = read_password(prompt=True, file=password_file, env=password_env)
        kwargs["signer"] = load_signer(key_path, password)
        return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def echo_tx(what: str, tx: Any) -> None:
    """Say what happened and where to find it on the ledger."""
    click.echo(f"{what}\n  transaction {tx.tx_hash} (block {tx.block_number}, gas {tx.gas_used})")


MAX_ISSUED_BYTES = 4_000_000  # a 50-item certificate with its proof is well under 200 kB


def read_issued(file: Path) -> dict[str, Any]:
    """Read an issued certificate file, with clear errors for unreadable, oversize or bad JSON."""
    from origincert.document import load_json

    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise DocumentError(
            f"cannot read {file}: {exc.strerror or exc}", code="file_unreadable"
        ) from exc
    return load_json(raw, max_bytes=MAX_ISSUED_BYTES)


def sibling(path: Path, suffix: str) -> Path:
    """``dir/x.coo.json`` -> ``x<suffix>`` in the current folder (any other name:
    ``<stem><suffix>``). Never beside the input: the input usually sits in the issuing body's
    archive, and holder copies (redacted files, PDFs) mixed into it would be counted as issued."""
    name = path.name
    stem = name[: -len(".coo.json")] if name.endswith(".coo.json") else path.stem
    return Path.cwd() / f"{stem}{suffix}"


def write_output(target: Path, source: Path, data: bytes, *, overwrite_code: str) -> None:
    """Write a command's output file, never over its input."""
    if target.resolve() == source.resolve():
        raise DocumentError(f"refusing to overwrite the input file {source}", code=overwrite_code)
    try:
        target.write_bytes(data)
    except OSError as exc:
        raise DocumentError(
            f"cannot write {target}: {exc.strerror or exc}", code="file_unwritable"
        ) from exc
