"""Issue, resume, revoke and replace: every step is journaled before it acts on the ledger.

Issuing a batch: check the key's standing (refuse before anything is recorded) -> validate and
hash every document, recording them all as ``prepared`` in one journal transaction -> build the
tree and sign its root (``signed``) -> send ``anchor`` with the transaction hash journaled just
before it leaves (``submitted``) -> journal the receipt (``anchored``) -> write the files.

``resume`` picks up every batch and action the journal holds unfinished. For a batch already
signed or submitted it asks the ledger first (``anchorOf(root)``, then the ``Anchored`` event for
its transaction); only a root the ledger does not know is sent again, so no certificate is ever
anchored twice or reported anchored when it is not.

``ORIGINCERT_TEST_CRASH_AT=<point>`` makes the process SIGKILL itself at that point (see
:data:`CRASH_POINTS`): the crash tests use it to stop a real run between two journal steps.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from web3 import Web3

from origincert.binding import LedgerBody
from origincert.chain import ChainClient, TransactionSigner
from origincert.document import load_json
from origincert.errors import (
    ChainError,
    ChainUnavailable,
    ContractRevert,
    JournalError,
    OriginCertError,
)
from origincert.governance import Standing, issuer_info
from origincert.issuer.errors import IssuingError, NotAccredited
from origincert.issuer.files import check_free, write_atomically
from origincert.issuer.journal import (
    ActionKind,
    ActionRecord,
    ActionState,
    BatchRecord,
    BatchState,
    Journal,
)
from origincert.issuer.ledger import (
    LeafStatus,
    RecordingSigner,
    anchor_of,
    anchor_terms,
    certificate_status,
    find_event,
    revive,
    standing_of,
)
from origincert.issuer.pipeline import (
    Anchoring,
    DocumentSource,
    PreparedCertificate,
    build_tree,
    issued_file,
    issued_file_text,
    prepare_many,
)
from origincert.issuer.reasons import parse_reason
from origincert.merkle import MerkleTree
from origincert.signing import Signature, Signer, sign_anchor

__all__ = [
    "CRASH_ENV",
    "CRASH_POINTS",
    "ActionResult",
    "IssueResult",
    "Progress",
    "ResumeReport",
    "issue_batch",
    "issue_documents",
    "issue_each",
    "replace",
    "resume",
    "revoke",
]

ANCHOR_DEADLINE = 86_400
"""Seconds an anchor signature stays valid (its signed deadline); an unsent batch whose signature
expired, or whose body's epoch moved, is signed again by ``resume``."""

CRASH_ENV = "ORIGINCERT_TEST_CRASH_AT"
CRASH_POINTS = (
    "during_prepare",  # inside the journal transaction, certificates inserted, not committed
    "after_prepare",  # certificates journaled, nothing signed
    "after_sign",  # root signed and journaled, nothing sent
    "before_broadcast",  # transaction hash journaled, transaction not yet sent
    "after_submit",  # transaction mined, journal still says submitted
    "after_anchor_before_files",  # journal says anchored, no file written
    "mid_files",  # half the files written
)

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: stage ``"prepare"`` or ``"files"``, counted in certificates."""


def _crash_point(name: str) -> None:
    if os.environ.get(CRASH_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


@dataclass(frozen=True)
class IssueResult:
    """One anchored batch (a single certificate is a batch of one)."""

    batch_id: int
    numbers: tuple[str, ...]
    root: str
    tx_hash: str
    block_number: int
    gas_used: int | None
    out_dir: str | None
    files: tuple[str, ...]
    found_on_ledger: bool = False  # resume found it anchored by an earlier run: nothing was sent
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def leaf_count(self) -> int:
        return len(self.numbers)


@dataclass(frozen=True)
class ActionResult:
    """A revocation or replacement the ledger now shows."""

    action_id: int
    kind: ActionKind
    number: str
    new_number: str | None
    reason: int | None
    tx_hash: str | None
    block_number: int | None
    gas_used: int | None
    found_on_ledger: bool = False


@dataclass(frozen=True)
class ResumeReport:
    batches: tuple[IssueResult, ...]
    actions: tuple[ActionResult, ...]


@dataclass(frozen=True)
class _Body:
    """The issuing body the signing key belongs to, on this registry."""

    issuer_id: int
    economy: str
    chain_id: int
    registry: str
    name: str = ""

    @property
    def ledger(self) -> LedgerBody:
        return LedgerBody(self.issuer_id, self.name, self.economy)


@dataclass(frozen=True)
class _Issued:
    result: IssueResult
    certificates: list[PreparedCertificate]
    tree: MerkleTree
    anchoring: Anchoring


# ---------------------------------------------------------------------------------------------
# issuing


def _body(client: ChainClient, signer: Signer, journal: Journal, *, accredited: bool) -> _Body:
    """Ask the IssuerRegistry who the key is; refuse an unaccredited key when ``accredited``;
    tie the journal to that body (or check it is the body the journal belongs to)."""
    issuer_id, standing = standing_of(client, signer.address)
    if issuer_id == 0 or (accredited and standing is not Standing.ACCREDITED):
        raise NotAccredited(signer.address, issuer_id, standing)
    info = issuer_info(client, issuer_id)
    body = _Body(issuer_id, info.economy, client.chain_id, client.certificates.address, info.name)
    journal.bind(chain_id=body.chain_id, registry=body.registry, issuer_id=body.issuer_id)
    return body


def issue_batch(
    client: ChainClient,
    signer: Signer,
    sources: Sequence[DocumentSource],
    *,
    journal: Journal,
    out_dir: str | os.PathLike[str] | None = None,
    relayer: TransactionSigner | None = None,
    labels: Sequence[str] | None = None,
    workers: int = 1,
    progress: Progress | None = None,
) -> IssueResult:
    """Issue documents (dicts or JSON file paths) as one batch anchored in one transaction.

    ``signer`` is the issuing body's key: it signs the root and, without a ``relayer``, sends the
    transaction. Files go to ``out_dir`` (none written without one). ``workers > 1`` hashes on a
    process pool.

    Raises, before anything is recorded: NotAccredited (naming the standing), DocumentError
    (every invalid document), JournalError ``duplicate_number``/``journal_mismatch``,
    IssuingError ``output_exists``, ChainUnavailable. A failure later leaves the batch in the
    journal for :func:`resume`.
    """
    return _issue(
        client, signer, sources, journal=journal, out_dir=out_dir, relayer=relayer, labels=labels,
        workers=workers, progress=progress,
    ).result  # fmt: skip


def issue_each(
    client: ChainClient,
    signer: Signer,
    sources: Sequence[DocumentSource],
    *,
    journal: Journal,
    out_dir: str | os.PathLike[str] | None = None,
    relayer: TransactionSigner | None = None,
    labels: Sequence[str] | None = None,
    on_issued: Callable[[IssueResult], None] | None = None,
) -> list[IssueResult]:
    """Issue each document as its own batch of one (one transaction each), in order.

    At block speed: every anchoring transaction is journaled and sent without waiting for a
    block, then the receipts are awaited in order, so one block carries many certificates.
    ``on_issued`` hears of each as it is anchored; a refusal of a later document raises once the
    ones already sent are anchored (and reported), so it hides none of them.
    """
    labels = (
        list(labels) if labels is not None else [f"document {i + 1}" for i in range(len(sources))]
    )
    sent: list[tuple[_Body, int, list[PreparedCertificate], dict[str, float]]] = []
    refused: OriginCertError | None = None
    checked: _Body | None = None  # the key's standing, asked once for the run, then per send
    for source, label in zip(sources, labels):
        try:
            body, batch, prepared, timings = _record(
                client, signer, [source], journal=journal, out_dir=out_dir, relayer=relayer,
                labels=[label], body=checked,
            )  # fmt: skip
            checked = body
            _, batch = _tree_and_signature(client, signer, journal, body, batch, prepared, timings)
            t0 = time.perf_counter()
            _ensure_anchored(client, signer, journal, body, batch, relayer, wait=False)
            timings["send"] = time.perf_counter() - t0
        except OriginCertError as exc:
            refused = exc
            break
        sent.append((body, batch.id, prepared, timings))
    results = []
    for body, batch_id, prepared, timings in sent:
        tree, batch = _tree_and_signature(
            client, signer, journal, body, journal.batch(batch_id), prepared, timings
        )
        t0 = time.perf_counter()
        if batch.state is not BatchState.ANCHORED:
            _ensure_anchored(client, signer, journal, body, batch, relayer)
            batch = journal.batch(batch_id)
        timings["anchor"] = time.perf_counter() - t0
        result = _finish(journal, body, batch, prepared, tree, False, timings, None, None).result
        results.append(result)
        if on_issued is not None:
            on_issued(result)
    if refused is not None:
        raise refused
    return results


def issue_documents(
    client: ChainClient,
    signer: Signer,
    documents: Sequence[Mapping[str, Any]],
    *,
    journal: Journal,
    out_dir: str | os.PathLike[str] | None = None,
    relayer: TransactionSigner | None = None,
) -> list[dict[str, Any]]:
    """Issue certificate dicts as one batch and return the issued files (dicts, batch order).

    files = issue_documents(client, LocalSigner(account), [doc], journal=Journal.open(path))
    files[0]["proof"]["root"]
    """
    done = _issue(client, signer, documents, journal=journal, out_dir=out_dir, relayer=relayer)
    return [
        issued_file(c, done.tree.proof(i), done.anchoring) for i, c in enumerate(done.certificates)
    ]


def _issue(
    client: ChainClient,
    signer: Signer,
    sources: Sequence[DocumentSource],
    *,
    journal: Journal,
    out_dir: str | os.PathLike[str] | None,
    relayer: TransactionSigner | None,
    labels: Sequence[str] | None = None,
    workers: int = 1,
    progress: Progress | None = None,
    replaces: str | None = None,
) -> _Issued:
    body, batch, prepared, timings = _record(
        client, signer, sources, journal=journal, out_dir=out_dir, relayer=relayer, labels=labels,
        workers=workers, progress=progress, replaces=replaces,
    )  # fmt: skip
    return _complete(
        client,
        signer,
        journal,
        body,
        batch,
        prepared,
        relayer=relayer,
        timings=timings,
        progress=progress,
    )


def _record(
    client: ChainClient,
    signer: Signer,
    sources: Sequence[DocumentSource],
    *,
    journal: Journal,
    out_dir: str | os.PathLike[str] | None,
    relayer: TransactionSigner | None,
    labels: Sequence[str] | None = None,
    workers: int = 1,
    progress: Progress | None = None,
    replaces: str | None = None,
    body: _Body | None = None,
) -> tuple[_Body, BatchRecord, list[PreparedCertificate], dict[str, float]]:
    """Check the key (unless ``body`` was just checked), validate, hash and journal the
    documents as one ``prepared`` batch."""
    if not sources:
        raise IssuingError("no documents to issue", code="nothing_to_issue")
    started = time.perf_counter()
    if body is None:
        body = _body(client, signer, journal, accredited=True)
    journal.refuse_taken(
        s["number"] for s in sources if isinstance(s, Mapping) and isinstance(s.get("number"), str)
    )
    if relayer is None:
        _tx_signer(
            signer
        )  # a key that cannot send needs a relayer: say so before recording anything
    out = Path(out_dir).resolve() if out_dir is not None else None  # resume may run from elsewhere
    if out is not None:
        _make_out_dir(out)
    timings = {"check": time.perf_counter() - started}

    prepared: list[PreparedCertificate] = []
    hashing = 0.0
    done_count = 0

    def on_progress(n: int) -> None:
        nonlocal done_count
        done_count += n
        if progress is not None:
            progress("prepare", done_count, len(sources))

    def chunks() -> Any:
        nonlocal hashing
        stream = prepare_many(
            sources,
            economy=body.economy,
            body=body.ledger,
            labels=labels,
            workers=workers,
            on_progress=on_progress,
        )
        while True:
            t0 = time.perf_counter()
            try:
                chunk = next(stream)
            except StopIteration:
                return
            finally:
                hashing += time.perf_counter() - t0
            prepared.extend(chunk)
            yield chunk
            _crash_point("during_prepare")
            # Checked once the journal took the chunk (and refused duplicate numbers, the better
            # reason), still inside its transaction: a clash rolls the whole batch back. Never read
            # the journal here: its transaction holds the database.
            if out is not None:
                check_free(out, (c.file_name for c in chunk))

    t0 = time.perf_counter()
    batch = journal.record_batch(
        chunks(), out_dir=str(out) if out is not None else None, replaces=replaces
    )
    timings["validate+hash"] = hashing
    timings["journal"] = time.perf_counter() - t0 - hashing
    _crash_point("after_prepare")
    return body, batch, prepared, timings


def _make_out_dir(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise IssuingError(
            f"cannot create the output folder {out}: {exc.strerror or exc}",
            code="output_unwritable",
        ) from exc


def _complete(
    client: ChainClient,
    signer: Signer,
    journal: Journal,
    body: _Body,
    batch: BatchRecord,
    certs: list[PreparedCertificate],
    *,
    relayer: TransactionSigner | None,
    timings: dict[str, float],
    progress: Progress | None,
    out_override: Path | None = None,
) -> _Issued:
    """Take a journaled batch from whatever state it is in to anchored with its files written."""
    tree, batch = _tree_and_signature(client, signer, journal, body, batch, certs, timings)

    t0 = time.perf_counter()
    found = False
    if batch.state is not BatchState.ANCHORED:
        found = _ensure_anchored(client, signer, journal, body, batch, relayer)
        batch = journal.batch(batch.id)
    timings["anchor"] = time.perf_counter() - t0
    return _finish(journal, body, batch, certs, tree, found, timings, progress, out_override)


def _tree_and_signature(
    client: ChainClient,
    signer: Signer,
    journal: Journal,
    body: _Body,
    batch: BatchRecord,
    certs: list[PreparedCertificate],
    timings: dict[str, float],
) -> tuple[MerkleTree, BatchRecord]:
    """The batch's tree (checked against its journaled root) and its signed root."""
    t0 = time.perf_counter()
    if len(certs) != batch.leaf_count or [c.leaf_index for c in certs] != list(range(len(certs))):
        raise JournalError(
            f"batch #{batch.id} does not hold leaves 0..{batch.leaf_count - 1}",
            code="journal_inconsistent",
        )
    tree = build_tree([c.leaf for c in certs])
    if batch.root is not None and batch.root != tree.root:
        raise JournalError(
            f"batch #{batch.id}: its leaves do not give its recorded root",
            code="journal_inconsistent",
        )
    timings["tree"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    if batch.state is BatchState.PREPARED:
        epoch, deadline = _signing_terms(client, signer)
        signature = sign_anchor(
            signer, tree.root, len(certs), body.issuer_id, epoch, deadline, body.chain_id,
            body.registry,
        )  # fmt: skip
        journal.mark_signed(
            batch.id, root=tree.root, signature=signature.to_bytes(), signer=signer.address,
            epoch=epoch, deadline=deadline,
        )  # fmt: skip
        _crash_point("after_sign")
        batch = journal.batch(batch.id)
    timings["sign"] = time.perf_counter() - t0
    return tree, batch


def _finish(
    journal: Journal,
    body: _Body,
    batch: BatchRecord,
    certs: list[PreparedCertificate],
    tree: MerkleTree,
    found: bool,
    timings: dict[str, float],
    progress: Progress | None,
    out_override: Path | None,
) -> _Issued:
    """Write the files of an anchored batch and say what was issued."""
    assert batch.root is not None and batch.signature is not None and batch.signer is not None
    assert batch.tx_hash is not None and batch.block_number is not None
    assert batch.epoch is not None and batch.deadline is not None
    anchoring = Anchoring(
        root=batch.root,
        batch_size=batch.leaf_count,
        signature=batch.signature,
        signer=Web3.to_checksum_address(batch.signer),
        chain_id=body.chain_id,
        registry=body.registry,
        tx_hash=batch.tx_hash,
        issuer_id=body.issuer_id,
        epoch=batch.epoch,
        deadline=batch.deadline,
    )
    t0 = time.perf_counter()
    out = out_override or (Path(batch.out_dir) if batch.out_dir else None)
    files: tuple[str, ...] = ()
    if out is not None:
        files = _write_files(journal, batch, certs, tree, anchoring, out, progress)
    timings["files"] = time.perf_counter() - t0
    result = IssueResult(
        batch_id=batch.id,
        numbers=tuple(c.number for c in certs),
        root="0x" + tree.root.hex(),
        tx_hash=batch.tx_hash,
        block_number=batch.block_number,
        gas_used=batch.gas_used,
        out_dir=str(out) if out is not None else None,
        files=files,
        found_on_ledger=found,
        timings=timings,
    )
    return _Issued(result, certs, tree, anchoring)


def _ensure_anchored(
    client: ChainClient,
    signer: Signer,
    journal: Journal,
    body: _Body,
    batch: BatchRecord,
    relayer: TransactionSigner | None,
    *,
    wait: bool = True,
) -> bool:
    """Anchor a signed batch unless the ledger already holds its root; True when it did.
    ``wait=False`` sends the transaction and returns at once, the batch left ``submitted``.

    A transaction journaled as submitted and still pending is waited for, not sent again; a root
    the ledger does not know is sent (the contract refuses a second anchoring of a root anyway,
    and that refusal is read as "already anchored").
    """
    assert batch.root is not None and batch.signature is not None and batch.signer is not None
    if batch.signer.lower() != signer.address.lower():
        raise IssuingError(
            f"batch #{batch.id} was signed by {batch.signer}; resume it with that key",
            code="signer_changed",
        )
    # A root this run just signed and never sent cannot be on the ledger (its leaves carry fresh
    # random seeds): only a sending run skips the lookup.
    event = None if not wait and batch.tx_hash is None else _anchored_on_ledger(client, body, batch)
    submitted = batch.tx_hash if batch.state is BatchState.SUBMITTED else None
    revived = None
    if event is None and submitted is not None:
        revived = revive(client, submitted, journal.signed_transaction(submitted))
    if revived is not None:
        assert submitted is not None
        try:
            client.wait(submitted)
        except ChainUnavailable:
            raise
        except ChainError:  # it failed: the ledger check below decides what to do
            pass
        event = _anchored_on_ledger(client, body, batch)
    if event is not None:
        journal.mark_anchored(batch.id, tx_hash=event[0], block_number=event[1], gas_used=event[2])
        _crash_point("after_anchor_before_files")
        return revived != "resent"  # a transaction this run handed to the node was not "found"

    fresh = not wait and batch.tx_hash is None  # signed a moment ago with the terms of now
    terms = None if fresh else anchor_terms(client, signer.address)  # changed since prepare?
    if terms is not None and terms.standing is not Standing.ACCREDITED:
        raise NotAccredited(signer.address, terms.issuer_id, terms.standing)
    assert batch.epoch is not None and batch.deadline is not None
    if terms is not None and (
        batch.epoch != terms.epoch or batch.deadline < _chain_now(client) + 60
    ):
        # The contract can no longer accept the old signature (the body's standing changed, or it
        # expired), so no earlier transaction of it can land either: sign the same root again.
        epoch, deadline = _signing_terms(client, signer)
        signature = sign_anchor(
            signer, batch.root, batch.leaf_count, body.issuer_id, epoch, deadline,
            body.chain_id, body.registry,
        )  # fmt: skip
        journal.mark_resigned(
            batch.id, signature=signature.to_bytes(), epoch=epoch, deadline=deadline
        )
        batch = journal.batch(batch.id)
        assert batch.signature is not None and batch.epoch is not None
        assert batch.deadline is not None
    assert batch.signature is not None  # checked on entry; a re-signed batch was checked above
    sender: TransactionSigner = relayer if relayer is not None else _tx_signer(signer)
    r, vs = Signature.from_bytes(batch.signature).compact()
    fn = client.certificates.functions.anchor(
        batch.root, batch.leaf_count, body.issuer_id, batch.epoch, batch.deadline, r, vs
    )

    def on_signed(tx_hash: str) -> None:
        journal.mark_submitted(batch.id, tx_hash=tx_hash, sender=sender.address, raw=recorder.raw)
        _crash_point("before_broadcast")

    recorder = RecordingSigner(sender, on_signed)
    try:
        if not wait:  # issuing at block speed: the receipt is awaited later (see issue_each)
            client.submit(fn, recorder)
            return False
        tx = client.send(fn, recorder)
    except ContractRevert as exc:
        if exc.error != "CertificateRegistryAlreadyAnchored":
            raise
        event = _anchored_on_ledger(
            client, body, batch
        )  # an earlier run's transaction got there first
        if event is None:
            raise
        journal.mark_anchored(batch.id, tx_hash=event[0], block_number=event[1], gas_used=event[2])
        return True
    _crash_point("after_submit")
    journal.mark_anchored(
        batch.id, tx_hash=tx.tx_hash, block_number=tx.block_number, gas_used=tx.gas_used
    )
    _crash_point("after_anchor_before_files")
    return False


def _chain_now(client: ChainClient) -> int:
    return int(client.guard(lambda: client.w3.eth.get_block("latest"))["timestamp"])


def _signing_terms(client: ChainClient, signer: Signer) -> tuple[int, int]:
    """The body's epoch now and a deadline ``ANCHOR_DEADLINE`` after the chain's clock."""
    terms = anchor_terms(client, signer.address)
    if terms.standing is not Standing.ACCREDITED:
        raise NotAccredited(signer.address, terms.issuer_id, terms.standing)
    return terms.epoch, _chain_now(client) + ANCHOR_DEADLINE


def _topic_id(issuer_id: int) -> bytes:
    return issuer_id.to_bytes(32, "big")


def _tx_signer(signer: Signer) -> TransactionSigner:
    if not callable(getattr(signer, "sign_transaction", None)):
        raise IssuingError(
            f"the key {signer.address} cannot sign transactions; give a relayer key to send them",
            code="relayer_needed",
        )
    return signer  # type: ignore[return-value]


def _anchored_on_ledger(
    client: ChainClient, body: _Body, batch: BatchRecord
) -> tuple[str, int, int | None] | None:
    """(tx hash, block, gas) of the transaction that anchored the batch's root, or None."""
    assert batch.root is not None
    anchor = anchor_of(client, body.issuer_id, batch.root)  # only this body's anchors count
    if anchor is None:
        return None
    if anchor.leaf_count != batch.leaf_count:
        raise JournalError(
            f"the ledger holds batch #{batch.id}'s root for issuing body #{body.issuer_id} with "
            f"{anchor.leaf_count} leaves, not {batch.leaf_count}",
            code="journal_inconsistent",
        )
    event = find_event(
        client,
        "Anchored",
        [batch.root, _topic_id(body.issuer_id)],
        from_block=anchor.anchored_block,
        to_block=anchor.anchored_block,
    )
    if event is None:
        raise JournalError(
            f"the ledger anchored batch #{batch.id} in block {anchor.anchored_block} but shows no Anchored event there",
            code="journal_inconsistent",
        )
    return event.tx_hash, event.block_number, _gas_used(client, event.tx_hash)


def _gas_used(client: ChainClient, tx_hash: str) -> int | None:
    receipt = client.guard(lambda: client.w3.eth.get_transaction_receipt(tx_hash))  # type: ignore[arg-type]
    return int(receipt["gasUsed"]) if receipt is not None else None


def _write_files(
    journal: Journal,
    batch: BatchRecord,
    certs: list[PreparedCertificate],
    tree: MerkleTree,
    anchoring: Anchoring,
    out: Path,
    progress: Progress | None,
) -> tuple[str, ...]:
    _make_out_dir(out)
    paths: list[str] = []
    half = len(certs) // 2
    folder = str(out)
    for i, c in enumerate(certs):
        path = os.path.join(folder, c.file_name)
        write_atomically(path, issued_file_text(c, tree.proof(i), anchoring))
        paths.append(path)
        if i == half:
            _crash_point("mid_files")
        if progress is not None and (i % 500 == 499 or i == len(certs) - 1):
            progress("files", i + 1, len(certs))
    if not batch.files_written or batch.out_dir != str(out):
        journal.mark_files_written(batch.id, str(out))
    return tuple(paths)


# ---------------------------------------------------------------------------------------------
# resume


def resume(
    client: ChainClient,
    signer: Signer,
    journal: Journal,
    *,
    relayer: TransactionSigner | None = None,
    out_dir: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
) -> ResumeReport:
    """Finish every unfinished batch (oldest first), then every unfinished revocation or
    replacement. ``out_dir`` puts the files of those batches in another folder than first asked.

    Safe to run at any time, any number of times: what the ledger already shows is recorded, not
    sent again.
    """
    pending_batches = journal.batches(unfinished=True)
    pending_actions = journal.actions(pending=True)
    if not pending_batches and not pending_actions:
        return ResumeReport((), ())
    body = _body(client, signer, journal, accredited=False)
    override = Path(out_dir).resolve() if out_dir is not None else None
    results = []
    for batch in pending_batches:
        certs = journal.certificates(batch.id)
        done = _complete(
            client, signer, journal, body, batch, certs, relayer=relayer, timings={}, progress=progress,
            out_override=override,
        )  # fmt: skip
        results.append(done.result)
    actions = [_finish_action(client, signer, journal, body, a) for a in pending_actions]
    return ResumeReport(tuple(results), tuple(actions))


# ---------------------------------------------------------------------------------------------
# revoke and replace


def revoke(
    client: ChainClient, signer: Signer, journal: Journal, number: str, reason: str | int
) -> ActionResult:
    """Revoke one certificate: ``revokeLeaf`` with its proof, or ``revokeRoot`` for a batch of one.

    Raises, before anything is recorded: IssuingError ``bad_reason``, ``not_anchored``,
    ``already_revoked``; JournalError ``unknown_number``.
    """
    code = parse_reason(reason)
    body = _body(client, signer, journal, accredited=False)
    batch, cert = _anchored(journal, number)
    status = certificate_status(client, body.issuer_id, batch.root, cert.leaf)  # type: ignore[arg-type]
    if status.revoked:
        raise IssuingError(f"certificate {number} is already revoked", code="already_revoked")
    action_id = journal.record_action(ActionKind.REVOKE, number, reason=code)
    return _finish_action(client, signer, journal, body, journal.action(action_id))


def replace(
    client: ChainClient,
    signer: Signer,
    journal: Journal,
    old_number: str,
    new_source: DocumentSource,
    *,
    out_dir: str | os.PathLike[str] | None = None,
    reason: str | None = None,
    relayer: TransactionSigner | None = None,
) -> tuple[IssueResult, ActionResult]:
    """Issue a replacement for an anchored certificate and record the link on the ledger.

    The new document's ``replaces`` must name ``old_number``; when it has none, it is filled in
    from the old certificate (its number and issue date) and ``reason`` (then required).
    Raises IssuingError ``not_anchored``, ``already_revoked``, ``already_replaced``,
    ``replaces_mismatch``, ``replace_reason_missing`` before anything is recorded.
    """
    body = _body(client, signer, journal, accredited=True)
    old_batch, old_cert = _anchored(journal, old_number)
    status = certificate_status(client, body.issuer_id, old_batch.root, old_cert.leaf)  # type: ignore[arg-type]
    if status.revoked:
        raise IssuingError(
            f"certificate {old_number} is revoked; a revoked certificate is not replaced",
            code="already_revoked",
        )
    if status.replaced:
        raise IssuingError(f"certificate {old_number} is already replaced", code="already_replaced")
    document = with_replaces(
        dict(load_json(new_source.read_bytes()))
        if isinstance(new_source, Path)
        else dict(new_source),
        old_cert.document,
        reason,
    )
    done = _issue(
        client,
        signer,
        [document],
        journal=journal,
        out_dir=out_dir,
        relayer=relayer,
        replaces=old_number,
    )
    (action,) = [
        a for a in journal.actions(pending=True, number=old_number) if a.kind is ActionKind.REPLACE
    ]
    return done.result, _finish_action(client, signer, journal, body, action)


def with_replaces(
    document: dict[str, Any], old: Mapping[str, Any], reason: str | None
) -> dict[str, Any]:
    """The new document with ``replaces`` pointing at ``old``; refuse one pointing elsewhere."""
    old_number = old["number"]
    given = document.get("replaces")
    if given is not None:
        if not isinstance(given, dict) or given.get("number") != old_number:
            named = given.get("number") if isinstance(given, dict) else given
            raise IssuingError(
                f"the new document replaces {named!r}, not {old_number}", code="replaces_mismatch"
            )
        return document
    if not reason:
        raise IssuingError(
            f"the new document has no `replaces`; give a reason to fill it in (replacing {old_number})",
            code="replace_reason_missing",
        )
    return {
        **document,
        "replaces": {"number": old_number, "issue_date": old["issue_date"], "reason": reason},
    }


def _anchored(journal: Journal, number: str) -> tuple[BatchRecord, PreparedCertificate]:
    batch, cert = journal.locate(number)
    if batch.state is not BatchState.ANCHORED:
        raise IssuingError(
            f"certificate {number} is not anchored yet (its batch is {batch.state.value}); run `origincert issue --resume` first",
            code="not_anchored",
        )
    return batch, cert


def _finish_action(
    client: ChainClient, signer: Signer, journal: Journal, body: _Body, action: ActionRecord
) -> ActionResult:
    """Bring a journaled revocation or replacement to the ledger, unless the ledger shows it already
    (a transaction journaled as submitted and still pending is waited for, not sent again)."""
    batch, cert = _anchored(journal, action.number)
    assert batch.root is not None and batch.block_number is not None
    proof = list(build_tree(journal.leaves(batch.id)).proof(cert.leaf_index))
    issuer_id = body.issuer_id
    lookup: tuple[str, list[bytes | None]]
    if action.kind is ActionKind.REVOKE:
        single = batch.leaf_count == 1

        def done(s: LeafStatus) -> bool:
            return s.revoked

        lookup = (
            ("RootRevoked", [batch.root, _topic_id(issuer_id)])
            if single
            else ("LeafRevoked", [batch.root, cert.leaf])
        )
        fn = (
            client.certificates.functions.revokeRoot(issuer_id, batch.root, action.reason)
            if single
            else client.certificates.functions.revokeLeaf(
                issuer_id, batch.root, cert.target_hash, proof, action.reason
            )
        )
    else:
        assert action.new_number is not None
        new_batch, new_cert = _anchored(journal, action.new_number)
        assert new_batch.root is not None
        new_proof = list(build_tree(journal.leaves(new_batch.id)).proof(new_cert.leaf_index))

        def done(s: LeafStatus) -> bool:
            return s.replaced

        lookup = ("CertificateReplaced", [batch.root, cert.leaf])
        fn = client.certificates.functions.replace(
            issuer_id, batch.root, cert.target_hash, proof, new_batch.root,
            new_cert.target_hash, new_proof,
        )  # fmt: skip

    def on_ledger() -> bool:
        return done(certificate_status(client, issuer_id, batch.root, cert.leaf))  # type: ignore[arg-type]

    def record_found() -> ActionResult:
        event = find_event(
            client, lookup[0], lookup[1], from_block=batch.block_number,  # type: ignore[arg-type]
            where=lambda args: int(args["issuerId"]) == issuer_id,
        )  # fmt: skip
        tx_hash = event.tx_hash if event is not None else None
        journal.mark_action_done(
            action.id,
            tx_hash=tx_hash,
            block_number=event.block_number if event is not None else None,
            gas_used=_gas_used(client, tx_hash) if tx_hash is not None else None,
        )
        return _action_result(journal.action(action.id), found=True)

    if on_ledger():
        return record_found()
    if (
        action.state is ActionState.SUBMITTED
        and action.tx_hash is not None
        and revive(client, action.tx_hash, journal.signed_transaction(action.tx_hash)) is not None
    ):
        try:
            client.wait(action.tx_hash)
        except ChainUnavailable:
            raise
        except ChainError:  # it failed: send again below
            pass
        if on_ledger():
            return record_found()

    def on_signed(tx_hash: str) -> None:
        journal.mark_action_submitted(action.id, tx_hash=tx_hash, raw=recorder.raw)

    recorder = RecordingSigner(_tx_signer(signer), on_signed)
    try:
        tx = client.send(fn, recorder)
    except ContractRevert as exc:
        if on_ledger():  # an earlier transaction of this action got there first
            return record_found()
        journal.mark_action_failed(action.id, error=exc.error)
        raise
    journal.mark_action_done(
        action.id, tx_hash=tx.tx_hash, block_number=tx.block_number, gas_used=tx.gas_used
    )
    return _action_result(journal.action(action.id), found=False)


def _action_result(a: ActionRecord, *, found: bool) -> ActionResult:
    return ActionResult(
        a.id, a.kind, a.number, a.new_number, a.reason, a.tx_hash, a.block_number, a.gas_used, found
    )
