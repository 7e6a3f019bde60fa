"""JSON-RPC batches over a kept-alive connection, for the hot read paths (verification).

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
import os
import socket
import threading
import weakref
from collections.abc import Sequence
from typing import Any, Protocol
from urllib.parse import urlsplit

from origincert.chain.client import ChainClient
from origincert.errors import ChainUnavailable

__all__ = ["BatchTransport", "Call", "Pending", "transport_for"]

Call = tuple[str, list[Any]]


class Pending(Protocol):
    def result(self) -> Any:
        """The node's answer (waiting for it if need be)."""


class BatchTransport(Protocol):
    def batch(self, calls: Sequence[Call]) -> Any:
        """The node's answer to a JSON-RPC batch: a list of response objects (any order)."""

    def send(self, calls: Sequence[Call]) -> Pending:
        """Post a batch now, read the answer later."""

    def close(self) -> None:
        """Release connections (the transport stays usable)."""


class _ProviderTransport:
    """Through the client's web3 provider, for anything but a plain HTTP endpoint."""

    def __init__(self, client: ChainClient) -> None:
        self._client = client

    def close(self) -> None:
        pass

    def send(self, calls: Sequence[Call]) -> _Done:
        return _Done(self.batch(calls))

    def batch(self, calls: Sequence[Call]) -> Any:
        provider = self._client.w3.provider
        try:
            return self._client.guard(lambda: provider.make_batch_request(list(calls)))  # type: ignore[attr-defined]
        except ValueError as exc:  # requests' HTTPError and JSON errors are ValueErrors / IOErrors
            raise ChainUnavailable(
                f"the node at {self._client.url} sent an unreadable answer", code="node_error"
            ) from exc
        except OSError as exc:
            raise ChainUnavailable(
                f"the node at {self._client.url} failed: {exc}", code="node_error"
            ) from exc


class _HttpTransport:
    """JSON-RPC batches over ``http.client``: kept-alive connections, each used by one thread at a
    time, returned to a small pool after each batch and closed with the transport."""

    def __init__(self, url: str, headers: dict[str, str], timeout: float) -> None:
        parts = urlsplit(url)
        # what another process needs to make the same transport (a verifier's worker)
        self.settings = (url, tuple(sorted(headers.items())), timeout)
        self._url = url
        self._https = parts.scheme == "https"
        self._host = parts.hostname or "localhost"
        self._port = parts.port
        self._path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._headers = {**headers, "Content-Type": "application/json", "Connection": "keep-alive"}
        self._timeout = timeout
        self._idle: list[http.client.HTTPConnection] = []
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self._ids = itertools.count()
        weakref.finalize(self, _close_all, self._idle)

    def batch(self, calls: Sequence[Call]) -> Any:
        return self.send(calls).result()

    def send(self, calls: Sequence[Call]) -> _HttpPending:
        """Post the batch and return at once: the caller can work while the node answers."""
        with self._lock:
            first = next(self._ids)
            for _ in range(len(calls) - 1):
                next(self._ids)
        body = json.dumps(
            [
                {"jsonrpc": "2.0", "id": first + i, "method": m, "params": p}
                for i, (m, p) in enumerate(calls)
            ],
            separators=(",", ":"),
        ).encode()
        conn, reused = self._take()
        try:
            conn.request("POST", self._path, body, self._headers)
        except (OSError, http.client.HTTPException) as exc:
            _close(conn)
            if not reused or isinstance(exc, TimeoutError):
                raise self._unavailable(exc) from exc
            return _HttpPending(
                self, body, None
            )  # a stale kept-alive connection: retried on result()
        return _HttpPending(self, body, conn, retry=reused)

    def _exchange(self, body: bytes) -> Any:
        conn, _ = self._take(fresh=True)
        try:
            conn.request("POST", self._path, body, self._headers)
        except (OSError, http.client.HTTPException) as exc:
            _close(conn)
            raise self._unavailable(exc) from exc
        return self._receive(conn, retry=False)

    def _receive(self, conn: http.client.HTTPConnection, *, retry: bool) -> Any:
        """Read the answer; raise _Stale when a kept-alive connection turned out to be closed."""
        try:
            response = conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            _close(conn)
            if retry and not isinstance(exc, TimeoutError):
                raise _Stale from exc
            raise self._unavailable(exc) from exc
        if response.status != 200 or response.will_close:
            _close(conn)
        else:
            self._give_back(conn)
        if response.status != 200:
            raise ChainUnavailable(
                f"the node at {self._url} answered HTTP {response.status}", code="node_error"
            )
        try:
            return json.loads(data)
        except ValueError as exc:
            raise ChainUnavailable(
                f"the node at {self._url} sent an unreadable answer", code="node_error"
            ) from exc

    def _unavailable(self, exc: BaseException) -> ChainUnavailable:
        if isinstance(exc, TimeoutError):
            return ChainUnavailable(
                f"the node at {self._url} did not answer in time", code="node_timeout"
            )
        return ChainUnavailable(
            f"the node at {self._url} is not reachable ({type(exc).__name__})",
            code="node_unreachable",
        )

    def close(self) -> None:
        with self._lock:
            _close_all(self._idle)

    def _take(self, *, fresh: bool = False) -> tuple[http.client.HTTPConnection, bool]:
        """An idle kept-alive connection (reused=True) or a new one."""
        if not fresh:
            with self._lock:
                if self._pid != os.getpid():  # forked: the parent's connections are not ours to use
                    _close_all(self._idle)  # closes this process's copies only
                    self._pid = os.getpid()
                if self._idle:
                    return self._idle.pop(), True
        cls = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
        conn = cls(self._host, self._port, timeout=self._timeout)
        try:
            conn.connect()
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            raise self._unavailable(exc) from exc
        return conn, False

    def _give_back(self, conn: http.client.HTTPConnection) -> None:
        with self._lock:
            if len(self._idle) < _MAX_IDLE:
                self._idle.append(conn)
                return
        conn.close()


_MAX_IDLE = 4


class _Stale(Exception):
    """A kept-alive connection the node had closed: the request is sent again on a fresh one."""


class _HttpPending:
    """A batch posted on a connection whose answer has not been read yet."""

    def __init__(
        self,
        transport: _HttpTransport,
        body: bytes,
        conn: http.client.HTTPConnection | None,
        *,
        retry: bool = False,
    ) -> None:
        self._transport, self._body, self._conn, self._retry = transport, body, conn, retry
        if conn is not None:
            self._finalizer = weakref.finalize(self, _close, conn)  # an answer never read

    def result(self) -> Any:
        conn, self._conn = self._conn, None
        if conn is not None:
            self._finalizer.detach()
            try:
                return self._transport._receive(conn, retry=self._retry)
            except _Stale:
                pass
        return self._transport._exchange(self._body)


class _Done:
    def __init__(self, value: Any) -> None:
        self._value = value

    def result(self) -> Any:
        return self._value


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
    if (
        not isinstance(url, str)
        or not url.startswith(("http://", "https://"))
        or get_kwargs is None
    ):
        return _ProviderTransport(client)
    kwargs = dict(get_kwargs())
    if set(kwargs) - {"headers", "timeout"} or not isinstance(
        kwargs.get("timeout", 10.0), (int, float)
    ):
        return _ProviderTransport(client)  # proxies, client certificates...: leave them to requests
    return _HttpTransport(
        url, dict(kwargs.get("headers") or {}), float(kwargs.get("timeout", 10.0))
    )
