"""go-ethereum v1.13.15 Clique validators on loopback: set up, start, stop.

geth is built from the Go module proxy by ``scripts/setup`` into ``.cache/geth/`` (v1.13.15 is
the last release that seals Clique blocks). Each node runs in its own process group with its log
and pid in its folder; it listens for JSON-RPC and peers on 127.0.0.1 only, finds its peers from
the static list in its ``config.toml`` (no discovery), and seals blocks with its validator key.
``--pprof`` is never enabled (the build links ``fjl/memsize`` with ``-checklinkname=0``).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from origincert.network.layout import NetworkError, NetworkSpec, NodeSpec

__all__ = ["find_geth", "init_datadir", "is_running", "start_node", "stop_node"]

_REPO = Path(__file__).resolve().parents[2]


def find_geth() -> str:
    """``ORIGINCERT_GETH``, else the build of ``scripts/setup``, else ``geth`` on the PATH."""
    candidates = [os.environ.get("ORIGINCERT_GETH"), str(_REPO / ".cache" / "geth" / "geth")]
    for c in candidates:
        if c and Path(c).is_file() and os.access(c, os.X_OK):
            return c
    found = shutil.which("geth")
    if found:
        return found
    raise NetworkError(
        "geth is not built: run ./scripts/setup --with-network (or set ORIGINCERT_GETH)",
        code="geth_missing",
    )


def node_dir(folder: Path, node: NodeSpec) -> Path:
    return folder / node.name


def static_config(spec: NetworkSpec, node: NodeSpec) -> str:
    """geth's TOML config: the other validators as static peers (static-nodes.json is ignored
    since geth 1.12)."""
    peers = ", ".join(f'"{n.enode}"' for n in spec.nodes if n.name != node.name)
    return f"[Node.P2P]\nStaticNodes = [{peers}]\nTrustedNodes = [{peers}]\n"


def init_datadir(geth: str, folder: Path, node: NodeSpec) -> None:
    """Write the genesis block into the node's data folder (``geth init``)."""
    data = node_dir(folder, node)
    result = subprocess.run(
        [
            geth,
            "init",
            "--datadir",
            str(data),
            "--state.scheme",
            "hash",
            str(folder / "genesis.json"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise NetworkError(
            f"geth init failed for {node.name}: {result.stderr.strip()[-500:]}",
            code="geth_init_failed",
        )


def _command(geth: str, spec: NetworkSpec, folder: Path, node: NodeSpec) -> list[str]:
    data = node_dir(folder, node)
    return [
        geth,
        "--config", str(data / "config.toml"),
        "--datadir", str(data),
        "--networkid", str(spec.chain_id),
        "--state.scheme", "hash",
        "--syncmode", "full",
        "--gcmode", "archive",  # the audit and the verifier read state at past blocks
        "--nodiscover",
        "--netrestrict", "127.0.0.0/8",
        "--maxpeers", str(len(spec.nodes) + 2),
        "--port", str(node.p2p_port),
        "--nodekey", str(data / "nodekey"),
        "--ipcdisable",
        "--authrpc.addr", "127.0.0.1",
        "--authrpc.port", str(node.authrpc_port),
        "--http",
        "--http.addr", "127.0.0.1",
        "--http.port", str(node.http_port),
        "--http.api", "eth,net,web3,clique,admin,txpool,miner",
        "--rpc.txfeecap", "0",
        "--unlock", node.validator,
        "--password", str(data / "password"),
        "--allow-insecure-unlock",  # the key unlocks for sealing; JSON-RPC stays on loopback
        # Sealing starts over JSON-RPC once the node has its peers and their head (see
        # manage.up): validators that all seal from genesis on their own fork a Clique chain.
        "--miner.etherbase", node.validator,
        "--verbosity", "3",
    ]  # fmt: skip


def _pid_file(folder: Path, node: NodeSpec) -> Path:
    return node_dir(folder, node) / "geth.pid"


def _alive(pid: int, data: Path) -> bool:
    """The pid is a running geth of that data folder (not a reused pid)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return str(data).encode() in cmdline


def running_pid(folder: Path, node: NodeSpec) -> int | None:
    try:
        pid = int(_pid_file(folder, node).read_text())
    except (OSError, ValueError):
        return None
    child = _children.get(pid)
    if child is not None:  # started by this process: ask it (its /proc entry may be mid-exec)
        return pid if child.poll() is None else None
    return pid if _alive(pid, node_dir(folder, node)) else None


def is_running(folder: Path, node: NodeSpec) -> bool:
    return running_pid(folder, node) is not None


_children: dict[int, subprocess.Popen[bytes]] = {}


def start_node(geth: str, spec: NetworkSpec, folder: Path, node: NodeSpec) -> int:
    """Start the node in the background (its own process group); its pid."""
    pid = running_pid(folder, node)
    if pid is not None:
        return pid
    data = node_dir(folder, node)
    with open(data / "geth.log", "ab") as log:
        proc = subprocess.Popen(
            _command(geth, spec, folder, node),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    _children[proc.pid] = proc
    _pid_file(folder, node).write_text(str(proc.pid))
    return proc.pid


def stop_node(folder: Path, node: NodeSpec, *, timeout: float = 30.0) -> bool:
    """Stop the node (SIGTERM, SIGKILL after ``timeout``); False when it was not running."""
    pid = running_pid(folder, node)
    if pid is None:
        return False
    data = node_dir(folder, node)
    os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _alive(pid, data) and time.monotonic() < deadline:
        if _reap(pid):
            break
        time.sleep(0.1)
    if _alive(pid, data):
        os.killpg(pid, signal.SIGKILL)
        time.sleep(0.2)
    _reap(pid)
    _pid_file(folder, node).unlink(missing_ok=True)
    return True


def _reap(pid: int) -> bool:
    child = _children.get(pid)
    if child is None:
        return False
    if child.poll() is None:
        return False
    _children.pop(pid, None)
    return True
