"""Leg position from the feet: each foot's angle over the recording, classified by the catalog's bands."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from midline.core import geometry as geo
from midline.core.cues import ONE_SIDED_SIGNALS
from midline.core.landmarks import B, LandmarkSeries
from midline.core.metrics import at, classify_position
from midline.core.signals import Cleaned, reliable
from midline.core.spec import AnalysisSpec

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

LYING_BODIES = frozenset({"side-lying", "supine"})
"""Bodies whose feet are off the floor: foot rotation is judged about the leg's own axis."""

FootAngles = dict[str, tuple[FloatArray, BoolArray]]
"""Per side: the foot angle per frame (degrees) and the frames whose landmarks it can rest on."""


def foot_angles(c: Cleaned, series: LandmarkSeries, spec: AnalysisSpec) -> FootAngles:
    """Each foot's angle per frame, from world landmarks where present (else perspective undone)."""
    pts = c.world if c.world is not None else geo.undo_perspective(c.xyz, series.width, series.height)
    lying = spec.body in LYING_BODIES
    return {
        s: (geo.foot_angle_deg(pts, s, lying), reliable(c, (heel, toe, B.LEFT_HIP, B.RIGHT_HIP)))
        for s, (heel, toe, _, _) in geo.FOOT.items()
    }


def held_foot_angles(angles: FootAngles, detected: BoolArray) -> dict[str, float | None]:
    """Each foot's typical angle over the frames with a person (None where unreliable)."""
    return {s: at(fa, detected, ok) for s, (fa, ok) in angles.items()}


def leg_positions(
    foot_angle: dict[str, float | None], spec: AnalysisSpec, xyz: FloatArray
) -> tuple[dict[str, float | None], dict[str, str | None]]:
    """The foot angles to report and the leg position each names (support leg dropped)."""
    if spec.primary_signal in ONE_SIDED_SIGNALS:
        # the other leg is a bent support with its foot on the floor: its rotation is not the
        # working leg's and its foot angle is not reliable, so it is not reported
        support = "right" if geo.bottom_side(xyz) == "left" else "left"
        foot_angle[support] = None
    positions = {s: classify_position(foot_angle[s], spec) for s in ("left", "right")}
    return foot_angle, positions
