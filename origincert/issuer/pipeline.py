"""The pure core of issuing: documents -> commitments -> tree -> issued files (docs/FORMAT.md).

No chain and no journal here. ``prepare_certificate`` validates one document (``parse_certificate``),
canonicalises it, salts and hashes its fields with a fresh seed and computes its leaf;
``prepare_many`` does it for a batch, on a process pool when asked (the hashing is the only
CPU-heavy stage of issuing), and reports every invalid document rather than the first.
``issued_file_text`` assembles a certificate file from the prepared pieces and the batch's proof.

The issued file is assembled from JSON text made once, where the hashing happens (the canonical
document, which the journal stores verbatim, and the field hashes, which it stores as 32-byte
blobs), so a batch of 10,000 costs the issuing process no second serialisation.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from origincert.binding import LedgerBody, body_problems
from origincert.document import load_json, parse_certificate
from origincert.errors import DocumentError, OriginCertError
from origincert.fields import commit, flatten, new_seed, shape_of
from origincert.issued import FORMAT_ID
from origincert.merkle import MerkleTree, leaf_hash

__all__ = [
    "ISSUED_FORMAT",
    "Anchoring",
    "DocumentSource",
    "PreparedCertificate",
    "build_tree",
    "field_hashes_json",
    "issued_file",
    "issued_file_text",
    "prepare_certificate",
    "prepare_many",
    "safe_file_name",
]

ISSUED_FORMAT = FORMAT_ID  # docs/FORMAT.md v2; origincert.issued is the reader and the model
FILE_SUFFIX = ".coo.json"
_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}\Z")
_UNSAFE_CHARS = re.compile(r"[^A-Za-z0-9._-]+")
CHUNK = 250  # documents per pool task: big enough to amortise pickling, small enough to stream

# A document to issue: a dict, or a path to a JSON file (read where it is prepared, so a process
# pool reads files itself instead of receiving pickled dicts).
DocumentSource = Mapping[str, Any] | Path


@dataclass(frozen=True, slots=True)
class PreparedCertificate:
    """One certificate ready to be journaled and anchored: everything but the batch proof."""

    number: str
    leaf_index: int
    document_json: str  # canonical document, compact JSON, as it goes into the issued file
    seed: bytes  # the secret every salt derives from (docs/FORMAT.md)
    field_hashes: (
        bytes  # every field hash (32 bytes each) in the document's field order: the journal's form
    )
    target_hash: bytes
    leaf: bytes
    file_name: str
    # The same hashes as the issued file's {"path": "0x.."} text, when made with them (by the
    # hashing); read back from the journal it is None and made on demand by ``hashes_object()``.
    field_hashes_json: str | None = None
    # The committed list lengths as the issued file's {"goods": n} text (made on demand if None).
    shape_json: str | None = None

    @property
    def document(self) -> dict[str, Any]:
        return json.loads(self.document_json)  # type: ignore[no-any-return]

    def shape_object(self) -> str:
        """The ``shape`` object of the issued file, as JSON text."""
        if self.shape_json is not None:
            return self.shape_json
        return _shape_json(shape_of(self.document))

    def ledger_id(self) -> int:
        """The document's ``issuing_body.ledger_id`` (0 when it names none)."""
        value = self.document["issuing_body"].get("ledger_id")
        return value if isinstance(value, int) else 0

    def hashes_object(self) -> str:
        """The ``field_hashes`` object of the issued file, as JSON text."""
        if self.field_hashes_json is not None:
            return self.field_hashes_json
        return field_hashes_json(self.document_json, self.field_hashes)


@dataclass(frozen=True, slots=True)
class Anchoring:
    """What every certificate of one anchored batch shares in its proof."""

    root: bytes
    batch_size: int
    signature: bytes  # 65 bytes r || s || v
    signer: str  # checksum address of the issuing key
    chain_id: int
    registry: str  # checksum address of the CertificateRegistry
    tx_hash: str | None
    # The signed Anchor's issuerId, epoch and deadline (pinned interface of issue 9). issuer_id 0
    # means "not given": the file then carries the document's issuing_body.ledger_id.
    issuer_id: int = 0
    epoch: int = 0
    deadline: int = 0


def safe_file_name(number: str) -> str:
    """``<number>.coo.json``; a number that is not a safe file name gets its unsafe characters
    replaced and a short hash of the number appended, so two numbers never share a file."""
    if _SAFE.match(number):
        return number + FILE_SUFFIX
    stem = _UNSAFE_CHARS.sub("_", number).strip("._-")[:80] or "certificate"
    digest = hashlib.sha256(number.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return f"{stem}-{digest}{FILE_SUFFIX}"


def _hex(data: bytes) -> str:
    return "0x" + data.hex()


def _load(source: DocumentSource) -> Mapping[str, Any]:
    if isinstance(source, Path):
        try:
            raw = source.read_bytes()
        except OSError as exc:
            raise DocumentError(
                f"cannot read {source}: {exc.strerror or exc}", code="document_unreadable"
            ) from exc
        return load_json(raw)
    return source


def prepare_certificate(
    source: DocumentSource,
    leaf_index: int,
    *,
    economy: str | None = None,
    seed: bytes | None = None,
    body: LedgerBody | None = None,
) -> PreparedCertificate:
    """Validate, canonicalise, salt and hash one document.

    ``body`` (or just its ``economy``): the ledger's issuing body of the signing key; a document
    naming another (economy, and for v2 documents ledger id and name) is refused, since every
    verifier would reject it. Raises DocumentError naming every problem.
    """
    data = dict(_load(source))
    cert = parse_certificate(data)
    if cert.issuing_body.ledger_id is None and body is not None and body.issuer_id:
        # the input names no ledger identity: the issued document carries the signing body's,
        # as the ledger records it (docs/FORMAT.md: issuing_body.ledger_id)
        stamped = {**data["issuing_body"], "name": body.name, "ledger_id": body.issuer_id}
        cert = parse_certificate({**data, "issuing_body": stamped})
    if body is None and economy is not None:
        body = LedgerBody(0, "", economy)
    problems = body_problems(cert.issuing_body, body) if body is not None else []
    if problems:
        raise DocumentError(
            f"certificate {cert.number} names another issuing body than the one that signs "
            f"(issuing body #{body.issuer_id} of {body.economy} on the ledger)"
            if body is not None and body.issuer_id
            else f"certificate {cert.number} names an issuing body of {cert.issuing_body.economy}, "
            f"but the signing key belongs to an issuing body of {economy}",
            problems=problems,
            code="issuing_body_mismatch",
        )
    canonical = cert.to_json()
    seed = new_seed() if seed is None else seed
    commitment = commit(canonical, seed)
    # The same values as ``canonical`` (a test checks it), serialised by pydantic's Rust encoder:
    # the file only needs a JSON encoding of the canonical values, the hashes are over values.
    document_json = cert.model_dump_json(by_alias=True, exclude_none=True)
    return PreparedCertificate(
        number=cert.number,
        leaf_index=leaf_index,
        document_json=document_json,
        seed=seed,
        field_hashes=b"".join(commitment.field_hashes.values()),
        field_hashes_json=_hashes_json(commitment.field_hashes.items()),
        shape_json=_shape_json(commitment.shape),
        target_hash=commitment.target_hash,
        leaf=leaf_hash(commitment.target_hash),
        file_name=safe_file_name(cert.number),
    )


def _hashes_json(items: Iterable[tuple[str, bytes]]) -> str:
    # Paths from flatten() are snake_case names, dots and [i]: no JSON escaping needed.
    return "{" + ",".join([f'"{path}":"0x{h.hex()}"' for path, h in items]) + "}"


def _shape_json(shape: Mapping[str, int]) -> str:
    return "{" + ",".join(f'"{p}":{n}' for p, n in shape.items()) + "}"


def field_hashes_json(document_json: str, field_hashes: bytes) -> str:
    """The issued file's ``field_hashes`` object from the journal's form (hashes in field order).

    Raises DocumentError ``field_hashes_mismatch`` when the counts differ (a damaged journal).
    """
    paths = list(flatten(json.loads(document_json)))
    if len(paths) * 32 != len(field_hashes):
        raise DocumentError(
            f"{len(field_hashes) // 32} field hashes recorded for a document of {len(paths)} fields",
            code="field_hashes_mismatch",
        )
    return _hashes_json((p, field_hashes[32 * i : 32 * i + 32]) for i, p in enumerate(paths))


@dataclass(frozen=True, slots=True)
class _Invalid:
    """Why one document of a batch cannot be issued (plain data: it crosses the process pool)."""

    label: str
    code: str
    message: str
    problems: tuple[tuple[str, str], ...]


def _prepare_chunk(
    start: int,
    sources: Sequence[DocumentSource],
    labels: Sequence[str],
    economy: str | None,
    body: LedgerBody | None = None,
) -> list[PreparedCertificate | _Invalid]:
    out: list[PreparedCertificate | _Invalid] = []
    for i, (source, label) in enumerate(zip(sources, labels, strict=False)):
        try:
            out.append(prepare_certificate(source, start + i, economy=economy, body=body))
        except OriginCertError as exc:
            problems = tuple(exc.problems) if isinstance(exc, DocumentError) else ()
            out.append(_Invalid(label, exc.code, str(exc), problems))
    return out


def prepare_many(
    sources: Sequence[DocumentSource],
    *,
    economy: str | None = None,
    body: LedgerBody | None = None,
    labels: Sequence[str] | None = None,
    workers: int = 1,
    on_progress: Callable[[int], None] | None = None,
) -> Iterator[list[PreparedCertificate]]:
    """Prepare a batch in leaf order, yielding chunks as they are ready (so the journal can write
    while the pool hashes). After the last chunk, raises DocumentError listing every invalid
    document (labelled by ``labels``, default the position) if there was any.
    """
    labels = (
        list(labels) if labels is not None else [f"document {i + 1}" for i in range(len(sources))]
    )
    spans = [(s, min(s + CHUNK, len(sources))) for s in range(0, len(sources), CHUNK)]
    invalid: list[_Invalid] = []

    def take(
        results: Iterable[list[PreparedCertificate | _Invalid]],
    ) -> Iterator[list[PreparedCertificate]]:
        for chunk in results:
            good = [r for r in chunk if isinstance(r, PreparedCertificate)]
            invalid.extend(r for r in chunk if isinstance(r, _Invalid))
            if on_progress is not None:
                on_progress(len(chunk))
            yield good

    if workers <= 1 or len(spans) <= 1:
        yield from take(
            _prepare_chunk(s, sources[s:e], labels[s:e], economy, body) for s, e in spans
        )
    else:
        with ProcessPoolExecutor(
            max_workers=workers, initializer=_exit_with, initargs=(os.getpid(),)
        ) as pool:
            futures = [
                pool.submit(_prepare_chunk, s, list(sources[s:e]), labels[s:e], economy, body)
                for s, e in spans
            ]
            try:
                yield from take(f.result() for f in futures)
            finally:
                for f in futures:
                    f.cancel()
    if invalid:
        raise _combined(invalid, len(sources))


def _exit_with(parent: int) -> None:
    """Pool worker set-up: exit when the issuing process is gone (even by SIGKILL), instead of
    lingering forever on a task queue nobody will read."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="origincert-parent-watch", daemon=True).start()


def _combined(invalid: list[_Invalid], total: int) -> DocumentError:
    if len(invalid) == 1 and total == 1:
        only = invalid[0]
        return DocumentError(only.message, problems=list(only.problems), code=only.code)
    shown = "; ".join(f"{i.label}: {i.message}" for i in invalid[:3])
    more = f"; and {len(invalid) - 3} more" if len(invalid) > 3 else ""
    problems = [
        (f"{i.label}: {path}" if path else i.label, message)
        for i in invalid
        for path, message in (i.problems or (("", i.message),))
    ]
    return DocumentError(
        f"{len(invalid)} of {total} documents cannot be issued (nothing was issued): {shown}{more}",
        problems=problems,
        code=invalid[0].code,
    )


def build_tree(leaves: Sequence[bytes]) -> MerkleTree:
    """The batch tree (a single certificate is a batch of one: its root is its leaf)."""
    return MerkleTree.build(leaves)


def issued_file_text(
    cert: PreparedCertificate, merkle_proof: Sequence[bytes], anchoring: Anchoring
) -> str:
    """The issued certificate file (full copy) as compact JSON text, per docs/FORMAT.md v2.

    The same file as ``origincert.issued.IssuedFile.to_json`` (a test checks it), written from the
    text made when hashing so a batch of 10,000 is not serialised twice.
    """
    proof_list = ",".join(f'"0x{p.hex()}"' for p in merkle_proof)
    tx = f'"{anchoring.tx_hash}"' if anchoring.tx_hash is not None else "null"
    issuer_id = anchoring.issuer_id or cert.ledger_id()
    return (
        f'{{"format":"{ISSUED_FORMAT}","document":{cert.document_json},"proof":{{'
        f'"seed":"{_hex(cert.seed)}","field_hashes":{cert.hashes_object()},'
        f'"shape":{cert.shape_object()},'
        f'"target_hash":"{_hex(cert.target_hash)}","leaf":"{_hex(cert.leaf)}",'
        f'"merkle_proof":[{proof_list}],"root":"{_hex(anchoring.root)}",'
        f'"leaf_index":{cert.leaf_index},"batch_size":{anchoring.batch_size},'
        f'"signature":"{_hex(anchoring.signature)}","signer":"{anchoring.signer}",'
        f'"chain_id":{anchoring.chain_id},"registry":"{anchoring.registry}",'
        f'"issuer_id":{issuer_id},"epoch":{anchoring.epoch},"deadline":{anchoring.deadline},'
        f'"tx_hash":{tx}}}}}\n'
    )


def issued_file(
    cert: PreparedCertificate, merkle_proof: Sequence[bytes], anchoring: Anchoring
) -> dict[str, Any]:
    """The issued certificate file as a dict (the parse of :func:`issued_file_text`)."""
    return json.loads(issued_file_text(cert, merkle_proof, anchoring))  # type: ignore[no-any-return]


def default_workers() -> int:
    """A process per core for the hashing stage, when there are several cores."""
    return max(1, min(4, os.cpu_count() or 1))
