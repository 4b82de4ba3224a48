"""``run_batch``: plan the work, skip what is done, run the rest on an engine, keep and summarise it.

The engine only analyses; everything that must happen once per video (the journal line, the stored
analysis, the summary row) happens here, in the one process that drives the batch.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from midline.analysis.run import REPORT_JSON, resolve_spec
from midline.catalog import load_catalog
from midline.errors import InputError, MidlineError
from midline.log.versions import analysis_version, midline_version

from .engines import Engine
from .journal import Entry, Journal
from .plan import BatchSettings, NoVideosError, Task, find_videos, job_key, report_folder_name, sha256_file
from .store import AnalysisStore
from .summary import Row, counts, row_from_report, write_summary
from .work import Outcome


class Observer(Protocol):
    """What a display is told (the CLI's Rich progress bar implements it)."""

    def planned(self, videos: int, to_run: int, frames: int) -> None: ...

    def frames(self, index: int, done: int, total: int) -> None: ...

    def finished(self, row: Row) -> None: ...


class _Silent:
    def planned(self, videos: int, to_run: int, frames: int) -> None:
        pass

    def frames(self, index: int, done: int, total: int) -> None:
        pass

    def finished(self, row: Row) -> None:
        pass


@dataclass
class BatchResult:
    rows: list[Row]
    out: Path
    files: tuple[Path, Path]
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass
class _Planned:
    rows: list[Row | None]  # None: still to run
    tasks: list[Task]
    hashes: dict[int, tuple[Path, str]]


def _expected_frames(path: Path, settings: BatchSettings) -> int:
    """Frames pose will see (for the progress bar); 0 when the header cannot be read (it will fail)."""
    from midline.video.probe import probe

    try:
        info = probe(path, settings.extract.limits)
    except MidlineError:
        return 0
    rate = info.fps if settings.extract.sample_fps is None else min(info.fps, settings.extract.sample_fps)
    return max(1, round(info.duration_s * rate))


def _read_report(folder: Path) -> dict[str, Any] | None:
    """A finished video's report.json, or None when it is unreadable (the video is then run again)."""
    try:
        data = json.loads((folder / REPORT_JSON).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def plan_batch(videos: Sequence[Path], settings: BatchSettings, out: Path, journal: Journal) -> _Planned:
    rows: list[Row | None] = []
    tasks: list[Task] = []
    hashes: dict[int, tuple[Path, str]] = {}
    first_of: dict[str, str] = {}
    for i, path in enumerate(videos):
        try:
            sha = journal.known_hash(path) or sha256_file(path)
        except OSError as exc:
            rows.append(Row(str(path), "failed", error=f"{path}: cannot be read ({exc.strerror or exc})"))
            continue
        key = job_key(sha, settings)
        folder = out / report_folder_name(path, sha)
        done = journal.done(key)
        report = _read_report(out / done.out_dir) if done is not None else None
        if done is not None and report is not None:  # same content, settings and analysis version
            rows.append(row_from_report(str(path), "skipped", report, report_dir=done.out_dir, sha256=sha))
        elif key in first_of:
            rows.append(Row(str(path), "skipped", sha256=sha, error=f"same video as {first_of[key]}"))
        else:
            rows.append(None)
            hashes[i] = (path, sha)
            tasks.append(Task(i, str(path), sha, str(folder), settings, _expected_frames(path, settings)))
        first_of.setdefault(key, str(path))
    return _Planned(rows, tasks, hashes)


def run_batch(
    paths: Sequence[str | os.PathLike[str]],
    settings: BatchSettings,
    out: str | os.PathLike[str],
    engine: Engine,
    store: AnalysisStore | None = None,
    observer: Observer | None = None,
) -> BatchResult:
    """Analyse every video under ``paths`` into ``out``; a second run only does what is not done."""
    start = time.perf_counter()
    observer = observer or _Silent()
    resolve_spec(load_catalog(), settings.exercise, settings.position)  # a bad id fails before any work
    out_dir = Path(out)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir}: not a folder; give --out a folder for the reports")
    out_dir.mkdir(parents=True, exist_ok=True)
    for partial in out_dir.glob(".*.partial-*"):  # left by a killed batch: never a finished report
        shutil.rmtree(partial, ignore_errors=True)
    journal = Journal(out_dir)
    videos = find_videos(paths, exclude=[out_dir])
    if not videos:
        shown = ", ".join(str(p) for p in paths)
        raise NoVideosError(
            f"no videos under {shown} (looked for .mp4/.mov/.mkv/.webm/.avi and video headers)"
        )
    planned = plan_batch(videos, settings, out_dir, journal)
    rows = planned.rows
    observer.planned(len(videos), len(planned.tasks), sum(t.expected_frames for t in planned.tasks))
    for i, row in enumerate(rows):
        if row is not None:
            if store is not None and row.status == "skipped" and row.report_dir:
                folder = out_dir / row.report_dir
                report = _read_report(folder)
                if report is not None:
                    rows[i] = row = _with(row, stored_uid=store.store(folder, report))
            observer.finished(row)
    started_at = dt.datetime.now(dt.UTC).isoformat()
    try:
        if planned.tasks:
            # Longest first: the last videos to start are the short ones, so the workers finish
            # together instead of one waiting on a long video started last.
            longest_first = sorted(planned.tasks, key=lambda t: -t.expected_frames)
            for outcome in engine.run(longest_first, observer.frames):
                path, sha = planned.hashes[outcome.index]
                row = _finish(outcome, path, sha, settings, out_dir, journal, store)
                rows[outcome.index] = row
                observer.finished(row)
    finally:
        final = [r if r is not None else Row(str(videos[i]), "not run", error="the batch was stopped")
                 for i, r in enumerate(rows)]  # fmt: skip
        meta = {
            "midline_version": midline_version(),
            "analysis_version": analysis_version(),
            "settings": settings.describe(),
            "engine": engine.name,
            "workers": engine.workers,
            "started_at": started_at,
            "finished_at": dt.datetime.now(dt.UTC).isoformat(),
            "seconds": round(time.perf_counter() - start, 3),
        }
        files = write_summary(out_dir, final, meta)
    return BatchResult(final, out_dir, files, counts(final), time.perf_counter() - start)


def _with(row: Row, **changes: Any) -> Row:
    return replace(row, **changes)


def _finish(
    outcome: Outcome,
    path: Path,
    sha: str,
    settings: BatchSettings,
    out: Path,
    journal: Journal,
    store: AnalysisStore | None,
) -> Row:
    """Store (when asked), journal, and summarise one finished video, in that order: a kill between
    storing and journaling re-runs the video and the store recognises it."""
    folder_name = report_folder_name(path, sha)
    st = path.stat() if path.exists() else None
    status = outcome.status
    error = outcome.error or ""
    uid = ""
    if status == "ok" and store is not None and outcome.report is not None:
        try:
            uid = store.store(out / folder_name, outcome.report)
        except MidlineError as exc:
            status, error = "failed", f"analysed, but not stored in the database: {exc}"
    journal.append(
        Entry(
            key=job_key(sha, settings),
            path=str(path),
            sha256=sha,
            size=st.st_size if st else 0,
            mtime_ns=st.st_mtime_ns if st else 0,
            status=status,
            out_dir=folder_name,
            error=error or None,
            seconds=round(outcome.seconds, 3),
        )
    )
    extra: dict[str, Any] = {
        "sha256": sha,
        "seconds": round(outcome.seconds, 3),
        "error": error,
        "stored_uid": uid,
    }
    if outcome.report is not None and status == "ok":
        return row_from_report(str(path), "ok", outcome.report, report_dir=folder_name, **extra)
    return Row(str(path), "failed", **extra)
