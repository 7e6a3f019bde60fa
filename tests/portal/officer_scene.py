"""A replaced certificate and its successor on the test chain, for the officer-facing tests.

Built inside its own ``evm_snapshot`` on top of the package's scene (and a copy of the scene's
journal), and reverted when the module is done, so no other test sees the replacement.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from origincert.issuer import Journal, issue_documents, replace
from origincert.signing import LocalSigner

from .support import Scene, valid_today

OLD_NUMBER = "DE-HH-2026-000700"
NEW_NUMBER = "DE-HH-2026-000701"


@dataclass
class Replacement:
    old: dict[str, Any]
    new: dict[str, Any]


@pytest.fixture(scope="module", name="replacement")
def replacement_fixture(
    world_session: Any, scene: Scene, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Replacement]:
    world = world_session
    snapshot = world.rpc("evm_snapshot")["result"]
    folder = tmp_path_factory.mktemp("officer-scene")
    journal_path = folder / "hamburg.sqlite"
    shutil.copy(scene.manifest_path.parent / "hamburg.sqlite", journal_path)
    signer = LocalSigner(world.chambers["DE-hamburg"])
    try:
        with Journal.open(journal_path) as journal:
            first = valid_today(7, number=OLD_NUMBER)
            [old] = issue_documents(world.client, signer, [first], journal=journal)
            amended = json.loads(json.dumps(first)) | {"number": NEW_NUMBER}
            amended["consignee"]["name"] = "AMENDED CONSIGNEE GMBH"
            done, _ = replace(
                world.client,
                signer,
                journal,
                OLD_NUMBER,
                amended,
                out_dir=folder / "out",
                reason="amended consignee",
            )
        new = json.loads(Path(done.files[0]).read_text())
        yield Replacement(old, new)
    finally:
        world.rpc("evm_revert", [snapshot])
        world.client.forget_nonces()
