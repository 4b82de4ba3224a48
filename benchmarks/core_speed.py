"""How fast the analysis core runs: an hour of landmarks (30 fps, 108,000 frames) against 1 s.

    .venv/bin/python benchmarks/core_speed.py [--minutes 60] [--fixture PATH]

The hour is a real fixture's landmarks (a standing squeeze, by default) repeated end to end, so
it holds ~900 reps with noise. Prints the wall and CPU time of ``analyse`` and their ratios to
the target (on a machine shared with other jobs the CPU time is the fairer figure).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from midline.catalog import load_catalog
from midline.catalog.spec import analysis_spec
from midline.core.landmarks import LandmarkSeries
from midline.core.pipeline import analyse
from midline.pose.landmarks_file import read_landmarks

TARGET_S = 1.0
DEFAULT = Path(__file__).resolve().parents[1] / (
    "tests/data/synthetic/d23_standing-squeeze_many-reps-near-fps25.landmarks.json"
)


def long_series(src: LandmarkSeries, minutes: float, fps: float = 30.0) -> LandmarkSeries:
    n = int(minutes * 60 * fps)
    reps = -(-n // src.frames)
    image = np.concatenate([src.image] * reps)[:n]
    world = None if src.world is None else np.concatenate([src.world] * reps)[:n]
    t = np.arange(n) / fps
    return LandmarkSeries(t=t, image=image, world=world, width=src.width, height=src.height, fps=fps)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--minutes", type=float, default=60.0)
    ap.add_argument("--fixture", type=Path, default=DEFAULT)
    ap.add_argument("--exercise", default="standing-squeeze")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    series = long_series(read_landmarks(args.fixture), args.minutes)
    spec = analysis_spec(load_catalog(), args.exercise)
    times, cpu = [], []
    for _ in range(args.repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        analysis = analyse(series, spec)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    best, best_cpu = min(times), min(cpu)
    scale = 60.0 / args.minutes
    print(
        f"core: {series.frames} frames ({args.minutes:g} min at 30 fps), "
        f"{analysis.report.summary.rep_count} reps: best of {args.repeat} runs "
        f"{best:.3f} s wall, {best_cpu:.3f} s CPU"
    )
    # CPU time is the fairer figure on a shared machine (wall time includes waiting for a core)
    print(
        f"per hour of landmarks: {best * scale:.3f} s wall = {best * scale / TARGET_S:.2f} x, "
        f"{best_cpu * scale:.3f} s CPU = {best_cpu * scale / TARGET_S:.2f} x the {TARGET_S:g} s target"
    )


if __name__ == "__main__":
    main()
