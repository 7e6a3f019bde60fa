"""Solidity as OpenZeppelin writes it (issue 12): interfaces declare the whole surface with NatSpec
and the contracts inherit their docs, contracts depend on interfaces, the pragma is the exact
compiler of the npm solc package, a compiler warning fails the build, and solhint is clean."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from origincert.devtools.build import ARTIFACTS, CONTRACTS, REPO, compile_contracts

SOLHINT = REPO / "node_modules" / ".bin" / "solhint"
OZ_SOURCES = "".join(
    p.read_text() for p in (REPO / "node_modules" / "@openzeppelin" / "contracts").rglob("*.sol")
)


def _solhint(*paths: str, cwd: Path = REPO) -> list[dict]:
    out = subprocess.run(  # noqa: PLW1510 - solhint exits 1 when it reports: the JSON says what
        [str(SOLHINT), "-c", str(REPO / ".solhintrc.yml"), "--disc", "-f", "json", *paths],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    reports = json.loads(out.stdout or "[]")
    return [r for r in reports if "ruleId" in r]


def test_solhint_reports_nothing_on_the_contracts() -> None:
    problems = _solhint("contracts/**/*.sol")
    assert problems == [], "\n".join(
        f"{p['filePath']}:{p['line']} {p['ruleId']}: {p['message']}" for p in problems
    )


def test_solhint_with_this_config_does_catch_a_bad_contract(tmp_path: Path) -> None:
    """The zero above means something: the same config reports a loose pragma, missing NatSpec
    and a forbidden name."""
    bad = tmp_path / "Bad.sol"
    bad.write_text(
        "// SPDX-License-Identifier: Apache-2.0\npragma solidity ^0.8.20;\n"
        "contract Bad { function f() external pure returns (uint256) { uint256 l = 1; return l; } }\n"
    )
    rules = {p["ruleId"] for p in _solhint(str(bad), cwd=tmp_path)}
    assert {"compiler-version", "use-natspec", "use-forbidden-name"} <= rules


def test_every_pragma_is_the_exact_compiler_of_the_npm_solc_package() -> None:
    npm = json.loads((REPO / "package.json").read_text())["devDependencies"]["solc"]
    settings = json.loads((REPO / "contracts" / "solc-settings.json").read_text())["version"]
    assert npm == settings
    for path in sorted((REPO / "contracts").rglob("*.sol")):
        pragmas = re.findall(r"^pragma solidity ([^;]+);", path.read_text(), re.MULTILINE)
        assert pragmas == [npm], path


def _declared(source: str, kind: str) -> set[str]:
    return set(re.findall(rf"^\s*{kind} (\w+)\(", source, re.MULTILINE))


@pytest.mark.parametrize("name", CONTRACTS)
def test_the_interface_declares_the_whole_surface_and_the_contract_inherits_its_docs(
    name: str,
) -> None:
    abi = json.loads((ARTIFACTS / f"{name}.json").read_text())["abi"]
    interface = (REPO / "contracts" / "interfaces" / f"I{name}.sol").read_text()
    # ...and what it inherits from OpenZeppelin's interfaces (ERC-5267's eip712Domain).
    for parent in re.findall(
        r'^import \{\w+\} from "(@openzeppelin/[^"]+)";', interface, re.MULTILINE
    ):
        interface += (REPO / "node_modules" / parent).read_text()
    contract = (REPO / "contracts" / f"{name}.sol").read_text()
    for kind in ("function", "event", "error"):
        in_abi = {i["name"] for i in abi if i["type"] == kind}
        if kind == "error":  # OpenZeppelin's libraries' own errors (SafeCast, Checkpoints) aside
            assert all(e.startswith(name) or f"error {e}(" in OZ_SOURCES for e in in_abi)
            in_abi = {e for e in in_abi if e.startswith(name)}
        assert in_abi <= _declared(interface, kind), (kind, in_abi - _declared(interface, kind))
    # The contract declares no event or error of its own: they live in its interface.
    assert not _declared(contract, "event") and not _declared(contract, "error")
    # Each external function (and public constant) takes its NatSpec from the interface.
    for fn in {i["name"] for i in abi if i["type"] == "function"} - {"eip712Domain"}:  # OZ EIP712's
        assert re.search(
            rf"/// @inheritdoc I{name}\n\s+(?:function {fn}\(|[\w ]+ public (?:constant |immutable )?{fn}\b)",
            contract,
        ), fn
    # Contracts depend on each other's interfaces, never on an implementation.
    imports = re.findall(r'^import \{[^}]+\} from "\./([^"]+)";', contract, re.MULTILINE)
    assert all(i.startswith("interfaces/") for i in imports), imports


def test_a_compiler_warning_fails_the_build(tmp_path: Path) -> None:
    """A contract that shadows a name, built as the real ones are (the same compiler, wrapper and
    settings file): the build refuses, naming the warning. The real contracts are left out: their
    compile is test_artifacts.py's (15 s of solc-js on viaIR), and the warning is the same alone."""
    (tmp_path / "contracts").mkdir()
    shutil.copy(REPO / "contracts" / "solc-settings.json", tmp_path / "contracts")
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "solc").symlink_to(REPO / "scripts" / "solc")
    (tmp_path / "contracts" / "Shadow.sol").write_text(
        "// SPDX-License-Identifier: Apache-2.0\npragma solidity 0.8.28;\n"
        "contract Shadow { uint256 public x; function f(uint256 x) external pure returns (uint256) "
        "{ return x; } }\n"
    )
    with pytest.raises(RuntimeError, match=r"(?s)Warning: This declaration shadows.*Shadow\.sol"):
        compile_contracts(tmp_path)
