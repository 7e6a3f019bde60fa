"""Reading what issuing bodies kept: folders of issued files and issuers' journals.

Both become :class:`ArchivedCertificate` records, with what each record alone gets wrong (a leaf
that does not hash from its target hash, a proof that does not reach its root). Files are JSON
and keccak work, CPU-bound: many are read in a process pool (spawned, so this module and its
imports stay light), the workers sending plain tuples back.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from origincert.audit.findings import Finding, finding
from origincert.errors import OriginCertError
from origincert.issued import read_issued
from origincert.merkle import MerkleTree, hash_pair, leaf_hash

__all__ = [
    "ArchivedCertificate",
    "archive_files",
    "read_archive",
    "read_issued_file",
    "read_journal",
]

ISSUED_SUFFIX = ".coo.json"
MAX_FILE_BYTES = 4_000_000  # a 50-item certificate with its proof is well under 200 kB
_POOL_MIN_FILES = 2_000  # below this, a process pool costs more than it saves
_TASK_FILES = 1_000


@dataclass(frozen=True, slots=True)
class ArchivedCertificate:
    """What reconciliation needs from one issued file, and what the file alone got wrong."""

    path: str
    number: str | None
    root: str | None
    leaf: str | None
    leaf_index: int | None
    batch_size: int | None
    signer: str | None
    tx_hash: str | None
    chain_id: int | None
    registry: str | None
    retroactive: bool
    problems: tuple[tuple[str, str], ...] = ()
    journal_state: str | None = (
        None  # from a journal: its batch's state (anchored, submitted, signed)
    )
    journal_batch: int | None = None


_pairs: dict[
    bytes, bytes
] = {}  # inner nodes already hashed: the files of one batch share most of them
_PAIRS_MAX = 200_000


def _root_from_proof(leaf: bytes, siblings: list[bytes]) -> bytes:
    """``merkle.root_from_proof``, remembering inner nodes: a batch of N files costs N - 1 pair
    hashes instead of N log N."""
    if len(_pairs) > _PAIRS_MAX:
        _pairs.clear()
    node = leaf
    for sibling in siblings:
        key = node + sibling
        parent = _pairs.get(key)
        if parent is None:
            parent = _pairs[key] = hash_pair(node, sibling)
        node = parent
    return node


def read_issued_file(path: str) -> ArchivedCertificate:
    """Parse one ``*.coo.json`` and recompute its leaf and root (docs/FORMAT.md)."""
    return ArchivedCertificate(*_read(path))


def _read(path: str) -> tuple[Any, ...]:
    """One file through the one issued-file model (``origincert.issued``, bounded JSON, no
    duplicate keys), then the checks the file alone allows."""
    try:
        with open(path, "rb") as fh:
            f = read_issued(fh.read(), max_bytes=MAX_FILE_BYTES)
    except (OSError, OriginCertError) as exc:
        code = getattr(exc, "code", None)
        reason = f"[{code}] {exc}" if code else f"{type(exc).__name__}: {exc}"
        return (path, None, None, None, None, None, None, None, None, None, False,
                (("reconciliation.unreadable_file", reason),))  # fmt: skip
    problems = []
    if leaf_hash(f.target_hash) != f.leaf:
        problems.append(
            ("reconciliation.leaf_mismatch", "the leaf is not keccak256(keccak256(target_hash))")
        )
    if _root_from_proof(f.leaf, list(f.merkle_proof)) != f.root:
        problems.append(
            (
                "reconciliation.proof_mismatch",
                "the Merkle proof does not lead from the leaf to the root",
            )
        )
    flags = f.document.get("flags")
    number = f.document.get("number")
    return (
        path,
        str(number) if number is not None else None,
        "0x" + f.root.hex(),
        "0x" + f.leaf.hex(),
        f.leaf_index,
        f.batch_size,
        f.signer,
        f.tx_hash,
        f.chain_id,
        f.registry,
        bool(isinstance(flags, dict) and flags.get("issued_retroactively")),
        tuple(problems),
    )


def _read_many(paths: Sequence[str]) -> list[tuple[Any, ...]]:
    return [_read(p) for p in paths]


def archive_files(folders: Iterable[str | os.PathLike[str]]) -> list[str]:
    """Every ``*.coo.json`` under the folders, sorted (so findings come in a stable order)."""
    found: list[str] = []
    for folder in folders:
        for dirpath, _, names in os.walk(folder):
            found.extend(os.path.join(dirpath, n) for n in names if n.endswith(ISSUED_SUFFIX))
    return sorted(found)


def default_workers() -> int:
    """One process per idle CPU: on a machine already busy, more processes only queue for the same CPUs."""
    cpus = os.cpu_count() or 1
    try:
        busy = round(os.getloadavg()[0])
    except OSError:  # no load average on this platform
        busy = 0
    return max(1, min(cpus, cpus - busy + 1))


def read_archive(
    paths: Sequence[str], *, workers: int | None = None
) -> Iterator[ArchivedCertificate]:
    """Read files in order; in a process pool when there are many."""
    workers = workers if workers is not None else default_workers()
    if workers <= 1 or len(paths) < _POOL_MIN_FILES:
        yield from (read_issued_file(p) for p in paths)
        return
    tasks = [paths[i : i + _TASK_FILES] for i in range(0, len(paths), _TASK_FILES)]
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        for part in pool.map(_read_many, tasks):
            for fields in part:
                yield ArchivedCertificate(*fields)


def read_journal(
    path: str | os.PathLike[str], *, chain_id: int, registry: str
) -> tuple[list[ArchivedCertificate], list[Finding]]:
    """An issuing body's journal as archived certificates (every batch with a root), and findings
    for batches not even signed yet.

    A missing file is an error, never a new journal. A journal's rows carry no network; ``chain_id``
    and ``registry`` are this audit's, so a journal of another network shows as not anchored.
    """
    from origincert.issuer.journal import BatchState, Journal

    if not Path(path).is_file():
        raise OriginCertError(f"no journal at {path}", code="journal_missing")
    records: list[ArchivedCertificate] = []
    unsigned: list[Finding] = []
    label = Path(path).name
    with Journal.open(path) as journal:
        for batch in journal.batches():
            certificates = journal.certificates(batch.id)
            if batch.root is None:
                unsigned.append(
                    finding(
                        "reconciliation.journal_pending",
                        f"batch {batch.id} of the journal ({batch.leaf_count} certificate(s)) is prepared, not signed",
                        tx_hash=None,
                        block=None,
                        issuer_id=None,
                        subject=f"batch {batch.id}",
                        details={
                            "state": batch.state.value,
                            "numbers": [c.number for c in certificates[:5]],
                        },
                    )
                )
                continue
            whole = (
                bool(certificates)
                and MerkleTree.build([c.leaf for c in certificates]).root == batch.root
            )
            state = None if batch.state == BatchState.ANCHORED else batch.state.value
            for c in certificates:
                problems = []
                if leaf_hash(c.target_hash) != c.leaf:
                    problems.append(
                        (
                            "reconciliation.leaf_mismatch",
                            "the journal's leaf does not hash from its target hash",
                        )
                    )
                if not whole:
                    problems.append(
                        (
                            "reconciliation.proof_mismatch",
                            "the journal's leaves of this batch do not give its root",
                        )
                    )
                flags = json.loads(c.document_json).get("flags") or {}
                records.append(
                    ArchivedCertificate(
                        f"{label}#{c.number}",
                        c.number,
                        "0x" + batch.root.hex(),
                        "0x" + c.leaf.hex(),
                        c.leaf_index,
                        batch.leaf_count,
                        (batch.signer or "").lower() or None,
                        (batch.tx_hash or "").lower() or None,
                        chain_id,
                        registry.lower(),
                        bool(flags.get("issued_retroactively")),
                        tuple(problems),
                        journal_state=state or "anchored",
                        journal_batch=batch.id,
                    )
                )
    return records, unsigned
