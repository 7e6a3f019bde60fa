"""The compiled contracts shipped inside the package: a pip user needs neither Node nor solc."""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class Artifact:
    name: str
    abi: list[dict[str, Any]]
    bytecode: str
    compiler: str

    @property
    def abi_sha256(self) -> str:
        """A fingerprint of the ABI, written in the manifest so a client notices a mismatch."""
        return hashlib.sha256(json.dumps(self.abi, sort_keys=True).encode()).hexdigest()


@functools.cache
def load_artifact(name: str) -> Artifact:
    raw = json.loads(resources.files("origincert.artifacts").joinpath(f"{name}.json").read_text())
    return Artifact(name=name, abi=raw["abi"], bytecode=raw["bytecode"], compiler=raw["compiler"])
