"""What every subcommand shares: the context object, error mapping, password and key options."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import click

from origincert.errors import ChainUnavailable, DocumentError, OriginCertError

DEFAULT_RPC_URL = "http://127.0.0.1:8545"
DEFAULT_MANIFEST = ".origincert/manifest.json"

F = TypeVar("F", bound=Callable[..., Any])


class OriginCertClickError(click.ClickException):
    """A refusal or bad input: exit code 1."""

    exit_code = 1


class InfrastructureError(click.ClickException):
    """The node is down or unreachable: exit code 2, never mistaken for a bad certificate."""

    exit_code = 2


@dataclass
class Context:
    rpc_url: str
    manifest_path: str
    _client: Any = field(default=None, repr=False)

    def client(self) -> Any:
        """The chain client, connected lazily so offline commands never touch the network."""
        if self._client is None:
            from origincert.chain import ChainClient, Manifest

            manifest = Manifest.load(self.manifest_path)
            self._client = ChainClient.connect(self.rpc_url, manifest)
        return self._client


def handle_errors(fn: F) -> F:
    """Turn library errors into Click errors with the right exit code and no traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ChainUnavailable as exc:
            raise InfrastructureError(f"[{exc.code}] {exc}") from exc
        except OriginCertError as exc:
            raise OriginCertClickError(f"[{exc.code}] {exc}") from exc

    return wrapper  # type: ignore[return-value]


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
    """``x.coo.json`` -> ``x<suffix>`` (any other name: ``<stem><suffix>``)."""
    name = path.name
    stem = name[: -len(".coo.json")] if name.endswith(".coo.json") else path.stem
    return path.with_name(f"{stem}{suffix}")


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
