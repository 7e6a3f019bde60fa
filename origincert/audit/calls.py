"""Contract view calls as raw ``eth_call`` requests, for the audit's JSON-RPC batches.

Encoded and decoded by the one registry codec (``origincert.chain.codec``, from the shipped ABI);
``certificateStatuses`` answers are sliced word by word here, as ints, for the cross-check.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from origincert.chain import codec

__all__ = ["View", "status_words", "view"]


@dataclass(frozen=True)
class View:
    contract: str
    name: str

    @property
    def _fn(self) -> Any:
        return codec.fn(self.contract, self.name)

    @property
    def selector(self) -> bytes:
        return bytes(self._fn.selector)

    @property
    def inputs(self) -> tuple[str, ...]:
        return tuple(self._fn.inputs)

    @property
    def outputs(self) -> tuple[str, ...]:
        return tuple(self._fn.outputs)

    def request(self, to: str, block: str, *args: Any) -> tuple[str, list[Any]]:
        """The ``eth_call`` for a JSON-RPC batch."""
        return ("eth_call", [{"to": to, "data": self._fn.data(*args)}, block])

    def decode(self, raw: str) -> tuple[Any, ...]:
        return tuple(self._fn.result(raw))


@functools.cache
def view(contract: str, name: str) -> View:
    codec.fn(contract, name)  # unknown names fail here, as before
    return View(contract, name)


_STATUS_WORDS = (
    12  # CertificateStatus: Anchor (7 words) + leafRevokedAt, reason, replacedAt, byRoot, byLeaf
)


def status_words(raw: str) -> list[tuple[int, ...]]:
    """Decode ``certificateStatuses``: per certificate (issuerId, leafCount, anchoredAt,
    anchoredBlock, revokedAt, reason, epoch, leafRevokedAt, leafReason, replacedAt, byRoot, byLeaf),
    roots and leaves as ints."""
    body = raw[2:]
    count = int(body[64:128], 16)
    out = []
    pos = 128
    for _ in range(count):
        out.append(
            tuple(int(body[pos + 64 * w : pos + 64 * (w + 1)], 16) for w in range(_STATUS_WORDS))
        )
        pos += 64 * _STATUS_WORDS
    return out
