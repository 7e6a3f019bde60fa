"""The one codec of the registries' calls, results and events: ABI coding by hand, strictly.

Every reader of the contracts (the verifier's batches, the issuer's ledger questions, the
audit's cross-checks) encodes calls and decodes answers here, from the ABI shipped in the package.

eth_abi is exact but slow (about 100 µs to encode a call, 40 µs per decoded status), and a batch
verification makes these calls for every certificate. Each hand coder covers the exact types the
registries' ABI (shipped in the package) declares, is tested against eth_abi, and refuses any
answer that is not exactly what that type allows: a misread status would be a false verdict.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from eth_abi import decode, encode
from eth_abi.exceptions import EncodingError
from eth_typing import ABIEvent
from eth_utils import event_abi_to_log_topic, function_signature_to_4byte_selector

from origincert.chain.artifacts import load_artifact
from origincert.chain.types import IssuerInfo, IssuerStatus, VcKeyRecord
from origincert.errors import ChainError

__all__ = [
    "Snapshot",
    "decode_issuer",
    "decode_snapshot",
    "encode_snapshot",
    "fn",
    "malformed",
    "topic",
    "vc_key_record",
]


def _type_str(param: dict[str, Any]) -> str:
    if param["type"].startswith("tuple"):
        return f"({','.join(_type_str(c) for c in param['components'])}){param['type'][5:]}"
    return str(param["type"])


@dataclass(frozen=True)
class _Fn:
    selector: bytes
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]

    def data(self, *args: Any) -> str:
        """The call's data: ABI-encoded by hand for the few argument types the verifier sends
        (eth_abi takes ~100 µs a call), by eth_abi for anything else."""
        if not all(
            t in _FAST_TYPES or (t.startswith("uint") and t.count("[") <= 1 and "[]" in t + "[]")
            for t in self.inputs
        ):
            return "0x" + (self.selector + encode(self.inputs, args)).hex()
        heads: list[bytes] = []
        tails: list[bytes] = []
        offset = 32 * len(args)
        for t, value in zip(self.inputs, args):
            if t == "bytes32[]" or t.endswith("[]"):
                item = _bytes32 if t == "bytes32[]" else _uint_word(t[:-2])
                tail = _word(len(value)) + b"".join(item(v) for v in value)
                heads.append(_word(offset))
                tails.append(tail)
                offset += len(tail)
            elif t == "bytes32":
                heads.append(_bytes32(value))
            elif t == "address":
                raw = (
                    bytes.fromhex(value[2:])
                    if isinstance(value, str) and value[:2] == "0x"
                    else b""
                )
                if len(raw) != 20:
                    raise ValueError(f"not an address: {value!r}")
                heads.append(bytes(12) + raw)
            else:  # uintN
                heads.append(_uint_word(t)(value))
        return "0x" + (self.selector + b"".join(heads) + b"".join(tails)).hex()

    def result(self, raw: str) -> tuple[Any, ...]:
        return tuple(decode(self.outputs, bytes.fromhex(raw[2:])))


_FAST_TYPES = frozenset({"bytes32[]", "bytes32", "address"})


def _word(n: int) -> bytes:
    return n.to_bytes(32, "big")


def _uint_word(t: str) -> Any:
    bits = int(t[4:])

    def encode_one(value: Any) -> bytes:
        if type(value) is not int or not 0 <= value < 1 << bits:
            raise ValueError(f"{value!r} is not a {t}")
        return _word(value)

    return encode_one


def _bytes32(value: bytes) -> bytes:
    if not isinstance(value, bytes) or len(value) != 32:
        raise ValueError("a bytes32 value must be 32 bytes")
    return value


@functools.cache
def fn(contract: str, name: str) -> _Fn:
    (item,) = [
        i for i in load_artifact(contract).abi if i["type"] == "function" and i["name"] == name
    ]
    inputs = tuple(_type_str(p) for p in item["inputs"])
    return _Fn(
        function_signature_to_4byte_selector(f"{name}({','.join(inputs)})"),
        inputs,
        tuple(_type_str(p) for p in item["outputs"]),
    )


@functools.cache
def topic(contract: str, name: str) -> str:
    (item,) = [i for i in load_artifact(contract).abi if i["type"] == "event" and i["name"] == name]
    return "0x" + event_abi_to_log_topic(cast(ABIEvent, item)).hex()


def malformed(what: str) -> ChainError:
    return ChainError(f"the node's answer to {what} is malformed", code="rpc_error")


def decode_issuer(raw: str) -> IssuerInfo:
    """``IssuerRegistry.issuer`` output, the IssuerView tuple, decoded strictly by hand (eth_abi
    takes ~130 µs, on the path of every single verification)."""
    return _issuer_view(bytes.fromhex(raw[2:]) if isinstance(raw, str) and raw[:2] == "0x" else b"")


def _issuer_view(data: bytes) -> IssuerInfo:
    word = lambda i: data[32 * i : 32 * (i + 1)]
    if (
        len(data) < 32 * 11
        or int.from_bytes(word(0), "big") != 32
        or int.from_bytes(word(9), "big") != 32 * 9
    ):
        raise malformed("issuer")
    values = [int.from_bytes(word(i), "big") for i in (1, 3, 4, 5, 6, 7)]
    if any(v >> b for v, b in zip(values, (32, 8, 48, 48, 48, 160))) or any(word(2)[2:]):
        raise malformed("issuer")
    length = int.from_bytes(word(10), "big")
    padded = 32 * ((length + 31) // 32)
    if len(data) != 32 * 11 + padded or any(data[32 * 11 + length :]):
        raise malformed("issuer")
    try:
        name = data[32 * 11 : 32 * 11 + length].decode("utf-8")
        status = IssuerStatus(values[1])
    except ValueError as exc:
        raise malformed("issuer") from exc
    return IssuerInfo(
        id=values[0],
        economy=word(2)[:2].decode("ascii", "replace"),
        status=status,
        valid_from=values[2],
        valid_until=values[3],
        status_since=values[4],
        signing_key="0x" + word(7)[12:].hex(),
        metadata_hash="0x" + word(8).hex(),
        name=name,
    )


def vc_key_record(key_hash: bytes, values: tuple[Any, ...]) -> VcKeyRecord:
    """``IssuerRegistry.vcKeyRecord(keyHash)``'s decoded words as a :class:`VcKeyRecord`."""
    if len(values) != 5 or not all(type(v) is int for v in values):
        raise malformed("vcKeyRecord")
    issuer_id, from_epoch, until_epoch, since, retired_at = values
    return VcKeyRecord(bytes(key_hash), issuer_id, from_epoch, until_epoch, since, retired_at)


# ---------------------------------------------------------------------------------------------
# CertificateRegistry.verificationSnapshot: everything a verification reads, in one call


@dataclass(frozen=True, slots=True)
class Snapshot:
    """``verificationSnapshot``'s answer, decoded: what one state of the ledger says."""

    block: int
    block_time: int
    parent_hash: str
    issuer_registry: str  # the IssuerRegistry the CertificateRegistry is bound to, lowercase
    # per certificate: (anchor 7-tuple (issuerId, leafCount, anchoredAt, anchoredBlock, revokedAt,
    # reason, epoch), leafRevokedAt, leafReason,
    # replacedAt, replacedByRoot, replacedByLeaf)
    statuses: list[tuple[Any, ...]]
    keys: list[tuple[int, int, int]]  # per key: (issuerId, activeFrom, retiredAt)
    issuers: list[IssuerInfo | None]  # per body: its view, None when it reverted (no such body)


def encode_snapshot(
    certificates: Sequence[tuple[int, bytes, bytes]], keys: Sequence[str], issuer_ids: Sequence[int]
) -> str:
    """The call data of ``verificationSnapshot(certificates, keys, issuerIds)``, each certificate
    ``(issuerId, root, leaf)`` packed into its 68 bytes here, the rest ABI-encoded by eth_abi
    (0.17 ms for a chunk of 500 with the checks; a hand encoder took 0.26 ms, timeit). Raises
    ValueError for a value its type cannot hold."""
    packed = bytearray()
    for issuer_id, root, leaf in certificates:
        if type(issuer_id) is not int or not 0 <= issuer_id < 1 << 32:
            raise ValueError(f"{issuer_id!r} is not a uint32")
        if type(root) is not bytes or type(leaf) is not bytes or len(root) != 32 or len(leaf) != 32:
            raise ValueError("a root and a leaf are 32 bytes each")
        packed += issuer_id.to_bytes(4, "big") + root + leaf
    f = fn("CertificateRegistry", "verificationSnapshot")
    try:
        args = encode(f.inputs, (bytes(packed), list(keys), list(issuer_ids)))
    except EncodingError as exc:
        raise ValueError(f"verificationSnapshot cannot take these keys or bodies: {exc}") from exc
    return "0x" + (f.selector + args).hex()


def decode_snapshot(raw: str, certificates: int, keys: int, issuers: int) -> Snapshot:
    """``verificationSnapshot``'s answer for that many certificates, keys and bodies, decoded
    strictly: the ABI frame, every integer's width, the unused bits of each leaf slot and the
    exact length are checked, so an answer of another shape is an error, never a misread status.
    By hand, since the words are packed storage slots that eth_abi cannot split: about 1.4 µs a
    certificate (timeit on an answer for 500)."""
    bad = lambda: malformed("verificationSnapshot")
    data = bytes.fromhex(raw[2:]) if isinstance(raw, str) and raw[:2] == "0x" else b""
    if len(data) < 64 + 128 or int.from_bytes(data[:32], "big") != 32:
        raise bad()
    if int.from_bytes(data[32:64], "big") != len(data) - 64 or len(data) % 32:
        raise bad()
    block, block_time = int.from_bytes(data[64:96], "big"), int.from_bytes(data[96:128], "big")
    if block >> 64 or block_time >> 64 or any(data[160:172]):
        raise bad()
    parent, registry = "0x" + data[128:160].hex(), "0x" + data[172:192].hex()
    at, end, zero = 192, len(data), bytes(32)
    statuses: list[tuple[Any, ...]] = []
    for _ in range(certificates):
        if at + 64 > end:
            raise bad()
        a = int.from_bytes(data[at : at + 32], "big")
        record = int.from_bytes(data[at + 32 : at + 64], "big")
        at += 64
        if record >> 96 or (record >> 88) & 0xFF > 1:
            raise bad()
        replaced_at = (record >> 48) & 0xFFFFFFFFFF
        by_root = by_leaf = zero
        if replaced_at:
            if at + 64 > end:
                raise bad()
            by_root, by_leaf = data[at : at + 32], data[at + 32 : at + 64]
            at += 64
        anchor = (
            a & 0xFFFFFFFF,
            (a >> 32) & 0xFFFFFFFF,
            (a >> 64) & 0xFFFFFFFFFF,
            (a >> 104) & 0xFFFFFFFFFF,
            (a >> 144) & 0xFFFFFFFFFF,
            (a >> 184) & 0xFF,
            a >> 192,
        )
        statuses.append(
            (anchor, record & 0xFFFFFFFFFF, (record >> 40) & 0xFF, replaced_at, by_root, by_leaf)
        )
    records: list[tuple[int, int, int]] = []
    for _ in range(keys):
        if at + 96 > end:
            raise bad()
        issuer_id, active_from, retired_at = (
            int.from_bytes(data[at + 32 * i : at + 32 * (i + 1)], "big") for i in range(3)
        )
        if issuer_id >> 32 or active_from >> 48 or retired_at >> 48:
            raise bad()
        records.append((issuer_id, active_from, retired_at))
        at += 96
    views: list[IssuerInfo | None] = []
    for _ in range(issuers):
        if at + 32 > end:
            raise bad()
        n = int.from_bytes(data[at : at + 32], "big")
        padded = 32 * ((n + 31) // 32) if n < end else end
        if at + 32 + padded > end or any(data[at + 32 + n : at + 32 + padded]):
            raise bad()
        views.append(_issuer_view(data[at + 32 : at + 32 + n]) if n else None)
        at += 32 + padded
    if at != end:
        raise bad()
    return Snapshot(block, block_time, parent, registry, statuses, records, views)
