"""landmarks.json with frame times: the core's format plus an optional ``"t"`` list (seconds).

Video from phones has a variable frame rate and extraction may sample frames, so ``frame / fps``
is not each frame's time; midline writes the real times in ``"t"`` and reads them back, so that
``midline analyze --landmarks`` gives the same report as the run that wrote the file. Files
without ``"t"`` (the synthetic fixtures) keep ``frame / fps``.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from midline.atomic import write_text
from midline.core.landmarks import LandmarkSeries
from midline.pose.landmarks_file import (
    LandmarksFileError,
    read_landmarks,
    series_from_dict,
    series_to_dict,
)


def write_timed_landmarks(series: LandmarkSeries, path: str | os.PathLike[str]) -> None:
    """Write landmarks.json atomically, with ``"t"`` (milliseconds precision)."""
    doc: dict[str, Any] = series_to_dict(series)
    doc["t"] = np.round(series.t, 4).tolist()
    write_text(path, json.dumps(doc, separators=(",", ":")))


def read_timed_landmarks(path: str | os.PathLike[str]) -> LandmarkSeries:
    """Read landmarks.json; frame times from ``"t"`` when the file has them."""
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        read_landmarks(p)  # raises the reader's own message for an unreadable file
        raise
    series = series_from_dict(data, str(p))
    times = data.get("t") if isinstance(data, dict) else None
    if times is None:
        return series
    try:
        t = np.asarray(times, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise LandmarksFileError(f"{p}: 't' must be a list of seconds, one per frame") from exc
    if t.shape != (series.frames,) or not np.isfinite(t).all() or (np.diff(t) <= 0).any():
        raise LandmarksFileError(
            f"{p}: 't' must hold {series.frames} increasing times in seconds, one per frame"
        )
    return replace(series, t=t)


__all__ = ["read_timed_landmarks", "write_timed_landmarks"]
