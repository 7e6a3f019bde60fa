"""Batch verification reads the ledger in few calls: one verificationSnapshot per chunk (one state,
one eth_call), each distinct signing key and issuing body asked once, and each (root, signature)
recovered once. No standingAt: "accredited at issue" is the anchor record itself."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from origincert.chain import rpc
from origincert.chain.codec import fn as _fn
from origincert.verdict import Verdict
from origincert.verifier import Verifier, recompute
from origincert.verifier.text import iso
from verifier.conftest import DAY, Scene


class _Spy:
    """Counts the JSON-RPC batches and the requests in them that the verifier sends, and what
    each snapshot call asks (certificates, keys, bodies)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.batches, self.calls = 0, Counter[str]()
        self.snapshots: list[tuple[int, list[str], list[int]]] = []
        real = rpc._HttpTransport.send  # every batch goes through send

        def counted(transport: Any, calls: list[tuple[str, Any]]) -> Any:
            self.batches += 1
            for method, params in calls:
                name = _selector_name(method, params)
                self.calls[name] += 1
                if name == "verificationSnapshot":
                    self.snapshots.append(_snapshot_args(params[0]["data"]))
            return real(transport, calls)

        monkeypatch.setattr(rpc._HttpTransport, "send", counted)


def _snapshot_args(data: str) -> tuple[int, list[str], list[int]]:
    from eth_abi import decode

    packed, keys, ids = decode(["bytes", "address[]", "uint32[]"], bytes.fromhex(data[10:]))
    return len(packed) // 68, [k.lower() for k in keys], list(ids)


def _selector_name(method: str, params: Any) -> str:
    if method != "eth_call":
        return method
    data = params[0]["data"]
    names = {
        _fn("CertificateRegistry", "certificateStatuses").selector.hex(): "certificateStatuses",
        _fn("CertificateRegistry", "verificationSnapshot").selector.hex(): "verificationSnapshot",
        _fn("IssuerRegistry", "standingAt").selector.hex(): "standingAt",
        _fn("IssuerRegistry", "issuer").selector.hex(): "issuer",
        _fn("IssuerRegistry", "keyRecord").selector.hex(): "keyRecord",
    }
    return names.get(data[2:10], data[:10])


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> _Spy:
    return _Spy(monkeypatch)


def test_a_batch_costs_one_snapshot_per_chunk_and_a_few_batches(scene: Scene, spy: _Spy) -> None:
    files = (
        scene.files["batch"] * 4 + scene.files["single"] + scene.files["sg"]
    )  # 22 certificates, 3 roots
    v = Verifier(scene.client, chunk=8, clock=lambda: DAY)
    results = v.verify_many(files)
    assert {r.verdict for r in results} == {Verdict.VALID}
    assert [n for n, _, _ in spy.snapshots if n] == [8, 8, 6]  # one per chunk of 8
    assert spy.calls["standingAt"] == 0  # the anchor record answers "accredited at issue"
    assert spy.calls["keyRecord"] == spy.calls["issuer"] == 0  # asked inside the snapshots
    keys = [k for _, ks, _ in spy.snapshots for k in ks]
    bodies = [i for _, _, ids in spy.snapshots for i in ids]
    assert len(keys) == len(set(keys)) == 3  # one per signing key
    assert len(bodies) == len(set(bodies)) == 3  # one per issuing body
    assert spy.calls["eth_getLogs"] <= 3
    assert spy.batches <= 6


def test_a_single_verification_is_one_round_trip_of_one_call_and_its_receipt(
    scene: Scene, verifier: Verifier, spy: _Spy
) -> None:
    result = verifier.verify(scene.files["single"][0])
    assert result.verdict is Verdict.VALID
    assert spy.batches == 1
    assert spy.calls == Counter({"verificationSnapshot": 1, "eth_getTransactionReceipt": 1})
    assert result.evidence["anchor"]["tx"] == scene.files["single"][0]["proof"]["tx_hash"]
    head = scene.client.w3.eth.get_block("latest")
    assert result.evidence["ledger"]["block"] == head["number"]
    assert result.evidence["ledger"]["time"] == iso(head["timestamp"])  # the block's own time


def test_each_root_signature_is_recovered_once(
    scene: Scene, verifier: Verifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    recompute._recover.cache_clear()
    calls = Counter[bytes]()
    real = recompute.signing.recover_anchor_signer

    def counting(*args: Any, **kwargs: Any) -> str:
        calls[args[5]] += 1  # (root, leaf_count, issuer_id, epoch, deadline, signature)
        return real(*args, **kwargs)

    monkeypatch.setattr(recompute.signing, "recover_anchor_signer", counting)
    results = verifier.verify_many(scene.files["batch"] * 3 + scene.files["leaf_revoked"])
    assert len(results) == 18
    assert sorted(calls.values()) == [1, 1]


def test_a_provider_with_its_own_request_options_is_used_as_it_is(scene: Scene) -> None:
    from web3 import Web3

    from origincert.chain import ChainClient

    w3 = Web3(Web3.HTTPProvider(scene.client.url, request_kwargs={"timeout": 5, "verify": True}))
    client = ChainClient(w3, scene.client.url, scene.manifest)
    assert not isinstance(rpc.transport_for(client), rpc._HttpTransport)
    results = Verifier(client, clock=lambda: DAY).verify_many(
        scene.files["batch"] + scene.files["root_revoked"]
    )
    assert [r.verdict for r in results] == [Verdict.VALID] * 5 + [Verdict.REVOKED] * 2


def test_a_node_answering_http_errors_or_garbage_is_unavailable(scene: Scene) -> None:
    import http.server
    import threading

    from origincert.errors import ChainUnavailable

    answers = iter([(500, b"oops"), (200, b"<html>not json</html>"), (200, b'{"jsonrpc": "2.0"}')])

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            status, body = next(answers)
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        transport = rpc._HttpTransport(f"http://127.0.0.1:{server.server_port}", {}, 5.0)
        for code in ("node_error", "node_error"):
            with pytest.raises(ChainUnavailable) as info:
                transport.batch([("eth_blockNumber", [])])
            assert info.value.code == code
        assert transport.batch([("eth_blockNumber", [])]) == {
            "jsonrpc": "2.0"
        }  # not a list: the reader refuses it
        transport.close()
    finally:
        server.shutdown()
        server.server_close()


def test_hand_encoded_calls_match_eth_abi() -> None:
    import os

    from eth_abi import encode

    calls = [
        (
            "CertificateRegistry",
            "certificateStatuses",
            (
                [1, 2**32 - 1, 7],
                [os.urandom(32) for _ in range(3)],
                [os.urandom(32) for _ in range(3)],
            ),
        ),
        ("CertificateRegistry", "certificateStatuses", ([], [], [])),
        ("IssuerRegistry", "standingAt", ("0x" + os.urandom(20).hex(), 2**48 - 1)),
        ("IssuerRegistry", "issuer", (2**32 - 1,)),
        ("IssuerRegistry", "keyRecord", ("0x" + os.urandom(20).hex(),)),
    ]
    for contract, name, args in calls:
        f = _fn(contract, name)
        assert f.data(*args) == "0x" + (f.selector + encode(f.inputs, args)).hex(), name
    with pytest.raises(ValueError):
        _fn("IssuerRegistry", "issuer").data(2**32)


def test_hand_decoded_issuer_views_match_eth_abi_and_refuse_malformed_answers() -> None:
    import os

    from eth_abi import encode

    from origincert.chain.codec import decode_issuer
    from origincert.errors import ChainError

    (t,) = _fn("IssuerRegistry", "issuer").outputs
    for name in ("Chamber DE-berlin", "", "x" * 32, "Handelskammer Düsseldorf 東京" * 5):
        key, meta = "0x" + os.urandom(20).hex(), os.urandom(32)
        raw = "0x" + encode([t], [(2**32 - 1, b"SG", 4, 0, 2**48 - 1, 7, key, meta, name)]).hex()
        got = decode_issuer(raw)
        assert (got.id, got.economy, got.status, got.valid_until, got.signing_key, got.name) == (
            2**32 - 1, "SG", 4, 2**48 - 1, key, name,
        )  # fmt: skip
        assert got.metadata_hash == "0x" + meta.hex()
    for bad in (
        raw[:-64],
        raw + "00" * 32,
        raw[:2] + "00" * 31 + "40" + raw[66:],
        raw[:66] + "01" + raw[68:],
    ):
        with pytest.raises(ChainError):
            decode_issuer(bad)


def test_the_snapshot_codec_matches_eth_abi_and_refuses_malformed_answers() -> None:
    """verificationSnapshot's call data is eth_abi's encoding; its answer (packed storage words)
    is decoded field by field, and any answer of another shape is an error."""
    import os

    from eth_abi import encode

    from origincert.chain.codec import decode_snapshot, encode_snapshot
    from origincert.errors import ChainError

    certs = [(1, os.urandom(32), os.urandom(32)), (2**32 - 1, os.urandom(32), os.urandom(32))]
    keys = ["0x" + os.urandom(20).hex() for _ in range(2)]
    f = _fn("CertificateRegistry", "verificationSnapshot")
    for args in ((certs, keys, [1, 2**32 - 1]), ([], [], []), (certs[:1], [], [7])):
        packed = b"".join(i.to_bytes(4, "big") + r + leaf for i, r, leaf in args[0])
        expected = f.selector + encode(f.inputs, (packed, args[1], args[2]))
        assert encode_snapshot(*args) == "0x" + expected.hex()
    for bad in (
        ([(2**32, b"\0" * 32, b"\0" * 32)], [], []),
        ([(1, b"\0" * 31, b"\0" * 32)], [], []),
        ([], ["0x1234"], []),
        ([], [], [2**32]),
    ):
        with pytest.raises(ValueError):
            encode_snapshot(*bad)

    word = lambda n: n.to_bytes(32, "big")
    anchor = (
        7 | 250 << 32 | 1_700_000_000 << 64 | 42 << 104 | 1_700_000_100 << 144 | 2 << 184 | 9 << 192
    )
    leaf_plain = 1_700_000_050 | 4 << 40  # revoked, reason 4, not replaced
    leaf_replaced = 1_700_000_060 << 48 | 1 << 88  # replaced, and a successor itself
    by_root, by_leaf = os.urandom(32), os.urandom(32)
    (view_type,) = _fn("IssuerRegistry", "issuer").outputs
    view = encode([view_type], [(7, b"DE", 1, 5, 2**48 - 1, 6, keys[0], b"\1" * 32, "IHK Ä")])
    registry = os.urandom(20)
    parts = [
        word(123), word(1_700_000_200), b"\xaa" * 32, bytes(12) + registry,
        word(anchor), word(leaf_plain), word(0), word(leaf_replaced), by_root, by_leaf,
        word(7) + word(1_600_000_000) + word(0),
        word(len(view)) + view + bytes(-len(view) % 32), word(0),
    ]  # fmt: skip

    def answer(ps: list[bytes]) -> str:
        return "0x" + encode(["bytes"], [b"".join(ps)]).hex()

    snap = decode_snapshot(answer(parts), 2, 1, 2)
    assert (snap.block, snap.block_time, snap.parent_hash) == (123, 1_700_000_200, "0x" + "aa" * 32)
    assert snap.issuer_registry == "0x" + registry.hex()
    assert snap.statuses == [
        ((7, 250, 1_700_000_000, 42, 1_700_000_100, 2, 9), 1_700_000_050, 4, 0, bytes(32), bytes(32)),
        ((0, 0, 0, 0, 0, 0, 0), 0, 0, 1_700_000_060, by_root, by_leaf),
    ]  # fmt: skip
    assert snap.keys == [(7, 1_600_000_000, 0)]
    assert snap.issuers[1] is None and snap.issuers[0] is not None
    assert (snap.issuers[0].id, snap.issuers[0].name, snap.issuers[0].economy) == (7, "IHK Ä", "DE")
    malformed = [
        answer(parts)[:-64],  # a word short
        answer([*parts, word(0)]),  # a word too many
        answer([*parts[:5], word(leaf_plain | 1 << 96), *parts[6:]]),  # unused bits of a leaf slot
        answer([*parts[:7], word(leaf_replaced | 1 << 89), *parts[8:]]),  # isSuccessor is a bool
        answer([*parts[:10], word(2**32) + word(0) + word(0), *parts[11:]]),  # a uint32 too wide
        answer([*parts[:3], b"\1" + bytes(11) + registry, *parts[4:]]),  # not an address
        answer([*parts[:11], word(len(view)) + view[:-1] + b"\1" + bytes(-len(view) % 32), parts[12]]),
        "0x" + word(64).hex() + answer(parts)[66:],  # not the ABI frame of bytes
    ]  # fmt: skip
    for bad in malformed:
        with pytest.raises(ChainError):
            decode_snapshot(bad, 2, 1, 2)
    with pytest.raises(ChainError):
        decode_snapshot(answer(parts), 3, 1, 2)  # more certificates than answered


def test_log_queries_stay_within_a_bounded_block_range() -> None:
    from origincert.verifier.ledger import _block_ranges

    assert _block_ranges([]) == []
    assert _block_ranges([5, 6, 900, 1004, 1005, 5000], span=1000) == [
        (5, 1004),
        (1005, 1005),
        (5000, 5000),
    ]
    assert all(hi - lo < 1000 for lo, hi in _block_ranges(list(range(0, 10_000, 7))))


def test_a_node_refusing_log_queries_loses_evidence_not_verdicts(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = rpc._HttpTransport.send

    refused = {"eth_getLogs", "eth_getTransactionReceipt"}  # every source of the Anchored event

    def no_logs(transport: Any, calls: list[tuple[str, Any]]) -> Any:
        return real(transport, [(f"{m}_refused" if m in refused else m, p) for m, p in calls])

    monkeypatch.setattr(rpc._HttpTransport, "send", no_logs)
    v = Verifier(scene.client, clock=lambda: DAY)
    good, revoked = v.verify_many([scene.files["batch"][0], scene.files["root_revoked"][0]])
    assert (good.verdict, revoked.verdict) == (Verdict.VALID, Verdict.REVOKED)
    assert good.evidence["anchor"]["tx"] is None
    assert (
        revoked.evidence["revocation"]["by"] is None
        and revoked.evidence["revocation"]["reason"] == "fraud"
    )


def test_a_file_naming_another_anchoring_transaction_is_caught_by_the_logs(
    scene: Scene, verifier: Verifier, spy: _Spy
) -> None:
    """A real receipt with a real Anchored event, of another batch: the hint is not taken, the
    event is searched in the logs, and the file's claim is refused."""
    good, other = scene.files["single"][0], scene.files["batch"][0]
    forged = {**good, "proof": {**good["proof"], "tx_hash": other["proof"]["tx_hash"]}}
    assert forged["proof"]["tx_hash"] != good["proof"]["tx_hash"]
    result = verifier.verify(forged)
    assert result.verdict is Verdict.INVALID
    assert {c.code for c in result.checks} >= {"anchor_tx_mismatch"}
    assert result.evidence["anchor"]["tx"] == good["proof"]["tx_hash"]  # from the logs
    assert spy.calls["eth_getLogs"] == 1 and spy.batches == 2


def test_a_file_naming_no_transaction_costs_a_second_round_trip_not_a_check(
    scene: Scene, verifier: Verifier, spy: _Spy
) -> None:
    good = scene.files["single"][0]
    bare = {**good, "proof": {k: v for k, v in good["proof"].items() if k != "tx_hash"}}
    result = verifier.verify(bare)
    assert result.verdict is Verdict.VALID
    assert result.evidence["anchor"]["tx"] == good["proof"]["tx_hash"]
    assert spy.batches == 2 and spy.calls["eth_getTransactionReceipt"] == 0


def _mine_after_first_request(
    scene: Scene, monkeypatch: pytest.MonkeyPatch, *, unpin: bool = False
) -> list[list[tuple[str, Any]]]:
    """Seal a block once the first request is answered (as a busy network does between chunks);
    with ``unpin``, later requests ask "latest" instead of the block they name."""
    real = rpc._HttpTransport.send
    sent: list[list[tuple[str, Any]]] = []

    def mining(transport: Any, calls: list[tuple[str, Any]]) -> Any:
        if unpin and sent:
            calls = [(m, [p[0], "latest"]) if m == "eth_call" else (m, p) for m, p in calls]
        sent.append(list(calls))
        pending = real(transport, calls)
        if len(sent) == 1:
            answer = pending.result()
            scene.client.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
            return _Answered(answer)
        return pending

    monkeypatch.setattr(rpc._HttpTransport, "send", mining)
    return sent


class _Answered:
    def __init__(self, answer: Any) -> None:
        self._answer = answer

    def result(self) -> Any:
        return self._answer


def test_later_chunks_read_the_block_of_the_first(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One snapshot call reads one state; the first chunk's block pins every later call."""
    head = scene.client.w3.eth.block_number
    sent = _mine_after_first_request(scene, monkeypatch)
    files = scene.files["batch"] * 4 + scene.files["single"] + scene.files["sg"]  # 22
    results = Verifier(scene.client, chunk=8, clock=lambda: DAY).verify_many(files)
    assert scene.client.w3.eth.block_number == head + 1  # a block was sealed meanwhile
    assert [r.verdict for r in results] == [Verdict.VALID] * 22
    assert {r.evidence["ledger"]["block"] for r in results} == {head}
    assert sent[0][0][1][-1] == "latest"
    assert {p[-1] for calls in sent[1:] for m, p in calls if m == "eth_call"} == {hex(head)}


def test_a_node_answering_a_pinned_read_from_another_block_is_refused(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    from origincert.errors import ChainError

    _mine_after_first_request(scene, monkeypatch, unpin=True)
    files = scene.files["batch"] * 4 + scene.files["single"] + scene.files["sg"]
    with pytest.raises(ChainError, match="answered a read of block") as info:
        Verifier(scene.client, chunk=8, clock=lambda: DAY).verify_many(files)
    assert info.value.code == "rpc_error"


def test_a_registry_bound_to_another_issuer_registry_than_the_manifests_is_refused(
    scene: Scene,
) -> None:
    """The snapshot reads keys and bodies from the IssuerRegistry the CertificateRegistry trusts;
    a manifest naming another one is a misconfiguration, never a verdict."""
    import dataclasses

    from origincert.chain import ChainClient
    from origincert.errors import ChainError

    m = scene.manifest
    other = dataclasses.replace(
        m, issuer_registry=dataclasses.replace(m.issuer_registry, address=scene.second_registry)
    )
    client = ChainClient(scene.client.w3, scene.client.url, other)
    with pytest.raises(ChainError) as info:
        Verifier(client, clock=lambda: DAY).verify(scene.files["single"][0])
    assert info.value.code == "manifest_mismatch"


def test_a_chunk_is_one_snapshot_call_in_one_request(scene: Scene, spy: _Spy) -> None:
    files = scene.files["batch"] * 4 + scene.files["single"] + scene.files["sg"]  # 22, 3 roots
    results = Verifier(scene.client, chunk=22, clock=lambda: DAY).verify_many(files)
    assert [r.verdict for r in results] == [Verdict.VALID] * 22
    assert spy.batches == 1
    assert spy.calls == Counter({"verificationSnapshot": 1, "eth_getTransactionReceipt": 3})
    assert spy.snapshots[0][0] == 22


def test_an_unreadable_or_foreign_receipt_is_no_hint(scene: Scene) -> None:
    """Whatever a node answers for a receipt, nothing is taken from it unless it is a successful
    transaction's Anchored event of this registry, in the block the anchor record names."""
    from origincert.chain.codec import topic
    from origincert.verifier.ledger import LedgerReader, Session

    reader, s = LedgerReader(scene.client), Session()
    root, issuer = b"\x11" * 32, 1
    s.anchor_blocks[(issuer, root)] = 7
    log = {
        "address": scene.manifest.certificate_registry.address,
        "topics": [topic("CertificateRegistry", "Anchored"), "0x" + root.hex(), hex(issuer)],
        "data": "0x" + "00" * 12 + "ab" * 20 + "00" * 32,
    }
    good = {"status": "0x1", "blockNumber": "0x7", "transactionHash": "0xAA", "logs": [log]}
    garbage: list[Any] = [
        None,
        "receipt",
        {"status": "0x1"},
        {"status": "0x1", "blockNumber": "zz", "transactionHash": "0x1", "logs": [log]},
        {**good, "logs": [{**log, "topics": log["topics"][:2]}]},
        {**good, "logs": [{**log, "data": 5}]},
        {**good, "status": "0x0"},  # a failed transaction
        {**good, "blockNumber": "0x8"},  # not the anchor record's block
        {**good, "logs": [{**log, "address": "0x" + "22" * 20}]},  # another contract's event
        {**good, "logs": [{**log, "removed": True}]},
    ]
    reader._take_receipts(s, garbage)
    assert s.events == {}
    reader._take_receipts(s, [good])
    assert s.events == {(issuer, root): ("0xaa", "0x" + "ab" * 20)}


@pytest.mark.parametrize("ledger_id", [2**32, 2**40, 2**64 - 1])
def test_an_issuer_id_no_body_can_have_costs_its_own_verdict_not_the_batch(
    scene: Scene, verifier: Verifier, ledger_id: int
) -> None:
    """Issuing body ids are uint32 on chain: a file naming a larger one is asked about no body
    (nothing can answer for it), instead of breaking the encoding of the whole batch's read."""
    good = scene.files["batch"][0]
    hostile = {
        **good,
        "document": {
            **good["document"],
            "issuing_body": {**good["document"]["issuing_body"], "ledger_id": ledger_id},
        },
        "proof": {**good["proof"], "issuer_id": ledger_id},
    }
    first, second = verifier.verify_many([good, hostile])
    assert first.verdict is Verdict.VALID
    assert second.verdict is Verdict.INVALID
    assert verifier.verify(hostile).verdict is Verdict.INVALID


def test_no_request_holds_more_calls_than_a_node_takes(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    """geth refuses a batch of more than 1,000 calls: the prefetch is trimmed to fit and what
    does not fit is asked in the next round, itself split; the verdicts do not change."""
    from origincert.verifier import ledger

    sizes: list[int] = []
    real = rpc._HttpTransport.send

    def counted(transport: Any, calls: list[tuple[str, Any]]) -> Any:
        sizes.append(len(calls))
        return real(transport, calls)

    monkeypatch.setattr(rpc._HttpTransport, "send", counted)
    monkeypatch.setattr(ledger, "MAX_BATCH", 4)
    files = (
        scene.files["batch"] + scene.files["single"] + scene.files["sg"] + scene.files["rotated"]
    )
    expected = [r.verdict for r in Verifier(scene.client, clock=lambda: DAY).verify_many(files)]
    sizes.clear()
    results = Verifier(scene.client, clock=lambda: DAY).verify_many(files)
    assert [r.verdict for r in results] == expected and Verdict.VALID in expected
    assert sizes and max(sizes) <= 4 and len(sizes) > 1


def test_no_snapshot_asks_more_views_than_its_budget(
    scene: Scene, spy: _Spy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A snapshot's gas grows with the key records and bodies it reads: each asks at most
    SNAPSHOT_VIEWS of them, the rest go to further snapshots; the verdicts do not change."""
    from origincert.verifier import ledger

    files = (
        scene.files["batch"]
        + scene.files["single"]
        + scene.files["sg"]
        + scene.files["rotated"]
        + scene.files["root_revoked"]
        + scene.files["leaf_revoked"]
    )
    expected = [r.verdict for r in Verifier(scene.client, clock=lambda: DAY).verify_many(files)]
    spy.snapshots.clear()
    monkeypatch.setattr(ledger, "SNAPSHOT_VIEWS", 1)
    results = Verifier(scene.client, clock=lambda: DAY).verify_many(files)
    assert [r.verdict for r in results] == expected
    assert {Verdict.VALID, Verdict.REVOKED} <= set(expected)
    assert all(len(keys) + len(ids) <= 1 for _, keys, ids in spy.snapshots)
    assert len(spy.snapshots) > 3


def test_a_registry_without_the_snapshot_is_a_clear_infrastructure_error(scene: Scene) -> None:
    """A CertificateRegistry deployed before verificationSnapshot (here: an address whose code
    lacks it) refuses the call: a ChainError that says so, never a verdict."""
    import dataclasses

    from origincert.chain import ChainClient
    from origincert.errors import ChainError

    m = scene.manifest
    old = dataclasses.replace(
        m,
        certificate_registry=dataclasses.replace(
            m.certificate_registry, address=m.issuer_registry.address
        ),
    )
    client = ChainClient(scene.client.w3, scene.client.url, old)
    with pytest.raises(ChainError, match="deployed before verificationSnapshot") as info:
        Verifier(client, clock=lambda: DAY).verify(scene.files["single"][0])
    assert info.value.code == "rpc_error"


def test_a_chain_reorganised_between_chunks_is_refused(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Later chunks name the first's block by number; if the chain was reorganised meanwhile,
    that number is another block (another parent): the read is refused, never mixed."""
    from origincert.errors import ChainError

    node = scene.client.w3.provider.make_request
    outer = node("evm_snapshot", [])["result"]  # type: ignore[arg-type]
    try:
        base = node("evm_snapshot", [])["result"]  # type: ignore[arg-type]
        first_time = scene.client.w3.eth.get_block("latest")["timestamp"]
        node("evm_mine", [])  # type: ignore[arg-type]
        node("evm_mine", [])  # type: ignore[arg-type]
        real = rpc._HttpTransport.send
        sent: list[int] = []

        def reorganising(transport: Any, calls: list[tuple[str, Any]]) -> Any:
            sent.append(len(calls))
            pending = real(transport, calls)
            if len(sent) == 1:
                answer = pending.result()
                node("evm_revert", [base])  # type: ignore[arg-type]
                node("evm_setNextBlockTimestamp", [first_time + 7])  # type: ignore[arg-type]
                node("evm_mine", [])  # type: ignore[arg-type]
                node("evm_mine", [])  # type: ignore[arg-type]
                return _Answered(answer)
            return pending

        monkeypatch.setattr(rpc._HttpTransport, "send", reorganising)
        files = scene.files["batch"] * 4 + scene.files["single"] + scene.files["sg"]
        with pytest.raises(ChainError, match="reorganised") as info:
            Verifier(scene.client, chunk=8, clock=lambda: DAY).verify_many(files)
        assert info.value.code == "rpc_error"
    finally:
        node("evm_revert", [outer])  # type: ignore[arg-type]
