"""The annotated video: decode the source again and draw the analysis onto each analysed frame."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from midline.core.pipeline import Analysis
from midline.video.annotate import GapColours, draw_overlay
from midline.video.decode import iter_frames
from midline.video.encode import VideoWriter
from midline.video.probe import VideoInfo

from .overlay import OverlayTimeline


def render_annotated(
    video: Path,
    analysis: Analysis,
    out: Path,
    info: VideoInfo,
    max_side: int = 960,
    progress: Callable[[str, int, int], None] | None = None,
) -> None:
    """Write ``out`` at the analysis' frame rate (the frames pose was measured on), atomically.

    The long side is scaled to ``max_side`` pixels at most: the video is embedded in report.html.
    """
    timeline = OverlayTimeline(analysis)
    fps = analysis.report.video.fps
    sample = fps if fps < info.fps - 1e-6 else None
    total = max(1, analysis.report.video.frames)
    colours = GapColours()
    max_width = max(2, int(max_side * info.width / max(info.width, info.height)))
    with VideoWriter(out, fps=fps) as writer:
        for n, frame in enumerate(iter_frames(video, max_width=max_width, sample_fps=sample), start=1):
            writer.write(draw_overlay(frame.rgb, timeline.at(frame.t), colours), frame.t)
            if progress is not None and n % 10 == 0:
                progress("video", min(n, total), total)
    if progress is not None:
        progress("video", total, total)
