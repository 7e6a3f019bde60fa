"""Raw JSON-RPC through the chain client's connection: single calls and batches, results untouched.

The audit reads hundreds of thousands of logs, headers and statuses; web3's result formatters
(AttributeDict, HexBytes) cost more than the work itself, so the audit takes the node's JSON as it
is. Requests still go through :meth:`ChainClient.guard`, so an unreachable node is
``ChainUnavailable`` here as everywhere. ``Rpc`` is the seam tests use to put a misbehaving node
(a range limit, a forged header) between the audit and a real one.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

from web3.types import RPCEndpoint

from origincert.chain import ChainClient
from origincert.errors import ChainError, ChainUnavailable, NodeHttpError, RpcError

__all__ = ["MAX_BATCH", "NodeRpc", "Rpc", "RpcError"]

MAX_BATCH = 500  # requests per JSON-RPC batch: under Besu's default cap of 1024


class Rpc(Protocol):
    """What the audit needs from a node."""

    url: str

    def call(self, method: str, params: list[Any]) -> Any: ...

    def batch(self, calls: Sequence[tuple[str, list[Any]]]) -> list[Any]: ...


@runtime_checkable
class _JsonRpcProvider(Protocol):
    """The part of web3's JSON providers (HTTP, failover) the audit speaks through."""

    def make_request(self, method: RPCEndpoint, params: Any) -> Any: ...

    def make_batch_request(self, requests: list[tuple[RPCEndpoint, Any]]) -> Any: ...


def _result(method: str, response: Any) -> Any:
    if not isinstance(response, dict):
        raise ChainError(f"the node sent an unreadable answer to {method}", code="rpc_error")
    error = response.get("error")
    if error is not None:
        if isinstance(error, dict):
            raise RpcError(
                method, error.get("code"), str(error.get("message", "")), error.get("data")
            )
        raise RpcError(method, None, str(error))
    return response.get("result")


class NodeRpc:
    """:class:`Rpc` over a :class:`ChainClient`'s HTTP provider."""

    def __init__(self, client: ChainClient) -> None:
        self.client = client
        self.url = client.url
        provider = client.w3.provider
        if not isinstance(provider, _JsonRpcProvider):
            raise ChainError(
                f"the connection to {self.url} cannot send JSON-RPC batches", code="rpc_error"
            )
        self._provider = provider

    def _send(self, method: str, fn: Any) -> Any:
        try:
            return self.client.guard(fn)
        except NodeHttpError as exc:  # e.g. 413 for a log response over the node's size limit
            raise RpcError(method, exc.status, f"HTTP {exc.status} {exc.reason}") from exc
        except (ValueError, json.JSONDecodeError) as exc:
            raise ChainUnavailable(
                f"the node at {self.url} sent an unreadable answer to {method}", code="node_error"
            ) from exc

    def call(self, method: str, params: list[Any]) -> Any:
        return _result(
            method,
            self._send(method, lambda: self._provider.make_request(RPCEndpoint(method), params)),
        )

    def batch(self, calls: Sequence[tuple[str, list[Any]]]) -> list[Any]:
        """Results in order; any error in the batch raises (the audit never half-reads)."""
        out: list[Any] = []
        for i in range(0, len(calls), MAX_BATCH):
            part = [(RPCEndpoint(m), p) for m, p in calls[i : i + MAX_BATCH]]
            responses = self._send(
                part[0][0], functools.partial(self._provider.make_batch_request, part)
            )
            if not isinstance(responses, list):
                _result(part[0][0], responses)  # a batch refused as a whole: raises its error
                raise ChainError(
                    f"the node at {self.url} does not answer batch requests", code="rpc_error"
                )
            if len(responses) != len(part):
                raise ChainError(
                    f"the node at {self.url} answered {len(responses)} of {len(part)} batched requests",
                    code="rpc_error",
                )
            out.extend(_result(method, r) for (method, _), r in zip(part, responses, strict=True))
        return out
