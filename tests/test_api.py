"""The embedding API: ``import origincert`` stays light, and the README's examples run as written."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from chainutil import World
from issuer.kit import PASSWORD, write_keystore

import origincert

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_examples() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## The library", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.DOTALL)


def test_import_is_light_and_lazy() -> None:
    code = (
        "import sys, origincert;"
        "heavy = [m for m in ('web3', 'eth_account', 'pydantic', 'sqlalchemy', 'flask')"
        " if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_public_name_resolves() -> None:
    for name in origincert.__all__:
        assert getattr(origincert, name) is not None, name
    with pytest.raises(AttributeError):
        origincert.no_such_thing  # noqa: B018


def test_the_readme_examples_run(world: World, manifest_path: Path, tmp_path: Path) -> None:
    examples = readme_examples()
    assert len(examples) == 3
    body = world.chambers["DE-berlin"]
    info = origincert.connect(world.client.url, manifest_path)
    from origincert.governance import issuer_info, standing_at

    issuer_id, _ = standing_at(info, body.address, world.now())
    namespace = {
        "json": json,
        "RPC_URL": world.client.url,
        "MANIFEST": str(manifest_path),
        "KEYSTORE": str(write_keystore(tmp_path / "berlin.json", body)),
        "PASSWORD": PASSWORD,
        "JOURNAL": str(tmp_path / "journal.sqlite"),
        "OUT": str(tmp_path / "issued"),
        "ISSUING_BODY": {"name": issuer_info(info, issuer_id).name, "economy": "DE"},
    }
    for code in examples:
        exec(compile(code, str(README), "exec"), namespace)  # noqa: S102 - our own README
    assert namespace["result"].verdict.value == "VALID"
    assert (tmp_path / "issued" / "DE-2026-EUR1-000042.coo.json").exists()
    assert datetime.now(UTC).date().isoformat() == namespace["document"]["issue_date"]


def test_no_public_name_is_shadowed_by_a_submodule() -> None:
    """``import origincert.x`` sets the package's attribute ``x`` to the module: a function of
    the same name would silently turn into a module once anything imported it."""
    package = Path(origincert.__file__).parent
    submodules = {p.stem for p in package.glob("*.py")} | {
        p.parent.name for p in package.glob("*/__init__.py")
    }
    assert (set(origincert.__all__) - {"errors"}) & submodules == set()
