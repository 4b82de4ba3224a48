"""Engines run a batch's tasks in parallel; the batch itself (planning, journal, summary) is the same.

An engine takes :class:`~midline.batch.plan.Task` values and yields an
:class:`~midline.batch.work.Outcome` for each as it finishes, in any order. Each worker holds one
set of pose models, loaded once and reused for every video it is given.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from typing import Literal, Protocol

from midline.batch.plan import Task
from midline.batch.work import Outcome
from midline.errors import MidlineError
from midline.pose.backend import TRACKING, PoseSettings

FramesCallback = Callable[[int, int, int], None]  # (task index, frames done, frames expected)
EngineName = Literal["local", "ray"]


class EngineError(MidlineError):
    """The engine cannot start (Ray not installed, cluster unreachable, bad worker count)."""


class Engine(Protocol):
    name: str
    workers: int

    def run(self, tasks: Sequence[Task], on_frames: FramesCallback) -> Iterator[Outcome]:
        """Outcomes as videos finish; closing the iterator early stops the workers."""
        ...


def batch_pose(tasks: Sequence[Task]) -> PoseSettings:
    """How the batch's pose model tracks (one setting per batch; plain tracking when empty), so a
    worker loads that model at start-up instead of loading another and remaking it."""
    return tasks[0].settings.extract.pose if tasks else TRACKING


def usable_cores() -> int:
    """The cores this process may run on (a container's CPU set, not the host's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def make_engine(name: str, workers: int | None = None, address: str | None = None) -> Engine:
    if workers is not None and workers < 1:
        raise EngineError(f"--workers must be 1 or more, not {workers}")
    if name == "local":
        if address is not None:
            raise EngineError("--address is for --engine ray (a Ray cluster's address)")
        from midline.batch.engines.local import LocalEngine

        return LocalEngine(workers)
    if name == "ray":
        from midline.batch.engines.ray_engine import RayEngine

        return RayEngine(workers, address)
    raise EngineError(f"unknown engine {name!r}; use local or ray")
