"""Walking: each foot's stance steps, with the foot angle and knee-over-foot tilt of each step."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from midline.core import geometry as geo
from midline.core.metrics import at
from midline.core.position import FootAngles
from midline.core.report import Step

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class Walk:
    """The steps found, and per side the median foot angle and shank tilt over them (None = unknown)."""

    steps: list[Step] = field(default_factory=list)
    foot_angle: dict[str, float | None] = field(default_factory=dict)
    knee_alignment: dict[str, float | None] = field(default_factory=dict)


def stance_steps(
    t: FloatArray, heel: FloatArray, leg_px: float, fps: float, max_speed: float = 0.6
) -> list[tuple[int, int]]:
    """Stance phases of one foot while walking: the heel (near) still, at least 0.25 s long.

    ``max_speed``: in leg lengths per second, in the image plane.
    """
    v = np.gradient(heel[:, :2], t, axis=0)
    speed = np.linalg.norm(v, axis=-1) / leg_px
    still = np.isfinite(speed) & (speed < max_speed)
    d = np.diff(still.astype(np.int8), prepend=0, append=0)
    starts = np.flatnonzero(d == 1)
    ends = np.flatnonzero(d == -1) - 1
    min_len = max(2, int(0.25 * fps))  # a stance lasts >= 0.3 s; a swing apex is briefer
    return [(int(a), int(b)) for a, b in zip(starts, ends, strict=True) if b - a + 1 >= min_len]


def walking_steps(
    t: FloatArray,
    xyz: FloatArray,
    angles: FootAngles,
    tilt: dict[str, FloatArray],
    tilt_ok: BoolArray,
    leg_px: float,
    fps: float,
) -> Walk:
    """Per foot, its stance steps and the angle and tilt held in each (a step is where a foot is judged)."""
    steps: list[Step] = []
    foot_angle: dict[str, float | None] = {}
    knee_alignment: dict[str, float | None] = {}
    for s, (heel, _, _, _) in geo.FOOT.items():
        fa, ok = angles[s]
        step_angles, step_tilts = [], []
        for a, b in stance_steps(t, xyz[:, heel], leg_px, fps):
            every = np.ones(b + 1 - a, bool)
            v = at(fa[a : b + 1], every, ok[a : b + 1])
            k = at(tilt[s][a : b + 1], every, tilt_ok[a : b + 1])
            if v is not None:
                steps.append(Step(s, float(t[a]), float(t[b]), v, k))
                step_angles.append(v)
            if k is not None:
                step_tilts.append(k)
        foot_angle[s] = float(np.median(step_angles)) if step_angles else None
        knee_alignment[s] = float(np.median(step_tilts)) if step_tilts else None
    return Walk(steps, foot_angle, knee_alignment)
