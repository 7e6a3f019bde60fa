"""The ledger itself: every block links to its parent and time never runs backwards.

Pure checks over block headers (``eth_getBlockByNumber`` without transactions), carried across
replay chunks and runs by the last header seen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from origincert.audit.findings import Finding, finding

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
                    finding(
                        "ledger.missing_block",
                        f"the node went from block {previous.number} to block {h.number}",
                        tx_hash=None,
                        block=h.number,
                        issuer_id=None,
                        subject=h.hash,
                        details={"previous": previous.number},
                    )
                )
            elif h.parent_hash != previous.hash:
                findings.append(
                    finding(
                        "ledger.broken_link",
                        f"block {h.number} names parent {h.parent_hash[:10]}…, but block {previous.number} is {previous.hash[:10]}…",
                        tx_hash=None,
                        block=h.number,
                        issuer_id=None,
                        subject=h.hash,
                        details={"parent_hash": h.parent_hash, "previous_hash": previous.hash},
                    )
                )
            if h.timestamp < previous.timestamp:
                findings.append(
                    finding(
                        "ledger.time_went_back",
                        f"block {h.number} is dated {previous.timestamp - h.timestamp} s before block {previous.number}",
                        tx_hash=None,
                        block=h.number,
                        issuer_id=None,
                        subject=h.hash,
                        details={
                            "timestamp": h.timestamp,
                            "previous_timestamp": previous.timestamp,
                        },
                    )
                )
        previous = h
    return findings
