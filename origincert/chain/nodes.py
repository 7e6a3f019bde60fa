"""What each node of a network says about itself: its head, its peers, the signers it knows.

For ``origincert network status`` and ``up`` (which waits until the nodes agree on a head).
Each node is asked on its own, with a short timeout: a node that is down is reported as down,
never mistaken for a node with an empty chain.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

__all__ = [
    "NodeReport",
    "agreed_head",
    "block_hash",
    "key_unlocked",
    "node_report",
    "start_sealing",
]


@dataclass(frozen=True)
class NodeReport:
    url: str
    up: bool
    head: int | None = None
    head_hash: str | None = None
    peers: int | None = None
    signers: tuple[str, ...] = ()  # Clique: the authorised signers at the head
    head_signer: str | None = None  # Clique: who sealed the head block
    error: str | None = None


def _rpc(
    session: requests.Session, url: str, method: str, params: list[Any], timeout: float
) -> Any:
    r = session.post(
        url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params}, timeout=timeout
    )
    r.raise_for_status()
    body = r.json()
    if "error" in body:
        raise ValueError(str(body["error"]))
    return body["result"]


def node_report(url: str, *, timeout: float = 2.0, clique: bool = True) -> NodeReport:
    """Ask one node; a node that does not answer gives ``up=False`` with the reason."""
    with requests.Session() as s:
        s.trust_env = False  # loopback nodes: never through a proxy from the environment
        try:
            block = _rpc(s, url, "eth_getBlockByNumber", ["latest", False], timeout)
            peers = int(_rpc(s, url, "net_peerCount", [], timeout), 16)
            signers: tuple[str, ...] = ()
            head_signer = None
            if clique:
                signers = tuple(_rpc(s, url, "clique_getSigners", ["latest"], timeout))
                if int(block["number"], 16) > 0:
                    head_signer = _rpc(s, url, "clique_getSigner", [block["number"]], timeout)
        except (requests.RequestException, ValueError, KeyError, TypeError) as exc:
            return NodeReport(url, False, error=f"{type(exc).__name__}: {exc}"[:200])
    return NodeReport(
        url,
        True,
        head=int(block["number"], 16),
        head_hash=block["hash"],
        peers=peers,
        signers=signers,
        head_signer=head_signer,
    )


def block_hash(url: str, number: int, *, timeout: float = 2.0) -> str | None:
    with requests.Session() as s:
        s.trust_env = False
        try:
            block = _rpc(s, url, "eth_getBlockByNumber", [hex(number), False], timeout)
        except (requests.RequestException, ValueError):
            return None
    return block["hash"] if block else None


def agreed_head(urls: list[str], *, timeout: float = 2.0) -> int | None:
    """The lowest head of all nodes when every node holds the same block there, else None."""
    reports = [node_report(u, timeout=timeout, clique=False) for u in urls]
    if not all(r.up and r.head is not None for r in reports):
        return None
    low = min(r.head for r in reports if r.head is not None)
    hashes = {block_hash(u, low, timeout=timeout) for u in urls}
    return low if len(hashes) == 1 and None not in hashes else None


def start_sealing(url: str, *, timeout: float = 5.0) -> None:
    """Let a geth validator seal blocks, taking transactions at gas price zero from any peer.

    geth raises a miner gas price of 0 given on its command line to 1 gwei; set over JSON-RPC it
    stays 0, and the pool then accepts zero-price transactions relayed by other nodes too.
    """
    with requests.Session() as s:
        s.trust_env = False
        _rpc(s, url, "miner_setGasPrice", ["0x0"], timeout)
        _rpc(s, url, "miner_start", [], timeout)


def key_unlocked(url: str, address: str, *, timeout: float = 2.0) -> bool:
    """Whether the node holds ``address`` unlocked (it can seal): it signs a dummy message."""
    with requests.Session() as s:
        s.trust_env = False
        try:
            _rpc(s, url, "eth_sign", [address, "0x00"], timeout)
        except (requests.RequestException, ValueError):
            return False
    return True
