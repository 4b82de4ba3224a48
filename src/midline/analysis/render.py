"""The annotated video: the analysis drawn onto each analysed frame.

Like pose extraction, drawing and encoding are split into contiguous time segments across the
worker processes; each writes an .mp4 part and the parts are joined without re-encoding. The
segments are the pose pass's, so each process finds the frames its pose pass kept
(:mod:`midline.video.previews`, bounded memory) and decodes the source again only past them.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from midline.core.pipeline import Analysis
from midline.parallel import Workers, report_progress
from midline.video.annotate import GapColours, draw_overlay
from midline.video.decode import DecodedFrame, iter_frames, rotate_to_display
from midline.video.encode import VideoWriter, concat_mp4
from midline.video.previews import DEFAULT_BUDGET_BYTES, keep_previews, take_previews
from midline.video.probe import VideoInfo

from .overlay import OverlayTimeline


@dataclass(frozen=True)
class _Part:
    video: str
    out: str
    start_s: float
    end_s: float | None
    fps: float
    sample_fps: float | None
    max_width: int
    timeline: OverlayTimeline
    threads: int = 0  # 1 when each process has a core of its own


@dataclass(frozen=True)
class KeepFrames:
    """What the pose pass should keep for the video (see :func:`start_keeping`)."""

    video: str
    max_width: int
    sample_fps: float | None
    budget_bytes: int = DEFAULT_BUDGET_BYTES


def start_keeping(keep: KeepFrames, report: Callable[[int], None] | None = None) -> None:
    """Run in every process before the pose pass (``Workers.map``): keep its frames for the video."""
    keep_previews(keep.video, keep.max_width, keep.sample_fps, keep.budget_bytes)


def video_keep(video: Path, info: VideoInfo, max_side: int, sample_fps: float | None) -> KeepFrames:
    """The frames to keep for an annotated video of ``video`` at ``max_side`` pixels, from a pose
    pass sampling at ``sample_fps`` (they are used where the video samples at the same rate)."""
    return KeepFrames(str(video), _max_width(info, max_side), sample_fps)


def _max_width(info: VideoInfo, max_side: int) -> int:
    return max(2, int(max_side * info.width / max(info.width, info.height)))


def _part_frames(part: _Part) -> Iterator[DecodedFrame]:
    """The part's frames: those this process kept from its pose pass, then the source decoded
    from where they stop (a long video's kept frames cover only its beginning)."""
    kept = take_previews(part.video)
    resume = part.start_s
    last_t = -math.inf
    if (
        kept is not None
        and kept.max_width == part.max_width
        and kept.sample_fps == part.sample_fps
        and kept.start_s <= part.start_s + 1e-6
        and kept.frames
    ):
        end = math.inf if part.end_s is None else part.end_s
        while kept.frames:
            f = kept.frames.popleft()  # frees each frame as it is drawn
            if f.t < part.start_s - 1e-6:
                continue
            if f.t >= end - 1e-6:
                break
            rgb = cv2.cvtColor(f.yuv, cv2.COLOR_YUV2RGB_I420)
            yield DecodedFrame(-1, f.t, rotate_to_display(np.asarray(rgb, np.uint8), f.rotation))
            last_t = f.t
        if kept.complete_until >= end - 1e-6:
            return
        kept.frames.clear()
        if last_t > -math.inf:
            # Go on at the next sampling bin (bins are anchored at t = 0, as in iter_frames).
            if part.sample_fps is None:
                resume = last_t + 1e-5
            else:
                resume = (math.floor(last_t * part.sample_fps + 1e-6) + 1) / part.sample_fps
    for frame in iter_frames(
        part.video,
        start_s=resume,
        end_s=part.end_s,
        max_width=part.max_width,
        sample_fps=part.sample_fps,
        preview=True,
        threads=part.threads,
    ):
        if frame.t > last_t + 1e-9:
            yield frame


def _render_part(part: _Part, report: Callable[[int], None] | None = None) -> int:
    # OpenCV's own threads (colour conversions) only spin where each process has a core of its
    # own: a third less CPU for converting and encoding the frames.
    cv_threads = cv2.getNumThreads()
    if part.threads == 1:
        cv2.setNumThreads(1)
    try:
        return _draw_and_encode(part, report)
    finally:
        cv2.setNumThreads(cv_threads)


def _draw_and_encode(part: _Part, report: Callable[[int], None] | None) -> int:
    colours = GapColours()
    n = 0
    frames = _part_frames(part)
    with VideoWriter(part.out, fps=part.fps, threads=part.threads) as writer:
        for frame in frames:
            writer.write(draw_overlay(frame.rgb, part.timeline.at(frame.t), colours), frame.t)
            n += 1
            if n % 10 == 0:
                (report or report_progress)(10)
    (report or report_progress)(n % 10)
    return n


def render_annotated(
    video: Path,
    analysis: Analysis,
    out: Path,
    info: VideoInfo,
    max_side: int = 720,
    progress: Callable[[str, int, int], None] | None = None,
    workers: Workers | None = None,
    min_split_s: float = 6.0,
    pose_sample_fps: float | None = None,
) -> None:
    """Write ``out`` at the analysis' frame rate (the frames pose was measured on), atomically.

    The long side is scaled to ``max_side`` pixels at most: the video is embedded in report.html.
    ``pose_sample_fps``: the rate the pose pass sampled at, when known (then the video has exactly
    its frames, and can take those it kept); otherwise the analysis' frame rate.
    """
    timeline = OverlayTimeline(analysis)
    fps = analysis.report.video.fps
    if pose_sample_fps is not None:
        sample: float | None = pose_sample_fps
    else:
        sample = fps if fps < info.fps - 1e-6 else None
    total = max(1, analysis.report.video.frames)
    max_width = _max_width(info, max_side)
    done = 0

    def report(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress("video", min(done, total), total)

    n_parts = workers.n if workers is not None and info.duration_s >= min_split_s else 1
    if n_parts == 1:
        _render_part(_Part(str(video), str(out), 0.0, None, fps, sample, max_width, timeline), report)
        return
    assert workers is not None
    bounds = np.linspace(0.0, info.duration_s, n_parts + 1)
    with tempfile.TemporaryDirectory(prefix=".midline-parts-", dir=out.parent) as tmp:
        parts = [
            _Part(
                str(video),
                str(Path(tmp) / f"part{i}.mp4"),
                float(bounds[i]),
                None if i == n_parts - 1 else float(bounds[i + 1]),
                fps,
                sample,
                max_width,
                timeline,
                threads=1,
            )
            for i in range(n_parts)
        ]
        workers.map(_render_part, parts, report)
        concat_mp4([Path(p.out) for p in parts], out)
    if progress is not None:
        progress("video", total, total)
