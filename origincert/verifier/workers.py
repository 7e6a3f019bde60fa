"""Both cores for large batches: the file checks of a batch's chunks in a pool of processes.

Parsing and the checks before the ledger are pure CPU work on each file alone (all of a
certificate's 275 µs offline, measured by ``scripts/bench/verify.py`` at load 0.4), so a batch of
uploads is cut into chunks that worker processes take in turn; the results come back in order.
Handing a file over and its result back costs about 65 µs of CPU (339 µs per certificate for the
two workers and the calling process together, measured the same way), which is why only batches
of ``PARALLEL_FROM`` uploads or more use the workers. The pool is started once per process, on the first batch
large enough to need it, and lives until the process exits. Its workers are forked (on Linux), all
at once before the pool starts its own threads: a fork server or spawned workers would import the
caller's main module again, which a script or a WSGI app may not survive. A forked worker runs only
pure code (JSON, hashing, the checks), which takes no lock another thread could hold. Small batches
and single verifications stay in the calling process, where a round trip to a worker would cost
more than it saves.

Each chunk carries everything its checks depend on (the checks themselves, the trusted network,
the size limit and the day), so a worker holds no state between chunks and answers exactly what
the calling process would: a test compares the two on every adversarial case.
"""

from __future__ import annotations

import atexit
import copyreg
import dataclasses
import enum
import multiprocessing
import operator
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

__all__ = ["Job", "cores", "in_order", "pids", "register_fast_pickling", "shutdown"]

T = TypeVar("T")
R = TypeVar("R")

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_pool_size = 0


def cores() -> int:
    """The cores this process may run on (its affinity, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


@dataclass(frozen=True, slots=True)
class Job:
    """How to split a batch: ``workers`` processes, chunks of ``chunk`` inputs."""

    workers: int
    chunk: int

    @classmethod
    def for_batch(cls, n: int, workers: int) -> Job:
        # Four chunks per worker keep both busy to the end; 64 to 500 inputs each keep the
        # fixed cost of a task small beside its chunk's work.
        return cls(workers, max(64, min(500, -(-n // (workers * 4)))))


def _get_pool(workers: int) -> ProcessPoolExecutor:
    global _pool, _pool_size
    with _lock:
        if _pool is None or _pool_size != workers or getattr(_pool, "_broken", False):
            if _pool is not None:
                _pool.shutdown(wait=False, cancel_futures=True)
            fork = "fork" in multiprocessing.get_all_start_methods()
            ctx = multiprocessing.get_context("fork" if fork else "spawn")
            _pool, _pool_size = ProcessPoolExecutor(max_workers=workers, mp_context=ctx), workers
        return _pool


def pids() -> list[int]:
    """The worker processes' ids (none before the first large batch): benchmarks read their CPU
    time, tests check the batch left the calling process."""
    with _lock:
        processes = getattr(_pool, "_processes", None) or {}
        return sorted(p.pid for p in processes.values() if p.pid is not None)


def shutdown() -> None:
    """Stop the worker processes (they are started again when next needed)."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


atexit.register(shutdown)


def _by_fields(cls: type[Any]) -> None:
    """Pickle a frozen dataclass as its class and field values (rebuilt by its constructor): the
    default reduction calls a Python ``__getstate__``/``__setstate__`` per object, which made
    pickling a result between processes cost half as much as checking it."""
    names = [f.name for f in dataclasses.fields(cls)]
    if not all(f.init for f in dataclasses.fields(cls)):
        raise TypeError(f"{cls.__name__} has fields its constructor does not take")
    get = operator.attrgetter(*names)
    copyreg.pickle(cls, lambda obj: (cls, get(obj)))


def _by_name(cls: type[enum.Enum]) -> None:
    """Pickle an enum member as a reference to it (``CheckStatus.OK``), found again without a
    call to the enum."""
    copyreg.pickle(cls, lambda member: f"{cls.__qualname__}.{member.name}")


def register_fast_pickling() -> None:
    """The reductions above for what crosses between the calling process and the workers."""
    from origincert.issued import IssuedFile
    from origincert.verdict import Check, CheckStatus, Verdict, VerificationResult
    from origincert.verifier.facts import LedgerQuery
    from origincert.verifier.subject import Reference

    for cls in (Check, VerificationResult, IssuedFile, Reference, LedgerQuery):
        _by_fields(cls)
    for member_of in (CheckStatus, Verdict):
        _by_name(member_of)


def in_order(
    work: Callable[[T, Sequence[bytes]], list[R]], config: T, inputs: Sequence[bytes], job: Job
) -> Iterator[list[R]]:
    """``work(config, chunk)`` for each chunk of ``inputs`` in the pool; the answers in order,
    each as soon as it and those before it are done. ``work`` must be a module-level function."""
    pool = _get_pool(job.workers)
    futures: list[Future[list[R]]] = [
        pool.submit(work, config, inputs[i : i + job.chunk])
        for i in range(0, len(inputs), job.chunk)
    ]
    try:
        for future in futures:
            yield future.result()
    finally:
        for future in futures:
            future.cancel()
