"""Checkpoints: the rebuilt state and the last block audited, so the next run starts from there.

A checkpoint is a folder: ``checkpoint.json`` (the small state, the last header, the pattern
findings already reported; written atomically) and ``store.sqlite`` (anchors, revocations,
replacements). The JSON is the commit point: on load, store rows newer than its block are cut, so
a run that crashed mid-way resumes cleanly. A checkpoint is bound to one network and one pair of
registries.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from origincert.audit.blocks import Header
from origincert.audit.state import LedgerState
from origincert.audit.store import Store
from origincert.chain import Manifest
from origincert.errors import OriginCertError

__all__ = [
    "CHECKPOINT_FILE",
    "STORE_FILE",
    "Checkpoint",
    "open_checkpoint",
    "reset_checkpoint",
    "save_checkpoint",
]

CHECKPOINT_FILE = "checkpoint.json"
STORE_FILE = "store.sqlite"
VERSION = 1


@dataclass
class Checkpoint:
    """Where an audit stands: ``last_header`` is None before the first block."""

    state: LedgerState
    last_header: Header | None = None
    reported: set[str] = field(default_factory=set)
    resumed: bool = False


def _binding(manifest: Manifest) -> dict[str, Any]:
    return {
        "chain_id": manifest.chain_id,
        "issuer_registry": manifest.issuer_registry.address.lower(),
        "certificate_registry": manifest.certificate_registry.address.lower(),
    }


def open_checkpoint(folder: str | os.PathLike[str] | None, manifest: Manifest) -> Checkpoint:
    """The checkpoint in ``folder`` (a fresh one if empty); ``None``: a throw-away store."""
    if folder is None:
        return Checkpoint(LedgerState(Store(None)))
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    meta = path / CHECKPOINT_FILE
    if not meta.exists():
        store_path = path / STORE_FILE
        if store_path.exists():
            store_path.unlink()  # rows without a committed checkpoint describe nothing
        return Checkpoint(LedgerState(Store(store_path)))
    try:
        data = json.loads(meta.read_text())
    except (OSError, ValueError) as exc:
        raise OriginCertError(
            f"cannot read the checkpoint {meta}: {exc}", code="checkpoint_unreadable"
        ) from exc
    if data.get("version") != VERSION:
        raise OriginCertError(
            f"the checkpoint {meta} is version {data.get('version')}, not {VERSION}",
            code="checkpoint_version",
        )
    if data.get("binding") != _binding(manifest):
        raise OriginCertError(
            f"the checkpoint {meta} belongs to another network or registry ({data.get('binding')})",
            code="checkpoint_mismatch",
        )
    store = Store(path / STORE_FILE)
    state = LedgerState.from_json(data["state"], store)
    header = Header(*data["last_header"]) if data.get("last_header") else None
    store.truncate_after(header.number if header else -1)
    return Checkpoint(state, header, set(data.get("reported", [])), resumed=True)


def save_checkpoint(
    folder: str | os.PathLike[str], checkpoint: Checkpoint, manifest: Manifest
) -> None:
    """Commit the store, then write the JSON atomically: the JSON is the commit point."""
    checkpoint.state.store.commit()
    path = Path(folder)
    data = {
        "version": VERSION,
        "binding": _binding(manifest),
        "last_header": checkpoint.last_header.to_json() if checkpoint.last_header else None,
        "reported": sorted(checkpoint.reported),
        "state": checkpoint.state.to_json(),
    }
    fd, tmp = tempfile.mkstemp(dir=path, prefix=CHECKPOINT_FILE, suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        json.dump(data, f, separators=(",", ":"))
    os.replace(tmp, path / CHECKPOINT_FILE)


def reset_checkpoint(checkpoint: Checkpoint) -> Checkpoint:
    """Start over in the same store (the ledger's history changed under the checkpoint)."""
    store = checkpoint.state.store
    store.truncate_after(-1)
    return Checkpoint(LedgerState(store))
