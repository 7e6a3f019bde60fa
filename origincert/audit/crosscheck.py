"""Compare the state rebuilt from events with what the contracts' own views say, at one block.

Everything small is compared in full on every run: council, threshold, every proposal, every
authority, every issuer and key, and each issuer's status and each key's standing at every point
where its history changes (``statusAt``, ``standingAt``). Certificates are compared for the
anchors, revocations and replacements of the replayed range (all of them on a full replay; a
checkpoint was compared when it was made) with ``certificateStatuses``, 500 per call, several
calls per JSON-RPC batch. A difference means the events and the storage disagree: a node serving
a doctored log, or a contract that changes state without saying so.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from origincert.audit import calls
from origincert.audit.findings import Finding, finding
from origincert.audit.node import Rpc
from origincert.audit.state import LedgerState, standing_at, status_at
from origincert.audit.store import AnchorRow
from origincert.chain import Manifest

__all__ = ["CrosscheckSummary", "anchored_on_contract", "crosscheck"]

ZERO = "0x" + "0" * 40
STATUS_CHUNK = (
    200  # certificates per certificateStatuses call (Hardhat slows down past a few hundred)
)
CALLS_PER_BATCH = 10
_STATUS_FIELDS = (
    "issuerId",
    "leafCount",
    "anchoredAt",
    "anchoredBlock",
    "revokedAt",
    "revocationReason",
    "epoch",  # the anchor
    "leafRevokedAt",
    "leafRevocationReason",
    "replacedAt",
    "replacedByRoot",
    "replacedByLeaf",
)  # the leaf


@dataclass
class CrosscheckSummary:
    block: int
    compared: dict[str, int] = field(default_factory=dict)

    def add(self, what: str, n: int = 1) -> None:
        self.compared[what] = self.compared.get(what, 0) + n


def _mismatch(
    code: str,
    subject: str,
    expected: Any,
    actual: Any,
    *,
    tx: str | None = None,
    block: int | None = None,
    issuer_id: int | None = None,
) -> Finding:
    """``code`` is ``crosscheck.<what>_mismatch``; the message names ``<what>``."""
    what = code.removeprefix("crosscheck.").removesuffix("_mismatch")
    return finding(
        code,
        f"{what} {subject}: the events say {expected!r}, the contract says {actual!r}",
        tx_hash=tx,
        block=block,
        issuer_id=issuer_id,
        subject=subject,
        details={"expected": expected, "actual": actual},
    )


def _a(value: Any) -> str:
    return str(value).lower()


class _Checker:
    def __init__(self, rpc: Rpc, manifest: Manifest, state: LedgerState, block: int) -> None:
        self.rpc = rpc
        self.state = state
        self.tag = hex(block)
        self.issuers_at = manifest.issuer_registry.address
        self.certs_at = manifest.certificate_registry.address
        self.findings: list[Finding] = []
        self.summary = CrosscheckSummary(block)

    def _ask(
        self, contract: str, name: str, args_list: list[tuple[Any, ...]]
    ) -> list[tuple[Any, ...]]:
        v = calls.view(contract, name)
        to = self.issuers_at if contract == "IssuerRegistry" else self.certs_at
        raw = (
            self.rpc.batch([v.request(to, self.tag, *args) for args in args_list])
            if args_list
            else []
        )
        return [v.decode(r) for r in raw]

    def governance(self) -> None:
        s = self.state
        (members,), (threshold,), (proposals,), (issuers,) = [
            self._ask("IssuerRegistry", n, [()])[0]
            for n in ("councilMembers", "threshold", "proposalCount", "issuerCount")
        ]
        if sorted(_a(m) for m in members) != sorted(s.council):
            self.findings.append(
                _mismatch(
                    "crosscheck.council_mismatch",
                    "members",
                    sorted(s.council),
                    sorted(_a(m) for m in members),
                )
            )
        if threshold != s.threshold:
            self.findings.append(
                _mismatch("crosscheck.threshold_mismatch", "M of N", s.threshold, threshold)
            )
        if proposals != len(s.proposals):
            self.findings.append(
                _mismatch("crosscheck.proposal_mismatch", "count", len(s.proposals), proposals)
            )
        if issuers != len(s.issuers):
            self.findings.append(
                _mismatch("crosscheck.issuer_mismatch", "count", len(s.issuers), issuers)
            )
        self.summary.add("council", 4)

        ids = sorted(i for i in s.proposals if i < proposals)
        states = ("pending", "executed", "failed", "cancelled")
        for pid, (view,) in zip(
            ids, self._ask("IssuerRegistry", "proposal", [(i,) for i in ids]), strict=True
        ):
            proposer, state, expires_at, epoch, data, approvers, approvals = view
            p = s.proposals[pid]
            mine = (p.proposer, p.state, p.expires_at, p.council_epoch, p.data,
                    sorted(p.approvers), s.approvals(p))  # fmt: skip
            theirs = (
                _a(proposer),
                states[state] if state < len(states) else str(state),
                expires_at,
                epoch,
                "0x" + bytes(data).hex(),
                sorted(_a(x) for x in approvers),
                approvals,
            )
            if mine != theirs:
                self.findings.append(
                    _mismatch(
                        "crosscheck.proposal_mismatch",
                        str(pid),
                        list(mine),
                        list(theirs),
                        tx=p.created_tx,
                        block=p.created_block,
                    )
                )
        self.summary.add("proposals", len(ids))

        economies = sorted({a["economy"] for a in s.authority_history})
        for economy, (account,) in zip(
            economies,
            self._ask(
                "IssuerRegistry",
                "authorityOf",
                [(e.encode("latin-1")[:2].ljust(2, b"\0"),) for e in economies],
            ),
            strict=True,
        ):
            if _a(account) != s.authority_of.get(economy, ZERO):
                self.findings.append(
                    _mismatch(
                        "crosscheck.authority_mismatch",
                        economy,
                        s.authority_of.get(economy, ZERO),
                        _a(account),
                    )
                )
        accounts = sorted({a["account"] for a in s.authority_history})
        for account, (economy,) in zip(
            accounts,
            self._ask("IssuerRegistry", "economyOf", [(a,) for a in accounts]),
            strict=True,
        ):
            held = bytes(economy).decode("latin-1") if any(economy) else ""
            if held != s.economy_of.get(account, ""):
                self.findings.append(
                    _mismatch(
                        "crosscheck.authority_mismatch",
                        account,
                        s.economy_of.get(account, ""),
                        held,
                    )
                )
        self.summary.add("authorities", len(economies) + len(accounts))

    def issuers(self) -> None:
        s = self.state
        ids = sorted(s.issuers)
        for iid, (view,) in zip(
            ids, self._ask("IssuerRegistry", "issuer", [(i,) for i in ids]), strict=True
        ):
            i = s.issuers[iid]
            mine = [
                i.id,
                i.economy,
                int(i.status),
                i.valid_from,
                i.valid_until,
                i.status_since,
                i.signing_key,
                i.metadata_hash,
                i.name,
            ]
            theirs = [
                view[0],
                bytes(view[1]).decode("latin-1"),
                view[2],
                view[3],
                view[4],
                view[5],
                _a(view[6]),
                "0x" + bytes(view[7]).hex(),
                view[8],
            ]
            if mine != theirs:
                self.findings.append(
                    _mismatch(
                        "crosscheck.issuer_mismatch",
                        str(iid),
                        mine,
                        theirs,
                        tx=i.accredited_tx,
                        block=i.accredited_block,
                        issuer_id=iid,
                    )
                )
        self.summary.add("issuers", len(ids))

        keys = sorted(s.keys)
        for key, (iid, active_from, retired_at) in zip(
            keys, self._ask("IssuerRegistry", "keyRecord", [(k,) for k in keys]), strict=True
        ):
            k = s.keys[key]
            if [k.issuer_id, k.active_from, k.retired_at or 0] != [iid, active_from, retired_at]:
                self.findings.append(
                    _mismatch(
                        "crosscheck.key_mismatch",
                        key,
                        [k.issuer_id, k.active_from, k.retired_at or 0],
                        [iid, active_from, retired_at],
                        issuer_id=k.issuer_id,
                    )
                )
        self.summary.add("keys", len(keys))

        # VC keys: each hash's record, and each body's key at its current epoch.
        hashes = sorted(s.vc_keys)
        for key_hash, answer in zip(
            hashes,
            self._ask("IssuerRegistry", "vcKeyRecord", [(bytes.fromhex(h[2:]),) for h in hashes]),
            strict=True,
        ):
            v = s.vc_keys[key_hash]
            mine = [v.issuer_id, v.from_epoch, v.until_epoch, v.since, v.retired_at]
            if mine != list(answer):
                self.findings.append(
                    _mismatch(
                        "crosscheck.vc_key_mismatch",
                        key_hash,
                        mine,
                        list(answer),
                        issuer_id=v.issuer_id,
                    )
                )
        self.summary.add("VC keys", len(hashes))
        for iid, (theirs,) in zip(
            ids,
            self._ask("IssuerRegistry", "vcKeyAt", [(i, s.issuers[i].epoch) for i in ids]),
            strict=True,
        ):
            mine_at = s.vc_key_at(iid, s.issuers[iid].epoch)
            if mine_at != "0x" + bytes(theirs).hex():
                self.findings.append(
                    _mismatch(
                        "crosscheck.vc_key_at_mismatch",
                        f"issuer {iid} at epoch {s.issuers[iid].epoch}",
                        mine_at,
                        "0x" + bytes(theirs).hex(),
                        issuer_id=iid,
                    )
                )

        # History: status at, and just before, every change; standing of every key around every boundary.
        status_points = [
            (iid, t)
            for iid, i in s.issuers.items()
            for ts, _ in i.status_history
            for t in (ts - 1, ts)
            if t >= 0
        ]
        for (iid, t), (status,) in zip(
            status_points, self._ask("IssuerRegistry", "statusAt", status_points), strict=True
        ):
            status_here = int(status_at(s.issuers[iid], t))
            if status_here != status:
                self.findings.append(
                    _mismatch(
                        "crosscheck.status_history_mismatch",
                        f"issuer {iid} at {t}",
                        status_here,
                        status,
                        issuer_id=iid,
                    )
                )
        self.summary.add("status points", len(status_points))
        standing_points = sorted(
            {(key, t) for key, t in self._standing_points() if 0 <= t < 1 << 48}
        )
        for (key, t), (iid, standing) in zip(
            standing_points, self._ask("IssuerRegistry", "standingAt", standing_points), strict=True
        ):
            our_iid, our_standing = standing_at(s, key, t)
            if (our_iid, int(our_standing)) != (iid, standing):
                self.findings.append(
                    _mismatch(
                        "crosscheck.standing_mismatch",
                        f"{key} at {t}",
                        [our_iid, our_standing.name.lower()],
                        [iid, standing],
                        issuer_id=our_iid or None,
                    )
                )
        self.summary.add("standing points", len(standing_points))

    def _standing_points(self) -> Iterator[tuple[str, int]]:
        s = self.state
        for key, k in s.keys.items():
            i = s.issuers.get(k.issuer_id)
            if i is None:
                continue
            edges = [k.active_from, i.valid_from, i.valid_until] + [
                ts for ts, _ in i.status_history
            ]
            if k.retired_at is not None:
                edges.append(k.retired_at)
            for t in edges:
                yield key, t - 1
                yield key, t

    def certificates(self, since_block: int) -> None:
        store = self.state.store
        batch: list[tuple[str, str, tuple[int, ...], str, int, int]] = []
        for row, expected in store.statuses(since_block=since_block):
            batch.append((row.root, row.root, expected, row.tx_hash, row.block, row.issuer_id))
            if len(batch) >= STATUS_CHUNK * CALLS_PER_BATCH:
                self._compare(batch)
                batch = []
        # Certificates revoked or replaced in the range, unless compared above as an anchor of the range.
        pairs: set[tuple[int, str, str]] = {
            (r.issuer_id, r.root, r.leaf or r.root)
            for r in store.iter_revocations(since_block=since_block)
        }
        pairs.update(
            (p.issuer_id, p.old_root, p.old_leaf)
            for p in store.iter_replacements(since_block=since_block)
        )
        for iid, root, leaf in list(pairs):
            anchor = store.anchor(iid, root) if leaf == root else None
            if anchor is not None and anchor.block > since_block:
                pairs.discard((iid, root, leaf))
        for iid, root, leaf in sorted(pairs):
            batch.append(self._expected(iid, root, leaf, store.anchor(iid, root)))
            if len(batch) >= STATUS_CHUNK * CALLS_PER_BATCH:
                self._compare(batch)
                batch = []
        self._compare(batch)

    def _expected(
        self, issuer_id: int, root: str, leaf: str, anchor: AnchorRow | None
    ) -> tuple[str, str, tuple[int, ...], str, int, int]:
        store = self.state.store
        rr = store.revocation(issuer_id, root)
        lr = store.revocation(issuer_id, root, leaf)
        rp = store.replacement(issuer_id, leaf)
        expected = (
            anchor.issuer_id if anchor else 0,
            anchor.leaf_count if anchor else 0,
            anchor.timestamp if anchor else 0,
            anchor.block if anchor else 0,
            rr.timestamp if rr else 0,
            rr.reason if rr else 0,
            anchor.epoch if anchor else 0,
            lr.timestamp if lr else 0,
            lr.reason if lr else 0,
            rp.timestamp if rp else 0,
            int(rp.new_root, 16) if rp else 0,
            int(rp.new_leaf, 16) if rp else 0,
        )
        tx, block = (anchor.tx_hash, anchor.block) if anchor else ("", 0)
        return root, leaf, expected, tx, block, issuer_id

    def _compare(self, batch: list[tuple[str, str, tuple[int, ...], str, int, int]]) -> None:
        if not batch:
            return
        v = calls.view("CertificateRegistry", "certificateStatuses")
        requests = []
        for i in range(0, len(batch), STATUS_CHUNK):
            part = batch[i : i + STATUS_CHUNK]
            requests.append(
                v.request(
                    self.certs_at,
                    self.tag,
                    [b[5] for b in part],
                    [bytes.fromhex(b[0][2:]) for b in part],
                    [bytes.fromhex(b[1][2:]) for b in part],
                )
            )
        actual = [w for raw in self.rpc.batch(requests) for w in calls.status_words(raw)]
        for (root, leaf, expected, tx, block, iid), theirs in zip(batch, actual, strict=True):
            if expected != theirs:
                diff = {
                    n: [e, t]
                    for n, e, t in zip(_STATUS_FIELDS, expected, theirs, strict=True)
                    if e != t
                }
                anchor_only = set(diff) <= set(_STATUS_FIELDS[:7])
                what = "anchor" if anchor_only else "certificate"
                code = (
                    "crosscheck.anchor_mismatch"
                    if anchor_only
                    else "crosscheck.certificate_mismatch"
                )
                self.findings.append(
                    finding(
                        code,
                        f"{what} {leaf[:10]}… under root {root[:10]}…: the events and the contract differ in {', '.join(diff)}",
                        tx_hash=tx or None,
                        block=block or None,
                        issuer_id=iid or None,
                        subject=leaf,
                        details={"root": root, "leaf": leaf, "differences": diff},
                    )
                )
        self.summary.add("certificates", len(batch))


def crosscheck(
    rpc: Rpc, manifest: Manifest, state: LedgerState, *, block: int, since_block: int = -1
) -> tuple[list[Finding], CrosscheckSummary]:
    """Compare the rebuilt state with the contracts' views at ``block``."""
    checker = _Checker(rpc, manifest, state, block)
    checker.governance()
    checker.issuers()
    checker.certificates(since_block)
    return checker.findings, checker.summary


def anchored_on_contract(
    rpc: Rpc, manifest: Manifest, keys: list[tuple[int, str]], *, block: int
) -> dict[tuple[int, str], tuple[int, int]]:
    """Which (issuer, root) anchors the contract holds at ``block``: key -> (issuer id, block)."""
    v = calls.view("CertificateRegistry", "certificateStatuses")
    to, tag = manifest.certificate_registry.address, hex(block)
    requests = []
    for i in range(0, len(keys), STATUS_CHUNK):
        part = keys[i : i + STATUS_CHUNK]
        roots = [bytes.fromhex(r[2:]) for _, r in part]
        requests.append(v.request(to, tag, [iid for iid, _ in part], roots, roots))
    words = [w for raw in rpc.batch(requests) for w in calls.status_words(raw)] if requests else []
    return {key: (w[0], w[3]) for key, w in zip(keys, words, strict=True) if w[2] != 0}
