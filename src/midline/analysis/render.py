"""The annotated video: decode the source again and draw the analysis onto each analysed frame.

Like pose extraction, drawing and encoding are split into contiguous time segments across the
worker processes; each writes an .mp4 part and the parts are joined without re-encoding.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from midline.core.pipeline import Analysis
from midline.parallel import Workers, report_progress
from midline.video.annotate import GapColours, draw_overlay
from midline.video.decode import iter_frames
from midline.video.encode import VideoWriter, concat_mp4
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


def _render_part(part: _Part, report: Callable[[int], None] | None = None) -> int:
    colours = GapColours()
    n = 0
    frames = iter_frames(
        part.video,
        start_s=part.start_s,
        end_s=part.end_s,
        max_width=part.max_width,
        sample_fps=part.sample_fps,
        preview=True,
        threads=part.threads,
    )
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
) -> None:
    """Write ``out`` at the analysis' frame rate (the frames pose was measured on), atomically.

    The long side is scaled to ``max_side`` pixels at most: the video is embedded in report.html.
    """
    timeline = OverlayTimeline(analysis)
    fps = analysis.report.video.fps
    sample = fps if fps < info.fps - 1e-6 else None
    total = max(1, analysis.report.video.frames)
    max_width = max(2, int(max_side * info.width / max(info.width, info.height)))
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
