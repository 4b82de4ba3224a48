"""Video -> :class:`LandmarkSeries`: decode, estimate pose, stay on one subject.

Pose estimation is the cost (about 20 ms a frame on one core), so a video longer than a few
seconds is cut into contiguous time segments, one per worker process, each owning one pose
model created once. MediaPipe tracks between frames, so a worker starts ``warmup_s`` before its
segment and throws those frames away: by the seam its tracking and smoothing have settled on
the subject, as if the video had been processed in one go.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from midline.core.landmarks import N_LANDMARKS, LandmarkSeries
from midline.parallel import Workers, default_workers, report_progress
from midline.pose.subject import Box, body_box, same_subject
from midline.video.decode import iter_frames
from midline.video.probe import CorruptVideoError, VideoInfo, VideoLimits, probe

if TYPE_CHECKING:
    from midline.pose.backend import MediaPipePose
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
    limits: VideoLimits = field(default_factory=VideoLimits)


@dataclass(frozen=True)
class _Segment:
    path: str
    start_s: float
    end_s: float | None
    warmup_s: float
    sample_fps: float | None
    max_width: int
    seed: tuple[Box, float] | None = None  # the subject (box, time) to follow from the start


@dataclass
class _SegmentResult:
    t: NDArray[np.float64]
    image: NDArray[np.float64]
    world: NDArray[np.float64]
    jumps: int
    recovered: int


class PoseModels:
    """Pose models kept across many videos (a batch worker holds one): loaded once, reset per video.

    Loading MediaPipe and its graph costs about a second; :meth:`tracker` only resets the graphs
    (they forget the tracked person and their smoothing), so one video's landmarks never depend
    on the videos the worker processed before it. The crop model is made when first needed.
    """

    def __init__(self) -> None:
        self._main: MediaPipePose | None = None
        self._crop: MediaPipePose | None = None
        self._used = False

    def load(self) -> None:
        """Load the main model now (a worker's start-up) rather than on its first video."""
        from midline.pose.backend import MediaPipePose

        if self._main is None:
            self._main = MediaPipePose()

    def tracker(self) -> SubjectTracker:
        """A fresh subject tracker over the kept models, for the next video."""
        from midline.pose.backend import MediaPipePose
        from midline.pose.subject import SubjectTracker

        if self._main is None:
            self._main = MediaPipePose()
        elif self._used:
            self._main.reset()
            if self._crop is not None:
                self._crop.reset()
        self._used = True
        return SubjectTracker(self._main, crop_factory=self._crop_model)

    def _crop_model(self) -> MediaPipePose:
        from midline.pose.backend import MediaPipePose

        if self._crop is None:
            self._crop = MediaPipePose()
        return self._crop

    def close(self) -> None:
        for model in (self._main, self._crop):
            if model is not None:
                model.close()
        self._main = self._crop = None


def _run_segment(
    seg: _Segment,
    report: Callable[[int], None] | None = None,
    reference: _SegmentResult | None = None,
    models: PoseModels | None = None,
) -> _SegmentResult:
    """Pose of one segment. With ``reference`` (an earlier run of the same segment that followed
    someone else), stop as soon as both runs show the same person on a frame and take the
    reference's remaining frames: only the stretch where they disagree is run again. With
    ``models`` their (kept) models are used and left open; otherwise models are made and closed here."""
    from midline.pose.backend import MediaPipePose
    from midline.pose.subject import SubjectTracker

    tracker = (
        models.tracker()
        if models is not None
        else SubjectTracker(MediaPipePose(), crop_factory=MediaPipePose)
    )
    if seg.seed is not None:
        tracker.box, tracker.last_t = seg.seed
    ts: list[float] = []
    images: list[NDArray[np.float64]] = []
    worlds: list[NDArray[np.float64]] = []
    nan_image = np.full((N_LANDMARKS, 4), np.nan)
    nan_world = np.full((N_LANDMARKS, 3), np.nan)
    pending = 0
    try:
        begin = max(0.0, seg.start_s - seg.warmup_s)
        for frame in iter_frames(
            seg.path, start_s=begin, end_s=seg.end_s, max_width=seg.max_width, sample_fps=seg.sample_fps
        ):
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
    finally:
        if models is None:
            tracker.close()
    if pending:
        (report or report_progress)(pending)
    n = len(ts)
    return _SegmentResult(
        np.asarray(ts, dtype=np.float64),
        np.asarray(images, dtype=np.float64).reshape(n, N_LANDMARKS, 4),
        np.asarray(worlds, dtype=np.float64).reshape(n, N_LANDMARKS, 3),
        tracker.jumps,
        tracker.recovered,
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


def _segments(info: VideoInfo, options: ExtractOptions, pool: Workers | None) -> list[_Segment]:
    workers = options.workers or (pool.n if pool is not None else default_workers())
    if info.duration_s < options.min_split_s:
        workers = 1
    bounds = np.linspace(0.0, info.duration_s, workers + 1)
    return [
        _Segment(
            str(info.path),
            float(bounds[i]),
            None if i == workers - 1 else float(bounds[i + 1]),
            options.warmup_s,
            options.sample_fps,
            options.max_width,
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
    segments = _segments(info, options if models is None else replace(options, workers=1), workers)
    done = 0

    def report(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(min(done, expected), expected)

    if len(segments) == 1:
        results = [_run_segment(segments[0], report, models=models)]
    elif workers is not None:
        results = workers.map(_run_segment, segments, report)
    else:
        with Workers(len(segments)) as pool:
            results = pool.map(_run_segment, segments, report)
    for i in range(1, len(results)):
        seed = _seam_mismatch(results[i - 1], results[i], segments[i].start_s)
        if seed is not None:
            # Each segment chose its subject on its own and these differ (several people in view
            # at the seam): follow the earlier segment's subject through this one instead.
            again = replace(segments[i], warmup_s=0.0, seed=seed)
            results[i] = _run_segment(again, report=lambda n: None, reference=results[i])
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
