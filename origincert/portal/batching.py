"""Group work from many request threads into batches done by one thread ("group commit").

While one batch is being handled, newly submitted items wait and go together in the next one.
A lone item is handled at once, so nothing waits when the portal is quiet; under load the fixed
cost of a batch (a ledger round trip, a database commit) is shared by every item in it.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Generic, TypeVar

__all__ = ["Batcher"]

T = TypeVar("T")
R = TypeVar("R")


class Batcher(Generic[T, R]):
    """Runs ``handle(items)`` on one thread for whatever items are waiting, up to ``max_batch``.

    ``handle`` returns one result per item, in order; an exception in that list goes to its
    item's caller only, an exception raised by ``handle`` to every caller of the batch. The
    thread ends after ``idle_seconds`` without work and starts again on demand.

    One thread, not several: on a busy machine bigger batches (fewer ledger reads, fewer
    commits) are worth more than overlapping one batch's waiting with another's work.
    """

    def __init__(
        self,
        handle: Callable[[Sequence[T]], Sequence[R | BaseException]],
        *,
        name: str,
        max_batch: int = 32,
        idle_seconds: float = 30.0,
    ) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self._handle = handle
        self._name = name
        self._max = max_batch
        self._idle = idle_seconds
        self._items: queue.SimpleQueue[tuple[T, Future[R]]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.batches = 0  # how many batches were handled (for tests and measurements)

    def submit(self, item: T) -> R:
        """Handle ``item`` with whatever else is waiting; its result, or raise its exception."""
        done: Future[R] = Future()
        self._items.put((item, done))
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
        return done.result()

    def _run(self) -> None:
        while True:
            try:
                first = self._items.get(timeout=self._idle)
            except queue.Empty:
                with self._lock:
                    if self._items.empty():
                        self._thread = None
                        return
                continue
            batch = [first]
            while len(batch) < self._max:
                try:
                    batch.append(self._items.get_nowait())
                except queue.Empty:
                    break
            self._do(batch)

    def _do(self, batch: list[tuple[T, Future[R]]]) -> None:
        self.batches += 1
        try:
            results = self._handle([item for item, _ in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"{self._name}: {len(results)} results for {len(batch)} items")
        except BaseException as exc:  # noqa: BLE001 - handed to every waiting caller, never lost
            for _, done in batch:
                done.set_exception(exc)
            return
        for (_, done), result in zip(batch, results):
            if isinstance(result, BaseException):
                done.set_exception(result)
            else:
                done.set_result(result)
