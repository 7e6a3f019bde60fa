"""Helpers for the network tests (imported as ``network.netkit``)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from chainutil import World

from origincert.chain import ChainClient
from origincert.network import NetworkSpec


@dataclass
class Net:
    folder: Path
    spec: NetworkSpec
    world: World
    manifest_path: Path

    @property
    def rpc_url(self) -> str:
        """Every node, the first as the member's own: what a member would configure."""
        return ",".join(self.spec.urls)

    def url(self, i: int) -> str:
        return self.spec.nodes[i].url

    def client(self, i: int) -> ChainClient:
        """A client of node ``i`` alone."""
        return ChainClient.connect(self.url(i), self.world.manifest, timeout=5)


def wait_for_block(client: ChainClient, number: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while client.block_number() < number:
        assert time.monotonic() < deadline, f"block {number} never came"
        time.sleep(0.2)
