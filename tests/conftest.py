"""Shared fixtures: a real Hardhat node for the session, deployed registries, a small world of
council, authorities and accredited chambers, and per-test isolation by snapshot and revert."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from origincert import devchain, governance
from origincert.chain import ChainClient, Manifest, deploy

YEAR = 365 * 24 * 3600


def test_account(label: str) -> LocalAccount:
    """A deterministic key per role, so failures are reproducible."""
    return Account.from_key(keccak(text=f"origincert-test:{label}"))


test_account.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test, wherever it is imported


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class World:
    """The consortium every chain test starts from."""

    client: ChainClient
    manifest: Manifest
    council: list[LocalAccount]
    authorities: dict[str, LocalAccount]
    chambers: dict[str, LocalAccount]  # label -> signing key
    chamber_ids: dict[str, int] = field(default_factory=dict)
    deployer: LocalAccount | None = None

    def now(self) -> int:
        return int(self.client.w3.eth.get_block("latest")["timestamp"])

    def rpc(self, method: str, params: list | None = None):
        return self.client.w3.provider.make_request(method, params or [])

    def advance(self, seconds: int) -> None:
        self.rpc("evm_increaseTime", [seconds])
        self.rpc("evm_mine")

    def council_act(self, act: str, args: list) -> governance.ProposalResult:
        """Propose, gather as many approvals as the current threshold asks, execute."""
        threshold = self.client.call(self.client.issuers.functions.threshold())
        p = governance.propose(self.client, self.council[0], act, args)
        for member in self.council[1:threshold]:
            governance.approve(self.client, member, p.proposal_id)
        return governance.execute(self.client, self.council[0], p.proposal_id)


@pytest.fixture(scope="session")
def devnode(tmp_path_factory: pytest.TempPathFactory) -> Iterator[devchain.DevChain]:
    state = tmp_path_factory.mktemp("devchain")
    port = free_port()
    node = devchain.start(port, state_dir=state)
    try:
        yield node
    finally:
        devchain.stop(port, state_dir=state)


@pytest.fixture(scope="session")
def world_session(devnode: devchain.DevChain, tmp_path_factory: pytest.TempPathFactory) -> World:
    client = ChainClient.connect(devnode.url)
    council = [test_account(f"council-{i}") for i in range(3)]
    deployer = test_account("deployer")
    manifest = deploy(client, deployer, [a.address for a in council], 2)
    manifest.save(tmp_path_factory.mktemp("manifest") / "manifest.json")
    world = World(
        client=client,
        manifest=manifest,
        council=council,
        authorities={e: test_account(f"authority-{e}") for e in ("DE", "SG")},
        chambers={c: test_account(f"chamber-{c}") for c in ("DE-berlin", "DE-hamburg", "SG-sicc")},
        deployer=deployer,
    )
    for economy, account in world.authorities.items():
        world.council_act(
            "registerAuthority",
            [economy.encode(), account.address, f"Competent authority {economy}"],
        )
    now = world.now()
    for label, key in world.chambers.items():
        economy = label[:2]
        world.chamber_ids[label], _ = governance.accredit(
            client,
            world.authorities[economy],
            name=f"Chamber {label}",
            signing_key=key.address,
            valid_from=now - 10,
            valid_until=now + 2 * YEAR,
        )
    return world


@pytest.fixture
def world(world_session: World) -> Iterator[World]:
    """The session world, rewound after each test so tests never see each other's transactions."""
    snapshot = world_session.rpc("evm_snapshot")["result"]
    # evm_revert rewinds blocks but not the clock offset that earlier tests' advance() added:
    # pin the chain's clock to just after the latest block so world.now() is what comes next.
    world_session.rpc("evm_setNextBlockTimestamp", [world_session.now() + 1])
    world_session.rpc("evm_mine")
    try:
        yield world_session
    finally:
        world_session.rpc("evm_revert", [snapshot])
        world_session.client.forget_nonces()


@pytest.fixture
def chain(world: World) -> ChainClient:
    return world.client


@pytest.fixture
def manifest_path(world: World, tmp_path: Path) -> Path:
    path = tmp_path / "manifest.json"
    world.manifest.save(path)
    return path
