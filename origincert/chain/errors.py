"""Turn a contract's revert data into ``ContractRevert`` naming the custom error and its arguments."""

from __future__ import annotations

import functools
from typing import Any

from eth_abi import decode
from eth_utils import function_signature_to_4byte_selector, to_checksum_address

from origincert.chain.artifacts import load_artifact
from origincert.errors import ContractRevert

_PANIC_REASONS = {
    0x01: "assertion failed",
    0x11: "arithmetic overflow",
    0x12: "division by zero",
    0x32: "array index out of bounds",
}


def _type_str(param: dict[str, Any]) -> str:
    if param["type"].startswith("tuple"):
        inner = ",".join(_type_str(c) for c in param["components"])
        return f"({inner}){param['type'][5:]}"
    return str(param["type"])


@functools.cache
def _selectors() -> dict[bytes, tuple[str, list[str], list[str]]]:
    table: dict[bytes, tuple[str, list[str], list[str]]] = {
        bytes.fromhex("08c379a0"): ("Error", ["string"], ["message"]),
        bytes.fromhex("4e487b71"): ("Panic", ["uint256"], ["code"]),
    }
    for name in ("IssuerRegistry", "CertificateRegistry"):
        for item in load_artifact(name).abi:
            if item["type"] != "error":
                continue
            types = [_type_str(i) for i in item["inputs"]]
            sig = f"{item['name']}({','.join(types)})"
            table[function_signature_to_4byte_selector(sig)] = (
                item["name"],
                types,
                [i["name"] or f"arg{n}" for n, i in enumerate(item["inputs"])],
            )
    return table


def _display(value: Any, type_: str) -> Any:
    if type_ == "address":
        return to_checksum_address(value)
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return value


def decode_revert(data: bytes | str | None) -> ContractRevert:
    """Decode revert data; unknown data still gives a ContractRevert, named ``UnknownError``."""
    if isinstance(data, str):
        data = bytes.fromhex(data.removeprefix("0x")) if data else b""
    data = data or b""
    entry = _selectors().get(data[:4])
    if entry is None:
        return ContractRevert("UnknownError", {"data": "0x" + data.hex()})
    name, types, names = entry
    try:
        values = decode(types, data[4:])
    except Exception:  # noqa: BLE001 - malformed revert data is still a revert
        return ContractRevert(name, {"data": "0x" + data.hex()})
    args = {n: _display(v, t) for n, v, t in zip(names, values, types)}
    if name == "Panic":
        return ContractRevert(
            name, args, f"the contract panicked: {_PANIC_REASONS.get(args['code'], args['code'])}"
        )
    if name == "Error":
        return ContractRevert(name, args, f"the contract refused: {args['message']}")
    return ContractRevert(name, args)
