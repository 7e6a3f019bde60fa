"""``origincert network init | up | down | status`` as library calls.

``init`` makes a consortium of N validators (one per council member, say): keys, genesis, static
peer lists; with ``engine="besu"`` it writes the Besu QBFT deployment kit instead. ``up`` starts
the nodes and returns once they agree on a head past the genesis block; ``down`` stops them;
``status`` reports each node's head, peers and who seals.
"""

from __future__ import annotations

import json
import secrets
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from eth_account import Account

from origincert.chain.nodes import (
    NodeReport,
    agreed_head,
    key_unlocked,
    node_report,
    start_sealing,
)
from origincert.network import besu, geth
from origincert.network.genesis import clique_genesis
from origincert.network.layout import (
    NetworkError,
    NetworkSpec,
    NodeSpec,
    enode_id,
    free_ports,
    load,
    make_node_keys,
    write_private,
)

__all__ = ["Status", "down", "init", "status", "up"]

DEFAULT_CHAIN_ID = 202612


def _ports(count: int, base: int | None, free: Iterator[int]) -> list[int]:
    return [next(free) for _ in range(count)] if base is None else [base + i for i in range(count)]


def init(
    folder: Path,
    *,
    validators: int = 4,
    engine: str = "geth",
    chain_id: int = DEFAULT_CHAIN_ID,
    period: int = 2,
    http_port: int | None = 8545,
    p2p_port: int | None = 30303,
    force: bool = False,
) -> NetworkSpec:
    """Generate the consortium in ``folder``. ``http_port``/``p2p_port`` None: free ports."""
    if validators < 1:
        raise NetworkError("a network needs at least one validator", code="bad_validators")
    if engine not in ("geth", "besu"):
        raise NetworkError(f"unknown engine {engine!r}: geth or besu", code="bad_engine")
    if (folder / "network.json").exists() and not force:
        raise NetworkError(
            f"{folder} already holds a network: `network down` it and use --force to replace it",
            code="network_exists",
        )
    if force and folder.exists():
        spec = load(folder) if (folder / "network.json").exists() else None
        if spec is not None and any(geth.is_running(folder, n) for n in spec.nodes):
            raise NetworkError(f"the network in {folder} is running: stop it first", code="running")
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    free = iter(free_ports(3 * validators))  # drawn at once: no port handed out twice
    https = _ports(validators, http_port, free)
    p2ps = _ports(validators, p2p_port, free)
    auths = _ports(validators, None if http_port is None else http_port + 100, free)
    node_keys = [make_node_keys(validator_is_node_key=engine == "besu") for _ in range(validators)]
    nodes = tuple(
        NodeSpec(
            name=f"node-{i + 1}",
            http_port=https[i],
            p2p_port=p2ps[i],
            authrpc_port=auths[i],
            validator=k.validator,
            enode_id=enode_id(k.node_key),
        )
        for i, k in enumerate(node_keys)
    )
    spec = NetworkSpec(engine=engine, chain_id=chain_id, period=period, nodes=nodes)
    if engine == "besu":
        besu.write_kit(folder, spec, node_keys)
        spec.save(folder)
        return spec

    binary = geth.find_geth()
    genesis = clique_genesis([n.validator for n in nodes], chain_id=chain_id, period=period)
    (folder / "genesis.json").write_text(json.dumps(genesis, indent=2) + "\n")
    for node, k in zip(nodes, node_keys):
        data = geth.node_dir(folder, node)
        data.mkdir(parents=True, exist_ok=True)
        write_private(data / "nodekey", k.node_key.hex())
        password = secrets.token_urlsafe(24)
        write_private(data / "password", password + "\n")
        keystore = Account.encrypt(k.validator_key, password)
        write_private(data / "keystore" / "validator.json", json.dumps(keystore))
        (data / "config.toml").write_text(geth.static_config(spec, node))
        geth.init_datadir(binary, folder, node)
    spec.save(folder)
    return spec


def up(
    folder: Path, *, nodes: Sequence[str] | None = None, wait: float = 120.0
) -> list[NodeReport]:
    """Start the nodes (all, or those named) and return once every running node agrees on a
    head past genesis (a restarted node: once it caught up with the others)."""
    spec = _geth_spec(folder)
    binary = geth.find_geth()
    chosen = [spec.node(n) for n in nodes] if nodes else list(spec.nodes)
    started = [n for n in chosen if not geth.is_running(folder, n)]
    for node in started:
        geth.start_node(binary, spec, folder, node)
    running = [n for n in spec.nodes if geth.is_running(folder, n)]
    deadline = time.monotonic() + wait
    _await(folder, chosen, deadline, lambda: _joined(running, chosen))
    whole = len(started) == len(running)  # the whole network starts now
    for node in _sealing_order(spec, chosen) if whole else chosen:
        start_sealing(node.url)
    _await(folder, chosen, deadline, lambda: _agreed(running))
    return [node_report(u) for u in spec.urls]


def _joined(running: list[NodeSpec], chosen: list[NodeSpec]) -> bool:
    """Every started node answers, is connected to every other running node, and holds the
    head the others had (so it never seals on an old block of its own)."""
    reports = {n.name: node_report(n.url, clique=False) for n in running}
    if not all(r.up for r in reports.values()):
        return False
    names = {n.name for n in chosen}
    if any((reports[n].peers or 0) < len(running) - 1 for n in names):
        return False
    if not all(key_unlocked(n.url, n.validator) for n in chosen):
        return False  # geth unlocks the key a few seconds after it starts answering
    others = [r.head or 0 for name, r in reports.items() if name not in names]
    return not others or min(reports[n].head or 0 for n in names) >= max(others) - 1


def _sealing_order(spec: NetworkSpec, nodes: list[NodeSpec]) -> list[NodeSpec]:
    """The validator whose turn block 1 is, last.

    A geth node drops blocks from peers until it seals or has synced once, so every validator
    must be sealing before block 1 exists: the others start first (out of turn they wait a random
    0 to 1.5 s before sealing), then the one in turn, whose block 1 (difficulty 2) they take at
    once. Validators that all seal on their own from genesis fork the chain, and with an even
    count it can split into halves that wait for each other's signers forever.
    """
    signers = sorted(n.validator.lower() for n in spec.nodes)
    in_turn = signers[1 % len(signers)]
    return sorted(nodes, key=lambda n: n.validator.lower() == in_turn)


def _agreed(running: list[NodeSpec]) -> bool:
    head = agreed_head([n.url for n in running])
    if head is None or head < 1:
        return False
    heads = [r.head or 0 for r in (node_report(n.url, clique=False) for n in running)]
    return min(heads) >= max(heads) - 1


def _await(
    folder: Path, chosen: list[NodeSpec], deadline: float, ready: Callable[[], bool]
) -> None:
    while not ready():
        for node in chosen:
            if not geth.is_running(folder, node):
                raise NetworkError(
                    f"{node.name} exited at start; see {geth.node_dir(folder, node) / 'geth.log'}",
                    code="node_failed",
                )
        if time.monotonic() > deadline:
            raise NetworkError(
                f"the nodes did not join and agree on a head in time; see the geth.log files "
                f"in {folder}",
                code="no_agreement",
            )
        time.sleep(0.3)


def down(folder: Path, *, nodes: Sequence[str] | None = None) -> list[str]:
    """Stop the nodes (all, or those named); the names of those that were running."""
    spec = load(folder)
    chosen = [spec.node(n) for n in nodes] if nodes else list(spec.nodes)
    return [n.name for n in chosen if geth.stop_node(folder, n)]


@dataclass(frozen=True)
class Status:
    spec: NetworkSpec
    reports: tuple[NodeReport, ...]
    agreed: bool  # every node that answers holds the same block at the lowest head among them


def status(folder: Path) -> Status:
    spec = load(folder)
    if spec.engine != "geth":
        raise NetworkError(
            f"the network in {folder} is a {spec.engine} deployment kit; it does not run here",
            code="not_runnable",
        )
    reports = tuple(node_report(u) for u in spec.urls)
    up = [r.url for r in reports if r.up]
    return Status(spec, reports, bool(up) and agreed_head(up) is not None)


def _geth_spec(folder: Path) -> NetworkSpec:
    spec = load(folder)
    if spec.engine != "geth":
        raise NetworkError(
            f"the network in {folder} is a {spec.engine} deployment kit: run it with {spec.engine} "
            "on the members' machines (see its README)",
            code="not_runnable",
        )
    return spec
