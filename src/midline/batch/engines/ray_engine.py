"""The same batch on Ray: on this machine (``ray.init()``) or a cluster (``ray.init(address=...)``).

One actor per worker holds one set of pose models, loaded when the actor starts and reused for
every video it is given. Only a :class:`Task` (paths) goes to an actor and only an
:class:`Outcome` (the report dict) comes back: the actor decodes the video itself, so no frame
ever passes through Ray's object store. The video paths must therefore be readable on every node
(the same shared folder mounted at the same path; see docs/scaling.md).

Each actor has one video in flight; a second thread in it answers progress polls. An actor that
dies (a native crash, the memory killer, a lost node) fails its video alone and is replaced.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import Any

from midline.batch.engines import EngineError, FramesCallback, batch_pose, usable_cores
from midline.batch.plan import Task
from midline.batch.work import Outcome, analyse_task
from midline.pose.backend import TRACKING, PoseSettings
from midline.pose.extract import PoseModels

ACTOR_DIED = (
    "the Ray worker died while analysing this video (a crash in the video decoder or the pose model, "
    "out of memory, or its node was lost): {reason}"
)
POLL_S = 0.3


class _PoseWorker:
    """A Ray actor's body: kept pose models, the current video's frame progress."""

    def __init__(self, pose: PoseSettings = TRACKING) -> None:
        self.models = PoseModels()
        self.models.load(pose)
        self.current: tuple[int, int, int] | None = None

    def ready(self) -> int:
        return os.getpid()

    def analyse(self, task: Task) -> Outcome:
        self.current = (task.index, 0, task.expected_frames)

        def progress(done: int, total: int) -> None:
            self.current = (task.index, done, total)

        try:
            return analyse_task(task, self.models, progress)
        finally:
            self.current = None

    def progress(self) -> tuple[int, int, int] | None:
        return self.current


def _import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise EngineError(
            "--engine ray needs Ray: install the extra with `pip install 'midline[ray]'` "
            "(or use the default --engine local)"
        ) from None
    return ray


class RayEngine:
    name = "ray"

    def __init__(self, workers: int | None = None, address: str | None = None) -> None:
        self.ray = _import_ray()
        self.address = address
        self._requested = workers
        self.workers = workers or usable_cores()

    def _connect(self) -> bool:
        """Start or join Ray; True when this engine started it (and must shut it down)."""
        ray = self.ray
        if ray.is_initialized():
            return False
        kwargs: dict[str, Any] = {"log_to_driver": False, "configure_logging": False}
        try:
            if self.address is not None:
                ray.init(address=self.address, **kwargs)
            else:
                ray.init(num_cpus=self.workers, include_dashboard=False, **kwargs)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            where = self.address or "a local Ray"
            raise EngineError(f"cannot start or reach {where}: {exc}") from None
        return True

    def run(self, tasks: Sequence[Task], on_frames: FramesCallback) -> Iterator[Outcome]:
        ray = self.ray
        started_here = self._connect()
        try:
            if self._requested is None:
                self.workers = max(1, int(ray.cluster_resources().get("CPU", self.workers)))
            yield from self._run(list(tasks), on_frames)
        finally:
            if started_here:
                ray.shutdown()

    def _run(self, tasks: list[Task], on_frames: FramesCallback) -> Iterator[Outcome]:
        ray = self.ray
        # max_concurrency=2: one thread analyses, the other answers progress polls.
        actor_class = ray.remote(num_cpus=1, max_concurrency=2)(_PoseWorker)
        pose = batch_pose(tasks)
        actors = [actor_class.remote(pose) for _ in range(min(self.workers, len(tasks)))]
        todo = list(reversed(tasks))
        running: dict[Any, tuple[Any, Task]] = {}  # object ref -> (actor, task)
        idle = list(actors)
        try:
            while todo or running:
                while idle and todo:
                    actor, task = idle.pop(), todo.pop()
                    running[actor.analyse.remote(task)] = (actor, task)
                ready, _ = ray.wait(list(running), num_returns=1, timeout=POLL_S)
                for ref in ready:
                    actor, task = running.pop(ref)
                    try:
                        outcome = ray.get(ref)
                    except ray.exceptions.RayError as exc:
                        ray.kill(actor, no_restart=True)
                        actors.remove(actor)
                        actor = actor_class.remote(pose)
                        actors.append(actor)
                        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                        outcome = Outcome(task.index, "failed", error=ACTOR_DIED.format(reason=first))
                    idle.append(actor)
                    yield outcome
                self._poll(running, on_frames)
        finally:
            for actor in actors:
                ray.kill(actor, no_restart=True)

    def _poll(self, running: dict[Any, tuple[Any, Task]], on_frames: FramesCallback) -> None:
        ray = self.ray
        polls = [actor.progress.remote() for actor, _ in running.values()]
        if not polls:
            return
        answered, _ = ray.wait(polls, num_returns=len(polls), timeout=POLL_S)
        for ref in answered:
            try:
                current = ray.get(ref)
            except ray.exceptions.RayError:
                continue  # a dying actor: its analyse call reports the failure
            if current is not None:
                on_frames(*current)
