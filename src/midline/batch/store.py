"""Keep each finished analysis in the training log (``--db`` / ``$MIDLINE_DB``), once.

Storing goes through the log service's ``store_analysis``, as the web app does. A batch that was
killed after storing a video but before journaling it analyses that video again on resume; the
analysis is deterministic, so the same report for the same report folder is recognised as already
stored and not added a second time.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from midline.analysis.run import ANNOTATED_MP4, LANDMARKS_JSON, REPORT_HTML, REPORT_JSON
from midline.log.entry import LogInputError
from midline.log.repository import LogRepository
from midline.log.service import store_analysis
from midline.storage import open_repository

_FILES = {"report": REPORT_JSON, "html": REPORT_HTML, "video": ANNOTATED_MP4, "landmarks": LANDMARKS_JSON}


def _canonical(report: dict[str, Any]) -> str:
    return json.dumps(report, sort_keys=True, separators=(",", ":"))


class AnalysisStore:
    def __init__(self, db: str | None, user: str | None) -> None:
        self.repo: LogRepository = open_repository(db)
        if user is None:
            self.owner = self.repo.local_user()
        else:
            found = self.repo.user(user)
            if found is None:
                raise LogInputError(f"no user {user!r} in this database; create it first (midline serve)")
            self.owner = found
        self._seen: dict[str, dict[tuple[str, str], str]] = {}  # exercise -> (report file, report) -> uid

    def _stored(self, exercise: str) -> dict[tuple[str, str], str]:
        if exercise not in self._seen:
            self._seen[exercise] = {
                (a.files.get("report", ""), _canonical(a.report)): a.uid
                for a in self.repo.analyses(self.owner.id, exercise)
            }
        return self._seen[exercise]

    def store(self, folder: Path, report: dict[str, Any]) -> str:
        """The uid of the stored analysis of this report folder (stored now unless it already was)."""
        files = {k: str(folder / name) for k, name in _FILES.items() if (folder / name).is_file()}
        seen = self._stored(str(report.get("exercise", "")))
        key = (files.get("report", ""), _canonical(report))
        if key in seen:
            return seen[key]
        landmarks_file = folder / LANDMARKS_JSON
        landmarks = json.loads(landmarks_file.read_text("utf-8")) if landmarks_file.is_file() else None
        record = store_analysis(self.repo, self.owner.id, report, files, landmarks)
        seen[key] = record.uid
        return record.uid
