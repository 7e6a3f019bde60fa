"""Group commit: concurrent items share a batch, results go back to their own callers, failures too;
and the portal's ledger gives each of a group's files its own verdict."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import pytest

from origincert.errors import ChainUnavailable
from origincert.portal.batching import Batcher
from origincert.portal.verification import Ledger

from .support import Scene


class Gate:
    """A handler that records its batches and holds the first one until released."""

    def __init__(self, hold: int = 1) -> None:
        self.batches: list[list[int]] = []
        self.release = threading.Event()
        self.in_flight = threading.Semaphore(0)
        self._hold = hold
        self._lock = threading.Lock()

    def __call__(self, items: Sequence[int]) -> list[int | BaseException]:
        with self._lock:
            self.batches.append(list(items))
            held = len(self.batches) <= self._hold
        if held:
            self.in_flight.release()
            assert self.release.wait(5)
        return [ValueError(f"odd {i}") if i % 2 else i * 10 for i in items]


def test_a_lone_item_is_handled_at_once() -> None:
    batcher: Batcher[int, int] = Batcher(lambda items: [i + 1 for i in items], name="t")
    assert batcher.submit(41) == 42
    assert batcher.batches == 1


def test_items_waiting_during_a_batch_go_together_in_the_next() -> None:
    gate = Gate()
    batcher: Batcher[int, int] = Batcher(gate, name="t")
    with ThreadPoolExecutor(8) as pool:
        first = pool.submit(batcher.submit, 0)
        assert gate.in_flight.acquire(timeout=5)  # batch [0] is being handled
        rest = [pool.submit(batcher.submit, i) for i in (2, 4, 6, 8)]
        deadline = time.monotonic() + 5
        while batcher._items.qsize() < 4 and time.monotonic() < deadline:
            time.sleep(0.01)
        gate.release.set()
        assert first.result(5) == 0
        assert [f.result(5) for f in rest] == [20, 40, 60, 80]
    assert gate.batches == [[0], [2, 4, 6, 8]]


def test_errors_go_to_their_own_caller_only() -> None:
    gate = Gate(hold=0)
    batcher: Batcher[int, int] = Batcher(gate, name="t")
    with pytest.raises(ValueError, match="odd 3"):
        batcher.submit(3)
    assert batcher.submit(4) == 40


def test_a_failing_handler_fails_every_caller_of_its_batch() -> None:
    def handle(items: Sequence[int]) -> list[int]:
        raise ChainUnavailable("node down")

    batcher: Batcher[int, int] = Batcher(handle, name="t")
    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(batcher.submit, i) for i in range(4)]
        for f in futures:
            with pytest.raises(ChainUnavailable):
                f.result(5)


def test_a_handler_returning_the_wrong_count_is_an_error_not_a_wrong_answer() -> None:
    batcher: Batcher[int, int] = Batcher(lambda items: [1, 2, 3], name="t")
    with pytest.raises(RuntimeError, match="3 results for 1 items"):
        batcher.submit(1)


def test_the_thread_ends_when_idle_and_comes_back() -> None:
    batcher: Batcher[int, int] = Batcher(
        lambda items: list(items), name="t-idle", idle_seconds=0.05
    )
    assert batcher.submit(1) == 1
    deadline = time.monotonic() + 5
    while (
        any(t.name.startswith("t-idle") for t in threading.enumerate())
        and time.monotonic() < deadline
    ):
        time.sleep(0.01)
    assert not any(t.name.startswith("t-idle") for t in threading.enumerate())
    assert batcher.submit(2) == 2


def test_bad_settings() -> None:
    with pytest.raises(ValueError):
        Batcher(lambda items: list(items), name="t", max_batch=0)


def test_a_group_of_files_gets_each_its_own_verdict(scene: Scene) -> None:
    ledger = Ledger(scene.rpc_url, str(scene.manifest_path))
    tampered = scene.issued("valid")
    tampered["document"]["exporter"]["name"] = "Someone Else GmbH"
    files = [
        scene.raw("valid"),
        scene.raw("revoked"),
        json.dumps(tampered).encode(),
        b"{not json",
        scene.raw("twin_berlin"),
    ] * 4
    with ThreadPoolExecutor(len(files)) as pool:
        verdicts = list(pool.map(lambda raw: ledger.verify_bytes(raw).verdict.value, files))
    assert verdicts == ["VALID", "REVOKED", "INVALID", "MALFORMED", "VALID"] * 4
    assert ledger._batcher.batches < len(files)


def test_ledger_down_reaches_every_caller_and_recovers_later(scene: Scene) -> None:
    ledger = Ledger("http://127.0.0.1:9", str(scene.manifest_path))
    with pytest.raises(ChainUnavailable):
        ledger.verify_bytes(scene.raw("valid"))
    ledger._settings = (scene.rpc_url, str(scene.manifest_path))
    assert ledger.verify_bytes(scene.raw("valid")).verdict.value == "VALID"
