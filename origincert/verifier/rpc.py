"""How the verifier's ledger reads reach the node: JSON-RPC batches over a kept-alive connection.

web3's HTTP provider goes through ``requests``, which looks up proxy settings in the environment
on every request: about 0.7 ms of a round trip on a local node, a third of a single verification.
For a plain HTTP(S) endpoint the verifier therefore posts its batches with ``http.client`` on one
kept-alive connection per thread, with the provider's own URL, headers and timeout; any other
provider (custom request options, IPC, a test double) is used as it is. Every read is a view call
or a log query, so a stale kept-alive connection is retried once on a fresh one. Failures become
``ChainUnavailable``, like everywhere else.
"""

from __future__ import annotations

import http.client
import itertools
import json
import socket
import threading
import weakref
from collections.abc import Sequence
from typing import Any, Protocol
from urllib.parse import urlsplit

from origincert.chain import ChainClient
from origincert.errors import ChainUnavailable

__all__ = ["BatchTransport", "transport_for"]

Call = tuple[str, list[Any]]


class BatchTransport(Protocol):
    def batch(self, calls: Sequence[Call]) -> Any:
        """The node's answer to a JSON-RPC batch: a list of response objects (any order)."""

    def close(self) -> None:
        """Release connections (the transport stays usable)."""


class _ProviderTransport:
    """Through the client's web3 provider, for anything but a plain HTTP endpoint."""

    def __init__(self, client: ChainClient) -> None:
        self._client = client

    def close(self) -> None:
        pass

    def batch(self, calls: Sequence[Call]) -> Any:
        provider = self._client.w3.provider
        try:
            return self._client.guard(lambda: provider.make_batch_request(list(calls)))  # type: ignore[attr-defined]
        except ValueError as exc:  # requests' HTTPError and JSON errors are ValueErrors / IOErrors
            raise ChainUnavailable(f"the node at {self._client.url} sent an unreadable answer", code="node_error") from exc
        except OSError as exc:
            raise ChainUnavailable(f"the node at {self._client.url} failed: {exc}", code="node_error") from exc


class _HttpTransport:
    """JSON-RPC batches over ``http.client``: kept-alive connections, each used by one thread at a
    time, returned to a small pool after each batch and closed with the transport."""

    def __init__(self, url: str, headers: dict[str, str], timeout: float) -> None:
        parts = urlsplit(url)
        self._url = url
        self._https = parts.scheme == "https"
        self._host = parts.hostname or "localhost"
        self._port = parts.port
        self._path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._headers = {**headers, "Content-Type": "application/json", "Connection": "keep-alive"}
        self._timeout = timeout
        self._idle: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()
        self._ids = itertools.count()
        weakref.finalize(self, _close_all, self._idle)

    def batch(self, calls: Sequence[Call]) -> Any:
        with self._lock:
            first = next(self._ids)
            for _ in range(len(calls) - 1):
                next(self._ids)
        body = json.dumps(
            [{"jsonrpc": "2.0", "id": first + i, "method": m, "params": p} for i, (m, p) in enumerate(calls)],
            separators=(",", ":"),
        ).encode()
        for attempt in (1, 2):
            conn = None
            try:
                conn = self._take()
                conn.request("POST", self._path, body, self._headers)
                response = conn.getresponse()
                data = response.read()
            except TimeoutError as exc:
                _close(conn)
                raise ChainUnavailable(f"the node at {self._url} did not answer in time", code="node_timeout") from exc
            except (OSError, http.client.HTTPException) as exc:
                _close(conn)
                if attempt == 1 and not isinstance(exc, ConnectionRefusedError):
                    continue  # the node closed a kept-alive connection: once more on a fresh one
                raise ChainUnavailable(
                    f"the node at {self._url} is not reachable ({type(exc).__name__})", code="node_unreachable"
                ) from exc
            if response.status != 200 or response.will_close:
                _close(conn)
            else:
                self._give_back(conn)
            if response.status != 200:
                raise ChainUnavailable(f"the node at {self._url} answered HTTP {response.status}", code="node_error")
            try:
                return json.loads(data)
            except ValueError as exc:
                raise ChainUnavailable(f"the node at {self._url} sent an unreadable answer", code="node_error") from exc
        raise AssertionError("unreachable")

    def close(self) -> None:
        with self._lock:
            _close_all(self._idle)

    def _take(self) -> http.client.HTTPConnection:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        cls = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
        conn = cls(self._host, self._port, timeout=self._timeout)
        try:
            conn.connect()
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except BaseException:
            conn.close()
            raise
        return conn

    def _give_back(self, conn: http.client.HTTPConnection) -> None:
        with self._lock:
            if len(self._idle) < _MAX_IDLE:
                self._idle.append(conn)
                return
        conn.close()


_MAX_IDLE = 4


def _close(conn: http.client.HTTPConnection | None) -> None:
    if conn is not None:
        conn.close()


def _close_all(conns: list[http.client.HTTPConnection]) -> None:
    while conns:
        conns.pop().close()


def transport_for(client: ChainClient) -> BatchTransport:
    """The fast transport for a plain HTTP(S) provider, else the provider itself."""
    provider = client.w3.provider
    url = getattr(provider, "endpoint_uri", None)
    get_kwargs = getattr(provider, "get_request_kwargs", None)
    if not isinstance(url, str) or not url.startswith(("http://", "https://")) or get_kwargs is None:
        return _ProviderTransport(client)
    kwargs = dict(get_kwargs())
    if set(kwargs) - {"headers", "timeout"} or not isinstance(kwargs.get("timeout", 10.0), (int, float)):
        return _ProviderTransport(client)  # proxies, client certificates...: leave them to requests
    return _HttpTransport(url, dict(kwargs.get("headers") or {}), float(kwargs.get("timeout", 10.0)))
