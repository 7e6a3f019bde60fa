"""What is being verified, parsed strictly from untrusted input: an issued file or a QR reference.

Parsing is the ``format`` check: every proof value must have its one shape (``0x`` hex of the
right length, integers that are not booleans, no unknown keys), so that the checks after it work
on typed values and a quirk of the input can never reach them. Pure: no chain, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from origincert.fields import is_path

__all__ = ["FORMAT_ID", "FormatProblem", "IssuedFile", "Reference", "Subject", "parse_issued"]

FORMAT_ID = "urn:origincert:issued:1"
MAX_PROOF_DEPTH = 64  # a Merkle proof longer than this would need a batch of more than 2**64 leaves
MAX_FIELDS = 20_000  # far above the model's limits (50 goods items), far below a memory problem

_TOP_KEYS = frozenset({"format", "document", "proof"})
_REQUIRED = ("field_hashes", "target_hash", "leaf", "merkle_proof", "root", "leaf_index", "batch_size",
             "signature", "signer", "chain_id", "registry", "issuer_id", "epoch", "deadline")  # fmt: skip
_OPTIONAL = ("seed", "salts", "withheld", "tx_hash")
_PROOF_KEYS = frozenset(_REQUIRED + _OPTIONAL)


class FormatProblem(Exception):
    """Why an input is not an issued certificate file: a stable ``code`` and a sentence."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class IssuedFile:
    """An issued certificate file (full or redacted copy) with its proof as typed values.

    Hex strings are bytes, addresses lowercase ``0x`` strings. ``seed`` is set on a full copy;
    ``salts`` and ``withheld`` on a redacted one. The dicts are never mutated.
    """

    document: dict[str, Any]
    seed: bytes | None
    salts: dict[str, bytes]
    field_hashes: dict[str, bytes]
    withheld: dict[str, bytes]
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
    tx_hash: str | None
    issuer_id: int = 0  # the signed Anchor's issuerId, epoch and deadline
    epoch: int = 0
    deadline: int = 0

    @property
    def redacted(self) -> bool:
        return self.seed is None

    @property
    def number(self) -> str | None:
        value = self.document.get("number")
        return value if isinstance(value, str) else None


@dataclass(frozen=True, slots=True)
class Reference:
    """A QR code that names a certificate without carrying it: the ledger can vouch only for the
    anchor, and the officer must compare the paper with what the issuing body says."""

    number: str
    target_hash: bytes
    leaf: bytes
    root: bytes
    chain_id: int
    registry: str
    issuer_id: int = 0  # the issuing body the reference names (0: an old code naming none)


Subject = IssuedFile | Reference


def parse_issued(data: Any) -> IssuedFile:
    """Parse an issued file dict; raise FormatProblem naming the first thing wrong with it."""
    if not isinstance(data, dict):
        raise FormatProblem(
            "format_invalid", "The file is not a certificate file (a JSON object is expected)."
        )
    fmt = data.get("format")
    if fmt != FORMAT_ID:
        shown = "missing" if fmt is None else "not supported"
        raise FormatProblem(
            "format_unknown", f"The file's format marker is {shown}; expected {FORMAT_ID}."
        )
    extra = sorted(set(data) - _TOP_KEYS)
    if extra:
        raise FormatProblem(
            "format_invalid", f"The file has an unexpected entry {_name(extra[0])}."
        )
    document, proof = data.get("document"), data.get("proof")
    if not isinstance(document, dict):
        raise FormatProblem(
            "format_invalid", "The file has no certificate document (an object is expected)."
        )
    if not isinstance(proof, dict):
        raise FormatProblem(
            "format_invalid", "The file has no proof section (an object is expected)."
        )
    missing = [k for k in _REQUIRED if k not in proof]
    if missing:
        raise FormatProblem("format_invalid", f"The proof lacks its {_name(missing[0])} entry.")
    extra = sorted(set(proof) - _PROOF_KEYS)
    if extra:
        raise FormatProblem(
            "format_invalid", f"The proof has an unexpected entry {_name(extra[0])}."
        )

    seed = _hex(proof, "seed", 32) if proof.get("seed") is not None else None
    if seed is not None and ("salts" in proof or "withheld" in proof):
        raise FormatProblem(
            "format_invalid", "The proof mixes a full copy's seed with a redacted copy's salts."
        )
    if seed is None and not isinstance(proof.get("salts"), dict):
        raise FormatProblem(
            "format_invalid", "The proof has neither a seed (full copy) nor salts (redacted copy)."
        )
    salts = _hex_map(proof, "salts", 16) if seed is None else {}
    withheld = _hex_map(proof, "withheld", 32, check_paths=True) if "withheld" in proof else {}
    field_hashes = _hex_map(proof, "field_hashes", 32)
    both = sorted(set(withheld) & (set(field_hashes) | set(salts)))
    if both:
        raise FormatProblem(
            "format_invalid", f"The field {_name(both[0])} is listed both as shown and as withheld."
        )

    merkle_proof = proof["merkle_proof"]
    if not isinstance(merkle_proof, list) or len(merkle_proof) > MAX_PROOF_DEPTH:
        raise FormatProblem(
            "format_invalid", "The proof's merkle_proof must be a list of at most 64 hashes."
        )
    batch_size = _int(proof, "batch_size", 1, 2**32 - 1)
    leaf_index = _int(proof, "leaf_index", 0, batch_size - 1)
    tx_hash = proof.get("tx_hash")
    return IssuedFile(
        document=document,
        seed=seed,
        salts=salts,
        field_hashes=field_hashes,
        withheld=withheld,
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
        tx_hash=None if tx_hash is None else "0x" + _hex(proof, "tx_hash", 32).hex(),
        issuer_id=_int(proof, "issuer_id", 1, 2**32 - 1),
        epoch=_int(proof, "epoch", 0, 2**64 - 1),
        deadline=_int(proof, "deadline", 0, 2**64 - 1),
    )


# ---------------------------------------------------------------------------------------------
# value parsers: each raises FormatProblem("format_invalid", ...) naming the entry


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
    raise FormatProblem(
        "format_invalid", f"The proof's {key} must be 0x and {2 * size} hex digits."
    )


def _hex(proof: dict[str, Any], key: str, size: int) -> bytes:
    return _hex_value(proof[key], key, size)


def _hex_map(
    proof: dict[str, Any], key: str, size: int, *, check_paths: bool = False
) -> dict[str, bytes]:
    """A map of field paths to hashes, decoded in one ``bytes.fromhex`` (this runs for every field
    of every certificate). ``check_paths`` for maps whose paths are shown to people as they are;
    elsewhere a path no field has simply never matches one."""
    value = proof.get(key)
    if not isinstance(value, dict) or len(value) > MAX_FIELDS:
        raise FormatProblem(
            "format_invalid", f"The proof's {key} must be an object of field paths."
        )
    width = 2 + 2 * size
    hexes = list(value.values())
    if not all(h.__class__ is str and len(h) == width and h[:2] == "0x" for h in hexes):
        raise FormatProblem(
            "format_invalid", f"The proof's {key} entries must be 0x and {2 * size} hex digits."
        )
    try:
        raw = bytes.fromhex("".join(h[2:] for h in hexes))
    except ValueError:
        raw = b""
    if len(raw) != size * len(hexes):  # a non-hex digit, or spaces (which fromhex would skip)
        raise FormatProblem(
            "format_invalid", f"The proof's {key} entries must be 0x and {2 * size} hex digits."
        )
    if check_paths:
        bad = next((path for path in value if not is_path(path)), None)
        if bad is not None:
            raise FormatProblem(
                "format_invalid",
                f"The proof's {key} names {_name(bad)}, which is not a field path.",
            )
    return {path: raw[i * size : (i + 1) * size] for i, path in enumerate(value)}


def _int(proof: dict[str, Any], key: str, low: int, high: int) -> int:
    value = proof[key]
    if type(value) is not int or not low <= value <= high:
        raise FormatProblem(
            "format_invalid", f"The proof's {key} must be a whole number from {low} to {high}."
        )
    return value


def _address(proof: dict[str, Any], key: str) -> str:
    return "0x" + _hex(proof, key, 20).hex()
