"""Keep the pose pass's frames, scaled down, for the annotated video drawn after the analysis.

The overlay can only be drawn once the whole sequence is analysed (zero-phase smoothing, rep
boundaries), so the video used to be decoded twice; decoding was most of the video's cost.
While keeping is on for a file (:func:`keep_previews`, per process and thread),
:func:`midline.video.decode.iter_frames` also stores every frame it yields as a small YUV 4:2:0
image (scaled in the decoder's own pixel format: under a millisecond a frame, against several
for decoding it again). Memory is bounded: frames are kept only up to ``budget_bytes``, a
contiguous run from where decoding began; the annotated video takes them and decodes only the
rest (a 2-hour video keeps its first minutes).
"""

from __future__ import annotations

import math
import os
import threading
from collections import deque
from dataclasses import dataclass, field

import av
import numpy as np
from av.video.reformatter import VideoReformatter
from numpy.typing import NDArray

DEFAULT_BUDGET_BYTES = 256 * 1024 * 1024  # per process: a minute of 720p at 20 frames/s


@dataclass(frozen=True)
class PreviewFrame:
    t: float
    yuv: NDArray[np.uint8]  # I420 layout, (h * 3 / 2, w), before rotation
    rotation: int  # degrees counter-clockwise still to apply for display


@dataclass
class PreviewStore:
    """One contiguous run of kept frames of one file: every sampled frame with
    ``start_s <= t < complete_until`` is in ``frames`` (in time order)."""

    max_width: int
    sample_fps: float | None
    budget_bytes: int
    start_s: float = math.nan
    complete_until: float = -math.inf
    frames: deque[PreviewFrame] = field(default_factory=deque)
    used_bytes: int = 0
    _convert: VideoReformatter = field(default_factory=VideoReformatter)

    @property
    def started(self) -> bool:
        return not math.isnan(self.start_s)


class _Stores(threading.local):
    """Per thread: two analyses running side by side in one process (the web app's job threads)
    never see each other's frames, even of the same file. A run's keeping, pose pass and video
    all happen on one thread of each process (``Workers.map`` runs its own share in the caller)."""

    def __init__(self) -> None:
        self.by_path: dict[str, PreviewStore] = {}


_local = _Stores()


def _key(path: str | os.PathLike[str]) -> str:
    return os.path.realpath(os.fspath(path))


def keep_previews(
    path: str | os.PathLike[str],
    max_width: int,
    sample_fps: float | None,
    budget_bytes: int = DEFAULT_BUDGET_BYTES,
) -> None:
    """From now on, in this process, keep the frames decoded from ``path`` at ``sample_fps``
    (the rate of the decode that should feed the store), at most ``max_width`` wide."""
    _local.by_path[_key(path)] = PreviewStore(max_width, sample_fps, budget_bytes)


def take_previews(path: str | os.PathLike[str]) -> PreviewStore | None:
    """The kept frames of ``path`` (if any were kept), removed from the process's keeping."""
    store = _local.by_path.pop(_key(path), None)
    return store if store is not None and store.started else None


def drop_previews(path: str | os.PathLike[str]) -> None:
    """Stop keeping ``path``'s frames and free them."""
    _local.by_path.pop(_key(path), None)


class Recorder:
    """Fills a store from one decoding run (made by :func:`recorder`)."""

    def __init__(self, store: PreviewStore, start_s: float) -> None:
        self.store = store
        store.start_s = start_s
        store.complete_until = start_s
        self.full = False

    def add(self, t: float, frame: av.VideoFrame, rotation: int, size: tuple[int, int]) -> None:
        """``size``: the display size (w, h) before rotation, as :func:`preview_size` gives it."""
        store = self.store
        if self.full:
            return
        w, h = size
        nbytes = w * h * 3 // 2
        if w % 2 or h % 2 or store.used_bytes + nbytes > store.budget_bytes:
            self.full = True  # keep the run contiguous: nothing after the first frame left out
            return
        small = store._convert.reformat(frame, width=w, height=h, format="yuv420p", interpolation="AREA")
        store.frames.append(PreviewFrame(t, np.asarray(small.to_ndarray(), np.uint8), rotation))
        store.used_bytes += nbytes
        store.complete_until = t + 1e-6

    def finish(self, until: float) -> None:
        """The run ended on its own (its end time or the end of the file): every frame up to
        ``until`` was seen."""
        if not self.full:
            self.store.complete_until = until


def recorder(path: str | os.PathLike[str], start_s: float, sample_fps: float | None) -> Recorder | None:
    """A recorder for a decoding run of ``path`` from ``start_s``, when this process keeps its
    frames, samples at the same rate and has not recorded a run yet."""
    stores = _local.by_path
    if not stores:
        return None
    store = stores.get(_key(path))
    if store is None or store.started or store.sample_fps != sample_fps:
        return None
    return Recorder(store, start_s)


def preview_size(width: int, height: int, rotation: int, max_width: int | None) -> tuple[int, int]:
    """The frame's stored size (w, h, before rotation): the display width at most ``max_width``,
    aspect kept, even sides when scaled."""
    display_width = width if rotation in (0, 180) else height
    if max_width is None or display_width <= max_width:
        return width, height
    scale = max_width / display_width
    return max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2)
