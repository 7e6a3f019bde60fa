"""The deployment manifest: which network, which contracts, from which block.

Every command reads it (``--manifest`` / ``ORIGINCERT_MANIFEST``): the issuer to know where to
anchor, the verifier to know which registry a certificate must name, the auditor to know where
replay starts.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from origincert.errors import ChainError


@dataclass(frozen=True)
class Deployment:
    address: str
    block: int
    abi_sha256: str


@dataclass(frozen=True)
class Manifest:
    chain_id: int
    issuer_registry: Deployment
    certificate_registry: Deployment
    compiler: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Manifest:
        try:
            return cls(
                chain_id=int(data["chain_id"]),
                issuer_registry=Deployment(**data["issuer_registry"]),
                certificate_registry=Deployment(**data["certificate_registry"]),
                compiler=str(data["compiler"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ChainError(
                f"the manifest is malformed: {exc}", code="manifest_malformed"
            ) from exc

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Manifest:
        p = Path(path)
        try:
            data = json.loads(p.read_text())
        except FileNotFoundError as exc:
            raise ChainError(
                f"no deployment manifest at {p}: run `origincert chain deploy` or pass --manifest",
                code="manifest_missing",
            ) from exc
        except (OSError, ValueError) as exc:
            raise ChainError(
                f"cannot read the manifest {p}: {exc}", code="manifest_malformed"
            ) from exc
        if not isinstance(data, dict):
            raise ChainError(f"the manifest {p} is not a JSON object", code="manifest_malformed")
        return cls.from_json(data)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write atomically, so a crash never leaves half a manifest."""
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=p.name, suffix=".tmp")
        with os.fdopen(fd, "w") as f:
            json.dump(self.to_json(), f, indent=2)
            f.write("\n")
        os.replace(tmp, p)
