"""MediaPipe against the rig: systematic landmark offsets, fitted on half of the clips, tried on the other.

    cd tools && ../.venv/bin/python -m render.calibrate [--cache DIR] [--json PATH]

For every rendered clip (its landmarks from the real pipeline, cached as in tools/accuracy.py) and
every leg landmark (hip, knee, ankle, heel, toe = foot_index) the offset truth - MediaPipe is taken
in leg lengths (the core's own leg-length estimate, the yardstick a correction in the core would
have), split into a component along the leg (the measured hip -> ankle direction, + = toward the
ankle) and one across it (+ = medial, toward the other hip; in a side view, where the hips overlap,
+ = toward the shoulders). Offsets are grouped by the exercise's body posture (standing, seated,
side-lying, supine, walking); in side-lying clips only the bottom (working) leg counts, the top leg
being bent and partly hidden.

The fit is the mean offset per (posture, landmark) on the **odd-numbered** scenarios (r01, r03, ...);
the **even-numbered** ones (r02, r04, ...) are held out. Each exercise has clips in both halves.
Reported on the held-out half, with and without the correction: the landmarks' median distance
from the rig's joints, and what the pipeline reports (tools/accuracy.py's figures: knee and ankle
gap error at the squeeze, primary signal at rest and at the squeeze, phase durations).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from accuracy import RENDERED_TOL, all_clip_landmarks, analyse_series, read_truth, score

from midline.analysis.timed_landmarks import read_timed_landmarks
from midline.core.landmarks import LandmarkSeries
from midline.core.signals import clean, leg_length_px

ROOT = Path(__file__).resolve().parents[2]
KINDS = {"hip": (23, 24), "knee": (25, 26), "ankle": (27, 28), "heel": (29, 30), "toe": (31, 32)}
TRUTH_NAME = {"hip": "hip", "knee": "knee", "ankle": "ankle", "heel": "heel", "toe": "foot_index"}
SHOULDERS = (11, 12)


def posture(truth: dict[str, Any]) -> str:
    return str(truth["posture"]).removesuffix("-left").removesuffix("-right")


def _sides(truth: dict[str, Any]) -> list[int]:
    """0 = left, 1 = right; side-lying: the bottom leg only."""
    if truth["posture"] == "side-lying-left":
        return [0]
    if truth["posture"] == "side-lying-right":
        return [1]
    return [0, 1]


def _frames(series: LandmarkSeries) -> np.ndarray:
    """(T, 33, 2) pixels."""
    return series.image[..., :2] * np.array([series.width, series.height], dtype=np.float64)


def _axes(px: np.ndarray, side: int) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors (T, 2) along this leg (hip -> ankle) and across it (medial / toward the trunk)."""
    hip, ankle = px[:, KINDS["hip"][side]], px[:, KINDS["ankle"][side]]
    u = ankle - hip
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    n = np.stack([-u[:, 1], u[:, 0]], axis=1)
    other = px[:, KINDS["hip"][1 - side]] - hip
    shoulders = px[:, SHOULDERS].mean(axis=1) - hip
    leg = np.linalg.norm(ankle - hip, axis=1, keepdims=True)
    toward = np.where(np.linalg.norm(other, axis=1, keepdims=True) > 0.1 * leg, other, shoulders)
    n *= np.sign(np.sum(n * toward, axis=1, keepdims=True))
    return u, n


def offsets(series: LandmarkSeries, truth: dict[str, Any]) -> dict[str, np.ndarray]:
    """Per landmark kind: (N, 2) offsets truth - MediaPipe, (along, across), in leg lengths."""
    px = _frames(series)
    leg_px = leg_length_px(clean(series))
    size = np.array([truth["width"], truth["height"]], dtype=np.float64)
    out: dict[str, np.ndarray] = {}
    for kind, idx in KINDS.items():
        rows = []
        for side in _sides(truth):
            name = ("left_", "right_")[side] + TRUTH_NAME[kind]
            true = np.asarray(truth["joints_image"][name]) * size
            d = (true - px[:, idx[side]]) / leg_px
            u, n = _axes(px, side)
            rows.append(np.stack([(d * u).sum(axis=1), (d * n).sum(axis=1)], axis=1))
        stacked = np.concatenate(rows)
        out[kind] = stacked[np.isfinite(stacked).all(axis=1)]
    return out


def correct(series: LandmarkSeries, table: dict[str, dict[str, list[float]]], body: str) -> LandmarkSeries:
    """The series with each leg landmark moved by the table's mean offset for this posture."""
    if body not in table:
        return series
    px = _frames(series)
    leg_px = leg_length_px(clean(series))
    moved = px.copy()
    for side in (0, 1):
        u, n = _axes(px, side)
        for kind, idx in KINDS.items():
            along, across = table[body][kind]
            moved[:, idx[side]] += (along * u + across * n) * leg_px
    image = series.image.copy()
    image[..., :2] = moved / np.array([series.width, series.height], dtype=np.float64)
    return replace(series, image=image)


def fit(clips: list[tuple[Path, LandmarkSeries, dict[str, Any]]]) -> dict[str, Any]:
    """Mean and spread (SD) of the offsets per posture and landmark."""
    pooled: dict[str, dict[str, list[np.ndarray]]] = {}
    for _, series, truth in clips:
        for kind, d in offsets(series, truth).items():
            pooled.setdefault(posture(truth), {}).setdefault(kind, []).append(d)
    table: dict[str, Any] = {}
    for body, kinds in pooled.items():
        table[body] = {}
        for kind, parts in kinds.items():
            d = np.concatenate(parts)
            table[body][kind] = {
                "mean": [round(float(v), 4) for v in d.mean(axis=0)],
                "sd": [round(float(v), 4) for v in d.std(axis=0)],
                "frames": len(d),
                "clips": len(parts),
            }
    return table


def landmark_error(clips: list[tuple[Path, LandmarkSeries, dict[str, Any]]]) -> dict[str, float]:
    """Median distance (leg lengths) from the rig's joints, per landmark kind, over the clips."""
    err: dict[str, list[np.ndarray]] = {}
    for _, series, truth in clips:
        for kind, d in offsets(series, truth).items():
            err.setdefault(kind, []).append(np.linalg.norm(d, axis=1))
    return {k: round(float(np.median(np.concatenate(v))), 4) for k, v in err.items()}


def pipeline_error(clips: list[tuple[Path, LandmarkSeries, dict[str, Any]]]) -> dict[str, Any]:
    """What the report gets wrong, summed over the clips (tools/accuracy.py's measures)."""
    gap, rest, peak, dur, passed = [], [], [], [], 0
    angle: list[float] = []
    for _, series, truth in clips:
        report = analyse_series(series, truth)
        r = score(report, truth, RENDERED_TOL)
        passed += r.ok
        gap += [e for e in (r.knee_err, r.ankle_err) if e is not None]
        if r.duration_err is not None:
            dur.append(r.duration_err)
        found = report.summary.primary_signal
        if found is not None and truth["exercise"] in ("standing-squeeze", "seated-squeeze"):
            rest.append(abs(found["rest"] - truth["primary_signal"]["rest"]))
            peak.append(abs(found["peak"] - truth["primary_signal"]["peak"]))
        elif found is not None and truth["exercise"] in ("inner-thigh-lift", "double-leg-lowers"):
            angle += [abs(found[k] - truth["primary_signal"][k]) for k in ("rest", "peak")]
    return {
        "gap_err_mean": round(float(np.mean(gap)), 4) if gap else None,
        "gap_err_max": round(float(np.max(gap)), 4) if gap else None,
        "knee_gap_at_rest_err_mean": round(float(np.mean(rest)), 4) if rest else None,
        "knee_gap_at_squeeze_err_mean": round(float(np.mean(peak)), 4) if peak else None,
        "lying_angle_err_mean_deg": round(float(np.mean(angle)), 2) if angle else None,
        "duration_err_max": round(float(np.max(dur)), 3) if dur else None,
        "clips_passing": f"{passed}/{len(clips)}",
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--folder", type=Path, default=ROOT / "tests" / "data" / "rendered")
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "midline-rendered-landmarks"
    )
    parser.add_argument("--json", type=Path, help="write the fitted table and the figures here")
    args = parser.parse_args(argv)
    videos = sorted(args.folder.glob("*.mp4"))
    clips = [
        (v, read_timed_landmarks(p), read_truth(v)) for v, p in all_clip_landmarks(videos, args.cache).items()
    ]
    number = {v: int(v.name[1:3]) for v, _, _ in clips}
    odd = [c for c in clips if number[c[0]] % 2 == 1]
    even = [c for c in clips if number[c[0]] % 2 == 0]
    everything = fit(clips)
    table = fit(odd)
    means = {b: {k: v["mean"] for k, v in kinds.items()} for b, kinds in table.items()}
    corrected = [(v, correct(s, means, posture(t)), t) for v, s, t in even]
    along = {b: {k: [v[0], 0.0] for k, v in kinds.items()} for b, kinds in means.items()}
    along_only = [(v, correct(s, along, posture(t)), t) for v, s, t in even]
    result = {
        "split": {"fit": [c[0].name[:3] for c in odd], "held_out": [c[0].name[:3] for c in even]},
        "offsets_all_clips": everything,
        "fit_on_odd": table,
        "held_out_landmark_error": {
            "without": landmark_error(even),
            "with": landmark_error(corrected),
            "along_only": landmark_error(along_only),
        },
        "held_out_pipeline": {
            "without": pipeline_error(even),
            "with": pipeline_error(corrected),
            "along_only": pipeline_error(along_only),
        },
        "breadth_mesh": {
            level: [
                round(min(t["breadth"][level] for _, _, t in clips), 3),
                round(max(t["breadth"][level] for _, _, t in clips), 3),
            ]
            for level in ("thigh", "knee", "ankle")
        },
    }
    print(f"{'posture':11} {'landmark':8} {'along':>7} {'across':>7} {'sd along':>9} {'sd across':>9} clips")
    for body, kinds in everything.items():
        for kind, v in kinds.items():
            (a, c), (sa, sc) = v["mean"], v["sd"]
            print(f"{body:11} {kind:8} {a:7.3f} {c:7.3f} {sa:9.3f} {sc:9.3f} {v['clips']}")
    print("fit on", " ".join(result["split"]["fit"]), "| held out", " ".join(result["split"]["held_out"]))
    for key in ("held_out_landmark_error", "held_out_pipeline"):
        for which in ("without", "with", "along_only"):
            print(f"{key} {which:7}: {json.dumps(result[key][which])}")
    print("mesh breadths (leg lengths, min-max over bodies):", json.dumps(result["breadth_mesh"]))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
