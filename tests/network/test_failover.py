"""The client's multi-node logic without a network: URL lists, fail-over between endpoints,
reading nodes' refusals, and the receipt wait (deadline, confirmations, forks, outages, re-sends)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from chainutil import free_port

from origincert.chain import ChainClient
from origincert.chain.failover import (
    FailoverProvider,
    Resent,
    await_receipt,
    classify_send_error,
    split_urls,
)
from origincert.errors import ChainError, ChainUnavailable


class _FakeNode(BaseHTTPRequestHandler):
    """Answers eth_chainId and eth_blockNumber like a node of chain 7 at block 42."""

    calls = 0

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).calls += 1
        answers = {"eth_chainId": "0x7", "eth_blockNumber": "0x2a"}
        reply = [
            {"jsonrpc": "2.0", "id": r["id"], "result": answers[r["method"]]}
            for r in (body if isinstance(body, list) else [body])
        ]
        data = json.dumps(reply if isinstance(body, list) else reply[0]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def fake_node() -> Iterator[HTTPServer]:
    server = HTTPServer(("127.0.0.1", 0), _FakeNode)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def test_split_urls() -> None:
    assert split_urls("http://a:1, http://b:2,") == ["http://a:1", "http://b:2"]
    assert split_urls("http://a:1") == ["http://a:1"]
    with pytest.raises(ChainError, match="no JSON-RPC URL"):
        split_urls(" , ")


def test_a_dead_first_node_fails_over_to_the_next(fake_node: HTTPServer) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    live = f"http://127.0.0.1:{fake_node.server_port}"
    client = ChainClient.connect(f"{dead},{live}", timeout=2)
    provider = client.w3.provider
    assert isinstance(provider, FailoverProvider)
    assert client.chain_id == 7 and client.block_number() == 42
    assert provider.active == live and provider.failovers >= 1
    # The dead node is skipped for a while: the next read goes straight to the live one.
    before = provider.failovers
    assert client.block_number() == 42 and provider.failovers == before
    # Batches (the verifier's reads) fail over too.
    answer = provider.make_batch_request([("eth_blockNumber", [])])
    assert answer[0]["result"] == "0x2a"


def test_every_node_down_is_unreachable_never_a_traceback() -> None:
    urls = ",".join(f"http://127.0.0.1:{free_port()}" for _ in range(3))
    with pytest.raises(ChainUnavailable) as caught:
        ChainClient.connect(urls, timeout=1)
    assert caught.value.code == "node_unreachable"


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("already known", Resent.KNOWN),  # geth
        ("Known transaction: 0xabc", Resent.KNOWN),  # Hardhat
        ("nonce too low: next nonce 5, tx nonce 4", Resent.NONCE_USED),  # geth
        ("Nonce too low. Expected nonce to be 5 but got 4.", Resent.NONCE_USED),  # Hardhat
        ("insufficient funds for gas * price + value", None),
    ],
)
def test_reading_a_nodes_answer_to_a_resent_transaction(message: str, kind: Resent | None) -> None:
    assert classify_send_error(message) is kind


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def _receipt(block: int, hash_: str = "0xaa") -> dict:
    return {"blockNumber": block, "blockHash": hash_, "status": 1}


def test_confirmations_wait_for_blocks_on_top() -> None:
    clock = _Clock()
    heads = iter([10, 10, 11, 12])
    done = await_receipt(
        lambda: _receipt(10),
        lambda: next(heads),
        tx_hash="0x1",
        timeout=30,
        confirmations=3,
        clock=clock,
        sleep=clock.sleep,
    )
    assert done.head == 12 and done.receipt["blockNumber"] == 10


def test_a_receipt_moved_by_a_fork_is_waited_for_again() -> None:
    clock = _Clock()
    receipts = iter([_receipt(10, "0xaa")] + [_receipt(11, "0xbb")] * 3)
    done = await_receipt(
        lambda: next(receipts),
        lambda: 12,
        tx_hash="0x1",
        timeout=30,
        confirmations=2,
        clock=clock,
        sleep=clock.sleep,
    )
    assert done.receipt["blockHash"] == "0xbb"


def test_no_receipt_by_the_deadline_is_a_timeout_and_resends_on_the_way() -> None:
    clock = _Clock()
    resent: list[float] = []
    with pytest.raises(ChainUnavailable) as caught:
        await_receipt(
            lambda: None,
            lambda: 1,
            tx_hash="0x1",
            timeout=10,
            resend=lambda: resent.append(clock.now),
            resend_every=3,
            clock=clock,
            sleep=clock.sleep,
        )
    assert caught.value.code == "tx_timeout"
    assert len(resent) == 3  # at about 3, 6 and 9 seconds


def test_an_outage_is_waited_out_with_several_nodes_and_reported_with_one() -> None:
    clock = _Clock()
    answers = iter([ChainUnavailable("down", code="node_unreachable"), None, _receipt(5)])

    def fetch():
        a = next(answers)
        if isinstance(a, Exception):
            raise a
        return a

    done = await_receipt(
        fetch, lambda: 5, tx_hash="0x1", timeout=30, clock=clock, sleep=clock.sleep
    )
    assert done.receipt["blockNumber"] == 5

    def down():
        raise ChainUnavailable("down", code="node_unreachable")

    with pytest.raises(ChainUnavailable, match="down"):
        await_receipt(down, lambda: 5, tx_hash="0x1", timeout=30, outage_ok=False)
    clock = _Clock()
    with pytest.raises(ChainUnavailable, match="down"):  # the last failure, at the deadline
        await_receipt(down, lambda: 5, tx_hash="0x1", timeout=5, clock=clock, sleep=clock.sleep)


def test_confirmations_from_the_environment(
    fake_node: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"http://127.0.0.1:{fake_node.server_port}"
    monkeypatch.setenv("ORIGINCERT_CONFIRMATIONS", "3")
    assert ChainClient.connect(url).confirmations == 3
    assert ChainClient.connect(url, confirmations=2).confirmations == 2
    monkeypatch.setenv("ORIGINCERT_CONFIRMATIONS", "zero")
    with pytest.raises(ChainError) as caught:
        ChainClient.connect(url)
    assert caught.value.code == "bad_confirmations"
