"""Video -> :class:`LandmarkSeries`: decode, estimate pose, stay on one subject.

Pose estimation is the cost (about 20 ms a frame on one core), so a video longer than a few
seconds is cut into contiguous time segments, one per worker process, each owning one pose
model created once. MediaPipe tracks between frames, so a worker starts ``warmup_s`` before its
segment and throws those frames away: by the seam its tracking and smoothing have settled on
the subject, as if the video had been processed in one go.
"""

from __future__ import annotations

import math
import os
import struct
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from midline.core.landmarks import N_LANDMARKS, LandmarkSeries
from midline.parallel import Workers, default_workers, report_progress
from midline.pose.backend import TRACKING, PoseSettings
from midline.pose.subject import Box, body_box, same_subject
from midline.video.decode import iter_frames
from midline.video.probe import CorruptVideoError, VideoInfo, VideoLimits, probe

if TYPE_CHECKING:
    from midline.pose.backend import MediaPipePersonDetector, MediaPipePose
    from midline.pose.subject import SubjectTracker

Progress = Callable[[int, int], None]  # (frames done, frames expected)

DEFAULT_SAMPLE_FPS = 20.0  # pose rate cap (Pilates phases last a second or more; see docs/video.md)


@dataclass(frozen=True)
class ExtractOptions:
    """How pose is extracted. ``sample_fps`` None = every frame; ``workers`` 0 = one per core (max 2)."""

    sample_fps: float | None = DEFAULT_SAMPLE_FPS
    workers: int = 0
    max_width: int = 1280
    warmup_s: float = 1.0
    min_split_s: float = 6.0
    # False: two processes split the video into fixed halves, so the same video always gives the
    # same landmarks. True: they agree on the seam at run time (faster when the worker starts
    # slowly) but where it falls depends on the machine's load, and MediaPipe's tracking differs
    # around it: re-analysing a file could change a cue (measured on rendered clip r06).
    balance: bool = False
    limits: VideoLimits = field(default_factory=VideoLimits)
    # how the pose model follows the person: plain tracking (fastest), or PRECISE_TIMING (the
    # detector re-anchors the crop every 2nd frame: phase times no longer trail, x1.36 CPU a frame)
    pose: PoseSettings = TRACKING


@dataclass(frozen=True)
class _Segment:
    path: str
    start_s: float
    end_s: float | None
    warmup_s: float
    sample_fps: float | None
    max_width: int
    seed: tuple[Box, float] | None = None  # the subject (box, time) to follow from the start
    handoff: _Handoff | None = None  # set: where this segment starts or ends is agreed at run time
    threads: int = 0  # decoder threads (0: FFmpeg's choice; 1 when each process has a core)
    pose: PoseSettings = TRACKING


@dataclass(frozen=True)
class _Handoff:
    """Two processes share a video without knowing in advance when the second one is ready.

    The *lead* (this process, ready at once) runs from the start and writes its position into a
    small file after every frame. The *tail* (a worker process that first has to start and load
    its model, a few seconds on a small machine) claims, once ready, the later half of what is
    left, minus its warm-up, and writes where its claim starts; the lead stops there. So both
    finish at about the same time however long the worker took to start.
    """

    path: str  # 16 bytes: the lead's position, the tail's claim (NaN until claimed)
    role: str  # "lead" or "tail"
    duration_s: float
    min_claim_s: float = 3.0  # a shorter rest is left to the lead

    _FORMAT = "d"

    def read(self, slot: int) -> float:
        with open(self.path, "rb") as f:
            f.seek(8 * slot)
            return float(struct.unpack(self._FORMAT, f.read(8))[0])

    def write(self, slot: int, value: float) -> None:
        fd = os.open(self.path, os.O_WRONLY)
        try:
            os.pwrite(fd, struct.pack(self._FORMAT, value), 8 * slot)
        finally:
            os.close(fd)

    def claim(self, warmup_s: float) -> float | None:
        """(tail) The time to start from, or None when too little is left to be worth it."""
        lead_at = self.read(0)
        rest = self.duration_s - lead_at
        if not math.isfinite(lead_at) or rest < self.min_claim_s + warmup_s:
            return None
        start = lead_at + (rest + warmup_s) / 2  # the tail also runs its warm-up
        self.write(1, start)
        return start


def _empty_result(start_s: float) -> _SegmentResult:
    return _SegmentResult(
        np.zeros(0), np.zeros((0, N_LANDMARKS, 4)), np.zeros((0, N_LANDMARKS, 3)), 0, 0, start_s
    )


@contextmanager
def _borrowed(pool: Workers) -> Iterator[Workers]:
    """A pool owned by the caller, used in a ``with`` without being shut down."""
    yield pool


@contextmanager
def _handoff_file() -> Iterator[str]:
    fd, path = tempfile.mkstemp(prefix="midline-handoff-")
    try:
        os.write(fd, struct.pack("dd", 0.0, math.nan))
        os.close(fd)
        yield path
    finally:
        os.unlink(path)


@dataclass
class _SegmentResult:
    t: NDArray[np.float64]
    image: NDArray[np.float64]
    world: NDArray[np.float64]
    jumps: int
    recovered: int
    start_s: float = 0.0


class PoseModels:
    """Pose models kept across many videos (a batch worker holds one): loaded once, reset per video.

    Loading MediaPipe and its graph costs about a second; :meth:`tracker` only resets the graphs
    (they forget the tracked person and their smoothing), so one video's landmarks never depend
    on the videos the worker processed before it. The crop model is made when first needed.
    """

    def __init__(self) -> None:
        self._main: MediaPipePose | None = None
        self._crop: MediaPipePose | None = None
        self._detector: MediaPipePersonDetector | None = None
        self._used = False
        self._settings = TRACKING

    def load(self, settings: PoseSettings = TRACKING) -> MediaPipePose:
        """The main model made with ``settings``: loaded now (a worker's start-up, with the settings
        its videos will ask for) rather than on its first video, or kept if it already is."""
        from midline.pose.backend import MediaPipePose

        if self._main is None or settings != self._settings:
            if self._main is not None:
                self._main.close()
            self._main = MediaPipePose(settings=settings)
            self._settings = settings
        return self._main

    def tracker(self, settings: PoseSettings = TRACKING) -> SubjectTracker:
        """A fresh subject tracker over the kept models, for the next video (the main pose model
        made afresh when it asks for other ``settings`` than the kept one was made with)."""
        from midline.pose.backend import MediaPipePersonDetector
        from midline.pose.subject import SubjectTracker

        kept = self._main is not None and settings == self._settings
        main = self.load(settings)
        if kept and self._used:
            main.reset()
        if self._used and self._crop is not None:
            self._crop.reset()
        if self._detector is None:  # no tracking state: never reset
            self._detector = MediaPipePersonDetector()
        self._used = True
        return SubjectTracker(main, crop_factory=self._crop_model, detector=self._detector)

    def _crop_model(self) -> MediaPipePose:
        """The model that follows the subject on a crop around them while someone else is in view:
        plain tracking whatever the settings. Re-anchoring on the detector there loses the subject
        whenever they are hard to see whole (on the Sports2D demo the subject was found in 0.68 of
        the frames with a re-anchoring crop model, 0.75 with a tracking one, 0.79 with plain
        tracking throughout; docs/accuracy.md)."""
        from midline.pose.backend import MediaPipePose

        if self._crop is None:
            self._crop = MediaPipePose()
        return self._crop

    def close(self) -> None:
        for model in (self._main, self._crop, self._detector):
            if model is not None:
                model.close()
        self._main = self._crop = self._detector = None


_kept = threading.local()


def process_models() -> PoseModels:
    """This process's pose models, created on first use and kept: a worker process (or the main
    process running its own segment, or a seam's re-run) creates its pose models once. One set
    per thread, so that two analyses running side by side never share a tracking graph."""
    models: PoseModels | None = getattr(_kept, "models", None)
    if models is None:
        models = _kept.models = PoseModels()
    return models


def _run_segment(
    seg: _Segment,
    report: Callable[[int], None] | None = None,
    reference: _SegmentResult | None = None,
    models: PoseModels | None = None,
) -> _SegmentResult:
    """Pose of one segment. With ``reference`` (an earlier run of the same segment that followed
    someone else), stop as soon as both runs show the same person on a frame and take the
    reference's remaining frames: only the stretch where they disagree is run again. ``models``
    (kept open) default to this process's :func:`process_models`."""
    tracker = (models or process_models()).tracker(seg.pose)
    handoff = seg.handoff
    if handoff is not None and handoff.role == "tail":
        start = handoff.claim(seg.warmup_s)
        if start is None:  # the lead is nearly done: nothing to do
            return _empty_result(handoff.duration_s)
        seg = replace(seg, start_s=start, handoff=None)
    lead = handoff if handoff is not None and handoff.role == "lead" else None
    stop_at = math.inf
    if seg.seed is not None:
        tracker.box, tracker.last_t = seg.seed
    ts: list[float] = []
    images: list[NDArray[np.float64]] = []
    worlds: list[NDArray[np.float64]] = []
    nan_image = np.full((N_LANDMARKS, 4), np.nan)
    nan_world = np.full((N_LANDMARKS, 3), np.nan)
    pending = 0
    begin = max(0.0, seg.start_s - seg.warmup_s)
    for frame in iter_frames(
        seg.path,
        start_s=begin,
        end_s=seg.end_s,
        max_width=seg.max_width,
        sample_fps=seg.sample_fps,
        threads=seg.threads,
    ):
        if lead is not None:
            if stop_at == math.inf:
                claimed = lead.read(1)
                stop_at = claimed if math.isfinite(claimed) else math.inf
            if frame.t >= stop_at - 1e-6:
                break  # the tail goes on from here
            lead.write(0, frame.t)
        found = tracker.process(frame.rgb, frame.t)
        if frame.t < seg.start_s - 1e-6:
            continue  # warm-up before the seam
        ts.append(frame.t)
        images.append(found[0] if found is not None else nan_image)
        worlds.append(found[1] if found is not None else nan_world)
        if reference is not None and found is not None:
            rest = _agreeing_rest(reference, frame.t, found[0])
            if rest is not None:
                ts.extend(reference.t[rest])
                images.extend(reference.image[rest])
                worlds.extend(reference.world[rest])
                break
        pending += 1
        if pending >= 10:
            (report or report_progress)(pending)
            pending = 0
    if pending:
        (report or report_progress)(pending)
    n = len(ts)
    return _SegmentResult(
        np.asarray(ts, dtype=np.float64),
        np.asarray(images, dtype=np.float64).reshape(n, N_LANDMARKS, 4),
        np.asarray(worlds, dtype=np.float64).reshape(n, N_LANDMARKS, 3),
        tracker.jumps,
        tracker.recovered,
        seg.start_s,
    )


def _agreeing_rest(reference: _SegmentResult, t: float, image: NDArray[np.float64]) -> slice | None:
    """The reference's frames after ``t`` if it shows the same person as ``image`` at ``t``."""
    j = int(np.searchsorted(reference.t, t - 1e-6))
    if (
        j >= reference.t.size
        or abs(reference.t[j] - t) > 1e-6
        or not np.isfinite(reference.image[j, :, 0]).any()
    ):
        return None
    a, b = body_box(reference.image[j]), body_box(image)
    if a is None or b is None or not same_subject(a, b, 0.0):
        return None
    return slice(j + 1, None)


def _n_segments(info: VideoInfo, options: ExtractOptions, pool: Workers | None) -> int:
    workers = options.workers or (pool.n if pool is not None else default_workers())
    return 1 if info.duration_s < options.min_split_s else workers


def _segments(info: VideoInfo, options: ExtractOptions, workers: int) -> list[_Segment]:
    """Equal contiguous parts (more than two processes; two agree on their seam at run time)."""
    bounds = np.linspace(0.0, info.duration_s, workers + 1)
    return [
        _Segment(
            str(info.path),
            float(bounds[i]),
            None if i == workers - 1 else float(bounds[i + 1]),
            options.warmup_s,
            options.sample_fps,
            options.max_width,
            pose=options.pose,
        )
        for i in range(workers)
    ]


def _seam_mismatch(
    before: _SegmentResult, after: _SegmentResult, seam_s: float, window_s: float = 1.0
) -> tuple[Box, float] | None:
    """The earlier segment's subject at the seam if the later segment follows someone else, else None."""
    seen_before = np.flatnonzero(
        np.isfinite(before.image[:, :, 0]).any(axis=1) & (before.t > seam_s - window_s)
    )
    seen_after = np.flatnonzero(np.isfinite(after.image[:, :, 0]).any(axis=1) & (after.t < seam_s + window_s))
    if seen_before.size == 0 or seen_after.size == 0:
        return None
    i, j = seen_before[-1], seen_after[0]
    a, b = body_box(before.image[i]), body_box(after.image[j])
    if a is None or b is None or same_subject(a, b, float(after.t[j] - before.t[i])):
        return None
    return a, float(before.t[i])


def _check_complete(info: VideoInfo, t: NDArray[np.float64]) -> None:
    """A file cut short after its header (moov first) decodes without an error: compare the times."""
    if info.duration_s <= 0:
        return
    last = float(t[-1]) if t.size else 0.0
    missing = info.duration_s - last
    if missing > max(1.0, 0.1 * info.duration_s):
        raise CorruptVideoError(
            f"{info.path}: the video stops at {last:.1f} s but its header says {info.duration_s:.1f} s; "
            "it is probably truncated (an interrupted copy or upload): copy or export it again"
        )


def extract_landmarks(
    path: str | os.PathLike[str],
    options: ExtractOptions | None = None,
    progress: Progress | None = None,
    info: VideoInfo | None = None,
    workers: Workers | None = None,
    models: PoseModels | None = None,
) -> LandmarkSeries:
    """Landmarks of the (one) person in a video; frames without them are NaN rows.

    ``progress(done, expected)`` is called from this process as frames complete. ``workers`` is a
    pool to reuse (one is started and stopped here when it is needed and not given). ``models``
    (kept pose models, e.g. a batch worker's) runs the whole video in this process on them.
    """
    options = options or ExtractOptions()
    info = info or probe(path, options.limits)
    rate = info.fps if options.sample_fps is None else min(info.fps, options.sample_fps)
    expected = max(1, round(info.duration_s * rate))
    n = 1 if models is not None else _n_segments(info, options, workers)
    done = 0

    def report(k: int) -> None:
        nonlocal done
        done += k
        if progress is not None:
            progress(min(done, expected), expected)

    whole = _segments(info, options, 1)[0]
    if n == 1:
        results = [_run_segment(whole, report, models=models)]
    elif n == 2 and options.balance:
        # The worker (tail) takes the later part once it has started; this process (lead) runs from 0.
        with _handoff_file() as shared, Workers(2) if workers is None else _borrowed(workers) as pool:
            tail = replace(whole, handoff=_Handoff(shared, "tail", info.duration_s), threads=1)
            lead = replace(whole, handoff=_Handoff(shared, "lead", info.duration_s), threads=1)
            results = pool.map(_run_segment, [tail, lead], report)[::-1]
    else:
        segments = [replace(seg, threads=1) for seg in _segments(info, options, n)]
        if workers is not None:
            results = workers.map(_run_segment, segments, report)
        else:
            with Workers(n) as pool:
                results = pool.map(_run_segment, segments, report)
    results = [r for r in results if r.t.size]
    for i in range(1, len(results)):
        seed = _seam_mismatch(results[i - 1], results[i], results[i].start_s)
        if seed is not None:
            # Each segment chose its subject on its own and these differ (several people in view
            # at the seam): follow the earlier segment's subject through this one instead.
            again = replace(whole, start_s=results[i].start_s, warmup_s=0.0, seed=seed)
            results[i] = _run_segment(again, report=lambda k: None, reference=results[i])
    if not results:
        results = [_empty_result(0.0)]
    t = np.concatenate([r.t for r in results])
    _check_complete(info, t)
    image = np.concatenate([r.image for r in results])
    world = np.concatenate([r.world for r in results])
    order = np.argsort(t, kind="stable")
    t, image, world = t[order], image[order], world[order]
    keep = np.diff(t, prepend=-np.inf) > 1e-9  # a frame on a seam is kept once
    if progress is not None:
        progress(expected, expected)
    return LandmarkSeries(
        t=t[keep],
        image=image[keep],
        world=world[keep],
        width=info.width,
        height=info.height,
        fps=float(rate),
    )
