"""A small pool of worker processes that report progress, shared by the slow stages of a run.

Pose estimation and drawing the annotated video both split a video into contiguous time
segments, one per worker. The pool is started once per run (``spawn``: MediaPipe's threads do not
survive ``fork``) and reused by both stages, so the processes' start-up is paid once.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from queue import Empty
from types import TracebackType
from typing import Any, TypeVar

T = TypeVar("T")

_queue: Any = None


def _init(queue: Any) -> None:
    """Worker start-up. Native libraries' logs (MediaPipe/TFLite write to fd 2 from their own
    threads) would break the progress display, so a worker's stderr goes to /dev/null; its errors
    still reach the parent as exceptions."""
    global _queue
    _queue = queue
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


def report_progress(n: int) -> None:
    """Called inside a worker: ``n`` more frames are done (a no-op outside a pool)."""
    if _queue is not None:
        _queue.put(n)


def default_workers() -> int:
    """One per core, at most two (two pose models already saturate a small machine)."""
    return max(1, min(2, os.cpu_count() or 1))


class Workers:
    """``with Workers(2) as w: results = w.map(fn, args, on_progress)``: this process and n - 1 others."""

    def __init__(self, n: int | None = None) -> None:
        self.n = n or default_workers()
        self._pool: ProcessPoolExecutor | None = None
        self._queue: Any = None

    def __enter__(self) -> Workers:
        return self

    def _start(self) -> ProcessPoolExecutor:
        if self._pool is None:
            ctx = mp.get_context("spawn")
            self._queue = ctx.Queue()
            self._pool = ProcessPoolExecutor(
                max_workers=max(1, self.n - 1), mp_context=ctx, initializer=_init, initargs=(self._queue,)
            )
        return self._pool

    def map(self, fn: Callable[..., T], args: Sequence[Any], on_progress: Callable[[int], None]) -> list[T]:
        """``[fn(a) for a in args]``, in parallel; progress reports arrive through ``on_progress``.

        The last argument runs in this process (``fn(a, report=...)``) while the pool's processes
        take the others: one process fewer to start, and its start-up overlaps useful work.
        """
        if not args:
            return []
        futures: list[Future[T]] = []
        if len(args) > 1:
            pool = self._start()
            futures = [pool.submit(fn, a) for a in args[:-1]]

        def here(n: int) -> None:
            on_progress(n)
            if futures:
                self._drain(on_progress, timeout=None)

        last = fn(args[-1], report=here)
        while not all(f.done() for f in futures):
            self._drain(on_progress, timeout=0.2)
        if futures:
            self._drain(on_progress, timeout=None)
        return [f.result() for f in futures] + [last]

    def submit(self, fn: Callable[..., T], arg: Any) -> Future[T] | None:
        """Queue ``fn(arg)`` on the pool's processes without waiting (a set-up step ahead of a
        :meth:`map`: a single pool process runs it first); None where there is no other process."""
        if self.n < 2:
            return None
        return self._start().submit(fn, arg)

    def _drain(self, on_progress: Callable[[int], None], timeout: float | None) -> None:
        try:
            on_progress(self._queue.get(timeout=timeout) if timeout else self._queue.get_nowait())
            while True:
                on_progress(self._queue.get_nowait())
        except Empty:
            pass

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._pool is None:
            return
        if exc_type is not None:
            # A failed run (bad frames, Ctrl-C) should not wait for the other segments to finish.
            for process in list(getattr(self._pool, "_processes", {}).values()):
                process.terminate()
        self._pool.shutdown(wait=True, cancel_futures=exc_type is not None)
        self._pool = None
