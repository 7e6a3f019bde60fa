"""One audit run: replay (from a checkpoint when there is one), judge, cross-check, reconcile.

The order is the ledger's: each range of blocks is checked as a ledger (links, time), its
transactions judged and applied, then, once the replay reached the pinned head, the end-of-run
rules (lapsed accreditations), the patterns, the cross-check against the contracts' views at that
same head, and the reconciliation of archives. The checkpoint is saved last (and every minute on
long runs), so an interrupted audit resumes where its last save stood.
"""

from __future__ import annotations

import time
from collections.abc import Callable
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
from origincert.audit.findings import Finding, Severity, worst
from origincert.audit.node import NodeRpc, Rpc
from origincert.audit.patterns import DEFAULT_POLICY, PatternPolicy, find_patterns
from origincert.audit.reconcile import ReconciliationSummary, reconcile
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
            severity = max(f.severity for f in kept if f.code == code)
            kept.append(
                Finding(
                    code,
                    severity,
                    f"… and {n - per_code} more findings {code} not listed",
                    details={"omitted": n - per_code},
                )
            )
    return kept


def _resume(rpc: Rpc, cp: Checkpoint) -> tuple[Checkpoint, list[Finding]]:
    """Is the checkpoint's last block still on the ledger? If not, history was rewritten: start over."""
    h = cp.last_header
    if h is None:
        return cp, []
    block = rpc.call("eth_getBlockByNumber", [hex(h.number), False])
    if block is not None and block["hash"].lower() == h.hash:
        return cp, []
    now = block["hash"].lower() if block else "missing"
    finding = Finding(
        "ledger.history_rewritten",
        Severity.CRITICAL,
        f"block {h.number} was {h.hash[:10]}… when the last audit saw it and is now {now[:10]}…: the ledger's "
        "history changed since; the audit starts over from the deployment",
        None,
        h.number,
        None,
        h.hash,
        {"was": h.hash, "now": now},
    )
    return reset_checkpoint(cp), [finding]


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
        cp, findings = _resume(rpc, cp)
        resumed = cp.last_header is not None
        start = (
            cp.last_header.number + 1
            if cp.last_header
            else min(manifest.issuer_registry.block, manifest.certificate_registry.block)
        )
        if head < start - 1:
            raise OriginCertError(
                f"block {head} is before the checkpoint's block {start - 1}", code="audit_range"
            )
        contracts = {
            manifest.issuer_registry.address.lower(): "IssuerRegistry",
            manifest.certificate_registry.address.lower(): "CertificateRegistry",
        }
        state = cp.state
        auditor = Auditor(state)
        since_ts = cp.last_header.timestamp if cp.last_header else 0
        first_ts: int | None = None
        logs = events = transactions = 0
        started = last_save = time.perf_counter()
        policy = options.ranges or RangePolicy()
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
            state.store.commit()
            if options.checkpoint is not None and time.perf_counter() - last_save > SAVE_EVERY:
                save_checkpoint(options.checkpoint, cp, manifest)
                last_save = time.perf_counter()
            if on_progress is not None:
                on_progress(chunk.last - start + 1, head - start + 1)
        replay_seconds = time.perf_counter() - started

        until_ts = cp.last_header.timestamp if cp.last_header else 0
        findings.extend(lapsed_accreditations(state, since_ts, until_ts))
        if first_ts is not None:
            findings.extend(find_patterns(state, cp.reported, first_ts, until_ts, options.patterns))

        summary = None
        t = time.perf_counter()
        if options.crosscheck and cp.last_header is not None:
            found, summary = crosscheck(
                rpc, manifest, state, block=cp.last_header.number, since_block=start - 1
            )
            findings.extend(found)
        crosscheck_seconds = time.perf_counter() - t

        reconciliations = []
        pinned = cp.last_header.number if cp.last_header else head

        def lookup(roots: list[str]) -> dict[str, tuple[int, int]]:
            return anchored_on_contract(rpc, manifest, roots, block=pinned)

        t = time.perf_counter()
        archived = 0
        for folder in options.archives:
            files = archive_files([folder])
            archived += len(files)
            found, rs = reconcile(
                state,
                read_archive(files, workers=options.workers),
                chain_id=manifest.chain_id,
                registry=manifest.certificate_registry.address,
                issuer_ids=set(options.archive_issuers) if options.archive_issuers else None,
                base=folder,
                policy=options.patterns,
                lookup=lookup,
            )
            findings.extend(found)
            reconciliations.append((str(folder), rs))
        for path in options.journals:
            records, unsigned = read_journal(
                path, chain_id=manifest.chain_id, registry=manifest.certificate_registry.address
            )
            archived += len(records)
            found, rs = reconcile(
                state,
                records,
                chain_id=manifest.chain_id,
                registry=manifest.certificate_registry.address,
                issuer_ids=set(options.archive_issuers) if options.archive_issuers else None,
                policy=options.patterns,
                lookup=lookup,
            )
            findings.extend(unsigned + found)
            reconciliations.append((str(path), rs))
        reconcile_seconds = time.perf_counter() - t

        if options.checkpoint is not None:
            save_checkpoint(options.checkpoint, cp, manifest)
        stats = {
            "blocks": max(0, head - start + 1),
            "logs": logs,
            "events": events,
            "transactions": transactions,
            "replay_seconds": round(replay_seconds, 3),
            "events_per_second": round(events / replay_seconds)
            if replay_seconds > 0 and events
            else 0,
            "range_shrinks": policy.shrinks,
            "crosscheck_seconds": round(crosscheck_seconds, 3),
            "archived_files": archived,
            "reconcile_seconds": round(reconcile_seconds, 3),
        }
        return AuditResult(
            manifest=manifest,
            first_block=start,
            last_block=head,
            last_timestamp=cp.last_header.timestamp if cp.last_header else None,
            resumed=resumed,
            findings=_cap(findings, MAX_PER_CODE),
            state=state,
            crosscheck=summary,
            reconciliations=reconciliations,
            stats=stats,
        )
    except BaseException:
        cp.state.store.close()
        raise
