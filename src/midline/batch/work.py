"""One video's job inside a worker: the same ``analyze_video`` as ``midline analyze``, on kept models.

The report folder is written under a hidden temporary name and renamed into place when complete,
so a folder with the final name is always a finished analysis, whatever stopped the worker.
Any error fails this video alone: it comes back as an :class:`Outcome` with its message.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from midline.analysis import analyze_video
from midline.errors import MidlineError
from midline.pose.extract import PoseModels

from .plan import Task

FramesProgress = Callable[[int, int], None]  # (frames done, frames expected) of the current video


@dataclass(frozen=True)
class Outcome:
    """What travels back from a worker: the report dict (a few kB), never frames or landmarks."""

    index: int
    status: Literal["ok", "failed"]
    report: dict[str, Any] | None = None
    error: str | None = None
    seconds: float = 0.0


def analyse_task(task: Task, models: PoseModels, progress: FramesProgress | None = None) -> Outcome:
    start = time.perf_counter()
    out = Path(task.out_dir)
    tmp = out.with_name(f".{out.name}.partial-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)

    def on_stage(stage: str, done: int, total: int) -> None:
        if progress is not None and stage == "pose":
            progress(done, total)

    try:
        result = analyze_video(
            task.path, task.settings.exercise, tmp, task.settings.analyze_options(), on_stage, pose=models
        )
        if out.exists():  # an older analysis of the same video (other settings or version)
            shutil.rmtree(out)
        os.replace(tmp, out)
        return Outcome(task.index, "ok", report=result.report, seconds=time.perf_counter() - start)
    except MidlineError as exc:
        return Outcome(task.index, "failed", error=str(exc), seconds=time.perf_counter() - start)
    except Exception as exc:  # a decoder or model crash on one file must not stop the batch
        message = f"the analysis failed ({type(exc).__name__}: {exc})"
        return Outcome(task.index, "failed", error=message, seconds=time.perf_counter() - start)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
