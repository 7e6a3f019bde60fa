"""A consortium's folder: who the validators are, which ports they use, where their keys live.

``network.json`` describes the network (engine, chain id, block period, one entry per node);
each node has its own folder with its node key (its identity on the peer-to-peer network), its
validator key (which signs blocks) in an encrypted keystore with its password file, and its data.
Everything secret is written readable by the owner only.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_keys import keys

from origincert.errors import NetworkError

__all__ = [
    "DEFAULT_DIR",
    "NetworkError",
    "NetworkSpec",
    "NodeSpec",
    "enode_id",
    "free_ports",
    "load",
    "make_node_keys",
    "write_private",
]

DEFAULT_DIR = Path(".origincert/network")
SPEC_FILE = "network.json"


@dataclass(frozen=True)
class NodeSpec:
    name: str
    http_port: int
    p2p_port: int
    authrpc_port: int
    validator: str  # the address that signs blocks (Besu QBFT: the node key's address)
    enode_id: str  # the node key's public key, 128 hex digits

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def enode(self) -> str:
        return f"enode://{self.enode_id}@127.0.0.1:{self.p2p_port}"


@dataclass(frozen=True)
class NetworkSpec:
    engine: str
    chain_id: int
    period: int
    nodes: tuple[NodeSpec, ...]

    @property
    def urls(self) -> list[str]:
        return [n.url for n in self.nodes]

    def node(self, name: str) -> NodeSpec:
        for n in self.nodes:
            if n.name == name or n.name == f"node-{name}":
                return n
        raise NetworkError(
            f"no node {name!r} in this network ({', '.join(n.name for n in self.nodes)})",
            code="node_unknown",
        )

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "nodes": [asdict(n) for n in self.nodes]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> NetworkSpec:
        return cls(
            engine=str(data["engine"]),
            chain_id=int(data["chain_id"]),
            period=int(data["period"]),
            nodes=tuple(NodeSpec(**n) for n in data["nodes"]),
        )

    def save(self, folder: Path) -> None:
        (folder / SPEC_FILE).write_text(json.dumps(self.to_json(), indent=2) + "\n")


def load(folder: Path) -> NetworkSpec:
    path = folder / SPEC_FILE
    try:
        return NetworkSpec.from_json(json.loads(path.read_text()))
    except FileNotFoundError as exc:
        raise NetworkError(
            f"no network in {folder}: run `origincert network init` first", code="network_missing"
        ) from exc
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise NetworkError(f"cannot read {path}: {exc}", code="network_malformed") from exc


def write_private(path: Path, content: str) -> None:
    """Write a secret (key, password) readable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(content)
    os.chmod(path, 0o600)


def enode_id(node_key: bytes) -> str:
    """The public key a node shows its peers (its enode id), from its private node key."""
    return keys.PrivateKey(node_key).public_key.to_hex()[2:]


@dataclass(frozen=True)
class NodeKeys:
    node_key: bytes
    validator_key: bytes

    @property
    def validator(self) -> str:
        return str(Account.from_key(self.validator_key).address)


def make_node_keys(*, validator_is_node_key: bool = False) -> NodeKeys:
    """Fresh random keys for one node (for Besu QBFT the node key is the validator key)."""
    node_key = secrets.token_bytes(32)
    validator = node_key if validator_is_node_key else secrets.token_bytes(32)
    return NodeKeys(node_key, validator)


def free_ports(count: int) -> list[int]:
    """Distinct ports on 127.0.0.1 that nothing listens on now (held open until all are found)."""
    held: list[socket.socket] = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            held.append(s)
        return [int(s.getsockname()[1]) for s in held]
    finally:
        for s in held:
            s.close()
