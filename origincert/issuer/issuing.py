"""Issue: every step journaled before it acts on the ledger.

Issuing a batch: check the key's standing (refuse before anything is recorded) -> validate and
hash every document, recording them all as ``prepared`` in one journal transaction -> build the
tree and sign its root (``signed``) -> send ``anchor`` with the transaction hash journaled just
before it leaves (``submitted``) -> journal the receipt (``anchored``) -> write the files.

:func:`complete_batch` takes a journaled batch from whatever state it is in to anchored with its
files written; for a batch already signed or submitted it asks the ledger first (``anchorOf(root)``,
then the ``Anchored`` event for its transaction), so only a root the ledger does not know is sent
again and no certificate is ever anchored twice or reported anchored when it is not.

Each function takes a ``step`` callback, called with the name of each point of :data:`STEPS` as
the run passes it (default: nothing). The crash tests pass one that kills the process there.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from web3 import Web3

from origincert.chain import ChainClient, TransactionSigner
from origincert.errors import (
    ChainError,
    ChainUnavailable,
    ContractRevert,
    JournalError,
    OriginCertError,
)
from origincert.governance import Standing
from origincert.issuer.body import IssuingBody, issuing_body
from origincert.issuer.errors import IssuingError, NotAccredited
from origincert.issuer.files import check_free, write_atomically
from origincert.issuer.journal import BatchRecord, BatchState, Journal, OtherJournals
from origincert.issuer.ledger import (
    RecordingSigner,
    anchor_of,
    anchor_terms,
    find_event,
    gas_used,
    issuer_topic,
    revive,
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
from origincert.merkle import MerkleTree
from origincert.signers import Signer
from origincert.signing import Signature, sign_anchor

__all__ = [
    "ANCHOR_DEADLINE",
    "STEPS",
    "IssueResult",
    "Progress",
    "Step",
    "complete_batch",
    "issue_batch",
    "issue_documents",
    "issue_each",
    "issue_replacement",
    "no_step",
]

ANCHOR_DEADLINE = 86_400
"""Seconds an anchor signature stays valid (its signed deadline); an unsent batch whose signature
expired, or whose body's epoch moved, is signed again by ``resume``."""

STEPS = (
    "during_prepare",  # inside the journal transaction, certificates inserted, not committed
    "after_prepare",  # certificates journaled, nothing signed
    "after_sign",  # root signed and journaled, nothing sent
    "before_broadcast",  # transaction hash journaled, transaction not yet sent
    "after_submit",  # transaction mined, journal still says submitted
    "after_anchor_before_files",  # journal says anchored, no file written
    "mid_files",  # half the files written
)
"""The points between two journal steps a run passes, in order: where a crash must be harmless."""

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: stage ``"prepare"`` or ``"files"``, counted in certificates."""

Step = Callable[[str], None]
"""``step(name)``: the run has reached the point ``name`` of :data:`STEPS`."""


def no_step(name: str) -> None:
    """The default :data:`Step`: does nothing (only the crash tests listen)."""


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
class _Issued:
    result: IssueResult
    certificates: list[PreparedCertificate]
    tree: MerkleTree
    anchoring: Anchoring


# ---------------------------------------------------------------------------------------------
# issuing


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
    also_check: Sequence[str | os.PathLike[str]] = (),
    step: Step = no_step,
) -> IssueResult:
    """Issue documents (dicts or JSON file paths) as one batch anchored in one transaction.

    ``signer`` is the issuing body's key: it signs the root and, without a ``relayer``, sends the
    transaction. Files go to ``out_dir`` (none written without one). ``workers > 1`` hashes on a
    process pool. ``also_check``: the issuing body's other journals (SQLite paths, read only); a
    number one of them holds for this body is refused too, since numbers are unique per body.

    Raises, before anything is recorded: NotAccredited (naming the standing), DocumentError
    (every invalid document), JournalError ``duplicate_number``/``journal_mismatch``/
    ``journal_unreadable`` (an other journal that cannot be read), IssuingError
    ``output_exists``, ChainUnavailable. A failure later leaves the batch in the journal for
    ``resume``.
    """
    with OtherJournals.open(also_check, exclude=journal.location) as others:
        return _issue(
            client, signer, sources, journal=journal, out_dir=out_dir, relayer=relayer,
            labels=labels, workers=workers, progress=progress, others=others, step=step,
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
    also_check: Sequence[str | os.PathLike[str]] = (),
    step: Step = no_step,
) -> list[IssueResult]:
    """Issue each document as its own batch of one (one transaction each), in order.

    At block speed: every anchoring transaction is journaled and sent without waiting for a
    block, then the receipts are awaited in order, so one block carries many certificates.
    ``on_issued`` hears of each as it is anchored; a refusal of a later document raises once the
    ones already sent are anchored (and reported), so it hides none of them. ``also_check`` as
    for :func:`issue_batch`.
    """
    with OtherJournals.open(also_check, exclude=journal.location) as others:
        return _issue_each(
            client, signer, sources, journal=journal, out_dir=out_dir, relayer=relayer,
            labels=labels, on_issued=on_issued, others=others, step=step,
        )  # fmt: skip


def _issue_each(
    client: ChainClient,
    signer: Signer,
    sources: Sequence[DocumentSource],
    *,
    journal: Journal,
    out_dir: str | os.PathLike[str] | None,
    relayer: TransactionSigner | None,
    labels: Sequence[str] | None,
    on_issued: Callable[[IssueResult], None] | None,
    others: OtherJournals,
    step: Step,
) -> list[IssueResult]:
    labels = (
        list(labels) if labels is not None else [f"document {i + 1}" for i in range(len(sources))]
    )
    sent: list[tuple[IssuingBody, int, list[PreparedCertificate], dict[str, float]]] = []
    refused: OriginCertError | None = None
    checked: IssuingBody | None = None  # the key's standing, asked once for the run, then per send
    for source, label in zip(sources, labels, strict=True):
        try:
            body, batch, prepared, timings = _record(
                client, signer, [source], journal=journal, out_dir=out_dir, labels=[label],
                body=checked, others=others, step=step,
            )  # fmt: skip
            checked = body
            _, batch = _tree_and_signature(
                client, signer, journal, body, batch, prepared, timings, step
            )
            t0 = time.perf_counter()
            _ensure_anchored(client, signer, journal, body, batch, relayer, step, wait=False)
            timings["send"] = time.perf_counter() - t0
        except OriginCertError as exc:
            refused = exc
            break
        sent.append((body, batch.id, prepared, timings))
    results: list[IssueResult] = []
    for body, batch_id, prepared, timings in sent:
        tree, batch = _tree_and_signature(
            client, signer, journal, body, journal.batch(batch_id), prepared, timings, step
        )
        t0 = time.perf_counter()
        if batch.state is not BatchState.ANCHORED:
            _ensure_anchored(client, signer, journal, body, batch, relayer, step)
            batch = journal.batch(batch_id)
        timings["anchor"] = time.perf_counter() - t0
        finished = _finish(journal, body, batch, prepared, tree, False, timings, None, None, step)
        result = finished.result
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
    also_check: Sequence[str | os.PathLike[str]] = (),
    step: Step = no_step,
) -> list[dict[str, Any]]:
    """Issue certificate dicts as one batch and return the issued files (dicts, batch order).
    ``also_check`` as for :func:`issue_batch`.

    files = issue_documents(client, LocalSigner(account), [doc], journal=Journal.open(path))
    files[0]["proof"]["root"]
    """
    with OtherJournals.open(also_check, exclude=journal.location) as others:
        done = _issue(
            client, signer, documents, journal=journal, out_dir=out_dir, relayer=relayer,
            others=others, step=step,
        )  # fmt: skip
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
    others: OtherJournals | None = None,
    step: Step = no_step,
) -> _Issued:
    body, batch, prepared, timings = _record(
        client, signer, sources, journal=journal, out_dir=out_dir, labels=labels,
        workers=workers, progress=progress, replaces=replaces, others=others, step=step,
    )  # fmt: skip
    return _complete(
        client, signer, journal, body, batch, prepared, relayer=relayer, timings=timings,
        progress=progress, step=step,
    )  # fmt: skip


def issue_replacement(
    client: ChainClient,
    signer: Signer,
    document: Mapping[str, Any],
    *,
    journal: Journal,
    out_dir: str | os.PathLike[str] | None,
    relayer: TransactionSigner | None,
    replaces: str,
    also_check: Sequence[str | os.PathLike[str]] = (),
) -> IssueResult:
    """Issue the successor of certificate ``replaces`` as a batch of one; the journal records the
    pending link with it, for ``actions.replace`` (or ``resume``) to send."""
    with OtherJournals.open(also_check, exclude=journal.location) as others:
        return _issue(
            client, signer, [document], journal=journal, out_dir=out_dir, relayer=relayer,
            replaces=replaces, others=others,
        ).result  # fmt: skip


def _record(
    client: ChainClient,
    signer: Signer,
    sources: Sequence[DocumentSource],
    *,
    journal: Journal,
    out_dir: str | os.PathLike[str] | None,
    labels: Sequence[str] | None = None,
    workers: int = 1,
    progress: Progress | None = None,
    replaces: str | None = None,
    body: IssuingBody | None = None,
    others: OtherJournals | None = None,
    step: Step = no_step,
) -> tuple[IssuingBody, BatchRecord, list[PreparedCertificate], dict[str, float]]:
    """Check the key (unless ``body`` was just checked), validate, hash and journal the
    documents as one ``prepared`` batch; ``others`` (the body's other journals) must not hold
    any of its numbers."""
    if not sources:
        raise IssuingError("no documents to issue", code="nothing_to_issue")
    started = time.perf_counter()
    if body is None:
        body = issuing_body(client, signer, journal, accredited=True)
    known = [
        s["number"] for s in sources if isinstance(s, Mapping) and isinstance(s.get("number"), str)
    ]
    journal.refuse_taken(known)
    checked_body = body

    def refuse_elsewhere(numbers: Iterable[str]) -> None:
        if others is not None:
            others.refuse_taken(
                numbers, chain_id=checked_body.chain_id, registry=checked_body.registry,
                issuer_id=checked_body.issuer_id,
            )  # fmt: skip

    refuse_elsewhere(known)
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

    def chunks() -> Iterator[list[PreparedCertificate]]:
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
            # Numbers of file sources are known only now; raising here, before the journal took
            # the chunk, rolls the whole batch back. Other journals are other databases, so
            # reading them does not wait on this journal's open transaction.
            refuse_elsewhere(c.number for c in chunk)
            prepared.extend(chunk)
            yield chunk
            step("during_prepare")
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
    step("after_prepare")
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
    body: IssuingBody,
    batch: BatchRecord,
    certs: list[PreparedCertificate],
    *,
    relayer: TransactionSigner | None,
    timings: dict[str, float],
    progress: Progress | None,
    out_override: Path | None = None,
    step: Step = no_step,
) -> _Issued:
    """Take a journaled batch from whatever state it is in to anchored with its files written."""
    tree, batch = _tree_and_signature(client, signer, journal, body, batch, certs, timings, step)

    t0 = time.perf_counter()
    found = False
    if batch.state is not BatchState.ANCHORED:
        found = _ensure_anchored(client, signer, journal, body, batch, relayer, step)
        batch = journal.batch(batch.id)
    timings["anchor"] = time.perf_counter() - t0
    return _finish(journal, body, batch, certs, tree, found, timings, progress, out_override, step)


def complete_batch(
    client: ChainClient,
    signer: Signer,
    journal: Journal,
    body: IssuingBody,
    batch: BatchRecord,
    *,
    relayer: TransactionSigner | None = None,
    out_dir: Path | None = None,
    progress: Progress | None = None,
    step: Step = no_step,
) -> IssueResult:
    """Finish a batch an earlier run left in the journal: sign, anchor (unless the ledger holds
    it already) and write its files, to ``out_dir`` when given instead of the folder first asked."""
    certs = journal.certificates(batch.id)
    return _complete(
        client, signer, journal, body, batch, certs, relayer=relayer, timings={},
        progress=progress, out_override=out_dir, step=step,
    ).result  # fmt: skip


def _tree_and_signature(
    client: ChainClient,
    signer: Signer,
    journal: Journal,
    body: IssuingBody,
    batch: BatchRecord,
    certs: list[PreparedCertificate],
    timings: dict[str, float],
    step: Step,
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
        step("after_sign")
        batch = journal.batch(batch.id)
    timings["sign"] = time.perf_counter() - t0
    return tree, batch


def _finish(
    journal: Journal,
    body: IssuingBody,
    batch: BatchRecord,
    certs: list[PreparedCertificate],
    tree: MerkleTree,
    found: bool,
    timings: dict[str, float],
    progress: Progress | None,
    out_override: Path | None,
    step: Step,
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
        files = _write_files(journal, batch, certs, tree, anchoring, out, progress, step)
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
    body: IssuingBody,
    batch: BatchRecord,
    relayer: TransactionSigner | None,
    step: Step,
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
        step("after_anchor_before_files")
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
    sender: TransactionSigner = relayer if relayer is not None else signer
    r, vs = Signature.from_bytes(batch.signature).compact()
    fn = client.certificates.functions.anchor(
        batch.root, batch.leaf_count, body.issuer_id, batch.epoch, batch.deadline, r, vs
    )

    def on_signed(tx_hash: str) -> None:
        journal.mark_submitted(batch.id, tx_hash=tx_hash, sender=sender.address, raw=recorder.raw)
        step("before_broadcast")

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
    step("after_submit")
    journal.mark_anchored(
        batch.id, tx_hash=tx.tx_hash, block_number=tx.block_number, gas_used=tx.gas_used
    )
    step("after_anchor_before_files")
    return False


def _chain_now(client: ChainClient) -> int:
    return int(client.guard(lambda: client.w3.eth.get_block("latest"))["timestamp"])


def _signing_terms(client: ChainClient, signer: Signer) -> tuple[int, int]:
    """The body's epoch now and a deadline ``ANCHOR_DEADLINE`` after the chain's clock."""
    terms = anchor_terms(client, signer.address)
    if terms.standing is not Standing.ACCREDITED:
        raise NotAccredited(signer.address, terms.issuer_id, terms.standing)
    return terms.epoch, _chain_now(client) + ANCHOR_DEADLINE


def _anchored_on_ledger(
    client: ChainClient, body: IssuingBody, batch: BatchRecord
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
        [batch.root, issuer_topic(body.issuer_id)],
        from_block=anchor.anchored_block,
        to_block=anchor.anchored_block,
    )
    if event is None:
        raise JournalError(
            f"the ledger anchored batch #{batch.id} in block {anchor.anchored_block} but shows no Anchored event there",
            code="journal_inconsistent",
        )
    return event.tx_hash, event.block_number, gas_used(client, event.tx_hash)


def _write_files(
    journal: Journal,
    batch: BatchRecord,
    certs: list[PreparedCertificate],
    tree: MerkleTree,
    anchoring: Anchoring,
    out: Path,
    progress: Progress | None,
    step: Step,
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
            step("mid_files")
        if progress is not None and (i % 500 == 499 or i == len(certs) - 1):
            progress("files", i + 1, len(certs))
    if not batch.files_written or batch.out_dir != str(out):
        journal.mark_files_written(batch.id, str(out))
    return tuple(paths)
