"""Video uploads and the analysis queue.

An upload streams to ``data_dir/uploads/<owner>/<random>.video`` (never a user-chosen name, never
under a static folder) and is cut off, and deleted, once it passes the size limit. Its container is
checked by probing its content (:func:`midline.video.probe.probe`), not its name. Jobs run on a
fixed number of worker threads (``workers``: that many at a time; more uploads wait in the queue,
and a job that fails frees its worker for the next); each job's state is a JSON file written
atomically, so a crash leaves the last state on disk, and on start any job that was queued or
running is marked failed with a message: never lost, never half-written. The report folder is
written by :func:`midline.analysis.analyze_video` (its ``report.json`` comes last) and the
analysis is stored in the log only when the run finished.
"""

from __future__ import annotations

import json
import queue
import secrets
import shutil
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Literal

from midline.atomic import write_text
from midline.errors import MidlineError
from midline.log.records import AnalysisRecord
from midline.log.repository import LogRepository
from midline.log.service import store_analysis

Status = Literal["queued", "running", "done", "failed"]
INTERRUPTED = "the server stopped while this job was waiting or running; upload the video again"


class UploadTooLargeError(MidlineError):
    """The upload passed the configured size limit while streaming."""


@dataclass(frozen=True)
class Job:
    id: str
    owner: int
    exercise: str
    position: str | None
    status: Status
    stage: str
    progress: float
    """0-1 over the whole job."""
    message: str
    analysis_uid: str | None
    created: float
    precise_timing: bool = False
    """Pose as ``midline analyze --precise-timing`` runs it (jobs written before it read False)."""

    def public(self) -> dict[str, Any]:
        out = asdict(self)
        del out["owner"]
        return out


def new_id() -> str:
    return secrets.token_urlsafe(16)


async def save_stream(chunks: AsyncIterator[bytes], target: Path, limit: int) -> int:
    """Write the request body to ``target`` as it arrives; over ``limit`` bytes the partial file is
    removed and :class:`UploadTooLargeError` raised. Returns the size."""
    target.parent.mkdir(parents=True, exist_ok=True)
    size = 0
    try:
        with target.open("xb") as out:
            async for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise UploadTooLargeError(
                        f"the upload is larger than the limit of {limit // (1024 * 1024)} MB"
                        f" ({limit} bytes); trim or compress the video"
                    )
                out.write(chunk)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    if size == 0:
        target.unlink(missing_ok=True)
        raise UploadTooLargeError("the upload is empty: choose a video file")
    return size


class JobQueue:
    """Jobs of every user, run by ``workers`` threads; every read is by (owner, id)."""

    def __init__(
        self, root: Path, repo: LogRepository, keep_videos_days: int | None = 0, workers: int = 1
    ) -> None:
        if workers < 1:
            raise MidlineError(f"analysis workers: 1 or more, not {workers}")
        self.root = root
        self.workers = workers
        self.repo = repo
        self.default_keep_days = keep_videos_days
        self.jobs_dir = root / "jobs"
        self.jobs_dir.mkdir(parents=True, exist_ok=True)
        self._queue: queue.Queue[str] = queue.Queue()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self.recover()

    # --- paths --------------------------------------------------------------------------------------

    def upload_path(self, owner: int, job_id: str) -> Path:
        return self.root / "uploads" / str(owner) / f"{job_id}.video"

    def report_dir(self, owner: int, job_id: str) -> Path:
        return self.root / "reports" / str(owner) / job_id

    def _prefs(self, owner: int) -> Path:
        return self.root / "users" / f"{owner}.json"

    def keep_days(self, owner: int) -> int | None:
        """How long ``owner`` keeps uploaded videos: 0 = not after the analysis, None = until deleted."""
        path = self._prefs(owner)
        if not path.is_file():
            return self.default_keep_days
        value = json.loads(path.read_text(encoding="utf-8")).get("keep_videos_days")
        return value if value is None or isinstance(value, int) else self.default_keep_days

    def set_keep_days(self, owner: int, days: int | None) -> None:
        if days is not None and days < 0:
            raise MidlineError("keep_videos_days: 0 or more days, or null for until deleted")
        write_text(self._prefs(owner), json.dumps({"keep_videos_days": days}))
        self.sweep(owner)

    def sweep(self, owner: int, now: float | None = None) -> int:
        """Delete ``owner``'s uploaded videos older than their retention (finished jobs only)."""
        days = self.keep_days(owner)
        if days is None:
            return 0
        now = time.time() if now is None else now
        removed = 0
        for job in self.list(owner):
            path = self.upload_path(owner, job.id)
            if job.status in ("done", "failed") and path.exists() and now - job.created >= days * 86400:
                path.unlink(missing_ok=True)
                removed += 1
        return removed

    def video_kept(self, owner: int, job_id: str) -> bool:
        return self.upload_path(owner, job_id).exists()

    def _file(self, job_id: str) -> Path:
        return self.jobs_dir / f"{job_id}.json"

    # --- state --------------------------------------------------------------------------------------

    def _write(self, job: Job) -> Job:
        write_text(self._file(job.id), json.dumps(asdict(job)))
        return job

    def _read(self, job_id: str) -> Job | None:
        path = self._file(job_id)
        if not job_id.replace("-", "").replace("_", "").isalnum() or not path.is_file():
            return None
        return Job(**json.loads(path.read_text(encoding="utf-8")))

    def get(self, owner: int, job_id: str) -> Job | None:
        job = self._read(job_id)
        return job if job is not None and job.owner == owner else None

    def list(self, owner: int) -> list[Job]:
        jobs = [self._read(p.stem) for p in self.jobs_dir.glob("*.json")]
        return sorted((j for j in jobs if j is not None and j.owner == owner), key=lambda j: j.created)

    def update(self, job: Job, **changes: Any) -> Job:
        with self._lock:
            return self._write(replace(job, **changes))

    def recover(self) -> None:
        """Jobs a previous process left queued or running are failed (their files cleaned)."""
        for path in self.jobs_dir.glob("*.json"):
            job = self._read(path.stem)
            if job is not None and job.status in ("queued", "running"):
                self._write(replace(job, status="failed", message=INTERRUPTED, stage="failed"))
                self.upload_path(job.owner, job.id).unlink(missing_ok=True)
                shutil.rmtree(self.report_dir(job.owner, job.id), ignore_errors=True)

    def forget_owner(self, owner: int) -> None:
        """Delete every job, upload and report folder of ``owner`` (account deletion)."""
        for job in self.list(owner):
            self._file(job.id).unlink(missing_ok=True)
        shutil.rmtree(self.root / "uploads" / str(owner), ignore_errors=True)
        shutil.rmtree(self.root / "reports" / str(owner), ignore_errors=True)
        self._prefs(owner).unlink(missing_ok=True)

    def remove_analysis_files(self, owner: int, analysis: AnalysisRecord) -> None:
        """Delete the report folder of an analysis made here (CLI-made ones keep their files)."""
        base = (self.root / "reports" / str(owner)).resolve()
        for value in analysis.files.values():
            folder = Path(value).resolve().parent
            if folder.parent == base:
                shutil.rmtree(folder, ignore_errors=True)
                return

    def delete_upload(self, owner: int, job_id: str) -> bool:
        path = self.upload_path(owner, job_id)
        if not path.exists():
            return False
        path.unlink()
        return True

    # --- running ------------------------------------------------------------------------------------

    def submit(
        self, owner: int, job_id: str, exercise: str, position: str | None, precise_timing: bool = False
    ) -> Job:
        job = Job(
            job_id, owner, exercise, position, "queued", "queued", 0.0, "", None, time.time(), precise_timing
        )
        with self._lock:
            self._write(job)
            self._threads = [t for t in self._threads if t.is_alive()]
            while len(self._threads) < self.workers:  # started on the first upload, not before
                name = f"midline-jobs-{len(self._threads) + 1}"
                thread = threading.Thread(target=self._run_forever, name=name, daemon=True)
                thread.start()
                self._threads.append(thread)
        self._queue.put(job.id)
        return job

    def wait_idle(self, timeout: float) -> bool:
        """Block until every submitted job has finished (tests and shutdown); False on timeout."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self._queue.unfinished_tasks == 0:
                return True
            time.sleep(0.05)
        return False

    def _run_forever(self) -> None:
        while True:
            job_id = self._queue.get()
            try:
                job = self._read(job_id)
                if job is not None and job.status == "queued":
                    self._run(job)
            finally:
                self._queue.task_done()

    def _run(self, job: Job) -> None:
        from midline.analysis import AnalyzeOptions, analyze_video
        from midline.pose.backend import PRECISE_TIMING, TRACKING
        from midline.pose.extract import ExtractOptions
        from midline.video.probe import probe

        video = self.upload_path(job.owner, job.id)
        out = self.report_dir(job.owner, job.id)
        job = self.update(job, status="running", stage="checking the video", progress=0.01)
        weights = {"pose": (0.02, 0.8), "video": (0.82, 0.17)}

        def progress(stage: str, done: int, total: int) -> None:
            start, span = weights.get(stage, (0.0, 0.0))
            words = {"pose": "finding the body in each frame", "video": "drawing the annotated video"}
            self.update(
                job, stage=words.get(stage, stage), progress=round(start + span * done / max(total, 1), 3)
            )

        try:
            probe(video)  # the content decides: a renamed or hostile file fails here with its reason
            pose = PRECISE_TIMING if job.precise_timing else TRACKING
            options = AnalyzeOptions(position=job.position, extract=ExtractOptions(pose=pose))
            result = analyze_video(video, job.exercise, out, options, progress)
            landmarks = json.loads((out / "landmarks.json").read_text(encoding="utf-8"))
            files = {k: str(v) for k, v in result.files.items()}
            stored = store_analysis(self.repo, job.owner, result.report, files, landmarks=landmarks)
        except MidlineError as exc:
            shutil.rmtree(out, ignore_errors=True)
            self.update(job, status="failed", stage="failed", message=str(exc))
        except Exception as exc:  # a bug or a decoder crash must fail the job, not the server
            shutil.rmtree(out, ignore_errors=True)
            self.update(job, status="failed", stage="failed", message=f"the analysis failed: {exc}")
        else:
            self.update(job, status="done", stage="done", progress=1.0, analysis_uid=stored.uid)
        finally:
            if self.keep_days(job.owner) == 0 or not (out / "report.json").exists():
                video.unlink(missing_ok=True)  # a failed job's video is never kept
