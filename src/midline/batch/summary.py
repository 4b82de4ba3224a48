"""One summary row per video, and ``batch.csv`` / ``batch.json`` written from them (atomically)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, Literal

from midline.atomic import write_text

Status = Literal["ok", "skipped", "failed", "not run"]
BATCH_CSV = "batch.csv"
BATCH_JSON = "batch.json"


@dataclass(frozen=True)
class Row:
    """A video's line in the summary. Gaps are in leg lengths at the squeeze (0 = touching)."""

    path: str
    status: Status
    reps: int | None = None
    ankle_gap_at_squeeze: float | None = None
    knee_gap_at_squeeze: float | None = None
    thigh_gap_at_squeeze: float | None = None
    mean_eccentric_ratio: float | None = None
    symmetry: float | None = None
    detected_fraction: float | None = None
    cues: str = ""  # cue codes, space-separated
    report_dir: str = ""
    sha256: str = ""
    seconds: float | None = None
    stored_uid: str = ""  # the stored analysis (when a database was given)
    error: str = ""  # why it failed, or why it was skipped


def row_from_report(path: str, status: Status, report: dict[str, Any], **extra: Any) -> Row:
    summary = report.get("summary") or {}
    quality = report.get("quality") or {}
    return Row(
        path=path,
        status=status,
        reps=summary.get("rep_count"),
        ankle_gap_at_squeeze=summary.get("ankle_gap_at_squeeze"),
        knee_gap_at_squeeze=summary.get("knee_gap_at_squeeze"),
        thigh_gap_at_squeeze=summary.get("thigh_gap_at_squeeze"),
        mean_eccentric_ratio=summary.get("mean_eccentric_ratio"),
        symmetry=summary.get("symmetry"),
        detected_fraction=quality.get("detected_fraction"),
        cues=" ".join(c.get("code", "") for c in report.get("cues") or []),
        **extra,
    )


def counts(rows: list[Row]) -> dict[str, int]:
    out = {"ok": 0, "skipped": 0, "failed": 0, "not run": 0}
    for row in rows:
        out[row.status] += 1
    return out


def write_summary(out: Path, rows: list[Row], meta: dict[str, Any]) -> tuple[Path, Path]:
    """``batch.csv`` (one row per video) and ``batch.json`` (the same rows, with the run's settings)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=[f.name for f in fields(Row)], lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in asdict(row).items()})
    write_text(out / BATCH_CSV, buf.getvalue())
    doc = {**meta, "counts": counts(rows), "videos": [asdict(r) for r in rows]}
    write_text(out / BATCH_JSON, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    return out / BATCH_CSV, out / BATCH_JSON
