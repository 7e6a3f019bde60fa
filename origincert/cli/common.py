"""What every subcommand shares: the context object, error mapping, password and key options."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Callable, TypeVar

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
