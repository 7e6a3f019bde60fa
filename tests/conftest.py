"""Shared fixtures: a real Hardhat node for the session, deployed registries, a small world of
council, authorities and accredited chambers, and per-test isolation by snapshot and revert."""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from chainutil import YEAR, World, free_port, test_account
from hypothesis import settings

from origincert import governance
from origincert.chain import ChainClient, deploy
from origincert.devtools import devchain


def _temporary_folders_in_memory() -> None:
    """Temporary folders on /dev/shm (tmpfs) when the machine has one with room and TMPDIR is not
    set: the suite's SQLite databases (journals, desks, portals: a migrated portal database per
    test) commit with fsync, which costs CPU and waits on a disk. A portal app for a test took
    36 to 59 ms instead of 83 to 94 ms, and 28 instead of 42 ms of CPU (load 3). What is tested
    does not change: a SIGKILLed process leaves the same files in the page cache either way.
    Subprocesses (Hardhat, PostgreSQL, gunicorn, Chromium) inherit TMPDIR. pyproject's
    ``tmp_path_retention_policy = "failed"`` keeps only failed tests' folders, so the memory is
    given back."""
    shm = "/dev/shm"
    if "TMPDIR" in os.environ or not os.access(shm, os.W_OK | os.X_OK):
        return
    stat = os.statvfs(shm)
    if stat.f_bavail * stat.f_frsize < 4 * 1024**3:
        return
    os.environ["TMPDIR"] = shm
    tempfile.tempdir = None  # gettempdir() reads TMPDIR again


_temporary_folders_in_memory()


def _bytecode_cached() -> None:
    """Python's bytecode cache on for the run, whatever ``PYTHONDONTWRITEBYTECODE`` says (the
    cache is ``__pycache__/``, which git ignores). Without it every xdist worker compiles the
    package and compiles and assertion-rewrites every test module again, and so does each CLI
    process a test starts: collection took 7.4 s of CPU per worker instead of 4.0 s. Set here,
    before the workers start, so that they and every subprocess inherit it."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    sys.dont_write_bytecode = False


_bytecode_cached()

# Property tests assert behaviour, not speed: on a shared 2-core machine one example can take far
# longer than hypothesis's 200 ms default deadline, which would fail a correct test.
settings.register_profile("origincert", deadline=None)
settings.load_profile("origincert")

# Running in parallel (scripts/test passes ``-n auto``), each xdist worker has its own session
# fixtures: its own Hardhat node on a port the OS chose, its own temporary folder, its own servers.
# Tests go to the workers a file at a time, so a fixture a module or a package builds once (a served
# portal, a PostgreSQL server, a ledger scene) is built once per worker at most; the folders below go
# to one worker whole. (Not ``--dist loadgroup`` with ``xdist_group`` marks: on pytest 9.2 the marks
# no longer reach the scheduler, pytest-xdist issue #1386.)
# ``-n auto`` starts a worker per core, and one more when the geth network tests are in the run
# (they mostly wait for blocks: see pytest_xdist_auto_num_workers below). Scheduling is by file,
# in collection order but for the network folder, which goes first: it is the longest unit
# (about 100 s, a minute of it building the network), so it never ends the run late.
# The geth consortium (a minute to build) and the interval-mining node:
ONE_WORKER = ("tests/network/",)


def _selects_the_network(config: pytest.Config) -> bool:
    """Whether this run may hold tests/network/: a path given that includes it (or none given),
    and no ``-m`` that leaves the ``network`` marker out."""
    if re.search(r"\bnot\s+network\b", config.option.markexpr or ""):
        return False
    network = Path(config.rootpath, ONE_WORKER[0]).resolve()
    paths = [Path(config.invocation_params.dir, a.split("::", 1)[0]).resolve() for a in config.args]
    return any(p == network or network in p.parents or p in network.parents for p in paths)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """``-n auto``: a worker per core, and one more while the geth network tests are in the run.

    Those tests spend their 100 s waiting for 1-second blocks (about 10 s of CPU in the worker),
    so the worker that holds them leaves its core idle; a worker more keeps both cores busy with
    the rest meanwhile. ``PYTEST_XDIST_AUTO_NUM_WORKERS`` still decides when set, as in xdist.
    """
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # xdist's own hook reads it
    cores = len(os.sched_getaffinity(0))
    return cores + 1 if _selects_the_network(config) else cores


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    if config.getoption("dist") != "load":
        return None  # an explicit --dist other than load is obeyed as it is
    from xdist.scheduler import LoadScopeScheduling

    class ByFile(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return next((f for f in ONE_WORKER if path.startswith(f)), path)

    config.option.loadscopereorder = False  # keep the order below, the longest unit first
    return ByFile(config, log)  # type: ignore[arg-type]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "PYTEST_XDIST_WORKER" in os.environ:  # every worker sorts alike: the collections must agree
        items.sort(key=lambda item: not item.nodeid.startswith(ONE_WORKER))


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
            key=key,
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
