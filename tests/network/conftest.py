"""Network fixtures: a real consortium of four geth Clique validators (1-second blocks) on
loopback, with both registries deployed through it and the same small world as the Hardhat
tests (council of three, authorities DE and SG, three accredited chambers); and a Hardhat node
that mines on an interval instead of on every transaction.

The geth network is built once per session (``origincert network init`` + ``up`` as library
calls) and stopped at the end; a test that stops a node starts it again before it returns.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from chainutil import YEAR, World, free_port, test_account

from origincert import governance, network
from origincert.chain import ChainClient, deploy
from origincert.devtools import devchain

from .netkit import Net


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "network: runs against the four-node geth network (about a minute to set up)"
    )


@pytest.fixture(scope="session")
def net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Net]:
    folder = tmp_path_factory.mktemp("consortium")
    spec = network.init(folder, validators=4, period=1, http_port=None, p2p_port=None)
    try:
        network.up(folder, wait=120)
        client = ChainClient.connect(",".join(spec.urls), timeout=5)
        council = [test_account(f"council-{i}") for i in range(3)]
        deployer = test_account("deployer")
        manifest = deploy(client, deployer, [a.address for a in council], 2)
        manifest_path = folder / "manifest.json"
        manifest.save(manifest_path)
        world = World(
            client=client,
            manifest=manifest,
            council=council,
            authorities={e: test_account(f"authority-{e}") for e in ("DE", "SG")},
            chambers={
                c: test_account(f"chamber-{c}") for c in ("DE-berlin", "DE-hamburg", "SG-sicc")
            },
            deployer=deployer,
        )
        for economy, account in world.authorities.items():
            world.council_act(
                "registerAuthority",
                [economy.encode(), account.address, f"Competent authority {economy}"],
            )
        now = world.now()
        for label, key in world.chambers.items():
            world.chamber_ids[label], _ = governance.accredit(
                client,
                world.authorities[label[:2]],
                name=f"Chamber {label}",
                signing_key=key.address,
                valid_from=now - 3600,
                valid_until=now + 2 * YEAR,
                key=key,
            )
        # From here on a receipt counts once a second block is built on it (Clique: no finality).
        client.confirmations = 2
        yield Net(folder=folder, spec=spec, world=world, manifest_path=manifest_path)
    finally:
        network.down(folder)


@pytest.fixture
def net_all_up(net: Net) -> Iterator[Net]:
    """The network, every node running again when the test ends (whatever it stopped)."""
    try:
        yield net
    finally:
        network.up(net.folder, wait=120)


@pytest.fixture(scope="session")
def interval_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[devchain.DevChain]:
    """A Hardhat node of its own that mines a block every second, never on a transaction."""
    state = tmp_path_factory.mktemp("interval-chain")
    port = free_port()
    node = devchain.start(port, state_dir=state)
    try:
        yield node
    finally:
        devchain.stop(port, state_dir=state)


@pytest.fixture
def interval_world(interval_node: devchain.DevChain, tmp_path: Path) -> World:
    """A fresh deployment on the interval-mining node (set up on automine, then switched)."""
    client = ChainClient.connect(interval_node.url)
    rpc = client.w3.provider.make_request
    rpc("evm_setAutomine", [True])
    rpc("evm_setIntervalMining", [0])
    council = [test_account(f"council-{i}") for i in range(3)]
    manifest = deploy(client, test_account("deployer"), [a.address for a in council], 2)
    world = World(
        client=client,
        manifest=manifest,
        council=council,
        authorities={"DE": test_account("authority-DE")},
        chambers={"DE-berlin": test_account("chamber-DE-berlin")},
    )
    world.council_act(
        "registerAuthority", [b"DE", world.authorities["DE"].address, "Competent authority DE"]
    )
    now = world.now()
    world.chamber_ids["DE-berlin"], _ = governance.accredit(
        client,
        world.authorities["DE"],
        name="Chamber DE-berlin",
        signing_key=world.chambers["DE-berlin"].address,
        valid_from=now - 3600,
        valid_until=now + 2 * YEAR,
        key=world.chambers["DE-berlin"],
    )
    manifest.save(tmp_path / "manifest.json")
    rpc("evm_setAutomine", [False])
    rpc("evm_setIntervalMining", [1000])
    return world


@pytest.fixture
def make_docs():
    """``make_docs(n, prefix, economy)``: n valid certificates, within their validity period today."""
    from itertools import count

    from portal.support import valid_today

    counter = count()

    def make(n: int, prefix: str = "DE-NET", economy: str = "DE") -> list[dict]:
        out = []
        for _ in range(n):
            i = next(counter)
            out.append(valid_today(i, number=f"{prefix}-{i:05d}", economy=economy))
        return out

    return make
