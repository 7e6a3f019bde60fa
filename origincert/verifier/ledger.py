"""The edge: read what the ledger says about many certificates in one JSON-RPC round trip.

Every certificate is asked for one issuing body, the one its document names: anchors and
revocations are keyed ``(issuerId, root)`` and ``(issuerId, leaf)`` on chain, so another body's
anchor of the same root or leaf is never seen. A chunk of certificates is one JSON-RPC request:
one ``CertificateRegistry.verificationSnapshot`` call, which answers from one state, in one
``eth_call``, with the block (number, time, parent hash), each certificate's anchor and leaf
records, the key record of each distinct signer and the view of each issuing body named (known
from the files, so asked at once), plus the receipt of each anchoring transaction the files name,
which holds the ``Anchored`` event. One call reads one state, so no head is read before and after
it; the first chunk's block pins the later chunks and rounds (their calls name it). Further round
trips only when needed: ``eth_getLogs`` (paged by the client's log span) when a file names no
transaction or one that is not the anchoring one, views the files did not predict, and the
revokers of revoked certificates.

Why a view on the registry and not a deployless lens (an ``eth_call`` of a read-only contract's
init code, no deployment): a lens can only call the registries' views, so each certificate would
still cost a ``certificateStatuses`` item, whose memory structs are what the node spends its time
on; the registry's own code reads the two storage slots directly. Hardhat's CPU for 500
certificates: 71 ms as ``certificateStatuses`` calls of 125, 14 ms as one snapshot; for one
certificate, 1.95 ms as the six requests read before, 1.00 ms as the snapshot and the receipt
(``scripts/bench/snapshot.py``, medians of 5, load 2.7, 2026-12-05). A lens's answer is also
capped by EIP-170 (24,576 bytes of returned code) and its input by EIP-3860 (49,152 bytes of init
code), about 350 certificates a call; a view is not. The cost: the registry is redeployed.

"Accredited at issue" is the anchor record itself: the contract accepts an anchor only while its
signer is the body's accredited key in the signed epoch, in that very transaction, so no timestamp
is judged. The snapshot names the IssuerRegistry the CertificateRegistry is bound to: it must be
the manifest's, or nothing is read. Calls are ABI-coded by ``origincert.chain.codec`` and sent by
``rpc``, so a node that is down is ``ChainUnavailable``. A log query the node refuses costs
evidence (the transaction, the revoker), never a verdict; so does a receipt it refuses.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from origincert.chain import ChainClient, decode_revert
from origincert.chain.codec import Snapshot, decode_snapshot, encode_snapshot, fn, topic
from origincert.chain.logs import block_spans
from origincert.chain.rpc import Call, Pending, _HttpTransport, transport_for
from origincert.chain.types import IssuerInfo, Standing
from origincert.errors import ChainError
from origincert.verifier.facts import (
    AnchorRecord,
    LedgerFacts,
    LedgerQuery,
    Replacement,
    Revocation,
)

__all__ = [
    "DEFAULT_CHUNK",
    "LOG_SPAN",
    "MAX_BATCH",
    "SNAPSHOT_VIEWS",
    "ChunkRead",
    "LedgerReader",
    "ReaderSpec",
    "Session",
]

DEFAULT_CHUNK = 500  # certificates per JSON-RPC request (one round trip, one snapshot call)
MAX_BATCH = 1_000  # calls per JSON-RPC batch: geth's default --rpc.batch-request-limit
# Key records and issuing bodies asked in one snapshot call, besides its certificates: its gas stays
# far under the nodes' call caps (Hardhat 16,777,216; geth 50,000,000): 500 certificates take
# 1.9 million, a key record about 3,000 and a body's view about 15,000 more.
SNAPSHOT_VIEWS = 256


def _hex(b: bytes) -> str:
    return "0x" + b.hex()


def _word_address(topic_or_word: str) -> str:
    return "0x" + topic_or_word[-40:].lower()


class LedgerReader:
    """Reads certificate facts from the registries named in the client's manifest."""

    def __init__(self, client: ChainClient, *, chunk: int = DEFAULT_CHUNK) -> None:
        if client.manifest is None:
            raise ChainError(
                "no deployment manifest: the verifier needs to know the registries",
                code="manifest_missing",
            )
        if chunk < 1:
            raise ValueError("chunk must be at least 1")
        self._url, self._log_span = client.url, client.log_span
        self._certificates = client.manifest.certificate_registry.address.lower()
        self._issuers = client.manifest.issuer_registry.address.lower()
        self._chunk = chunk
        self._transport = transport_for(client)

    @classmethod
    def from_spec(cls, spec: ReaderSpec) -> LedgerReader:
        """A reader in another process (a verifier's worker), as :meth:`spec` describes it."""
        url, headers, timeout = spec.transport
        reader = cls.__new__(cls)
        reader._url, reader._log_span = url, spec.log_span
        reader._certificates, reader._issuers = spec.certificates, spec.issuers
        reader._chunk = spec.chunk
        reader._transport = _HttpTransport(url, dict(headers), timeout)
        return reader

    def spec(self) -> ReaderSpec | None:
        """What another process needs to read as this reader does: None unless it talks plain
        HTTP(S) through the fast transport (a custom provider stays in this process)."""
        if not isinstance(self._transport, _HttpTransport):
            return None
        return ReaderSpec(
            self._transport.settings, self._certificates, self._issuers, self._log_span, self._chunk
        )

    def pin(self, s: Session) -> None:
        """Pin a session at the head block now (an empty snapshot), so that several readers,
        each with a session pinned alike, read one state."""
        [raw] = self._batch([self._snapshot([], [], [], s)])
        self._checked(s, raw, 0, [], [])

    # ------------------------------------------------------------------ public

    @property
    def chunk(self) -> int:
        return self._chunk

    def read(self, queries: Sequence[LedgerQuery]) -> list[LedgerFacts]:
        """Facts for each query, in order, all as of the block current when the read starts."""
        session = Session()
        out: list[LedgerFacts] = []
        for start in range(0, len(queries), self._chunk):
            out.extend(self.read_chunk(session, queries[start : start + self._chunk]))
        return out

    # ------------------------------------------------------------------ one chunk

    def read_chunk(self, s: Session, queries: Sequence[LedgerQuery]) -> list[LedgerFacts]:
        """Facts for at most ``chunk`` queries. One session's chunks must be read one after the
        other (not concurrently): the first pins the block, later ones reuse what it learned."""
        return self.begin_chunk(s, queries).facts()

    def begin_chunk(self, s: Session, queries: Sequence[LedgerQuery]) -> ChunkRead:
        """Send the chunk's request and return: :meth:`ChunkRead.facts` finishes the read, so
        the caller can run the file checks while the node answers."""
        if len(queries) > self._chunk:
            raise ValueError(f"at most {self._chunk} queries per chunk")
        if not queries:
            return ChunkRead(self, s, queries, [], None)
        plan = _Plan.of(s, queries, SNAPSHOT_VIEWS, MAX_BATCH - 1)
        calls = [
            self._snapshot(
                [(q.issuer_id, q.root, q.leaf) for q in queries], plan.keys, plan.issuers, s
            ),
            *(("eth_getTransactionReceipt", [tx]) for tx in plan.receipts),
        ]
        return ChunkRead(self, s, queries, calls, self._transport.send(calls), plan)

    def _finish_chunk(
        self,
        s: Session,
        queries: Sequence[LedgerQuery],
        calls: list[Call],
        answer: Any,
        plan: _Plan,
    ) -> list[LedgerFacts]:
        # the receipts are hints: a node that refuses one costs a log query, not the read
        results = self._results(calls, answer, optional=range(1, len(calls)))
        snap = self._take_snapshot(s, results[0], len(queries), plan.keys, plan.issuers)
        statuses = snap.statuses
        anchors = [_anchor(st[0]) for st in statuses]
        for q, a in zip(queries, anchors, strict=True):
            if a is not None:
                s.anchor_blocks[(a[0], q.root)] = a[3]
        self._take_receipts(s, results[1:])
        # Second round, only for what the first could not predict: anchoring events without a
        # matching receipt, signers' key records and issuing bodies not asked for.
        roots_wanted = sorted(
            {
                (a[0], q.root)
                for q, a in zip(queries, anchors, strict=True)
                if a is not None and (a[0], q.root) not in s.events
            }
        )
        keys_wanted = sorted(
            {q.signer.lower() for q in queries if q.signer is not None} - s.keys.keys()
        )
        issuers_wanted = sorted({a[0] for a in anchors if a is not None} - s.issuers.keys())
        revoked = [
            (q, a, st)
            for q, a, st in zip(queries, anchors, statuses, strict=True)
            if a is not None and (a[4] or st[1])
        ]
        self._round(s, roots_wanted, keys_wanted, issuers_wanted)

        # Third round, rare: other signers' bodies, revokers.
        others = sorted({k[0] for k in s.keys.values() if k[0]} - s.issuers.keys())
        if others or revoked:
            self._third_round(s, others, revoked)

        return [
            self._facts(s, q, a, st) for q, a, st in zip(queries, anchors, statuses, strict=True)
        ]

    def _snapshot(
        self,
        certificates: list[tuple[int, bytes, bytes]],
        keys: list[str],
        issuers: list[int],
        s: Session,
    ) -> Call:
        data = encode_snapshot(certificates, keys, issuers)
        return self._call(self._certificates, data, s.block_tag)

    def _view_calls(
        self, s: Session, keys: list[str], issuers: list[int]
    ) -> tuple[list[tuple[list[str], list[int]]], list[Call]]:
        """Key records and bodies asked in snapshots of no certificate (:func:`_view_parts`)."""
        parts = _view_parts(keys, issuers)
        return parts, [self._snapshot([], k, i, s) for k, i in parts]

    def _take_views(
        self,
        s: Session,
        parts: list[tuple[list[str], list[int]]],
        raws: list[Any],
        issuers: list[int],
    ) -> None:
        """Keep the answers to :meth:`_view_calls`; every body in ``issuers`` must have a view."""
        for (k, i), raw in zip(parts, raws, strict=True):
            self._take_snapshot(s, raw, 0, k, i)
        _require_bodies(s, issuers)

    def _take_snapshot(
        self, s: Session, raw: Any, certificates: int, keys: list[str], issuers: list[int]
    ) -> Snapshot:
        """Decode a snapshot, check it (:meth:`_checked`) and keep its key records and bodies."""
        snap = self._checked(s, raw, certificates, keys, issuers)
        for key, record in zip(keys, snap.keys, strict=True):
            s.keys[key] = record
        for i, view in zip(issuers, snap.issuers, strict=True):
            if view is not None:  # None: no such body (an id a file named), nothing to keep
                s.issuers[i] = view
        return snap

    def _checked(
        self, s: Session, raw: Any, certificates: int, keys: list[str], issuers: list[int]
    ) -> Snapshot:
        """Decode a snapshot and check it is of the manifest's registries and of the session's
        block (the first snapshot of a session pins it). A later read names the block by number;
        one whose parent is not the first read's parent is of another branch (the chain was
        reorganised meanwhile, as Clique's can be at its head): refused, never mixed."""
        snap = decode_snapshot(raw, certificates, len(keys), len(issuers))
        if snap.issuer_registry != self._issuers:
            raise ChainError(
                f"the CertificateRegistry at {self._certificates} is bound to the IssuerRegistry "
                f"at {snap.issuer_registry}, not the manifest's {self._issuers}",
                code="manifest_mismatch",
            )
        if s.block is None:
            s.block, s.block_time, s.parent_hash = snap.block, snap.block_time, snap.parent_hash
        elif snap.block != s.block:
            raise ChainError(
                f"the node at {self._url} answered a read of block {s.block} from block "
                f"{snap.block}",
                code="rpc_error",
            )
        elif snap.parent_hash != s.parent_hash:
            raise ChainError(
                f"the ledger at {self._url} was reorganised during the read (block "
                f"{s.block} has another parent now): verify again",
                code="rpc_error",
            )
        return snap

    def _take_receipts(self, s: Session, receipts: list[Any]) -> None:
        """Anchored events from the receipts of the transactions the files name. An event counts
        only when it is this registry's, not removed, in a successful transaction, and in the very
        block the ledger's anchor record (read at the pinned block) gives for its (issuer, root):
        a file naming another transaction, or a forged one, finds nothing here and its event is
        searched in the logs, so the hint saves a round trip and decides nothing."""
        anchored = topic("CertificateRegistry", "Anchored")
        for receipt in receipts:
            try:
                found = _anchored_events(receipt, anchored, self._certificates)
            except (KeyError, TypeError, ValueError, AttributeError, IndexError):
                continue  # an unreadable receipt is no hint: the logs are searched instead
            for key, block, event in found:
                if key not in s.events and s.anchor_blocks.get(key) == block:
                    s.events[key] = event

    def _round(
        self, s: Session, roots: list[tuple[int, bytes]], keys: list[str], issuers: list[int]
    ) -> None:
        """The anchoring events of ``roots`` (issuer, root), the key records and the issuing
        bodies, in one batch."""
        ranges = _block_ranges(sorted({s.anchor_blocks[r] for r in roots}), self._log_span)
        log_calls = [
            self._logs(
                lo,
                hi,
                [
                    topic("CertificateRegistry", "Anchored"),
                    sorted({_hex(r) for i, r in roots if lo <= s.anchor_blocks[(i, r)] <= hi}),
                ],
            )
            for lo, hi in ranges
        ]
        parts, views = self._view_calls(s, keys, issuers)
        if not (log_calls or views):
            return
        results = self._batch(log_calls + views, optional=len(log_calls))
        wanted = set(roots)
        for logs in results[: len(log_calls)]:
            for log in logs or ():  # a node that refused a log query leaves the transaction unknown
                key = (int(log["topics"][2], 16), bytes.fromhex(log["topics"][1][2:]))
                if key in wanted and not log.get("removed"):
                    s.events[key] = (log["transactionHash"], _word_address(log["data"][2:66]))
        for r in roots:
            s.events.setdefault(r, (None, None))
        self._take_views(s, parts, results[len(log_calls) :], issuers)

    def _third_round(
        self,
        s: Session,
        others: list[int],
        revoked: list[tuple[LedgerQuery, tuple[Any, ...], tuple[Any, ...]]],
    ) -> None:
        """Rare: the issuing body of a signer that is not the anchoring one, and who revoked (from
        the revocation events, paged from the anchoring block to the read's block)."""
        wanted = [(q, a) for q, a, _ in revoked if (q.issuer_id, q.root, q.leaf) not in s.revokers]
        assert s.block is not None
        spans: list[tuple[int, int]] = []  # per wanted certificate, its range of log calls
        log_calls: list[Call] = []
        issuer_topic = lambda i: "0x" + i.to_bytes(32, "big").hex()
        for q, a in wanted:
            first = len(log_calls)
            for lo, hi in block_spans(a[3], s.block, self._log_span):
                log_calls.append(
                    self._logs(
                        lo,
                        hi,
                        [
                            topic("CertificateRegistry", "RootRevoked"),
                            _hex(q.root),
                            issuer_topic(a[0]),
                        ]
                        if a[4]
                        # a leaf's revocation holds under every root of its body: any root's event
                        else [topic("CertificateRegistry", "LeafRevoked"), None, _hex(q.leaf)],
                    )
                )
            spans.append((first, len(log_calls)))
        parts, views = self._view_calls(s, [], others)
        results = self._batch(log_calls + views, optional=len(log_calls))
        self._take_views(s, parts, results[len(log_calls) :], others)
        found: list[tuple[tuple[int, bytes, bytes], str, str, int]] = []  # key, by, tx, issuer
        for (q, a), (lo, hi) in zip(wanted, spans):
            live = [
                log
                for logs in results[lo:hi]
                for log in logs or ()
                if not log.get("removed")
                and (a[4] or int(log["data"][2:66], 16) == a[0])  # LeafRevoked: this body's
            ]
            if live:
                found.append(
                    (
                        (q.issuer_id, q.root, q.leaf),
                        _word_address(live[0]["topics"][-1] if a[4] else live[0]["topics"][3]),
                        live[0]["transactionHash"],
                        a[0],
                    )
                )
            else:  # the node would not search that far back: when and why are known, not who
                s.revokers[(q.issuer_id, q.root, q.leaf)] = (None, None, None)
        if not found:
            return
        # Who revoked: the issuing body's own key, or (the only other account allowed) its authority.
        parts = _view_parts(sorted({by for _, by, _, _ in found}), [])
        owners = {
            key: record
            for (k, _), raw in zip(
                parts, self._batch([self._snapshot([], k, [], s) for k, _ in parts]), strict=True
            )
            for key, record in zip(k, self._checked(s, raw, 0, k, []).keys, strict=True)
        }
        for key, by, tx, issuer_id in found:
            role = "issuing body" if owners[by][0] == issuer_id else "competent authority"
            s.revokers[key] = (by, role, tx)

    def _logs(self, lo: int, hi: int, topics: list[Any]) -> Call:
        return (
            "eth_getLogs",
            [
                {
                    "address": self._certificates,
                    "fromBlock": hex(lo),
                    "toBlock": hex(hi),
                    "topics": topics,
                }
            ],
        )

    # ------------------------------------------------------------------ assembling

    def _facts(
        self, s: Session, q: LedgerQuery, a: tuple[Any, ...] | None, st: tuple[Any, ...]
    ) -> LedgerFacts:
        assert s.block is not None and s.block_time is not None
        if a is None:
            return LedgerFacts(
                s.block, s.block_time, None, q.signer, None, 0, None, None, None, None
            )
        issuer_id, leaf_count, anchored_at, anchored_block, root_revoked_at, root_reason, epoch = a
        tx, event_signer = s.events.get((issuer_id, q.root), (None, None))
        signer = q.signer.lower() if q.signer is not None else event_signer
        # The signer's body from its key record. Its standing at issue is the anchor record's: the
        # contract took the anchor only from the body's accredited key of the signed epoch.
        standing_issuer = s.keys.get(signer, (0, 0, 0))[0] if signer else 0
        if q.signer is None:  # a reference: the anchoring key is the body's by construction
            standing_issuer = issuer_id
        standing = (
            (Standing.ACCREDITED if standing_issuer == issuer_id else Standing.UNKNOWN)
            if standing_issuer
            else Standing.UNKNOWN
        )
        revocation = None
        leaf_revoked_at, leaf_reason, replaced_at, by_root, by_leaf = st[1:]
        if root_revoked_at or leaf_revoked_at:
            by, role, rtx = s.revokers.get((q.issuer_id, q.root, q.leaf), (None, None, None))
            revocation = Revocation(
                scope="root" if root_revoked_at else "leaf",
                at=root_revoked_at or leaf_revoked_at,
                reason=root_reason if root_revoked_at else leaf_reason,
                by=by,
                by_role=role,
                tx_hash=rtx,
            )
        return LedgerFacts(
            block=s.block,
            block_time=s.block_time,
            anchor=AnchorRecord(
                issuer_id,
                leaf_count,
                anchored_at,
                anchored_block,
                root_revoked_at,
                root_reason,
                tx,
                event_signer,
                epoch,
            ),
            signer=signer,
            standing=standing,
            standing_issuer_id=standing_issuer,
            issuer=s.issuers.get(issuer_id),
            signer_issuer=s.issuers.get(standing_issuer)
            if standing_issuer and standing_issuer != issuer_id
            else None,
            revocation=revocation,
            replacement=Replacement(replaced_at, _hex(by_root), _hex(by_leaf))
            if replaced_at
            else None,
        )

    # ------------------------------------------------------------------ JSON-RPC

    def _call(self, to: str, data: str, block: str) -> tuple[str, list[Any]]:
        return ("eth_call", [{"to": to, "data": data}, block])

    def _batch(self, calls: Iterable[Call], *, optional: int = 0) -> list[Any]:
        """JSON-RPC batches of at most :data:`MAX_BATCH` calls; results in order. A revert
        becomes ContractRevert, an error ChainError, except in the first ``optional`` calls,
        whose errors give None."""
        calls = list(calls)
        out: list[Any] = []
        for i in range(0, len(calls), MAX_BATCH):
            part = calls[i : i + MAX_BATCH]
            spared = range(max(min(optional - i, len(part)), 0))
            out += self._results(part, self._transport.batch(part), optional=spared)
        return out

    def _results(
        self, calls: list[Call], responses: Any, *, optional: int | range = 0
    ) -> list[Any]:
        if (
            not isinstance(responses, list)
            or len(responses) != len(calls)
            or not all(isinstance(r, dict) for r in responses)
        ):
            raise ChainError(
                f"the node at {self._url} refused a batch request: {responses!r:.200}",
                code="rpc_error",
            )
        responses.sort(key=lambda r: r.get("id") if isinstance(r.get("id"), int) else -1)
        spared = range(optional) if isinstance(optional, int) else optional
        out: list[Any] = []
        for n, ((method, params), response) in enumerate(zip(calls, responses, strict=True)):
            error = response.get("error")
            if (error is not None or "result" not in response) and n in spared:
                out.append(None)
                continue
            if error is not None or "result" not in response:
                data = error.get("data") if isinstance(error, dict) else None
                if isinstance(data, dict):
                    data = data.get("data")
                if (
                    method == "eth_call"
                    and isinstance(data, str)
                    and data.startswith("0x")
                    and len(data) >= 10
                ):
                    raise decode_revert(data)
                hint = ""
                if method == "eth_call" and str(params[0].get("data", ""))[:10] == _SNAPSHOT:
                    hint = (
                        " (a CertificateRegistry deployed before verificationSnapshot existed "
                        "refuses it: deploy the registries of this version)"
                    )
                raise ChainError(
                    f"the node at {self._url} refused {method}: {error}{hint}",
                    code="rpc_error",
                )
            out.append(response["result"])
        return out


class ChunkRead:
    """A chunk whose first request is on its way to the node."""

    def __init__(
        self,
        reader: LedgerReader,
        s: Session,
        queries: Sequence[LedgerQuery],
        calls: list[Call],
        pending: Pending | None,
        plan: _Plan | None = None,
    ) -> None:
        self._reader, self._session, self._queries = reader, s, queries
        self._calls, self._pending, self._plan = calls, pending, plan

    def facts(self) -> list[LedgerFacts]:
        """Wait for the answer, make the chunk's other requests and return its facts, in order."""
        if self._pending is None:
            return []
        pending, self._pending = self._pending, None
        assert self._plan is not None
        return self._reader._finish_chunk(
            self._session, self._queries, self._calls, pending.result(), self._plan
        )


_MAX_ISSUER_ID = 2**32 - 1  # issuing body ids are uint32 on chain
_SNAPSHOT = "0x" + fn("CertificateRegistry", "verificationSnapshot").selector.hex()


@dataclass(frozen=True, slots=True)
class _Plan:
    """What a chunk's one request asks besides the statuses: what the files predict."""

    keys: list[str]  # signers whose key record this session has not read
    issuers: list[int]  # issuing bodies the files name, not read yet
    receipts: list[str]  # anchoring transactions the files name, events not known yet

    @classmethod
    def of(cls, s: Session, queries: Sequence[LedgerQuery], views: int, receipts: int) -> _Plan:
        """At most ``views`` key records and bodies (key records first) and ``receipts``
        receipts; whatever does not fit is asked in the next round, as if the files had not
        predicted it."""
        keys = sorted({q.signer.lower() for q in queries if q.signer is not None} - s.keys.keys())
        issuers = sorted(
            {q.issuer_id for q in queries if 0 < q.issuer_id <= _MAX_ISSUER_ID} - s.issuers.keys()
        )
        txs = sorted(
            {
                q.tx_hash.lower()
                for q in queries
                if q.tx_hash is not None and (q.issuer_id, q.root) not in s.events
            }
        )
        keys = keys[: max(views, 0)]
        issuers = issuers[: max(views - len(keys), 0)]
        return cls(keys, issuers, txs[: max(receipts, 0)])


@dataclass(frozen=True, slots=True)
class ReaderSpec:
    """A :class:`LedgerReader` as another process makes it again: picklable and hashable."""

    transport: tuple[str, tuple[tuple[str, str], ...], float]  # url, headers, timeout
    certificates: str
    issuers: str
    log_span: int
    chunk: int


class Session:
    """What one verification run has learned so far; reused across its chunks, never across runs
    (an issuer's status may change between two runs)."""

    def __init__(self) -> None:
        self.block: int | None = None
        self.block_time: int | None = None
        self.parent_hash: str | None = None  # of the pinned block: later reads must share it
        # (issuer, root) -> (tx, signer) of the Anchored event
        self.events: dict[tuple[int, bytes], tuple[str | None, str | None]] = {}
        self.anchor_blocks: dict[tuple[int, bytes], int] = {}
        self.keys: dict[str, tuple[int, int, int]] = {}  # key -> (issuer, activeFrom, retiredAt)
        self.issuers: dict[int, IssuerInfo] = {}
        self.revokers: dict[
            tuple[int, bytes, bytes], tuple[str | None, str | None, str | None]
        ] = {}

    @property
    def pin(self) -> tuple[int, int, str] | None:
        """The block this session reads (number, time, parent hash), once the first read set it."""
        if self.block is None or self.block_time is None or self.parent_hash is None:
            return None
        return self.block, self.block_time, self.parent_hash

    @classmethod
    def pinned(cls, pin: tuple[int, int, str]) -> Session:
        """A session that reads the block another session pinned (see :meth:`LedgerReader.pin`)."""
        s = cls()
        s.block, s.block_time, s.parent_hash = pin
        return s

    @property
    def block_tag(self) -> str:
        return "latest" if self.block is None else hex(self.block)


def _anchored_events(
    receipt: Any, anchored: str, registry: str
) -> list[tuple[tuple[int, bytes], int, tuple[str, str]]]:
    """The registry's Anchored events in a successful transaction's receipt:
    ((issuer, root), block, (transaction, signer)) each."""
    if not isinstance(receipt, dict) or receipt.get("status") != "0x1":
        return []
    block, tx = int(receipt["blockNumber"], 16), str(receipt["transactionHash"]).lower()
    out = []
    for log in receipt.get("logs") or ():
        topics: Sequence[str] = log.get("topics") or ()
        if (
            len(topics) == 3
            and topics[0] == anchored
            and str(log.get("address", "")).lower() == registry
            and not log.get("removed")
            and len(topics[1]) == 66
        ):
            key = (int(topics[2], 16), bytes.fromhex(topics[1][2:]))
            out.append((key, block, (tx, _word_address(log["data"][2:66]))))
    return out


def _view_parts(keys: list[str], issuers: list[int]) -> list[tuple[list[str], list[int]]]:
    """Key records and bodies in groups of at most :data:`SNAPSHOT_VIEWS`, one snapshot each."""
    views: list[tuple[str, str | int]] = [("key", k) for k in keys] + [("body", i) for i in issuers]
    return [
        (
            [str(v) for kind, v in views[n : n + SNAPSHOT_VIEWS] if kind == "key"],
            [int(v) for kind, v in views[n : n + SNAPSHOT_VIEWS] if kind == "body"],
        )
        for n in range(0, len(views), SNAPSHOT_VIEWS)
    ]


def _require_bodies(s: Session, issuers: list[int]) -> None:
    """Bodies the ledger itself names (by an anchor or a key record) must have a view."""
    missing = [i for i in issuers if i not in s.issuers]
    if missing:
        raise ChainError(
            f"the IssuerRegistry has no issuing body #{missing[0]}, which the ledger names",
            code="rpc_error",
        )


def _anchor(raw: tuple[Any, ...]) -> tuple[Any, ...] | None:
    """The Anchor struct as a plain tuple, or None when the root was never anchored."""
    return None if raw[2] == 0 else tuple(int(x) for x in raw)


LOG_SPAN = 1_000  # the default blocks per eth_getLogs (ChainClient.log_span rules)


def _block_ranges(blocks: list[int], span: int = LOG_SPAN) -> list[tuple[int, int]]:
    """Sorted block numbers grouped into ranges of at most ``span`` blocks, one log query each."""
    ranges: list[tuple[int, int]] = []
    for b in blocks:
        if ranges and b - ranges[-1][0] < span:
            ranges[-1] = (ranges[-1][0], b)
        else:
            ranges.append((b, b))
    return ranges
