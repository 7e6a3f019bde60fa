"""Contract view calls as raw ``eth_call`` requests: encoded with eth_abi from the shipped ABI.

Built for batches (one JSON-RPC batch of many calls) and for speed: ``certificateStatuses``
answers are sliced word by word instead of going through eth_abi.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from eth_abi import decode, encode
from eth_utils import function_abi_to_4byte_selector

from origincert.chain.artifacts import load_artifact

__all__ = ["View", "status_words", "view"]


def _type(param: dict[str, Any]) -> str:
    if param["type"].startswith("tuple"):
        return f"({','.join(_type(c) for c in param['components'])}){param['type'][5:]}"
    return str(param["type"])


@dataclass(frozen=True)
class View:
    contract: str
    name: str
    selector: bytes
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]

    def request(self, to: str, block: str, *args: Any) -> tuple[str, list[Any]]:
        """The ``eth_call`` for a JSON-RPC batch."""
        data = "0x" + (self.selector + encode(list(self.inputs), list(args))).hex()
        return ("eth_call", [{"to": to, "data": data}, block])

    def decode(self, raw: str) -> tuple[Any, ...]:
        return tuple(decode(list(self.outputs), bytes.fromhex(raw[2:])))


@functools.cache
def view(contract: str, name: str) -> View:
    (item,) = [
        i for i in load_artifact(contract).abi if i["type"] == "function" and i["name"] == name
    ]
    return View(
        contract,
        name,
        function_abi_to_4byte_selector(item),
        tuple(_type(p) for p in item["inputs"]),
        tuple(_type(p) for p in item["outputs"]),
    )


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
