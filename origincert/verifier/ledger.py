"""The edge: read what the ledger says about many certificates in one JSON-RPC round trip.

Every certificate is asked for one issuing body, the one its document names: anchors and
revocations are keyed ``(issuerId, root)`` and ``(issuerId, leaf)`` on chain, so another body's
anchor of the same root or leaf is never seen. A chunk of certificates is one JSON-RPC batch:
``certificateStatuses`` calls of at most :data:`STATUS_CALL` certificates, the key record of each distinct signer and the view of each issuing
body named (known from the files, so asked at once), and the receipt of each anchoring transaction
the files name, which holds the ``Anchored`` event. The first chunk of a read also asks for the
head block before and after the calls: a node answers a batch's calls in order (geth and Hardhat
do), so the same head hash on both sides means every call read that block; otherwise a block was
sealed meanwhile, and the chunk is read again pinned at the later head (a second round trip, at most
once per block). Later chunks are pinned at that block. Further round trips only when needed:
``eth_getLogs`` (paged by the client's log span) when a file names no transaction or one that is
not the anchoring one, views the files did not predict, and the revokers of revoked certificates.

"Accredited at issue" is the anchor record itself: the contract accepts an anchor only while its
signer is the body's accredited key in the signed epoch, in that very transaction, so no timestamp
is judged. Calls are ABI-coded by ``origincert.chain.codec`` and sent by ``rpc``, so a node that is
down is ``ChainUnavailable``. A log query the node refuses costs evidence (the transaction, the
revoker), never a verdict; so does a prefetched view the node refuses (asked again if needed).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from origincert.chain import ChainClient, decode_revert
from origincert.chain.codec import decode_issuer, decode_statuses, fn, topic, uints
from origincert.chain.logs import block_spans
from origincert.chain.rpc import Call, Pending, transport_for
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
    "STATUS_CALL",
    "ChunkRead",
    "LedgerReader",
    "Session",
]

DEFAULT_CHUNK = 500  # certificates per JSON-RPC batch (one round trip)
MAX_BATCH = 1_000  # calls per JSON-RPC batch: geth's default --rpc.batch-request-limit
# Certificates per certificateStatuses call. Its result array is built in EVM memory, whose cost
# grows with the square of its size: for 500 certificates Hardhat spent 224 ms of CPU as one call
# of 500, 84 ms as calls of 250, 62 ms as calls of 125, 86 ms as calls of 50 (measured on
# 2026-12-04, 5 runs each); a chunk is several such calls in its one batch.
STATUS_CALL = 125


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
        self._client = client
        self._certificates = client.manifest.certificate_registry.address.lower()
        self._issuers = client.manifest.issuer_registry.address.lower()
        self._chunk = chunk
        self._transport = transport_for(client)

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
        n_status = -(-len(queries) // STATUS_CALL)
        plan = _Plan.of(s, queries, MAX_BATCH - n_status - 2)
        statuses = fn("CertificateRegistry", "certificateStatuses")
        calls = [
            *(
                self._call(
                    self._certificates,
                    statuses.data(
                        [q.issuer_id for q in part],
                        [q.root for q in part],
                        [q.leaf for q in part],
                    ),
                    s.block_tag,
                )
                for part in _parts(queries, STATUS_CALL)
            ),
            *self._views(s, plan.keys, plan.issuers),
            *(("eth_getTransactionReceipt", [tx]) for tx in plan.receipts),
        ]
        if s.block is None:  # the head before and after: both the same, every call read it
            calls = [_HEAD, *calls, _HEAD]
        return ChunkRead(self, s, queries, calls, self._transport.send(calls), plan)

    def _finish_chunk(
        self,
        s: Session,
        queries: Sequence[LedgerQuery],
        calls: list[Call],
        answer: Any,
        plan: _Plan,
    ) -> list[LedgerFacts]:
        first = s.block is None
        n_status = -(-len(queries) // STATUS_CALL)
        # the prefetched views and receipts may fail on their own (an id no body has): optional
        prefetched = range(n_status + (1 if first else 0), len(calls) - (1 if first else 0))
        results = self._results(calls, answer, optional=prefetched)
        if first:
            head, after = results[0], results[-1]
            if not (isinstance(head, dict) and isinstance(after, dict)):
                raise ChainError(
                    f"the node at {self._client.url} did not name its head block", code="rpc_error"
                )
            if head.get("hash") != after.get("hash"):  # sealed meanwhile: read again, pinned
                s.block, s.block_time = self._head(after)
                return self.begin_chunk(s, queries).facts()
            s.block, s.block_time = self._head(head)
            results = results[1:-1]
        statuses = [
            st
            for raw, part in zip(results, _parts(queries, STATUS_CALL), strict=False)
            for st in decode_statuses(raw, len(part))
        ]
        views = results[n_status : n_status + len(plan.keys) + len(plan.issuers)]
        receipts = results[n_status + len(views) :]
        self._store_views(s, plan.keys, plan.issuers, views)

        anchors = [_anchor(st[0]) for st in statuses]
        for q, a in zip(queries, anchors, strict=True):
            if a is not None:
                s.anchor_blocks[(a[0], q.root)] = a[3]
        self._take_receipts(s, receipts)
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

    def _head(self, block: dict[str, Any]) -> tuple[int, int]:
        try:
            return int(block["number"], 16), int(block["timestamp"], 16)
        except (KeyError, TypeError, ValueError) as exc:
            raise ChainError(
                f"the node at {self._client.url} sent an unreadable block", code="rpc_error"
            ) from exc

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
        ranges = _block_ranges(sorted({s.anchor_blocks[r] for r in roots}), self._client.log_span)
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
        views = self._views(s, keys, issuers)
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
        self._store_views(s, keys, issuers, results[len(log_calls) :])

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
            for lo, hi in block_spans(a[3], s.block, self._client.log_span):
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
        views = self._views(s, [], others)
        results = self._batch(log_calls + views, optional=len(log_calls))
        self._store_views(s, [], others, results[len(log_calls) :])
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
        key_fn = fn("IssuerRegistry", "keyRecord")
        owners = self._batch(
            [self._call(self._issuers, key_fn.data(by), s.block_tag) for _, by, _, _ in found]
        )
        for (key, by, tx, issuer_id), owner in zip(found, owners):
            role = (
                "issuing body"
                if uints(owner, (32, 48, 48))[0] == issuer_id
                else "competent authority"
            )
            s.revokers[key] = (by, role, tx)

    def _views(self, s: Session, keys: list[str], issuers: list[int]) -> list[Call]:
        key_fn, issuer_fn = fn("IssuerRegistry", "keyRecord"), fn("IssuerRegistry", "issuer")
        return [self._call(self._issuers, key_fn.data(k), s.block_tag) for k in keys] + [
            self._call(self._issuers, issuer_fn.data(i), s.block_tag) for i in issuers
        ]

    def _store_views(
        self, s: Session, keys: list[str], issuers: list[int], results: list[Any]
    ) -> None:
        for key, raw in zip(keys, results, strict=False):
            if raw is not None:  # None: a prefetch the node refused, asked again if needed
                issuer_id, active_from, retired_at = uints(raw, (32, 48, 48))
                s.keys[key] = (issuer_id, active_from, retired_at)
        for i, raw in zip(issuers, results[len(keys) :], strict=True):
            if raw is not None:
                s.issuers[i] = decode_issuer(raw)

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
                f"the node at {self._client.url} refused a batch request: {responses!r:.200}",
                code="rpc_error",
            )
        responses.sort(key=lambda r: r.get("id") if isinstance(r.get("id"), int) else -1)
        spared = range(optional) if isinstance(optional, int) else optional
        out: list[Any] = []
        for n, ((method, _), response) in enumerate(zip(calls, responses, strict=True)):
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
                raise ChainError(
                    f"the node at {self._client.url} refused {method}: {error}", code="rpc_error"
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


_HEAD: Call = ("eth_getBlockByNumber", ["latest", False])
_MAX_ISSUER_ID = 2**32 - 1  # issuing body ids are uint32 on chain


@dataclass(frozen=True, slots=True)
class _Plan:
    """What a chunk's one request asks besides the statuses: what the files predict."""

    keys: list[str]  # signers whose key record this session has not read
    issuers: list[int]  # issuing bodies the files name, not read yet
    receipts: list[str]  # anchoring transactions the files name, events not known yet

    @classmethod
    def of(cls, s: Session, queries: Sequence[LedgerQuery], budget: int) -> _Plan:
        """At most ``budget`` calls: key records first, then bodies, then receipts; whatever
        does not fit is asked in the next round, as if the files had not predicted it."""
        keys = sorted({q.signer.lower() for q in queries if q.signer is not None} - s.keys.keys())
        issuers = sorted(
            {q.issuer_id for q in queries if 0 < q.issuer_id <= _MAX_ISSUER_ID} - s.issuers.keys()
        )
        receipts = sorted(
            {
                q.tx_hash.lower()
                for q in queries
                if q.tx_hash is not None and (q.issuer_id, q.root) not in s.events
            }
        )
        keys = keys[: max(budget, 0)]
        issuers = issuers[: max(budget - len(keys), 0)]
        return cls(keys, issuers, receipts[: max(budget - len(keys) - len(issuers), 0)])


class Session:
    """What one verification run has learned so far; reused across its chunks, never across runs
    (an issuer's status may change between two runs)."""

    def __init__(self) -> None:
        self.block: int | None = None
        self.block_time: int | None = None
        # (issuer, root) -> (tx, signer) of the Anchored event
        self.events: dict[tuple[int, bytes], tuple[str | None, str | None]] = {}
        self.anchor_blocks: dict[tuple[int, bytes], int] = {}
        self.keys: dict[str, tuple[int, int, int]] = {}  # key -> (issuer, activeFrom, retiredAt)
        self.issuers: dict[int, IssuerInfo] = {}
        self.revokers: dict[
            tuple[int, bytes, bytes], tuple[str | None, str | None, str | None]
        ] = {}

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


def _parts(items: Sequence[LedgerQuery], size: int) -> list[Sequence[LedgerQuery]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


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
