"""``analyze_video`` / ``analyze_landmarks``: the whole job from a file to the report folder.

Writes ``report.json``, ``landmarks.json``, ``annotated.mp4`` (unless no video is wanted) and
``report.html`` into ``out_dir``, each atomically (temporary file + rename), so a run that fails
leaves no file that looks complete.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from midline.atomic import write_text
from midline.catalog import load_catalog
from midline.catalog.loader import Catalog
from midline.catalog.spec import analysis_spec
from midline.core.landmarks import LandmarkSeries
from midline.core.pipeline import Analysis, analyse
from midline.core.spec import AnalysisSpec
from midline.errors import InputError, UnknownEntryError
from midline.parallel import Workers
from midline.pose.extract import ExtractOptions, PoseModels, extract_landmarks
from midline.video.previews import drop_previews
from midline.video.probe import VideoInfo, probe

from .timed_landmarks import read_timed_landmarks, write_timed_landmarks

Progress = Callable[[str, int, int], None]  # (stage, done, total); stages: "pose", "video"

REPORT_JSON = "report.json"
LANDMARKS_JSON = "landmarks.json"
ANNOTATED_MP4 = "annotated.mp4"
REPORT_HTML = "report.html"


@dataclass(frozen=True)
class AnalyzeOptions:
    position: str | None = None
    height_cm: float | None = None
    make_video: bool = True
    make_html: bool = True
    video_max_side: int = 720  # long side of annotated.mp4: it is embedded in report.html
    # Memory per process for the pose pass's frames kept for annotated.mp4 (the source is
    # decoded again only past them): 256 MB holds a minute of 720p at 20 frames/s.
    video_keep_mb: int = 256
    extract: ExtractOptions = field(default_factory=ExtractOptions)


@dataclass(frozen=True)
class AnalyzeResult:
    analysis: Analysis
    report: dict[str, Any]
    out_dir: Path
    files: dict[str, Path]


def default_out_dir(source: str | os.PathLike[str]) -> Path:
    """The folder beside the input: ``set.mp4`` -> ``set.midline/``."""
    p = Path(source)
    return p.with_name(p.stem + ".midline")


def resolve_spec(catalog: Catalog, exercise_id: str, position: str | None) -> AnalysisSpec:
    """The exercise's analysis spec; unknown ids and positions get errors listing what exists."""
    if exercise_id not in catalog.exercises:
        analysable = ", ".join(e.id for e in catalog.exercises.values() if e.analysis is not None)
        raise UnknownEntryError(
            f"unknown exercise {exercise_id!r}; exercises midline can analyse: {analysable}"
        )
    spec = analysis_spec(catalog, exercise_id)
    if position is not None and position not in catalog.positions:
        known = ", ".join(catalog.positions)
        raise UnknownEntryError(f"unknown leg position {position!r}; known positions: {known}")
    return spec


def _analyse(
    series: LandmarkSeries, exercise_id: str, options: AnalyzeOptions, catalog: Catalog | None
) -> Analysis:
    catalog = catalog or load_catalog()
    spec = resolve_spec(catalog, exercise_id, options.position)
    return analyse(series, spec, asked_position=options.position, height_cm=options.height_cm)


def analyze_landmarks(
    landmarks_path: str | os.PathLike[str],
    exercise_id: str,
    out_dir: str | os.PathLike[str] | None = None,
    options: AnalyzeOptions | None = None,
    progress: Progress | None = None,
    catalog: Catalog | None = None,
    video_path: str | os.PathLike[str] | None = None,
) -> AnalyzeResult:
    """Re-run the analysis from a landmarks.json (no pose estimation); same report as the video run.

    ``video_path`` (the original video), when given, is used for the annotated video.
    """
    options = options or AnalyzeOptions()
    src = Path(landmarks_path)
    if not src.is_file():
        raise InputError(f"{src}: no such landmarks file")
    series = read_timed_landmarks(src)
    analysis = _analyse(series, exercise_id, options, catalog)
    if out_dir is not None:
        out = Path(out_dir)
    elif src.name == LANDMARKS_JSON:  # a report folder: refresh it in place
        out = src.parent
    else:
        out = default_out_dir(src.with_name(src.name.removesuffix(".json").removesuffix(".landmarks")))
    video = Path(video_path) if video_path is not None else None
    return _write_outputs(analysis, out, options, video, None, progress)


def analyze_video(
    video_path: str | os.PathLike[str],
    exercise_id: str,
    out_dir: str | os.PathLike[str] | None = None,
    options: AnalyzeOptions | None = None,
    progress: Progress | None = None,
    catalog: Catalog | None = None,
    pose: PoseModels | None = None,
) -> AnalyzeResult:
    """Pose-estimate a video, analyse it and write the report folder.

    ``pose``: kept pose models (a batch worker's, loaded once for many videos); the whole video then
    runs in this process, since the batch already parallelises across videos.
    """
    options = options or AnalyzeOptions()
    catalog = catalog or load_catalog()
    resolve_spec(catalog, exercise_id, options.position)  # fail on a bad id before the slow part
    info = probe(video_path, options.extract.limits)

    def pose_progress(done: int, total: int) -> None:
        if progress is not None:
            progress("pose", done, total)

    out = Path(out_dir) if out_dir is not None else default_out_dir(video_path)
    # One pool of worker processes for both slow stages (started only if a stage splits the video).
    with Workers(1 if pose is not None else options.extract.workers or None) as workers:
        if options.make_video:
            _keep_frames_for_video(Path(video_path), info, options, workers, split=pose is None)
        try:
            extracted = extract_landmarks(video_path, options.extract, pose_progress, info, workers, pose)
        except BaseException:
            drop_previews(video_path)
            raise
        out.mkdir(parents=True, exist_ok=True)
        # Analyse what landmarks.json holds (rounded as written), so `--landmarks` gives the same report.
        write_timed_landmarks(extracted, out / LANDMARKS_JSON)
        series = read_timed_landmarks(out / LANDMARKS_JSON)
        analysis = _analyse(series, exercise_id, options, catalog)
        try:
            result = _write_outputs(
                analysis, out, options, Path(video_path), info, progress, workers, from_pose=True
            )
        finally:
            drop_previews(video_path)  # whatever the video did not take
    result.files["landmarks"] = out / LANDMARKS_JSON
    return result


def _keep_frames_for_video(
    video: Path, info: VideoInfo, options: AnalyzeOptions, workers: Workers, split: bool
) -> None:
    """Have the pose pass keep its frames (small, bounded) in every process that will draw the
    same stretch of the annotated video, so that the source is not decoded a second time."""
    from midline.analysis.render import start_keeping, video_keep

    keep = video_keep(video, info, options.video_max_side, options.extract.sample_fps)
    keep = replace(keep, budget_bytes=options.video_keep_mb * 1024 * 1024)
    if split and info.duration_s >= options.extract.min_split_s:
        # Each process keeps its own half (the halves of the pose pass and of the video are the
        # same). Queued, not waited for: the pool's process runs it before its pose segment, and
        # this process starts its own at once (a process that missed it decodes again).
        for _ in range(workers.n - 1):
            workers.submit(start_keeping, keep)
    start_keeping(keep)


def _write_outputs(
    analysis: Analysis,
    out: Path,
    options: AnalyzeOptions,
    video: Path | None,
    info: VideoInfo | None,
    progress: Progress | None,
    workers: Workers | None = None,
    from_pose: bool = False,
) -> AnalyzeResult:
    """``from_pose``: the analysis comes from this run's pose pass (the video takes its frames)."""
    out.mkdir(parents=True, exist_ok=True)
    report = analysis.report.to_dict()
    files: dict[str, Path] = {}
    video_file: Path | None = None
    if options.make_video and video is not None:
        from midline.analysis.render import render_annotated

        info = info or probe(video, options.extract.limits)
        sample = options.extract.sample_fps if from_pose else None
        with Workers(options.extract.workers or None) if workers is None else nullcontext(workers) as pool:
            render_annotated(
                video,
                analysis,
                out / ANNOTATED_MP4,
                info,
                options.video_max_side,
                progress,
                pool,
                pose_sample_fps=sample,
            )
        video_file = out / ANNOTATED_MP4
        files["video"] = video_file
    if options.make_html:
        from midline.report.html import render_html

        write_text(out / REPORT_HTML, render_html(analysis, video_file))
        files["html"] = out / REPORT_HTML
    write_text(out / REPORT_JSON, json.dumps(report, indent=2))  # last: its presence means the run finished
    files["report"] = out / REPORT_JSON
    return AnalyzeResult(analysis, report, out, files)
