"""Known-answer variants of the landmark cases: the same recordings mirrored, with frames dropped,
or cut off mid-rep, each with its truth changed to match.

    .venv/bin/python tools/variants.py [--rendered [--cache DIR]] [KIND ...]

The cases are few; these variants ask whether the analysis holds beyond them without new
recordings: a mirrored recording (the camera's image flipped, the person's left now their right)
must give the mirrored report; a phone that drops frames (15 % of them at random, or in runs of
3-8, only timestamps left) must still count every rep; a recording that starts or stops in the
middle of a hold has one rep fewer (a half rep is not a rep); one filmed worse (every
coordinate with 1.5 times its own noise) or at half the frame rate must still count every rep and
give the same cues.
Prints one TOTAL line per kind (tools/accuracy.py's format) and the cases that miss, and exits 1
when one misses.
Rendered clips are read from their cached MediaPipe landmarks (tools/accuracy.py --rendered
fills the cache).
"""

from __future__ import annotations

import argparse
import copy
import sys
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from accuracy import (
    RENDERED_TOL,
    ROOT,
    SYNTHETIC_TOL,
    CaseResult,
    Tolerance,
    all_clip_landmarks,
    analyse_series,
    read_truth,
    score,
    table,
)

from midline.analysis.timed_landmarks import read_timed_landmarks
from midline.core.landmarks import LandmarkSeries

Truth = dict[str, Any]
Variant = Callable[[LandmarkSeries, Truth], tuple[LandmarkSeries, Truth] | None]

_PAIRS = [(1, 4), (2, 5), (3, 6), (7, 8), (9, 10)] + [(k, k + 1) for k in range(11, 33, 2)]
MIRROR = np.arange(33)
for _a, _b in _PAIRS:
    MIRROR[_a], MIRROR[_b] = _b, _a
"""BlazePose index of each landmark's mirror image (left <-> right; the nose stays)."""

PER_SIDE = ("leg_position", "foot_angle_deg", "knee_alignment_deg", "leg_range_scale")
"""Truth entries given per side ({"left", "right"}), swapped by a mirror."""


def _frames(
    s: LandmarkSeries, keep: np.ndarray, t: np.ndarray | None = None, fps: float | None = None
) -> LandmarkSeries:
    world = None if s.world is None else s.world[keep]
    return LandmarkSeries(
        s.t[keep] if t is None else t, s.image[keep], world, s.width, s.height, fps or s.fps
    )


def mirror(s: LandmarkSeries, truth: Truth) -> tuple[LandmarkSeries, Truth]:
    """The image flipped left to right: x -> 1 - x (world: -x), left and right landmarks swapped."""
    image = s.image[:, MIRROR].copy()
    image[..., 0] = 1.0 - image[..., 0]
    world = None
    if s.world is not None:
        world = s.world[:, MIRROR].copy()
        world[..., 0] *= -1.0
    out = copy.deepcopy(truth)
    for key in PER_SIDE:
        if isinstance(out.get(key), dict):
            out[key] = {"left": out[key].get("right"), "right": out[key].get("left")}
    return LandmarkSeries(s.t, image, world, s.width, s.height, s.fps), out


def drop_frames(s: LandmarkSeries, truth: Truth, seed: int = 0) -> tuple[LandmarkSeries, Truth]:
    """15 % of the frames gone at random (the first kept): their timestamps too, not blank frames."""
    keep = np.random.default_rng(seed).random(s.frames) > 0.15
    keep[0] = True
    return _frames(s, keep), truth


def drop_runs(s: LandmarkSeries, truth: Truth, seed: int = 0) -> tuple[LandmarkSeries, Truth]:
    """15 % of the frames gone in runs of 3-8 (a phone that stalls now and then)."""
    rng = np.random.default_rng(seed)
    keep = np.ones(s.frames, bool)
    while (~keep).mean() < 0.15:
        a = int(rng.integers(1, s.frames - 10))
        keep[a : a + int(rng.integers(3, 9))] = False
    return _frames(s, keep), truth


def _hold_middle(rep: Truth) -> float:
    hold = next(p for p in rep["phases"] if p["name"] == "hold")
    return float(hold["start_s"] + hold["end_s"]) / 2.0


def _one_rep_fewer(truth: Truth, reps: list[Truth]) -> Truth:
    out = copy.deepcopy(truth)
    out["reps"], out["rep_count"] = reps, len(reps)
    # which rep was partial, fast or uneven is the cut-off rep's business: set-level cues that may
    # hang on it are not asked for (forbidden ones still are)
    out["expected_cues"] = [
        c for c in truth["expected_cues"] if c not in ("partial-range", "fast-release", "asymmetry")
    ]
    return out


def trim_start(s: LandmarkSeries, truth: Truth) -> tuple[LandmarkSeries, Truth] | None:
    """The recording starts in the middle of the first rep's hold (times start from 0 again)."""
    if truth["rep_count"] < 2:
        return None
    cut = _hold_middle(truth["reps"][0])
    keep = s.t >= cut
    t0 = float(s.t[keep][0])
    reps = copy.deepcopy(truth["reps"][1:])
    for rep in reps:
        rep["start_s"] -= t0
        rep["end_s"] -= t0
        for p in rep["phases"]:
            p["start_s"] -= t0
            p["end_s"] -= t0
    return _frames(s, keep, t=s.t[keep] - t0), _one_rep_fewer(truth, reps)


def trim_end(s: LandmarkSeries, truth: Truth) -> tuple[LandmarkSeries, Truth] | None:
    """The recording stops in the middle of the last rep's hold."""
    if truth["rep_count"] < 2:
        return None
    keep = s.t <= _hold_middle(truth["reps"][-1])
    return _frames(s, keep), _one_rep_fewer(truth, copy.deepcopy(truth["reps"][:-1]))


def half_rate(s: LandmarkSeries, truth: Truth) -> tuple[LandmarkSeries, Truth]:
    """Every 2nd frame only: the same set filmed at half the frame rate (30 -> 15 fps)."""
    keep = np.zeros(s.frames, bool)
    keep[::2] = True
    return _frames(s, keep, fps=s.fps / 2.0), truth


NOISIER = 1.5
"""The noisier variant's noise against the recording's own (per coordinate)."""


def _own_noise(values: np.ndarray) -> np.ndarray:
    """Each coordinate's noise standard deviation, from its second differences (T, ...) -> (...)."""
    d2 = np.abs(np.diff(values, n=2, axis=0))
    with warnings.catch_warnings():  # a landmark never seen (no person) has no noise to read
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.asarray(np.nanmedian(d2, axis=0) * 1.4826 / np.sqrt(6.0))


def noisier(s: LandmarkSeries, truth: Truth, seed: int = 0) -> tuple[LandmarkSeries, Truth]:
    """The same recording filmed worse: Gaussian noise added to every coordinate (image x, y, z and
    world) so that each has NOISIER times the noise it had, read from the landmarks themselves
    (not the truth: rendered clips have only MediaPipe's). Visibility and timestamps unchanged."""
    rng = np.random.default_rng(seed)
    extra = np.sqrt(NOISIER**2 - 1.0)
    image = s.image.copy()
    sd = np.nan_to_num(_own_noise(s.image[..., :3]))
    image[..., :3] += rng.normal(0.0, 1.0, image[..., :3].shape) * sd * extra
    world = None
    if s.world is not None:
        world = s.world + rng.normal(0.0, 1.0, s.world.shape) * np.nan_to_num(_own_noise(s.world)) * extra
    return LandmarkSeries(s.t, image, world, s.width, s.height, s.fps), truth


VARIANTS: dict[str, Variant] = {
    "mirror": mirror,
    "drop-frames": drop_frames,
    "drop-runs": drop_runs,
    "trim-start": trim_start,
    "trim-end": trim_end,
    "noisier": noisier,
    "half-rate": half_rate,
}


def cases(rendered: bool, cache: Path) -> list[tuple[LandmarkSeries, Truth]]:
    """Every case's landmarks and truth (walking has steps, not reps: left out)."""
    if rendered:
        folder = ROOT / "tests" / "data" / "rendered"
        videos = sorted(folder.glob("*.mp4"))
        pairs = [(lm, read_truth(v)) for v, lm in all_clip_landmarks(videos, cache).items()]
    else:
        folder = ROOT / "tests" / "data" / "synthetic"
        pairs = [(lm, read_truth(lm)) for lm in sorted(folder.glob("*.landmarks.json"))]
    return [(read_timed_landmarks(lm), truth) for lm, truth in pairs if truth["exercise"] != "walking"]


def run(kind: str, items: list[tuple[LandmarkSeries, Truth]], tol: Tolerance) -> list[CaseResult]:
    """Each case's variant of ``kind`` analysed and scored against its changed truth."""
    out = []
    for series, truth in items:
        made = VARIANTS[kind](series, truth)
        if made is not None:
            s, t = made
            out.append(score(analyse_series(s, t), t, tol))
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="midline on known-answer variants of its cases.")
    parser.add_argument("kinds", nargs="*", metavar="KIND", help=f"of {', '.join(VARIANTS)} (default: all)")
    parser.add_argument("--rendered", action="store_true", help="the rendered clips' MediaPipe landmarks")
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path(tempfile.gettempdir()) / "midline-rendered-landmarks",
        help="the clips' landmarks (tools/accuracy.py --rendered fills it)",
    )
    args = parser.parse_args(argv)
    unknown = [k for k in args.kinds if k not in VARIANTS]
    if unknown:
        parser.error(f"unknown variant {unknown[0]!r}: choose from {', '.join(VARIANTS)}")
    items = cases(args.rendered, args.cache)
    tol = RENDERED_TOL if args.rendered else SYNTHETIC_TOL
    ok = True
    for kind in args.kinds or list(VARIANTS):
        results = run(kind, items, tol)
        for r in results:
            if not r.ok:
                print(f"  {kind}: {r.case} " + " ".join(table([r])[1].split()[1:]))
        print(f"{kind:12s} {table(results)[-1]}")
        ok &= all(r.ok for r in results)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
