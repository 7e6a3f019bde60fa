"""What every subcommand shares: the context object, error mapping, password and key options."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import click

from origincert.errors import ChainUnavailable, OriginCertError

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
