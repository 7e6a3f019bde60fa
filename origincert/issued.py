"""The issued certificate file (``*.coo.json``, docs/FORMAT.md v2): one strict reader, one writer.

Every part of origincert that reads an issued file (verifier, redact, QR, PDF, audit archive,
portal index, CLI) reads it through :func:`parse_issued` (or :func:`read_issued` for bytes,
bounded by ``origincert.safejson.load_json``), so a quirk of the input is refused the same way
everywhere. Every proof value has one shape (``0x`` hex of the right length, integers that are
not booleans, no unknown keys) and is typed once here.

Version 1 files (``urn:origincert:issued:1``) are refused with ``format_v1``: their withheld
hashes were not bound to their paths. A file withholding a field of
:data:`origincert.document.UNHIDEABLE` is refused with ``withheld_forbidden``. Pure: no I/O.

>>> parse_issued({"format": "urn:origincert:issued:1"})
Traceback (most recent call last):
...
origincert.errors.IssuedFileError: This is a version 1 certificate file (urn:origincert:issued:1), which is no longer accepted: its withheld fields are not bound to their names. Ask the issuing body for the version 2 file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from eth_utils import to_checksum_address

from origincert._native import NATIVE, ext
from origincert.document import forbidden_withheld
from origincert.errors import IssuedFileError
from origincert.fields import is_path
from origincert.safejson import load_json

__all__ = [
    "FORMAT_ID",
    "FORMAT_V1",
    "MAX_FIELDS",
    "MAX_PROOF_DEPTH",
    "IssuedFile",
    "IssuedFileError",
    "parse_issued",
    "read_issued",
]

FORMAT_ID = "urn:origincert:issued:2"
FORMAT_V1 = "urn:origincert:issued:1"
MAX_PROOF_DEPTH = 64  # a Merkle proof longer than this would need a batch of more than 2**64 leaves
MAX_FIELDS = 20_000  # far above the model's limits (50 goods items), far below a memory problem
MAX_LISTS = 1_000
MAX_UINT32 = 2**32 - 1
MAX_UINT64 = 2**64 - 1

_TOP_KEYS = frozenset({"format", "document", "proof"})
_REQUIRED = ("field_hashes", "shape", "target_hash", "leaf", "merkle_proof", "root", "leaf_index",
             "batch_size", "signature", "signer", "chain_id", "registry", "issuer_id", "epoch",
             "deadline")  # fmt: skip
_OPTIONAL = ("seed", "salts", "withheld", "tx_hash")
_PROOF_KEYS = frozenset(_REQUIRED + _OPTIONAL)


def _fail(message: str, code: str = "format_invalid") -> IssuedFileError:
    return IssuedFileError(message, code=code)


@dataclass(frozen=True, slots=True)
class IssuedFile:
    """An issued certificate file (full or redacted copy) with its proof as typed values.

    Hashes are bytes, addresses lowercase ``0x`` strings. ``seed`` is set on a full copy;
    ``salts`` and ``withheld`` on a redacted one. ``shape`` is the committed length of every
    list of the document. ``issuer_id``, ``epoch`` and ``deadline`` are the signed anchor's
    (``Anchor(root, leafCount, issuerId, epoch, deadline)``). The dicts are never mutated.
    """

    document: dict[str, Any]
    seed: bytes | None
    salts: dict[str, bytes]
    field_hashes: dict[str, bytes]
    withheld: dict[str, bytes]
    shape: dict[str, int]
    target_hash: bytes
    leaf: bytes
    merkle_proof: tuple[bytes, ...]
    root: bytes
    leaf_index: int
    batch_size: int
    signature: bytes
    signer: str
    chain_id: int
    registry: str
    issuer_id: int
    epoch: int
    deadline: int
    tx_hash: str | None = field(default=None)

    @property
    def redacted(self) -> bool:
        return self.seed is None

    @property
    def number(self) -> str | None:
        value = self.document.get("number")
        return value if isinstance(value, str) else None

    @property
    def ledger_id(self) -> int | None:
        """The document's ``issuing_body.ledger_id`` (None when absent or not an integer)."""
        body = self.document.get("issuing_body")
        value = body.get("ledger_id") if isinstance(body, dict) else None
        return value if type(value) is int else None

    def to_json(self) -> dict[str, Any]:
        """The file as a JSON-able dict, keys in the documented order (docs/FORMAT.md)."""
        proof: dict[str, Any] = {}
        if self.seed is not None:
            proof["seed"] = _hx(self.seed)
        else:
            proof["salts"] = {p: _hx(s) for p, s in self.salts.items()}
        proof["field_hashes"] = {p: _hx(h) for p, h in self.field_hashes.items()}
        if self.seed is None:
            proof["withheld"] = {p: _hx(h) for p, h in self.withheld.items()}
        proof.update(
            shape=dict(self.shape),
            target_hash=_hx(self.target_hash),
            leaf=_hx(self.leaf),
            merkle_proof=[_hx(h) for h in self.merkle_proof],
            root=_hx(self.root),
            leaf_index=self.leaf_index,
            batch_size=self.batch_size,
            signature=_hx(self.signature),
            signer=to_checksum_address(self.signer),
            chain_id=self.chain_id,
            registry=to_checksum_address(self.registry),
            issuer_id=self.issuer_id,
            epoch=self.epoch,
            deadline=self.deadline,
            tx_hash=self.tx_hash,
        )
        return {"format": FORMAT_ID, "document": self.document, "proof": proof}

    def to_text(self, *, indent: int | None = 2) -> str:
        """The file as JSON text (UTF-8 safe: no NaN, non-ASCII kept), ending in a newline."""
        return json.dumps(self.to_json(), indent=indent, ensure_ascii=False, allow_nan=False) + "\n"


def read_issued(raw: bytes, *, max_bytes: int = 1_000_000) -> IssuedFile:
    """Parse the bytes of an issued file: bounded JSON (``json_*`` codes), then :func:`parse_issued`."""
    return parse_issued(load_json(raw, max_bytes=max_bytes))


def parse_issued(data: Any) -> IssuedFile:
    """Parse an issued file dict; raise IssuedFileError naming the first thing wrong with it."""
    if not isinstance(data, dict):
        raise _fail("The file is not a certificate file (a JSON object is expected).")
    fmt = data.get("format")
    if fmt == FORMAT_V1:
        raise _fail(
            f"This is a version 1 certificate file ({FORMAT_V1}), which is no longer accepted: "
            "its withheld fields are not bound to their names. Ask the issuing body for the "
            "version 2 file.",
            "format_v1",
        )
    if fmt != FORMAT_ID:
        shown = "missing" if fmt is None else "not supported"
        raise _fail(f"The file's format marker is {shown}; expected {FORMAT_ID}.", "format_unknown")
    extra = sorted(set(data) - _TOP_KEYS, key=str)
    if extra:
        raise _fail(f"The file has an unexpected entry {_name(extra[0])}.")
    document, proof = data.get("document"), data.get("proof")
    if not isinstance(document, dict):
        raise _fail("The file has no certificate document (an object is expected).")
    if not isinstance(proof, dict):
        raise _fail("The file has no proof section (an object is expected).")
    missing = [k for k in _REQUIRED if k not in proof]
    if missing:
        raise _fail(f"The proof lacks its {_name(missing[0])} entry.")
    extra = sorted(set(proof) - _PROOF_KEYS, key=str)
    if extra:
        raise _fail(f"The proof has an unexpected entry {_name(extra[0])}.")

    seed = _hex(proof, "seed", 32) if proof.get("seed") is not None else None
    if seed is not None and ("salts" in proof or "withheld" in proof):
        raise _fail("The proof mixes a full copy's seed with a redacted copy's salts.")
    if seed is None and not isinstance(proof.get("salts"), dict):
        raise _fail("The proof has neither a seed (full copy) nor salts (redacted copy).")
    salts = _hex_map(proof, "salts", 16) if seed is None else {}
    withheld = _hex_map(proof, "withheld", 32, check_paths=True) if "withheld" in proof else {}
    field_hashes = _hex_map(proof, "field_hashes", 32)
    both = sorted(set(withheld) & (set(field_hashes) | set(salts)))
    if both:
        raise _fail(f"The field {_name(both[0])} is listed both as shown and as withheld.")
    forbidden = forbidden_withheld(withheld)
    if forbidden:
        raise _fail(
            f"The file withholds {', '.join(_name(p) for p in forbidden[:3])}, which a "
            "certificate must always show (its identity, issuer, dates and validity).",
            "withheld_forbidden",
        )
    body = document.get("issuing_body")
    ledger_id = body.get("ledger_id") if isinstance(body, dict) else None
    if type(ledger_id) is not int or ledger_id < 1:
        raise _fail(
            "The certificate does not name its issuing body's ledger id (issuing_body.ledger_id), "
            "which every issued certificate carries."
        )

    merkle_proof = proof["merkle_proof"]
    if not isinstance(merkle_proof, list) or len(merkle_proof) > MAX_PROOF_DEPTH:
        raise _fail("The proof's merkle_proof must be a list of at most 64 hashes.")
    batch_size = _int(proof, "batch_size", 1, MAX_UINT32)
    leaf_index = _int(proof, "leaf_index", 0, batch_size - 1)
    tx_hash = proof.get("tx_hash")
    return IssuedFile(
        document=document,
        seed=seed,
        salts=salts,
        field_hashes=field_hashes,
        withheld=withheld,
        shape=_shape(proof),
        target_hash=_hex(proof, "target_hash", 32),
        leaf=_hex(proof, "leaf", 32),
        merkle_proof=tuple(_hex_value(h, "merkle_proof", 32) for h in merkle_proof),
        root=_hex(proof, "root", 32),
        leaf_index=leaf_index,
        batch_size=batch_size,
        signature=_hex(proof, "signature", 65),
        signer=_address(proof, "signer"),
        chain_id=_int(proof, "chain_id", 1, 2**63 - 1),
        registry=_address(proof, "registry"),
        issuer_id=_int(proof, "issuer_id", 1, MAX_UINT64),
        epoch=_int(proof, "epoch", 0, MAX_UINT64),
        deadline=_int(proof, "deadline", 0, MAX_UINT64),
        tx_hash=None if tx_hash is None else "0x" + _hex(proof, "tx_hash", 32).hex(),
    )


# ---------------------------------------------------------------------------------------------
# value parsers: each raises IssuedFileError("format_invalid") naming the entry


def _hx(data: bytes) -> str:
    return "0x" + data.hex()


def _name(key: object) -> str:
    """A key from the input, quoted and escaped so it can be printed safely."""
    text = key if isinstance(key, str) else repr(key)
    return (
        '"'
        + text.encode("ascii", "backslashreplace").decode("ascii").replace('"', '\\"')[:80]
        + '"'
    )


def _hex_value(value: Any, key: str, size: int) -> bytes:
    """``0x`` and exactly ``2 * size`` hex digits (``bytes.fromhex`` alone would allow spaces)."""
    if value.__class__ is str and len(value) == 2 + 2 * size and value[:2] == "0x":
        try:
            raw = bytes.fromhex(value[2:])
        except ValueError:
            pass
        else:
            if len(raw) == size:
                return raw
    raise _fail(f"The proof's {key} must be 0x and {2 * size} hex digits.")


def _hex(proof: dict[str, Any], key: str, size: int) -> bytes:
    return _hex_value(proof[key], key, size)


def _hex_map(
    proof: dict[str, Any], key: str, size: int, *, check_paths: bool = False
) -> dict[str, bytes]:
    """A map of field paths to hashes, decoded in one ``bytes.fromhex`` (this runs for every field
    of every certificate). ``check_paths`` for maps whose paths are shown to people as they are;
    elsewhere a path no field has simply never matches one.

    Fast path: the native core's ``hex_map`` decodes a plain dict of well-formed values in one
    call (None otherwise: the reference below names the problem): 8.8 µs instead of 33 µs for
    82 field hashes (``scripts/bench/native.py``, load 6)."""
    value = proof.get(key)
    if not isinstance(value, dict) or len(value) > MAX_FIELDS:
        raise _fail(f"The proof's {key} must be an object of field paths.")
    decoded = ext.hex_map(value, size) if NATIVE and value.__class__ is dict else None
    if decoded is None:
        decoded = _hex_decode(value, key, size)
    if check_paths:
        bad = next((path for path in value if not is_path(path)), None)
        if bad is not None:
            raise _fail(f"The proof's {key} names {_name(bad)}, which is not a field path.")
    return decoded


def _hex_decode(value: dict[str, Any], key: str, size: int) -> dict[str, bytes]:
    """The reference decoding of :func:`_hex_map`."""
    width = 2 + 2 * size
    hexes = list(value.values())
    if not all(h.__class__ is str and len(h) == width and h[:2] == "0x" for h in hexes):
        raise _fail(f"The proof's {key} entries must be 0x and {2 * size} hex digits.")
    try:
        raw = bytes.fromhex("".join(h[2:] for h in hexes))
    except ValueError:
        raw = b""
    if len(raw) != size * len(hexes):  # a non-hex digit, or spaces (which fromhex would skip)
        raise _fail(f"The proof's {key} entries must be 0x and {2 * size} hex digits.")
    return {path: raw[i * size : (i + 1) * size] for i, path in enumerate(value)}


def _shape(proof: dict[str, Any]) -> dict[str, int]:
    value = proof["shape"]
    if not isinstance(value, dict) or len(value) > MAX_LISTS:
        raise _fail("The proof's shape must be an object of list paths and their lengths.")
    for path, count in value.items():
        if not is_path(path):
            raise _fail(f"The proof's shape names {_name(path)}, which is not a field path.")
        if type(count) is not int or not 0 <= count <= MAX_UINT32:
            raise _fail(f"The proof's shape gives {_name(path)} a length that is not a count.")
    return dict(value)


def _int(proof: dict[str, Any], key: str, low: int, high: int) -> int:
    value = proof[key]
    if type(value) is not int or not low <= value <= high:
        raise _fail(f"The proof's {key} must be a whole number from {low} to {high}.")
    return value


def _address(proof: dict[str, Any], key: str) -> str:
    return "0x" + _hex(proof, key, 20).hex()
