"""The embedded engine: a pool of local worker processes, one set of pose models each.

Processes are started with ``spawn`` (MediaPipe's threads do not survive ``fork``); the pool's
initializer loads the pose model once per process and every video that process is given reuses
it. Frame progress comes back over a queue. A worker that dies (a crash in a native decoder or
model, or the memory killer) takes the pool down with it: the videos that were running are then
run again one at a time, so the one that kills its worker fails alone and the others finish.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Generator, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from queue import Empty
from typing import Any

from midline.batch.engines import EngineError, FramesCallback, batch_pose, usable_cores
from midline.batch.plan import Task
from midline.batch.work import Outcome, analyse_task
from midline.pose.backend import PoseSettings
from midline.pose.extract import PoseModels

WORKER_DIED = (
    "the worker process died while analysing this video (a crash in the video decoder or the pose "
    "model, or it ran out of memory); try the video alone with `midline analyze`"
)

_models: PoseModels | None = None
_queue: Any = None


def _init(queue: Any, pose: PoseSettings) -> None:
    """Worker start-up: native logs (MediaPipe/TFLite write to fd 2) would break the progress bar,
    so stderr goes to /dev/null (errors still come back as outcomes); then load the model, once,
    as the batch's ``pose`` settings make it."""
    global _models, _queue
    _queue = queue
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    _models = PoseModels()
    _models.load(pose)


def _work(task: Task) -> Outcome:
    assert _models is not None, "worker not initialised"
    queue = _queue
    queue.put((task.index, 0, task.expected_frames))  # started: a crash from here on is this video's

    def progress(done: int, total: int) -> None:
        queue.put((task.index, done, total))

    return analyse_task(task, _models, progress)


class LocalEngine:
    name = "local"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or usable_cores()

    def run(self, tasks: Sequence[Task], on_frames: FramesCallback) -> Iterator[Outcome]:
        ctx = mp.get_context("spawn")
        queue = ctx.Queue()
        normal = list(tasks)
        suspects: list[Task] = []  # running when a worker died: each is tried again alone
        lost: dict[int, int] = {}  # times a task was lost with a broken pool
        finished = 0
        while normal or suspects:
            solo = not normal
            batch, normal = ([suspects.pop(0)], normal) if solo else (normal, [])
            started: set[int] = set()
            leftover = yield from self._round(
                batch, 1 if solo else self.workers, ctx, queue, on_frames, started
            )
            finished += len(batch) - len(leftover)
            if leftover and not started and not finished:  # nothing ever began: start-up itself fails
                raise EngineError(
                    "the local worker processes could not start (they exited while loading the pose "
                    "model); a script that calls run_batch must do so under `if __name__ == '__main__':`"
                )
            for task in leftover:
                lost[task.index] = lost.get(task.index, 0) + 1
                if solo:
                    finished += 1
                    yield Outcome(task.index, "failed", error=WORKER_DIED)
                elif task.index in started or lost[task.index] > 1:  # (its start message may be lost too)
                    suspects.append(task)
                else:
                    normal.append(task)

    def _round(
        self,
        tasks: list[Task],
        workers: int,
        ctx: Any,
        queue: Any,
        on_frames: FramesCallback,
        started: set[int],
    ) -> Generator[Outcome, None, list[Task]]:
        """Run ``tasks`` on one pool; returns (as the generator's value) those lost to a dead worker."""
        pool = ProcessPoolExecutor(
            max_workers=min(workers, len(tasks)),
            mp_context=ctx,
            initializer=_init,
            initargs=(queue, batch_pose(tasks)),
        )
        futures: dict[Future[Outcome], Task] = {pool.submit(_work, t): t for t in tasks}
        lost: list[Task] = []
        clean = False
        try:
            while futures:
                done, _ = wait(futures, timeout=0.25, return_when=FIRST_COMPLETED)
                _drain(queue, on_frames, started)
                for future in done:
                    task = futures.pop(future)
                    try:
                        outcome = future.result()
                    except BrokenProcessPool:
                        lost.append(task)
                        continue
                    yield outcome
                if lost:  # the pool is broken: every unfinished task is lost with it
                    _drain(queue, on_frames, started)
                    for future, task in list(futures.items()):
                        if future.done() and future.exception() is None:
                            yield future.result()
                        else:
                            lost.append(task)
                    futures.clear()
            clean = not lost
            return lost
        finally:
            _drain(queue, on_frames, started)
            if not clean:  # stopped early (Ctrl-C, a closed iterator) or broken: do not wait for videos
                for process in list(getattr(pool, "_processes", {}).values()):
                    process.terminate()
            pool.shutdown(wait=True, cancel_futures=not clean)


def _drain(queue: Any, on_frames: FramesCallback, started: set[int]) -> None:
    try:
        while True:
            index, done, total = queue.get_nowait()
            started.add(index)
            on_frames(index, done, total)
    except Empty:
        pass
