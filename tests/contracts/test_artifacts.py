"""The ABI and bytecode shipped in the package are exactly what contracts/ compiles to."""

from __future__ import annotations

import json

from origincert.devtools.build import ARTIFACTS, CONTRACTS, REPO, compile_contracts


def test_shipped_artifacts_match_a_fresh_compile() -> None:
    fresh = compile_contracts(REPO)
    for name in CONTRACTS:
        shipped = json.loads((ARTIFACTS / f"{name}.json").read_text())
        assert shipped["compiler"] == fresh[name]["compiler"] == "solc-js 0.8.28"
        assert shipped["abi"] == fresh[name]["abi"], (
            f"{name}: ABI differs, run python -m origincert.devtools.build"
        )
        assert shipped["bytecode"] == fresh[name]["bytecode"], (
            f"{name}: bytecode differs, rebuild the artifacts"
        )
        assert shipped["sourceSha256"] == fresh[name]["sourceSha256"]


def test_artifacts_name_every_custom_error_the_contracts_raise() -> None:
    sources = "".join(p.read_text() for p in (REPO / "contracts").rglob("*.sol"))
    for name in CONTRACTS:
        abi_errors = {
            e["name"]
            for e in json.loads((ARTIFACTS / f"{name}.json").read_text())["abi"]
            if e["type"] == "error"
        }
        declared = {
            line.split("error ")[1].split("(")[0]
            for line in sources.splitlines()
            if line.strip().startswith(f"error {name}")
        }
        assert declared and declared <= abi_errors


def test_every_contract_fits_the_code_size_limit() -> None:
    """EIP-170: a node refuses to deploy more than 24,576 bytes of runtime code (the P-256 check
    in IssuerRegistry is what brings it near the limit)."""
    for name in CONTRACTS:
        runtime = json.loads((ARTIFACTS / f"{name}.json").read_text())["deployedBytecode"]
        assert 0 < (len(runtime) - 2) // 2 <= 24_576, name
