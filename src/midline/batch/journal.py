"""The batch's memory: one JSON line per finished video in ``OUT/batch-journal.jsonl``.

A line is appended (one ``write``, then fsync) as soon as a video finishes, so a batch killed at
any moment loses at most the videos that were still running. A line cut short by the kill is
ignored when the journal is read. The journal also remembers each file's hash by path, size and
modification time, so a resumed batch does not read every finished video again.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from midline.analysis.run import REPORT_JSON

JOURNAL = "batch-journal.jsonl"

Status = Literal["ok", "failed"]


@dataclass(frozen=True)
class Entry:
    key: str
    path: str
    sha256: str
    size: int
    mtime_ns: int
    status: Status
    out_dir: str  # the report folder's name inside OUT
    error: str | None = None
    seconds: float | None = None
    finished_at: str = ""


class Journal:
    def __init__(self, out: Path) -> None:
        self.path = out / JOURNAL
        self.out = out
        self.entries: dict[str, Entry] = {}  # by job key; the last line wins
        self._hashes: dict[tuple[str, int, int], str] = {}
        if self.path.is_file():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                entry = _parse(line)
                if entry is not None:
                    self.entries[entry.key] = entry
                    self._hashes[(entry.path, entry.size, entry.mtime_ns)] = entry.sha256

    def known_hash(self, path: Path) -> str | None:
        """The hash recorded for this file, if it has not changed (same size and mtime) since."""
        st = path.stat()
        return self._hashes.get((str(path), st.st_size, st.st_mtime_ns))

    def done(self, key: str) -> Entry | None:
        """The finished entry for ``key`` whose report is still on disk, else None (to be run)."""
        entry = self.entries.get(key)
        if entry is None or entry.status != "ok" or not (self.out / entry.out_dir / REPORT_JSON).is_file():
            return None
        return entry

    def append(self, entry: Entry) -> None:
        if not entry.finished_at:
            entry = Entry(**{**asdict(entry), "finished_at": dt.datetime.now(dt.UTC).isoformat()})
        line = (json.dumps(asdict(entry), ensure_ascii=False) + "\n").encode("utf-8")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
        self.entries[entry.key] = entry
        self._hashes[(entry.path, entry.size, entry.mtime_ns)] = entry.sha256


def _parse(line: str) -> Entry | None:
    try:
        data: Any = json.loads(line)
        return Entry(**data)
    except (ValueError, TypeError):
        return None  # a line cut short by a kill, or from another version: that video runs again
