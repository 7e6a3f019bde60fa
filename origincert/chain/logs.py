"""Paged ``eth_getLogs``: every log query of origincert goes through here.

Nodes cap the block range of one log query (Besu: 5,000 blocks by default, some providers far
fewer), so a query from an old certificate's block to the head is refused in one call. Queries
are cut into spans of ``ChainClient.log_span`` blocks (``ORIGINCERT_LOG_SPAN`` or ``--log-span``),
asked in order, and stop at the first match when only the first is wanted.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from origincert.errors import ChainError

__all__ = ["DEFAULT_LOG_SPAN", "block_spans", "default_log_span", "get_logs"]

DEFAULT_LOG_SPAN = 1_000


def default_log_span() -> int:
    """``ORIGINCERT_LOG_SPAN`` when set (a positive integer), else 1,000 blocks."""
    raw = os.environ.get("ORIGINCERT_LOG_SPAN")
    if raw is None:
        return DEFAULT_LOG_SPAN
    if not raw.isdigit() or int(raw) < 1:
        raise ChainError(
            f"ORIGINCERT_LOG_SPAN must be a positive number of blocks, got {raw!r}",
            code="bad_log_span",
        )
    return int(raw)


def block_spans(from_block: int, to_block: int, span: int) -> Iterator[tuple[int, int]]:
    """``[from_block, to_block]`` cut into inclusive ranges of at most ``span`` blocks."""
    if span < 1:
        raise ValueError("span must be at least 1")
    lo = from_block
    while lo <= to_block:
        hi = min(to_block, lo + span - 1)
        yield lo, hi
        lo = hi + 1


def get_logs(
    client: Any,
    address: str,
    topics: list[Any],
    from_block: int,
    to_block: int | str = "latest",
    *,
    first_only: bool = False,
) -> list[Any]:
    """The logs of ``address`` matching ``topics`` in ``[from_block, to_block]``, one query per
    ``client.log_span`` blocks; ``to_block`` "latest" is pinned to the head once, first."""
    head = client.block_number() if to_block == "latest" else int(to_block)
    out: list[Any] = []
    for lo, hi in block_spans(from_block, head, client.log_span):
        query = {"address": address, "fromBlock": lo, "toBlock": hi, "topics": topics}
        logs = client.guard(lambda q=query: client.w3.eth.get_logs(q))
        live = [log for log in logs if not log.get("removed")]
        out.extend(live)
        if first_only and out:
            break
    return out
