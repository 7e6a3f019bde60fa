"""Compile ``contracts/`` offline and write the artifacts shipped in the package.

The compiler is the npm ``solc`` package (soljson) behind ``scripts/solc``, driven by py-solc-x,
so nothing is downloaded. Run ``python -m origincert.devtools.build`` after changing a contract; a
test recompiles and fails when the shipped artifacts differ. Compiler warnings fail the build.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
CONTRACTS = ("IssuerRegistry", "CertificateRegistry")
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


def _sources(repo: Path) -> dict[str, dict[str, str]]:
    return {
        f"contracts/{p.relative_to(repo / 'contracts').as_posix()}": {"content": p.read_text()}
        for p in sorted((repo / "contracts").rglob("*.sol"))
    }


def compile_contracts(repo: Path = REPO) -> dict[str, dict[str, Any]]:
    """Compile every contract and return ``{name: artifact}`` as it would be written."""
    import solcx  # dev dependency: only those who compile need it

    config = json.loads((repo / "contracts" / "solc-settings.json").read_text())
    settings = dict(config["settings"])
    settings["outputSelection"] = {
        "*": {"*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"]}
    }
    sources = _sources(repo)
    out = solcx.compile_standard(
        {"language": "Solidity", "sources": sources, "settings": settings},
        solc_binary=str(repo / "scripts" / "solc"),
        allow_paths=[str(repo)],
    )
    # A warning fails the build as an error does: shadowed names, unreachable code or an unused
    # result are how contract bugs look before they are bugs (tests/contracts/test_artifacts.py).
    errors = [e for e in out.get("errors", []) if e.get("severity") in ("error", "warning")]
    if errors:
        raise RuntimeError("\n".join(e["formattedMessage"] for e in errors))
    artifacts = {}
    for name in CONTRACTS:
        c = out["contracts"][f"contracts/{name}.sol"][name]
        artifacts[name] = {
            "contractName": name,
            "compiler": f"solc-js {config['version']}",
            "settings": config["settings"],
            "sourceSha256": {
                path: hashlib.sha256(src["content"].encode()).hexdigest()
                for path, src in sources.items()
            },
            "abi": c["abi"],
            "bytecode": "0x" + c["evm"]["bytecode"]["object"],
            "deployedBytecode": "0x" + c["evm"]["deployedBytecode"]["object"],
        }
    return artifacts


def write_artifacts(artifacts: dict[str, dict[str, Any]], target: Path = ARTIFACTS) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for name, artifact in artifacts.items():
        (target / f"{name}.json").write_text(json.dumps(artifact, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    write_artifacts(compile_contracts())
    print(f"wrote {', '.join(CONTRACTS)} to {ARTIFACTS}", file=sys.stderr)
