"""Selective disclosure of an issued certificate file (docs/FORMAT.md v2, "Issued certificate file").

An exporter may hide commercial fields (prices, the producer, the consignee) before handing the
file on. A hidden field's value leaves the document and its field hash moves to
``proof.withheld``; every shown field gets its salt; the seed is dropped (it would let anyone
test guesses for the hidden values). The target hash, and so everything anchored, is unchanged.

:func:`disclose` turns a full or redacted file (parsed by the one model, ``origincert.issued``)
into what a verifier needs to recompute the target hash and to name altered fields. The fields of
``UNHIDEABLE`` (``origincert.document``) are refused here and, independently, by every reader.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from origincert.document import UNHIDEABLE
from origincert.errors import DocumentError
from origincert.fields import Commitment, Scalar, derive_salts, flatten, is_path, recompute
from origincert.issued import FORMAT_ID, IssuedFile, parse_issued

__all__ = [
    "ISSUED_FORMAT",
    "UNHIDEABLE",
    "Disclosure",
    "covers",
    "disclose",
    "redact",
    "reveal_commitment",
]

ISSUED_FORMAT = FORMAT_ID


@dataclass(frozen=True, slots=True)
class Disclosure:
    """What an issued file reveals about its commitment.

    ``shown``: the document's fields by path; ``salts``: a salt per shown field (derived from the
    seed for a full copy); ``withheld``: the field hash of each hidden field; ``claimed``: the
    file's ``proof.field_hashes``; ``commitment``: every field hash, the committed shape and the
    target hash, recomputed from the above.
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


def disclose(f: IssuedFile) -> Disclosure:
    """Recompute the commitment of a parsed full copy (seed) or redacted copy (salts + withheld).

    A tampered value is not an error here but shows in the target hash and in
    :meth:`Disclosure.altered_fields`; a shown field without a salt raises DocumentError
    (``proof_salt_missing``).
    """
    shown = flatten(f.document)
    salts = derive_salts(f.seed, shown) if f.seed is not None else f.salts
    commitment = recompute(shown, salts, f.withheld, f.shape)
    return Disclosure(shown, salts, f.withheld, f.field_hashes, commitment, f.seed is not None)


def reveal_commitment(issued: Mapping[str, Any] | IssuedFile) -> Disclosure:
    """:func:`disclose` for an issued-file dict, read by the one model (``origincert.issued``)."""
    return disclose(issued if isinstance(issued, IssuedFile) else parse_issued(issued))


def redact(issued: Mapping[str, Any] | IssuedFile, hide: Sequence[str]) -> dict[str, Any]:
    """A copy of ``issued`` with the fields named by ``hide`` withheld (exact paths or prefixes).

    ``hide`` entries: a field (``exporter.name``), an object (``exporter``: all its fields) or a
    list item (``goods[1]``, counted from 0). A hidden list item stays as ``null`` so the other
    items keep their paths. Refused: a path naming no field (``redact_unknown_path``), a field of
    :data:`UNHIDEABLE` (``redact_forbidden``), and a file whose fields do not match its hashes
    (``redact_integrity``: redaction must not launder a tampered file). The file is read by
    the one model, so a malformed or version 1 file is refused with its ``format_*`` code.
    """
    f = issued if isinstance(issued, IssuedFile) else parse_issued(issued)
    disclosure = disclose(f)
    altered = disclosure.altered_fields()
    if altered:
        raise DocumentError(
            f"refusing to redact: the document does not match its field hashes ({', '.join(altered[:5])})",
            code="redact_integrity",
        )
    if disclosure.commitment.target_hash != f.target_hash:
        raise DocumentError(
            "refusing to redact: the fields do not add up to the target hash",
            code="redact_integrity",
        )

    hidden = _resolve(hide, disclosure)
    pruned = _prune(f.document, "", hidden)
    shown = [p for p in disclosure.shown if p not in hidden]
    hashes = disclosure.commitment.field_hashes
    withheld = dict(disclosure.withheld)
    withheld.update((p, hashes[p]) for p in disclosure.shown if p in hidden)
    out = dataclasses.replace(
        f,
        document=copy.deepcopy(pruned) if isinstance(pruned, dict) else {},
        seed=None,
        salts={p: disclosure.salts[p] for p in shown},
        field_hashes={p: hashes[p] for p in shown},
        withheld=withheld,
    )
    return out.to_json()


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
        forbidden = [u for u in UNHIDEABLE if covers(entry, u) or covers(u, entry)]
        if forbidden:
            raise DocumentError(
                f"{entry}: the certificate's {' and '.join(forbidden)} can never be withheld",
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
