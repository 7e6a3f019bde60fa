"""Stream every event of both registries, block range by block range, with the blocks they sit in.

``eth_getLogs`` over ranges that adapt to the node: a range is halved when the node says the
answer would be too big or too slow (every node words it differently: geth "query returned more
than 10000 results", Besu "exceeds max range", providers HTTP 413 or -32005) and doubled while
answers stay small. Each range comes with all its block headers (one JSON-RPC batch per 500), for
the events' timestamps and the ledger's own checks, and with the senders of the transactions
whose rules need one (accreditation acts). A background thread fetches the next range while the
current one is audited.
"""

from __future__ import annotations

import queue
import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from origincert.audit import events as ev
from origincert.audit.blocks import Header
from origincert.audit.findings import Finding, finding
from origincert.audit.node import Rpc, RpcError
from origincert.errors import ChainError, ChainUnavailable

__all__ = ["Chunk", "RangePolicy", "prefetch", "stream"]

_LIMIT = re.compile(
    r"too many|too large|too big|limit|exceed|more than|max(imum)?[ _-]?(block)?[ _-]?range|range.*(large|wide|long)"
    r"|response size|timeout|timed out|413",
    re.IGNORECASE,
)


def _is_limit(exc: ChainError) -> bool:
    if isinstance(exc, ChainUnavailable):
        return exc.code == "node_timeout"
    if isinstance(exc, RpcError):
        return exc.rpc_code in (-32005, 413) or bool(_LIMIT.search(exc.rpc_message))
    return False


@dataclass
class RangePolicy:
    """How many blocks to ask for at once: halve on refusal or on a big answer, double while answers
    stay small, but never wider than the densest stretch seen so far allows (a quiet week must not
    lead to asking for a whole busy month at once: the answer is what the replay holds in memory)."""

    span: int = 8
    target_logs: int = 5_000  # logs per answer
    max_span: int = 10_000
    shrinks: int = field(default=0, init=False)
    densest: float = field(default=0.0, init=False)  # most logs per block seen in one answer

    def refused(self, asked: int) -> int:
        self.shrinks += 1
        self.span = max(1, asked // 2)
        return self.span

    def answered(self, blocks: int, logs: int) -> None:
        self.densest = max(self.densest, logs / blocks)
        if logs > self.target_logs:
            self.span = max(1, blocks // 2)
        elif logs < self.target_logs // 4 and blocks >= self.span:
            ceiling = int(self.target_logs / self.densest) if self.densest else self.max_span
            self.span = max(self.span, min(self.max_span, self.span * 2, ceiling))


@dataclass(frozen=True)
class Chunk:
    """One block range, audited as a unit: its headers, its transactions and what decoding found."""

    first: int
    last: int
    headers: tuple[Header, ...]
    transactions: tuple[ev.Transaction, ...]
    findings: tuple[Finding, ...]
    logs: int


def _get_logs(
    rpc: Rpc, addresses: list[str], first: int, last: int, policy: RangePolicy
) -> tuple[int, list[Any]]:
    """Logs of ``[first, end]`` for the largest ``end <= last`` the node accepts; returns (end, logs)."""
    end = min(last, first + policy.span - 1)
    while True:
        try:
            logs = rpc.call(
                "eth_getLogs",
                [{"fromBlock": hex(first), "toBlock": hex(end), "address": addresses}],
            )
        except ChainError as exc:
            if end == first or not _is_limit(exc):
                raise
            end = first + policy.refused(end - first + 1) - 1
            continue
        policy.answered(end - first + 1, len(logs))
        return end, logs


def _headers(rpc: Rpc, first: int, last: int) -> list[Header]:
    blocks = rpc.batch([("eth_getBlockByNumber", [hex(n), False]) for n in range(first, last + 1)])
    if any(b is None for b in blocks):
        raise ChainUnavailable(
            f"the node at {rpc.url} does not have blocks {first}..{last}", code="node_behind"
        )
    return [Header.from_rpc(b) for b in blocks]


def _chunk(rpc: Rpc, contracts: Mapping[str, str], first: int, last: int, logs: list[Any]) -> Chunk:
    headers = _headers(rpc, first, last)
    by_number = {h.number: h for h in headers}
    findings: list[Finding] = []
    groups: dict[str, list[ev.Event]] = {}
    order: list[tuple[int, str]] = []
    need_sender: list[str] = []
    decode = ev.decode_log
    acts = ev.ISSUER_ACT_EVENTS
    position = [(int(x["blockNumber"], 16), int(x["logIndex"], 16)) for x in logs]
    if position != sorted(position):  # nodes answer in ledger order; never trust it blindly
        logs = [x for _, x in sorted(zip(position, logs, strict=True), key=lambda pair: pair[0])]
    for log in logs:
        block = int(log["blockNumber"], 16)
        header = by_number.get(block)
        tx = log["transactionHash"].lower()
        if header is None or log.get("blockHash", "").lower() != header.hash:
            findings.append(
                finding(
                    "ledger.log_block_mismatch",
                    f"a log of transaction {tx[:10]}… claims block {block} {log.get('blockHash', '')[:10]}…, "
                    "which is not the block the node serves",
                    tx_hash=tx,
                    block=block,
                    issuer_id=None,
                    subject=log.get("blockHash"),
                )
            )
            continue
        if log.get("removed"):
            findings.append(
                finding(
                    "ledger.removed_log",
                    f"the node served a log of {tx[:10]}… marked removed (a reorg)",
                    tx_hash=tx,
                    block=block,
                )
            )
            continue
        try:
            event = decode(log, contracts[log["address"].lower()], header.timestamp)
        except ev.UnknownEvent as exc:
            findings.append(finding("ledger.unknown_event", str(exc), tx_hash=tx, block=block))
            continue
        group = groups.get(tx)
        if group is None:
            group = groups[tx] = []
            order.append((block, tx))
        group.append(event)
        if isinstance(event, acts) and (not need_sender or need_sender[-1] != tx):
            need_sender.append(tx)
    senders: dict[str, str] = {}
    if need_sender:
        for tx, found in zip(
            need_sender,
            rpc.batch([("eth_getTransactionByHash", [tx]) for tx in need_sender]),
            strict=True,
        ):
            if found is not None:
                senders[tx] = str(found["from"]).lower()
    transactions = tuple(
        ev.Transaction(tx, block, by_number[block].timestamp, senders.get(tx), tuple(groups[tx]))
        for block, tx in order
    )
    return Chunk(first, last, tuple(headers), transactions, tuple(findings), len(logs))


def stream(
    rpc: Rpc, contracts: Mapping[str, str], first: int, last: int, policy: RangePolicy | None = None
) -> Iterator[Chunk]:
    """Chunks covering ``[first, last]`` in order; ``contracts`` maps lower-case address -> contract name."""
    policy = policy or RangePolicy()
    addresses = list(contracts)
    start = first
    while start <= last:
        end, logs = _get_logs(rpc, addresses, start, last, policy)
        chunk = _chunk(rpc, contracts, start, end, logs)
        del logs  # the raw answer is not kept while the chunk is audited
        yield chunk
        start = end + 1


_DONE = object()


def prefetch(chunks: Iterator[Chunk], depth: int = 1) -> Iterator[Chunk]:
    """Run ``chunks`` in a background thread, ``depth`` ahead; its errors surface here, in order."""
    q: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for chunk in chunks:
                if stop.is_set():
                    return
                q.put(chunk)
            q.put(_DONE)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, raised there
            q.put(exc)

    worker = threading.Thread(target=produce, name="audit-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            item = q.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while worker.is_alive():  # unblock a producer waiting on a full queue
            try:
                q.get_nowait()
            except queue.Empty:
                worker.join(0.05)
