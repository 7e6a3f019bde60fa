"""One audit run: replay (from a checkpoint when there is one), judge, cross-check, reconcile.

The order is the ledger's: each range of blocks is checked as a ledger (links, time), its
transactions judged and applied, then, once the replay reached the pinned head, the end-of-run
rules (lapsed accreditations), the patterns, the cross-check against the contracts' views at that
same head, and the reconciliation of archives. The checkpoint is saved last (and every minute on
long runs), so an interrupted audit resumes where its last save stood.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

from origincert.audit.archive import archive_files, read_archive, read_journal
from origincert.audit.blocks import check_headers
from origincert.audit.checkpoint import (
    Checkpoint,
    open_checkpoint,
    reset_checkpoint,
    save_checkpoint,
)
from origincert.audit.crosscheck import CrosscheckSummary, anchored_on_contract, crosscheck
from origincert.audit.findings import Finding, Severity, finding, worst
from origincert.audit.node import NodeRpc, Rpc
from origincert.audit.patterns import DEFAULT_POLICY, PatternPolicy, find_patterns
from origincert.audit.reconcile import ReconciliationSummary, reconcile_sources
from origincert.audit.replay import RangePolicy, prefetch, stream
from origincert.audit.rules import Auditor, lapsed_accreditations
from origincert.audit.state import LedgerState
from origincert.chain import ChainClient, Manifest
from origincert.errors import ChainError, OriginCertError

__all__ = ["MAX_PER_CODE", "AuditOptions", "AuditResult", "run_audit"]

MAX_PER_CODE = 1_000  # findings kept per code; the rest are counted in one summary finding
SAVE_EVERY = 60.0  # seconds between checkpoint saves on a long replay


@dataclass(frozen=True)
class AuditOptions:
    checkpoint: Path | None = (
        None  # folder; None: replay from the deployment into a throw-away store
    )
    to_block: int | None = (
        None  # audit as of this block; default the node's head when the run starts
    )
    archives: tuple[Path, ...] = ()  # folders of issued files (``*.coo.json``)
    journals: tuple[
        Path, ...
    ] = ()  # issuers' journals (``origincert.issuer``), reconciled like archives
    archive_issuers: frozenset[int] | None = (
        None  # whose archive; default the issuers whose keys signed it
    )
    crosscheck: bool = True
    workers: int | None = None  # processes reading archives; default one per CPU
    patterns: PatternPolicy = DEFAULT_POLICY
    ranges: RangePolicy | None = (
        None  # eth_getLogs range sizing (a fresh policy per run by default)
    )
    status_lists: Path | None = None  # published status lists (a file or folder) to check
    trust_list: Path | None = None  # trusted DID documents: whose VC keys may sign those lists


@dataclass
class AuditResult:
    """What a run found and the state it rebuilt; ``close()`` (or ``with``) releases the store."""

    manifest: Manifest
    first_block: int
    last_block: int
    last_timestamp: int | None
    resumed: bool
    findings: list[Finding]
    state: LedgerState
    crosscheck: CrosscheckSummary | None
    reconciliations: list[tuple[str, ReconciliationSummary]]
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def worst(self) -> Severity | None:
        return worst(self.findings)

    def close(self) -> None:
        self.state.store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _cap(findings: list[Finding], per_code: int) -> list[Finding]:
    counts: dict[str, int] = {}
    kept: list[Finding] = []
    for f in findings:
        counts[f.code] = counts.get(f.code, 0) + 1
        if counts[f.code] <= per_code:
            kept.append(f)
    for code, n in counts.items():
        if n > per_code:
            kept.append(
                finding(
                    code,
                    f"… and {n - per_code} more findings {code} not listed",
                    details={"omitted": n - per_code},
                )
            )
    return kept


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """A replay allocates millions of short-lived objects and makes almost no cycles: let the
    collector skip everything that existed before the run (modules, web3) and run less often.
    Without this, collections cost a third of the replay."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(threshold[0], 50_000), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def _resume(rpc: Rpc, cp: Checkpoint) -> tuple[Checkpoint, list[Finding]]:
    """Is the checkpoint's last block still on the ledger? If not, history was rewritten: start over."""
    h = cp.last_header
    if h is None:
        return cp, []
    block = rpc.call("eth_getBlockByNumber", [hex(h.number), False])
    if block is not None and block["hash"].lower() == h.hash:
        return cp, []
    now = block["hash"].lower() if block else "missing"
    rewritten = finding(
        "ledger.history_rewritten",
        f"block {h.number} was {h.hash[:10]}… when the last audit saw it and is now {now[:10]}…: the ledger's "
        "history changed since; the audit starts over from the deployment",
        tx_hash=None,
        block=h.number,
        issuer_id=None,
        subject=h.hash,
        details={"was": h.hash, "now": now},
    )
    return reset_checkpoint(cp), [rewritten]


def _replay(
    rpc: Rpc,
    manifest: Manifest,
    cp: Checkpoint,
    start: int,
    head: int,
    options: AuditOptions,
    on_progress: Callable[[int, int], None] | None,
) -> tuple[list[Finding], dict[str, Any], int | None]:
    """Stream ``[start, head]``, judging each chunk as a ledger and each transaction by the rules.

    Returns the findings, counters, and the time of the first block replayed (None if none)."""
    contracts = {
        manifest.issuer_registry.address.lower(): "IssuerRegistry",
        manifest.certificate_registry.address.lower(): "CertificateRegistry",
    }
    auditor = Auditor(cp.state)
    policy = options.ranges or RangePolicy()
    findings: list[Finding] = []
    first_ts: int | None = None
    logs = events = transactions = 0
    started = last_save = time.perf_counter()
    for chunk in prefetch(stream(rpc, contracts, start, head, policy)):
        findings.extend(check_headers(cp.last_header, chunk.headers))
        findings.extend(chunk.findings)
        findings.extend(auditor.process_all(chunk.transactions))
        events += sum(len(tx.events) for tx in chunk.transactions)
        transactions += len(chunk.transactions)
        logs += chunk.logs
        if chunk.headers:
            first_ts = chunk.headers[0].timestamp if first_ts is None else first_ts
            cp.last_header = chunk.headers[-1]
        cp.state.store.commit()
        if options.checkpoint is not None and time.perf_counter() - last_save > SAVE_EVERY:
            save_checkpoint(options.checkpoint, cp, manifest)
            last_save = time.perf_counter()
        if on_progress is not None:
            on_progress(chunk.last - start + 1, head - start + 1)
    seconds = time.perf_counter() - started
    stats = {
        "blocks": max(0, head - start + 1),
        "logs": logs,
        "events": events,
        "transactions": transactions,
        "replay_seconds": round(seconds, 3),
        "events_per_second": round(events / seconds) if seconds > 0 and events else 0,
        "range_shrinks": policy.shrinks,
    }
    return findings, stats, first_ts


def _reconcile_all(
    rpc: Rpc, manifest: Manifest, state: LedgerState, options: AuditOptions, pinned: int
) -> tuple[list[Finding], list[tuple[str, ReconciliationSummary]], int]:
    """Every archive folder and journal of the options, against the rebuilt state."""

    def lookup(keys: list[tuple[int, str]]) -> dict[tuple[int, str], tuple[int, int]]:
        return anchored_on_contract(rpc, manifest, keys, block=pinned)

    common: dict[str, Any] = {
        "chain_id": manifest.chain_id,
        "registry": manifest.certificate_registry.address,
        "issuer_ids": set(options.archive_issuers) if options.archive_issuers else None,
        "policy": options.patterns,
        "lookup": lookup,
    }
    findings: list[Finding] = []
    sources: list[tuple[str, Any]] = []
    records = 0
    for folder in options.archives:
        files = archive_files([folder])
        records += len(files)
        sources.append((str(folder), read_archive(files, workers=options.workers)))
    for path in options.journals:
        certificates, unsigned = read_journal(
            path, chain_id=manifest.chain_id, registry=manifest.certificate_registry.address
        )
        records += len(certificates)
        findings.extend(unsigned)
        sources.append((str(path), certificates))
    if not sources:
        return findings, [], records
    # every folder and journal together: one chamber's files are often spread over several
    found, summary = reconcile_sources(state, sources, **common)
    findings.extend(found)
    done = [(" + ".join(name for name, _ in sources), summary)]
    return findings, done, records


def _status_lists(
    rpc: Rpc, state: LedgerState, options: AuditOptions, pinned: int
) -> list[Finding]:
    """Each published status list against the ledger (``origincert.audit.statuslists``)."""
    from origincert.audit.statuslists import audit_status_lists

    if options.trust_list is None or options.status_lists is None:
        raise OriginCertError(
            "checking status lists needs the trust list of DID documents", code="trust_list_missing"
        )
    if not isinstance(rpc, NodeRpc):  # the lists are rebuilt from the node's logs, as published
        raise OriginCertError("checking status lists needs a node", code="audit_node_missing")
    return audit_status_lists(
        rpc.client, state, lists_path=options.status_lists,
        trust_path=options.trust_list, archives=options.archives, to_block=pinned,
        workers=options.workers,
    )  # fmt: skip


def _audit(
    rpc: Rpc,
    manifest: Manifest,
    cp: Checkpoint,
    head: int,
    options: AuditOptions,
    on_progress: Callable[[int, int], None] | None,
) -> AuditResult:
    """Resume, replay, end-of-run rules and patterns, cross-check, reconcile, save: in that order."""
    cp, findings = _resume(rpc, cp)
    resumed = cp.last_header is not None
    deployed = min(manifest.issuer_registry.block, manifest.certificate_registry.block)
    start = cp.last_header.number + 1 if cp.last_header else deployed
    if head < start - 1:
        raise OriginCertError(
            f"block {head} is before the checkpoint's block {start - 1}", code="audit_range"
        )
    since_ts = cp.last_header.timestamp if cp.last_header else 0

    found, stats, first_ts = _replay(rpc, manifest, cp, start, head, options, on_progress)
    findings.extend(found)
    until_ts = cp.last_header.timestamp if cp.last_header else 0
    findings.extend(lapsed_accreditations(cp.state, since_ts, until_ts))
    if first_ts is not None:
        findings.extend(find_patterns(cp.state, cp.reported, first_ts, until_ts, options.patterns))

    summary = None
    t = time.perf_counter()
    if options.crosscheck and cp.last_header is not None:
        found, summary = crosscheck(
            rpc, manifest, cp.state, block=cp.last_header.number, since_block=start - 1
        )
        findings.extend(found)
    stats["crosscheck_seconds"] = round(time.perf_counter() - t, 3)

    t = time.perf_counter()
    pinned = cp.last_header.number if cp.last_header else head
    found, reconciliations, records = _reconcile_all(rpc, manifest, cp.state, options, pinned)
    findings.extend(found)
    stats["archived_files"] = records
    stats["reconcile_seconds"] = round(time.perf_counter() - t, 3)

    if options.status_lists is not None:
        t = time.perf_counter()
        findings.extend(_status_lists(rpc, cp.state, options, pinned))
        stats["status_list_seconds"] = round(time.perf_counter() - t, 3)

    if options.checkpoint is not None:
        save_checkpoint(options.checkpoint, cp, manifest)
    return AuditResult(
        manifest=manifest,
        first_block=start,
        last_block=head,
        last_timestamp=cp.last_header.timestamp if cp.last_header else None,
        resumed=resumed,
        findings=_cap(findings, MAX_PER_CODE),
        state=cp.state,
        crosscheck=summary,
        reconciliations=reconciliations,
        stats=stats,
    )


def run_audit(
    client: ChainClient,
    options: AuditOptions = AuditOptions(),
    *,
    rpc: Rpc | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> AuditResult:
    """Audit the ledger ``client`` points at; ``on_progress(blocks_done, blocks_total)`` per range."""
    manifest = client.manifest
    if manifest is None:
        raise ChainError(
            "no deployment manifest: the audit needs to know the registries",
            code="manifest_missing",
        )
    rpc = rpc or NodeRpc(client)
    head = (
        options.to_block
        if options.to_block is not None
        else int(rpc.call("eth_blockNumber", []), 16)
    )
    cp = open_checkpoint(options.checkpoint, manifest)
    try:
        with _fewer_collections():
            return _audit(rpc, manifest, cp, head, options, on_progress)
    except BaseException:
        cp.state.store.close()
        raise
