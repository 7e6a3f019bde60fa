"""A local Hardhat node for development, the demo and tests (never used against a real network).

Started in its own process group, in the background, with its log and pid under a state folder,
so ``origincert chain up`` returns once the node answers and ``chain down`` stops it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from origincert.errors import ChainUnavailable, OriginCertError

DEFAULT_STATE_DIR = Path(".origincert")

# Nodes started by this process, kept so they are reaped on stop (and not reported as leaked).
_children: dict[int, subprocess.Popen[bytes]] = {}


@dataclass(frozen=True)
class DevChain:
    pid: int
    port: int
    log: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def hardhat_dir() -> Path:
    """The source checkout holding hardhat.config.js and node_modules (``ORIGINCERT_HARDHAT_DIR`` overrides)."""
    candidates = [
        os.environ.get("ORIGINCERT_HARDHAT_DIR"),
        Path(__file__).resolve().parents[2],
        Path.cwd(),
    ]
    for c in candidates:
        if (
            c
            and (Path(c) / "hardhat.config.js").exists()
            and (Path(c) / "node_modules" / "hardhat").exists()
        ):
            return Path(c)
    raise OriginCertError(
        "the local chain needs the origincert source checkout with its npm packages "
        "(run `npm ci` there, or set ORIGINCERT_HARDHAT_DIR)",
        code="hardhat_missing",
    )


def answers(url: str, timeout: float = 1.0) -> bool:
    try:
        r = requests.post(
            url,
            json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []},
            timeout=timeout,
        )
        return r.ok and "result" in r.json()
    except (requests.RequestException, ValueError):
        return False


def _state_file(state_dir: Path, port: int) -> Path:
    return state_dir / f"devchain-{port}.json"


def start(port: int = 8545, *, state_dir: Path = DEFAULT_STATE_DIR, wait: float = 90.0) -> DevChain:
    """Start a Hardhat node on 127.0.0.1:port and return once it answers JSON-RPC."""
    url = f"http://127.0.0.1:{port}"
    if answers(url):
        raise ChainUnavailable(
            f"something already answers on {url}: stop it or choose --port", code="port_in_use"
        )
    cwd = hardhat_dir()
    state_dir.mkdir(parents=True, exist_ok=True)
    log = state_dir / f"devchain-{port}.log"
    cli = cwd / "node_modules" / "hardhat" / "internal" / "cli" / "cli.js"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            ["node", str(cli), "node", "--hostname", "127.0.0.1", "--port", str(port)],
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env={**os.environ, "HARDHAT_DISABLE_TELEMETRY_PROMPT": "true"},
        )
    deadline = time.monotonic() + wait
    while not answers(url):
        if proc.poll() is not None:
            raise ChainUnavailable(
                f"the Hardhat node exited at start; see {log}", code="devchain_failed"
            )
        if time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGTERM)
            raise ChainUnavailable(
                f"the Hardhat node did not answer within {wait:.0f} s; see {log}",
                code="devchain_failed",
            )
        time.sleep(0.2)
    _children[port] = proc
    chain = DevChain(pid=proc.pid, port=port, log=str(log))
    _state_file(state_dir, port).write_text(
        json.dumps({"pid": chain.pid, "port": port, "log": chain.log})
    )
    return chain


def stop(port: int = 8545, *, state_dir: Path = DEFAULT_STATE_DIR) -> bool:
    """Stop the node started by :func:`start` on that port; False if none was running."""
    state = _state_file(state_dir, port)
    if not state.exists():
        return False
    pid = int(json.loads(state.read_text())["pid"])
    state.unlink()
    child = _children.pop(port, None)
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    for _ in range(50):
        if child is not None and child.poll() is not None:
            return True
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    os.killpg(pid, signal.SIGKILL)
    if child is not None:
        child.wait()
    return True
