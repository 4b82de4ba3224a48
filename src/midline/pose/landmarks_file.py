"""Read and write the ``landmarks.json`` format (the synthetic fixtures' format, also midline's output).

``{"fps", "width", "height", "frames": [null | [[x, y, z, visibility] * 33]],
"world": [null | [[x, y, z] * 33]]}``; ``world`` is optional. Null frames become NaN rows; frame
times are ``frame / fps``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from midline.core.landmarks import N_LANDMARKS, FloatArray, LandmarkSeries
from midline.errors import InputError


class LandmarksFileError(InputError):
    """A landmarks.json file is unreadable or does not follow the format."""


def _frames(raw: Any, n_values: int, key: str, path: str) -> FloatArray:
    if not isinstance(raw, list):
        raise LandmarksFileError(f"{path}: {key!r} must be a list of frames (null or 33 landmarks)")
    out = np.full((len(raw), N_LANDMARKS, n_values), np.nan)
    for i, frame in enumerate(raw):
        if frame is None:
            continue
        try:
            arr = np.asarray(frame, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise LandmarksFileError(f"{path}: {key} frame {i} holds non-numbers ({exc})") from exc
        if arr.shape != (N_LANDMARKS, n_values):
            raise LandmarksFileError(
                f"{path}: {key} frame {i} must be 33 landmarks of {n_values} numbers, got shape {arr.shape}"
            )
        out[i] = arr
    return out


def series_from_dict(data: Any, source: str = "landmarks") -> LandmarkSeries:
    """Build a :class:`LandmarkSeries` from the parsed JSON document."""
    if not isinstance(data, dict):
        raise LandmarksFileError(f"{source}: expected a JSON object with fps, width, height, frames")
    for key in ("fps", "width", "height", "frames"):
        if key not in data:
            raise LandmarksFileError(f"{source}: missing the {key!r} field")
    try:
        fps = float(data["fps"])
        width = int(data["width"])
        height = int(data["height"])
    except (TypeError, ValueError) as exc:
        raise LandmarksFileError(f"{source}: fps, width and height must be numbers") from exc
    if not math.isfinite(fps) or fps <= 0 or width <= 0 or height <= 0:
        raise LandmarksFileError(f"{source}: fps, width and height must be positive")
    image = _frames(data["frames"], 4, "frames", source)
    world = None
    if data.get("world") is not None:
        world = _frames(data["world"], 3, "world", source)
        if world.shape[0] != image.shape[0]:
            raise LandmarksFileError(
                f"{source}: 'world' has {world.shape[0]} frames but 'frames' has {image.shape[0]}"
            )
    t = np.arange(image.shape[0], dtype=np.float64) / fps
    return LandmarkSeries(t=t, image=image, world=world, width=width, height=height, fps=fps)


def read_landmarks(path: str | Path) -> LandmarkSeries:
    """Read a landmarks.json file; malformed files raise :class:`LandmarksFileError`."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise LandmarksFileError(f"cannot read {p}: {exc.strerror or exc}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LandmarksFileError(f"{p} is not valid JSON: {exc}") from exc
    return series_from_dict(data, str(p))


def _rows(arr: FloatArray, decimals: int) -> list[list[list[float]] | None]:
    out: list[list[list[float]] | None] = []
    for frame in arr:
        if not np.isfinite(frame).any():
            out.append(None)
        else:
            rounded = np.round(np.nan_to_num(frame, nan=0.0), decimals)
            out.append(rounded.tolist())
    return out


def series_to_dict(series: LandmarkSeries) -> dict[str, Any]:
    """The landmarks.json document of a series (5 decimals for image, 3 for world, as the fixtures)."""
    doc: dict[str, Any] = {
        "fps": series.fps,
        "width": series.width,
        "height": series.height,
        "frames": _rows(series.image, 5),
    }
    if series.world is not None:
        doc["world"] = _rows(series.world, 3)
    return doc


def write_landmarks(series: LandmarkSeries, path: str | Path) -> None:
    """Write a series as landmarks.json (compact, one document)."""
    Path(path).write_text(json.dumps(series_to_dict(series), separators=(",", ":")), "utf-8")
