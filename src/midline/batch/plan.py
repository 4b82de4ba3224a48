"""The work list of a batch: which files are videos, what each one's job key is, what is done already.

Pure planning, no analysis: the engines get :class:`Task` values (a path and where its report goes),
never frames. A job is keyed by the video's content (sha256, streamed), the settings and the
analysis version, so renaming or moving a file does not redo it, and a new midline release or
other settings does.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from midline.analysis import AnalyzeOptions
from midline.errors import InputError
from midline.log.versions import analysis_version
from midline.pose.extract import ExtractOptions
from midline.video.probe import sniff_container

# Names a video commonly has; a file with one of these is tried (and fails with its reason when it
# is not a readable video). Other files are tried only when their first bytes are a video container.
VIDEO_SUFFIXES = frozenset({".mp4", ".m4v", ".mov", ".qt", ".3gp", ".mkv", ".webm", ".avi"})
# Files that are plainly not videos: not even opened.
_NOT_VIDEO_SUFFIXES = frozenset(
    {".json", ".jsonl", ".csv", ".txt", ".md", ".html", ".htm", ".yaml", ".yml", ".py", ".db",
     ".sqlite", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".pdf", ".wav", ".mp3", ".m4a", ".log"}
)  # fmt: skip
REPORT_MARKER = "report.json"  # a folder holding one is a midline report folder: never searched


class NoVideosError(InputError):
    """The paths hold no file that looks like a video."""


@dataclass(frozen=True)
class BatchSettings:
    """What every video of the batch is analysed with; part of each job's key."""

    exercise: str
    position: str | None = None
    height_cm: float | None = None
    make_video: bool = True
    extract: ExtractOptions = field(default_factory=lambda: ExtractOptions(workers=1))

    def analyze_options(self) -> AnalyzeOptions:
        # One process per video (workers=1): the batch parallelises across videos instead.
        return AnalyzeOptions(
            position=self.position, height_cm=self.height_cm, make_video=self.make_video, extract=self.extract
        )

    def describe(self) -> dict[str, object]:
        """The settings that change a report, as plain JSON values (the key hashes these)."""
        o = self.analyze_options()
        out: dict[str, object] = {
            "exercise": self.exercise,
            "position": self.position,
            "height_cm": self.height_cm,
            "make_video": self.make_video,
            "video_max_side": o.video_max_side,
            "sample_fps": self.extract.sample_fps,
            "max_width": self.extract.max_width,
            "limits": asdict(self.extract.limits),
            "analysis_version": analysis_version(),
        }
        if not self.extract.pose.plain:  # plain tracking adds nothing: older batches keep their keys
            out["pose"] = asdict(self.extract.pose)
        return out

    def key(self) -> str:
        text = json.dumps(self.describe(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Task:
    """One video's job, as sent to a worker: small and picklable (paths only, no frames)."""

    index: int
    path: str
    sha256: str
    out_dir: str
    settings: BatchSettings
    expected_frames: int = 0

    @property
    def key(self) -> str:
        return job_key(self.sha256, self.settings)


def job_key(sha256: str, settings: BatchSettings) -> str:
    return f"{sha256}:{settings.key()}"


def sha256_file(path: str | os.PathLike[str], chunk: int = 1 << 20) -> str:
    """The file's sha256, read in 1 MiB chunks (a video never has to fit in memory)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def report_folder_name(path: str | os.PathLike[str], sha256: str) -> str:
    """``OUT/<stem>-<first 10 hex of the content hash>``: readable, and two clips named alike differ."""
    return f"{Path(path).stem}-{sha256[:10]}"


def looks_like_video(path: Path) -> bool:
    """Cheap: by name first, else by the first bytes (a video saved without its extension counts)."""
    suffix = path.suffix.lower()
    if suffix in VIDEO_SUFFIXES:
        return True
    if suffix in _NOT_VIDEO_SUFFIXES:
        return False
    try:
        with path.open("rb") as fh:
            head = fh.read(64)
    except OSError:
        return False
    return sniff_container(head) is not None


def find_videos(paths: Iterable[str | os.PathLike[str]], exclude: Iterable[Path] = ()) -> list[Path]:
    """Every video file under ``paths`` (files given by name are taken as they are), sorted, once each.

    Hidden files and folders, ``exclude`` (the batch's own output) and midline report folders are
    not searched, so a batch never analyses its own annotated videos.
    """
    skip = {p.resolve() for p in exclude}
    found: dict[Path, None] = {}
    for given in paths:
        root = Path(given)
        if root.is_file():
            found[root.resolve()] = None
            continue
        if not root.is_dir():
            raise InputError(f"{root}: no such file or folder")
        for path in _walk(root, skip):
            found[path] = None
    return sorted(found)


def _walk(root: Path, skip: set[Path]) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath).resolve()
        if here in skip or REPORT_MARKER in filenames:
            dirnames.clear()
            continue
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            path = here / name
            if not name.startswith(".") and path.is_file() and looks_like_video(path):
                yield path
