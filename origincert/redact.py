"""Selective disclosure of an issued certificate file (docs/FORMAT.md, "Issued certificate file").

An exporter may hide commercial fields (prices, the producer, the consignee) before handing the
file on. A hidden field's value leaves the document and its field hash moves to
``proof.withheld``; every shown field gets its salt; the seed is dropped (it would let anyone
test guesses for the hidden values). The target hash, and so everything anchored, is unchanged.

:func:`reveal_commitment` reads a full or redacted file back into what a verifier needs to
recompute the target hash and to name altered fields.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from origincert.errors import DocumentError
from origincert.fields import (
    SALT_BYTES,
    SEED_BYTES,
    Commitment,
    Scalar,
    derive_salts,
    flatten,
    is_path,
    recompute,
)

__all__ = ["ISSUED_FORMAT", "UNHIDEABLE", "Disclosure", "covers", "redact", "reveal_commitment"]

ISSUED_FORMAT = "urn:origincert:issued:1"
UNHIDEABLE = ("schema", "number")  # a certificate must always say what it is and which one it is
_COMMITMENT_KEYS = ("seed", "salts", "field_hashes", "withheld")


@dataclass(frozen=True, slots=True)
class Disclosure:
    """What an issued file reveals about its commitment.

    ``shown``: the document's fields by path; ``salts``: a salt per shown field (derived from the
    seed for a full copy); ``withheld``: the field hash of each hidden field; ``claimed``: the
    file's ``proof.field_hashes``; ``commitment``: every field hash and the target hash,
    recomputed from the above.
    """

    shown: Mapping[str, Scalar]
    salts: Mapping[str, bytes]
    withheld: Mapping[str, bytes]
    claimed: Mapping[str, bytes]
    commitment: Commitment
    full: bool

    def altered_fields(self) -> tuple[str, ...]:
        """Paths whose value no longer matches the claimed field hash, or that appeared or vanished."""
        recomputed = self.commitment.field_hashes
        changed = [p for p in self.shown if self.claimed.get(p) != recomputed[p]]
        vanished = [p for p in self.claimed if p not in self.shown and p not in self.withheld]
        return tuple(changed + vanished)


def covers(prefix: str, path: str) -> bool:
    """True when ``prefix`` names ``path`` or an object or list item that holds it."""
    return path == prefix or path.startswith(prefix) and path[len(prefix)] in ".["


def _hex(value: Any, size: int, what: str) -> bytes:
    if isinstance(value, str) and value[:2] in ("0x", "0X") and len(value) == 2 + 2 * size:
        try:
            return bytes.fromhex(value[2:])
        except ValueError:
            pass
    raise DocumentError(
        f"{what} must be 0x followed by {size} bytes in hex", code="proof_malformed"
    )


def _hex_map(value: Any, size: int, what: str) -> dict[str, bytes]:
    if not isinstance(value, dict):
        raise DocumentError(f"{what} must be an object of path: hex", code="proof_malformed")
    out = {}
    for path, digest in value.items():
        if not is_path(path):
            raise DocumentError(
                f"{what} has a key that is not a field path: {path!r}", code="proof_malformed"
            )
        out[path] = _hex(digest, size, f"{what}[{path}]")
    return out


def _to_hex(data: bytes) -> str:
    return "0x" + data.hex()


def _parts(issued: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    if not isinstance(issued, Mapping):
        raise DocumentError(
            "an issued certificate file must be a JSON object", code="issued_malformed"
        )
    if issued.get("format") != ISSUED_FORMAT:
        raise DocumentError(
            f"not an issued certificate file (format must be {ISSUED_FORMAT})",
            code="issued_bad_format",
        )
    document, proof = issued.get("document"), issued.get("proof")
    if not isinstance(document, dict):
        raise DocumentError("the file has no document object", code="issued_malformed")
    if not isinstance(proof, dict):
        raise DocumentError("the file has no proof object", code="issued_malformed")
    return document, proof


def reveal_commitment(issued: Mapping[str, Any]) -> Disclosure:
    """Recompute the commitment of a full copy (seed) or a redacted copy (salts + withheld).

    Raises DocumentError (``proof_malformed`` and friends) when the proof's commitment part is
    missing or malformed; a tampered value is not an error here but shows in the target hash and
    in :meth:`Disclosure.altered_fields`.
    """
    document, proof = _parts(issued)
    shown = flatten(document)
    claimed = _hex_map(proof.get("field_hashes"), 32, "proof.field_hashes")
    has_seed, has_salts = "seed" in proof, "salts" in proof
    if has_seed == has_salts:
        raise DocumentError(
            "the proof must carry either a seed (full copy) or salts (redacted copy), not "
            + ("both" if has_seed else "neither"),
            code="proof_malformed",
        )
    if has_seed:
        if proof.get("withheld"):
            raise DocumentError(
                "a full copy (with seed) cannot withhold fields", code="proof_malformed"
            )
        salts = derive_salts(_hex(proof["seed"], SEED_BYTES, "proof.seed"), shown)
        withheld: dict[str, bytes] = {}
    else:
        salts = _hex_map(proof["salts"], SALT_BYTES, "proof.salts")
        withheld = _hex_map(proof.get("withheld", {}), 32, "proof.withheld")
    return Disclosure(shown, salts, withheld, claimed, recompute(shown, salts, withheld), has_seed)


def redact(issued: Mapping[str, Any], hide: Sequence[str]) -> dict[str, Any]:
    """A copy of ``issued`` with the fields named by ``hide`` withheld (exact paths or prefixes).

    ``hide`` entries: a field (``exporter.name``), an object (``exporter``: all its fields) or a
    list item (``goods[1]``, counted from 0). A hidden list item stays as ``null`` so the other
    items keep their paths. Refused: a path naming no field (``redact_unknown_path``), the
    certificate number or schema (``redact_forbidden``), and a file whose fields do not match
    its hashes (``redact_integrity``: redaction must not launder a tampered file).
    """
    document, proof = _parts(issued)
    disclosure = reveal_commitment(issued)
    altered = disclosure.altered_fields()
    if altered:
        raise DocumentError(
            f"refusing to redact: the document does not match its field hashes ({', '.join(altered[:5])})",
            code="redact_integrity",
        )
    if disclosure.commitment.target_hash != _hex(proof.get("target_hash"), 32, "proof.target_hash"):
        raise DocumentError(
            "refusing to redact: the fields do not add up to the target hash",
            code="redact_integrity",
        )

    hidden = _resolve(hide, disclosure)
    new_document = _prune(document, "", hidden)
    shown = {p: v for p, v in disclosure.shown.items() if p not in hidden}
    hashes = disclosure.commitment.field_hashes
    withheld = dict(disclosure.withheld)
    withheld.update((p, hashes[p]) for p in disclosure.shown if p in hidden)

    new_proof: dict[str, Any] = {
        "salts": {p: _to_hex(disclosure.salts[p]) for p in shown},
        "field_hashes": {p: _to_hex(hashes[p]) for p in shown},
        "withheld": {p: _to_hex(h) for p, h in withheld.items()},
    }
    new_proof.update((k, copy.deepcopy(v)) for k, v in proof.items() if k not in _COMMITMENT_KEYS)
    out = {k: copy.deepcopy(v) for k, v in issued.items() if k not in ("document", "proof")}
    return {**out, "document": new_document, "proof": new_proof}


def _resolve(hide: Sequence[str], disclosure: Disclosure) -> frozenset[str]:
    """The shown fields to withhold; every entry must name a shown or already withheld field."""
    if isinstance(hide, str):
        raise DocumentError("hide must be a list of paths, not one string", code="redact_bad_path")
    known = list(disclosure.shown) + list(disclosure.withheld)
    hidden: set[str] = set()
    problems: list[tuple[str, str]] = []
    for entry in hide:
        if not isinstance(entry, str) or not is_path(entry):
            problems.append((str(entry), "is not a field path like exporter.name or goods[0]"))
            continue
        forbidden = [u for u in UNHIDEABLE if covers(entry, u)]
        if forbidden:
            raise DocumentError(
                f"{entry}: the certificate {' and '.join(forbidden)} cannot be withheld",
                code="redact_forbidden",
            )
        matched = [p for p in known if covers(entry, p)]
        if not matched:
            problems.append((entry, "names no field of this certificate"))
        hidden.update(p for p in matched if p in disclosure.shown)
    if problems:
        bad = any(m.startswith("is not") for _, m in problems)
        raise DocumentError(
            "; ".join(f"{p} {m}" for p, m in problems),
            problems=problems,
            code="redact_bad_path" if bad else "redact_unknown_path",
        )
    return frozenset(hidden)


class _Gone:
    """Marks a subtree with no shown field left."""


_GONE = _Gone()


def _prune(node: Any, path: str, hidden: frozenset[str]) -> Any:
    if isinstance(node, dict):
        kept = {}
        for key, value in node.items():
            child = _prune(value, f"{path}.{key}" if path else key, hidden)
            if child is not _GONE and child is not None:
                kept[key] = child
        return kept if kept else _GONE
    if isinstance(node, list):
        items = [_prune(value, f"{path}[{i}]", hidden) for i, value in enumerate(node)]
        items = [None if item is _GONE else item for item in items]  # placeholders keep the indices
        return items if any(item is not None for item in items) else _GONE
    if node is None:
        return _GONE
    return _GONE if path in hidden else node
