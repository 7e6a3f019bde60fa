"""Packaging: ranges for the library, extras for the optional parts, one lock for the app and CI."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
LOCK = (ROOT / "requirements.lock").read_text()


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _locked() -> dict[str, str]:
    pins = re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", LOCK, re.MULTILINE)
    return {name.lower().replace("_", "-"): version for name, version in pins}


def test_the_library_declares_ranges_not_pins() -> None:
    for req in PYPROJECT["project"]["dependencies"]:
        assert "==" not in req, f"{req}: a library takes ranges; exact pins go in requirements.lock"


def test_the_extras_exist_and_a_verifier_installs_no_web_stack() -> None:
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert {"portal", "pdf", "qr-image", "hsm", "dev"} <= set(extras)
    core = {_name(r) for r in PYPROJECT["project"]["dependencies"]}
    assert not core & {"flask", "gunicorn", "fpdf2", "zxing-cpp", "pillow"}


def test_the_lock_pins_every_dependency_and_extra() -> None:
    """Fails after a dependency is added to pyproject.toml without running scripts/lock."""
    locked = _locked()
    wanted = {_name(r) for r in PYPROJECT["project"]["dependencies"]}
    for extra in PYPROJECT["project"]["optional-dependencies"].values():
        wanted |= {_name(r) for r in extra if not r.startswith("origincert")}
    missing = sorted(wanted - set(locked))
    assert missing == [], f"run scripts/lock: {missing} are not in requirements.lock"


def test_the_lock_names_no_local_path() -> None:
    """The project is installed editable by scripts/setup; a pinned path would install a copy."""
    assert "file://" not in LOCK and not re.search(r"^origincert\b", LOCK, re.MULTILINE)
