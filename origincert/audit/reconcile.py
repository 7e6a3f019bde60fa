"""Reconcile an issuing body's archive of issued files with the ledger, both ways.

Every archived certificate must be anchored with a matching proof: the leaf recomputed from its
``target_hash`` (``keccak256(keccak256(target_hash))``), the root recomputed from its Merkle proof
(sorted pairs), and that root anchored by the issuer whose key signed it. Every anchor of the
archive's issuers must be accounted for by an archived certificate: an anchor nobody archived
means a key was used outside the issuer's own process (or files were lost), either way someone
must look. Records come from :mod:`origincert.audit.archive`; anchors are looked up in the
audit's store, 500 at a time.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from origincert.audit.archive import ArchivedCertificate
from origincert.audit.findings import Finding, finding
from origincert.audit.patterns import DEFAULT_POLICY, PatternPolicy, retroactive_shares
from origincert.audit.state import LedgerState

__all__ = ["ContractLookup", "ReconciliationSummary", "reconcile", "reconcile_sources"]


@dataclass
class ReconciliationSummary:
    files: int = 0
    anchored: int = 0
    issuers: list[int] = field(default_factory=list)
    issuer_anchors: int = 0
    accounted: int = 0
    retroactive: int = 0
    by_problem: dict[str, int] = field(default_factory=dict)
    sources: dict[int, list[str]] = field(default_factory=dict)  # issuer -> archives, journals
    # root -> the first few certificate numbers archived under it, so a finding about an anchor
    # can name its certificates (not in the JSON: the report puts them on the findings)
    root_numbers: dict[str, list[str]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "root_numbers"}


_FILE_PROBLEMS = {
    "reconciliation.unreadable_file": "cannot be read as an issued certificate file",
    "reconciliation.leaf_mismatch": "has a target hash that does not give its leaf (altered?)",
    "reconciliation.proof_mismatch": "has a Merkle proof that does not reach its root",
}


ROOT_NUMBERS = 5  # certificate numbers kept per anchored root, to name them in findings
ROOTS_NAMED = 200_000  # roots whose numbers are kept (about 30 MB at most)

# (issuer, root) keys -> {key: (issuer id, block)} for those the contract has anchored (asked
# for anchors the replay never saw)
ContractLookup = Callable[[list[tuple[int, str]]], dict[tuple[int, str], tuple[int, int]]]


class _Reconciler:
    def __init__(
        self,
        state: LedgerState,
        chain_id: int,
        registry: str,
        issuer_ids: set[int] | None,
        base: str | None,
        lookup: ContractLookup | None,
    ) -> None:
        self.state = state
        self.lookup = lookup
        self.chain_id = chain_id
        self.registry = registry.lower()
        self.explicit = issuer_ids
        self.scope: set[int] = set(issuer_ids or ())
        self.base = base
        self.findings: list[Finding] = []
        self.summary = ReconciliationSummary()
        self.leaves: dict[str, set[str]] = {}  # root -> archived leaves
        # (issuer, number) -> {leaf: file}: numbers are unique per issuing body
        self.numbers: dict[tuple[int, str], dict[str, str]] = {}
        self.source = ""  # the archive folder or journal being read
        self.retro: dict[int, list[Any]] = {}  # issuer -> [certificates, retroactive, example]
        self.batches_reported: set[tuple[str, int | None]] = set()

    def _name(self, path: str) -> str:
        return os.path.relpath(path, self.base) if self.base else path

    def _add(
        self,
        code: str,
        message: str,
        c: ArchivedCertificate,
        *,
        tx: str | None = None,
        block: int | None = None,
        issuer_id: int | None = None,
        **details: Any,
    ) -> None:
        self.summary.by_problem[code] = self.summary.by_problem.get(code, 0) + 1
        self.findings.append(
            finding(
                code,
                message,
                tx_hash=tx,
                block=block,
                issuer_id=issuer_id,
                subject=c.number or self._name(c.path),
                details={"file": self._name(c.path), **details},
            )
        )

    def batch(self, certificates: list[ArchivedCertificate]) -> None:
        keys = self.state.keys

        def body(c: ArchivedCertificate) -> int:  # anchors are per issuing body: the signer's
            key = keys.get(c.signer or "")
            return key.issuer_id if key else 0

        anchors = self.state.store.anchors((body(c), c.root) for c in certificates if c.root)
        for c in certificates:  # a root anchored only by another body: judged as that body's
            if c.root and (body(c), c.root) not in anchors:
                others = self.state.store.anchors_of_root(c.root)
                if others:
                    anchors[(body(c), c.root)] = others[0]
        missing = [c for c in certificates if not c.problems and (body(c), c.root) not in anchors]
        on_contract = (
            self.lookup(sorted({(body(c), c.root) for c in missing if c.root}))
            if self.lookup and missing
            else {}
        )
        for c in certificates:
            self.summary.files += 1
            what = f"certificate {c.number or self._name(c.path)}"
            for code, text in c.problems:
                sentence = _FILE_PROBLEMS[code]
                self._add(
                    code,
                    f"{what} {sentence} ({text})"
                    if code.endswith("unreadable_file")
                    else f"{what} {sentence}",
                    c,
                )
            if c.problems:  # a file that contradicts itself accounts for nothing
                continue
            root, leaf = c.root, c.leaf
            if root is None or leaf is None:  # only an unreadable file lacks them: a problem above
                continue
            key = keys.get(c.signer or "")
            issuer_id = key.issuer_id if key else None
            if issuer_id is not None and self.explicit is None:
                self.scope.add(issuer_id)
            self._count_retro(c, issuer_id)
            if c.chain_id != self.chain_id or c.registry != self.registry:
                self._add(
                    "reconciliation.wrong_network",
                    f"{what} names chain {c.chain_id} and registry {c.registry}, not this ledger",
                    c,
                    issuer_id=issuer_id,
                )
                continue
            if issuer_id is not None:
                sources = self.summary.sources.setdefault(issuer_id, [])
                if self.source not in sources:
                    sources.append(self.source)
            if c.number is not None and c.root:
                self._name_root(c.root, c.number)
            if c.number is not None:
                leaves = self.numbers.setdefault((issuer_id or 0, c.number), {})
                leaves.setdefault(leaf, self._name(c.path))
            anchor = anchors.get((body(c), root))
            if anchor is None and (body(c), root) in on_contract:
                by, block = on_contract[(body(c), root)]
                self._add(
                    "crosscheck.hidden_anchor",
                    f"{what}: the contract has its root {root[:10]}… anchored (issuer {by}, block {block}), "
                    "but the node's logs never showed that anchor",
                    c,
                    block=block,
                    issuer_id=by,
                    root=root,
                )
                continue
            pending = c.journal_state not in (None, "anchored")
            if anchor is None and pending:
                if self._once_per_batch(c):
                    self._add(
                        "reconciliation.journal_pending",
                        f"batch {c.journal_batch} of the journal is {c.journal_state}, not on the ledger yet",
                        c,
                        tx=c.tx_hash,
                        issuer_id=issuer_id,
                        state=c.journal_state,
                    )
                continue
            if anchor is None:
                self._add(
                    "reconciliation.not_anchored",
                    f"{what} is archived as issued but its root {root[:10]}… is not on the ledger",
                    c,
                    tx=c.tx_hash,
                    issuer_id=issuer_id,
                )
                continue
            if pending and self._once_per_batch(c):
                self._add(
                    "reconciliation.journal_behind",
                    f"batch {c.journal_batch} is anchored on the ledger but the journal still says {c.journal_state}: "
                    "resume the issuer so it writes the files",
                    c,
                    tx=anchor.tx_hash,
                    block=anchor.block,
                    issuer_id=issuer_id,
                    state=c.journal_state,
                )
            self.summary.anchored += 1
            self.leaves.setdefault(root, set()).add(leaf)
            if issuer_id is None or anchor.issuer_id != issuer_id:
                self._add(
                    "reconciliation.wrong_issuer",
                    f"{what} says it was signed by {c.signer} (issuer {issuer_id}), but its root was anchored by "
                    f"issuer {anchor.issuer_id}",
                    c,
                    tx=anchor.tx_hash,
                    block=anchor.block,
                    issuer_id=anchor.issuer_id,
                )
                continue
            if anchor.signer != c.signer:
                self._add(
                    "reconciliation.signer_mismatch",
                    f"{what} names signer {c.signer}, the anchor was signed by {anchor.signer}",
                    c,
                    tx=anchor.tx_hash,
                    block=anchor.block,
                    issuer_id=issuer_id,
                )
            if c.batch_size != anchor.leaf_count:
                self._add(
                    "reconciliation.batch_size_mismatch",
                    f"{what} says its batch holds {c.batch_size}, the anchor says {anchor.leaf_count}",
                    c,
                    tx=anchor.tx_hash,
                    block=anchor.block,
                    issuer_id=issuer_id,
                )
            if c.tx_hash and c.tx_hash != anchor.tx_hash:
                self._add(
                    "reconciliation.tx_mismatch",
                    f"{what} names transaction {c.tx_hash[:10]}…, its root was anchored in {anchor.tx_hash[:10]}…",
                    c,
                    tx=anchor.tx_hash,
                    block=anchor.block,
                    issuer_id=issuer_id,
                )

    def _name_root(self, root: str, number: str) -> None:
        known = self.summary.root_numbers
        named = known.get(root)
        if named is None:
            if len(known) >= ROOTS_NAMED:  # bounded memory on a national archive
                return
            named = known[root] = []
        if len(named) < ROOT_NUMBERS and number not in named:
            named.append(number)

    def duplicates(self) -> None:
        """One finding per number an issuing body gave to more than one certificate, naming them
        all (the same certificate in an archive and a journal is one certificate, not two)."""
        for (issuer_id, number), leaves in sorted(self.numbers.items()):
            if len(leaves) < 2:
                continue
            files = sorted(leaves.values())
            self.summary.by_problem["reconciliation.duplicate_number"] = (
                self.summary.by_problem.get("reconciliation.duplicate_number", 0) + 1
            )
            self.findings.append(
                finding(
                    "reconciliation.duplicate_number",
                    f"number {number} of issuer {issuer_id or 'unknown'} was given to {len(leaves)} "
                    f"different certificates ({', '.join(files[:5])}{' …' if len(files) > 5 else ''}): "
                    "numbers are unique per issuing body, so one number is covering two consignments",
                    issuer_id=issuer_id or None,
                    subject=number,
                    details={"files": files, "leaves": sorted(leaves)},
                )
            )

    def _once_per_batch(self, c: ArchivedCertificate) -> bool:
        key = (c.path.split("#")[0], c.journal_batch)
        if key in self.batches_reported:
            return False
        self.batches_reported.add(key)
        return True

    def _count_retro(self, c: ArchivedCertificate, issuer_id: int | None) -> None:
        if issuer_id is None:
            return
        entry = self.retro.setdefault(issuer_id, [0, 0, ""])
        entry[0] += 1
        if c.retroactive:
            entry[1] += 1
            entry[2] = entry[2] or (c.number or self._name(c.path))
            self.summary.retroactive += 1

    def unaccounted(self) -> None:
        """Anchors of the archive's issuers that no archived certificate accounts for."""
        self.summary.issuers = sorted(self.scope)
        for issuer_id in sorted(self.scope):
            for anchor in self.state.store.iter_anchors(issuer_id):
                self.summary.issuer_anchors += 1
                leaves = self.leaves.get(anchor.root)
                if leaves is None:
                    self.findings.append(
                        finding(
                            "reconciliation.anchor_not_archived",
                            f"root {anchor.root[:10]}… ({anchor.leaf_count} certificate(s)) was anchored by issuer {issuer_id} "
                            "but no archived certificate accounts for it",
                            tx_hash=anchor.tx_hash,
                            block=anchor.block,
                            issuer_id=issuer_id,
                            subject=anchor.root,
                            details={"leaf_count": anchor.leaf_count},
                        )
                    )
                    continue
                self.summary.accounted += 1
                if len(leaves) < anchor.leaf_count:
                    self.findings.append(
                        finding(
                            "reconciliation.batch_incomplete",
                            f"batch {anchor.root[:10]}… of issuer {issuer_id} holds {anchor.leaf_count} certificates, "
                            f"the archive has {len(leaves)}",
                            tx_hash=anchor.tx_hash,
                            block=anchor.block,
                            issuer_id=issuer_id,
                            subject=anchor.root,
                            details={"leaf_count": anchor.leaf_count, "archived": len(leaves)},
                        )
                    )
        for code in ("reconciliation.anchor_not_archived", "reconciliation.batch_incomplete"):
            n = sum(1 for f in self.findings if f.code == code)
            if n:
                self.summary.by_problem[code] = n


def reconcile(
    state: LedgerState,
    certificates: Iterable[ArchivedCertificate],
    *,
    chain_id: int,
    registry: str,
    issuer_ids: set[int] | None = None,
    base: str | os.PathLike[str] | None = None,
    policy: PatternPolicy = DEFAULT_POLICY,
    lookup: ContractLookup | None = None,
) -> tuple[list[Finding], ReconciliationSummary]:
    """Findings for an archive against the rebuilt ledger.

    ``issuer_ids`` names whose archive it is; by default, the issuers whose keys signed its files.
    ``base`` makes file names in findings relative to the archive folder. ``lookup`` asks the
    contract about roots the replay never saw: anchored there means the node hid their logs.
    """
    name = str(Path(base)) if base else ""
    return reconcile_sources(
        state,
        [(name, certificates)],
        chain_id=chain_id,
        registry=registry,
        issuer_ids=issuer_ids,
        relative=bool(base),
        policy=policy,
        lookup=lookup,
    )


def reconcile_sources(
    state: LedgerState,
    sources: Iterable[tuple[str, Iterable[ArchivedCertificate]]],
    *,
    chain_id: int,
    registry: str,
    issuer_ids: set[int] | None = None,
    relative: bool = True,
    policy: PatternPolicy = DEFAULT_POLICY,
    lookup: ContractLookup | None = None,
) -> tuple[list[Finding], ReconciliationSummary]:
    """Several archive folders and journals as one archive: an issuing body's files are often
    spread over folders and workstations, and judged one by one each would call the others'
    anchors unarchived, and a number used in two folders would go unseen. ``sources`` are
    (folder or journal, its certificates); with ``relative``, file names in findings are
    relative to their folder.
    """
    r = _Reconciler(state, chain_id, registry, issuer_ids, None, lookup)
    sources = list(sources)
    folders = [name for name, _ in sources if name and Path(name).is_dir()]
    base = os.path.commonpath(folders) if relative and folders else None  # names tell folders apart
    for name, certificates in sources:
        r.source = name
        r.base = base if name in folders else None
        chunk: list[ArchivedCertificate] = []
        for c in certificates:
            chunk.append(c)
            if len(chunk) >= 1_000:
                r.batch(chunk)
                chunk = []
        r.batch(chunk)
    r.duplicates()
    r.unaccounted()
    counts = {i: (n, retro, example) for i, (n, retro, example) in r.retro.items()}
    return r.findings + retroactive_shares(counts, state, policy), r.summary
