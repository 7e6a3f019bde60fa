"""A member on a real network: several nodes, signed transactions kept, receipts confirmed.

A consortium member runs its own node and may name its neighbours' nodes as fall-backs
(``ORIGINCERT_RPC_URL=http://own:8545,http://neighbour:8545``). :class:`FailoverProvider` sends
each request to the first node that answers, preferring the order given: a node that fails is
skipped for a while and then tried again first, so the member's own node is used again as soon as
it is back. Every request is safe to repeat on another node: reads are reads, and
``eth_sendRawTransaction`` of the same signed bytes is the same transaction (a node that already
holds it says so).

:func:`await_receipt` waits for a receipt with a deadline and counts confirmations (Clique has no
finality: a block is trusted once ``confirmations - 1`` blocks were built on it and the receipt
still names the same block). While no receipt is found it hands the same signed bytes to the nodes
again from time to time (:func:`classify_send_error` reads their answers): a node that accepted
the transaction and died before passing it on loses nothing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

import requests
from web3.exceptions import ProviderConnectionError, RequestTimedOut
from web3.providers.base import JSONBaseProvider
from web3.providers.rpc import HTTPProvider
from web3.types import RPCEndpoint, RPCResponse

from origincert.errors import ChainError, ChainUnavailable

__all__ = [
    "Confirmed",
    "FailoverProvider",
    "Resent",
    "await_receipt",
    "classify_send_error",
    "split_urls",
]

_NETWORK_ERRORS: tuple[type[BaseException], ...] = (
    requests.ConnectionError,
    requests.Timeout,
    ProviderConnectionError,
    RequestTimedOut,
    ConnectionError,
    TimeoutError,
)


def split_urls(url: str) -> list[str]:
    """``"http://a:8545, http://b:8545"`` -> both URLs (a single URL stays a list of one)."""
    urls = [u.strip() for u in url.split(",") if u.strip()]
    if not urls:
        raise ChainError("no JSON-RPC URL given", code="rpc_url_missing")
    return urls


class FailoverProvider(JSONBaseProvider):
    """Several HTTP JSON-RPC endpoints of one network, tried in order until one answers.

    A failed endpoint is skipped for ``retry_after`` seconds; when every endpoint is marked down
    they are all tried again, so a network that comes back is found at once. When none answers,
    the last network error is raised (the client turns it into ``ChainUnavailable``).
    """

    def __init__(
        self, urls: Sequence[str], *, timeout: float = 10.0, retry_after: float = 5.0
    ) -> None:
        super().__init__()
        if not urls:
            raise ChainError("no JSON-RPC URL given", code="rpc_url_missing")
        self.urls = tuple(urls)
        self._providers = [
            # No retries inside one endpoint: failing over to the next is the retry.
            HTTPProvider(u, request_kwargs={"timeout": timeout}, exception_retry_configuration=None)
            for u in self.urls
        ]
        self._retry_after = retry_after
        self._down_until = [0.0] * len(self.urls)
        self._lock = threading.Lock()
        self.active = self.urls[0]
        self.failovers = 0  # how many times a request moved on to another endpoint

    def __str__(self) -> str:
        return f"RPC fail-over {', '.join(self.urls)}"

    def _order(self) -> list[int]:
        now = time.monotonic()
        with self._lock:
            up = [i for i, t in enumerate(self._down_until) if t <= now]
        down = [i for i in range(len(self.urls)) if i not in up]
        return up + down

    def _attempt(self, call: Callable[[HTTPProvider], Any]) -> Any:
        last: BaseException | None = None
        for n, i in enumerate(self._order()):
            try:
                result = call(self._providers[i])
            except _NETWORK_ERRORS as exc:
                with self._lock:
                    self._down_until[i] = time.monotonic() + self._retry_after
                last = exc
                continue
            with self._lock:
                self._down_until[i] = 0.0
                self.active = self.urls[i]
                if n:
                    self.failovers += 1
            return result
        assert last is not None
        raise last

    def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        return self._attempt(lambda p: p.make_request(method, params))  # type: ignore[no-any-return]

    def make_batch_request(
        self, batch_requests: list[tuple[RPCEndpoint, Any]]
    ) -> list[RPCResponse] | RPCResponse:
        return self._attempt(lambda p: p.make_batch_request(batch_requests))  # type: ignore[no-any-return]

    def broadcast(self, method: RPCEndpoint, params: Any) -> list[RPCResponse]:
        """Send one request to every endpoint that answers (a signed transaction to all nodes)."""
        answers = []
        for i, provider in enumerate(self._providers):
            try:
                answers.append(provider.make_request(method, params))
            except _NETWORK_ERRORS:
                with self._lock:
                    self._down_until[i] = time.monotonic() + self._retry_after
        return answers

    def is_connected(self, show_traceback: bool = False) -> bool:
        return any(p.is_connected(show_traceback) for p in self._providers)


class Resent(Enum):
    """What a node said to a signed transaction sent again."""

    ACCEPTED = "accepted"  # it is in the pool now
    KNOWN = "known"  # the node already had it (pending or mined)
    NONCE_USED = "nonce_used"  # mined already, or another transaction took the nonce


def classify_send_error(message: str) -> Resent | None:
    """Read a node's refusal of ``eth_sendRawTransaction`` (geth, Besu and Hardhat wordings);
    None for any other refusal (it is a real error)."""
    text = message.lower()
    if "already known" in text or "known transaction" in text or "already imported" in text:
        return Resent.KNOWN
    if "nonce too low" in text or "nonce is too low" in text:
        return Resent.NONCE_USED
    return None


@dataclass(frozen=True)
class Confirmed:
    receipt: Any
    head: int
    resent: int  # how many times the signed bytes were handed to the nodes again


def await_receipt(
    fetch_receipt: Callable[[], Any],
    head: Callable[[], int],
    *,
    tx_hash: str,
    timeout: float,
    confirmations: int = 1,
    resend: Callable[[], None] | None = None,
    resend_every: float = 3.0,
    outage_ok: bool = True,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Confirmed:
    """Wait until the transaction's receipt is ``confirmations`` blocks deep, or raise.

    ``fetch_receipt`` returns the receipt (a mapping with ``blockNumber`` and ``blockHash``) or
    None; ``head`` the latest block number. A node that does not answer is waited for until the
    deadline (``ChainUnavailable`` then names the last failure); a receipt whose block is
    replaced by a fork is waited for again. ``resend`` is called every ``resend_every`` seconds
    while no receipt is seen.
    """
    if confirmations < 1:
        raise ValueError("confirmations must be at least 1")
    deadline = clock() + timeout
    last_resend = clock()
    resent = 0
    pause = 0.02
    failure: ChainUnavailable | None = None
    while True:
        try:
            receipt = fetch_receipt()
            if receipt is not None:
                latest = head()
                if latest - int(receipt["blockNumber"]) + 1 >= confirmations:
                    if confirmations == 1:
                        return Confirmed(receipt, latest, resent)
                    again = fetch_receipt()  # still in the same block, after those blocks?
                    if again is not None and again["blockHash"] == receipt["blockHash"]:
                        return Confirmed(again, latest, resent)
            elif resend is not None and clock() - last_resend >= resend_every:
                last_resend = clock()
                resend()
                resent += 1
            failure = None
        except ChainUnavailable as exc:
            if not outage_ok:
                raise
            failure = exc
        if clock() > deadline:
            if failure is not None:
                raise failure
            raise ChainUnavailable(
                f"transaction {tx_hash} was not confirmed within {timeout:.0f} s", code="tx_timeout"
            )
        sleep(pause)
        pause = min(pause * 1.5, 0.25)
