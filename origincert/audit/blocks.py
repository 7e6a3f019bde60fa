"""The ledger itself: every block links to its parent and time never runs backwards.

Pure checks over block headers (``eth_getBlockByNumber`` without transactions), carried across
replay chunks and runs by the last header seen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from origincert.audit.findings import Finding, Severity

__all__ = ["Header", "check_headers"]


@dataclass(frozen=True, slots=True)
class Header:
    number: int
    hash: str
    parent_hash: str
    timestamp: int

    @classmethod
    def from_rpc(cls, block: Mapping[str, Any]) -> Header:
        return cls(
            int(block["number"], 16),
            block["hash"].lower(),
            block["parentHash"].lower(),
            int(block["timestamp"], 16),
        )

    def to_json(self) -> list[Any]:
        return [self.number, self.hash, self.parent_hash, self.timestamp]


def check_headers(previous: Header | None, headers: Sequence[Header]) -> list[Finding]:
    """Consecutive headers (after ``previous``, when known) must link and keep time in order."""
    findings = []
    for h in headers:
        if previous is not None:
            if h.number != previous.number + 1:
                findings.append(
                    Finding(
                        "ledger.missing_block",
                        Severity.CRITICAL,
                        f"the node went from block {previous.number} to block {h.number}",
                        None,
                        h.number,
                        None,
                        h.hash,
                        {"previous": previous.number},
                    )
                )
            elif h.parent_hash != previous.hash:
                findings.append(
                    Finding(
                        "ledger.broken_link",
                        Severity.CRITICAL,
                        f"block {h.number} names parent {h.parent_hash[:10]}…, but block {previous.number} is {previous.hash[:10]}…",
                        None,
                        h.number,
                        None,
                        h.hash,
                        {"parent_hash": h.parent_hash, "previous_hash": previous.hash},
                    )
                )
            if h.timestamp < previous.timestamp:
                findings.append(
                    Finding(
                        "ledger.time_went_back",
                        Severity.CRITICAL,
                        f"block {h.number} is dated {previous.timestamp - h.timestamp} s before block {previous.number}",
                        None,
                        h.number,
                        None,
                        h.hash,
                        {"timestamp": h.timestamp, "previous_timestamp": previous.timestamp},
                    )
                )
        previous = h
    return findings
