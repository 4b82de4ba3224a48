"""Leg position from the feet: each foot's angle over the recording, classified by the catalog's bands."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from midline.core import geometry as geo
from midline.core.cues import ONE_SIDED_SIGNALS
from midline.core.landmarks import B, LandmarkSeries
from midline.core.metrics import RELIABLE_SHARE, at, classify_position
from midline.core.signals import Cleaned, reliable
from midline.core.spec import AnalysisSpec

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

LYING_BODIES = frozenset({"side-lying", "supine"})
"""Bodies whose feet are off the floor: foot rotation is judged about the leg's own axis."""
ON_FEET = frozenset({"standing", "seated"})
"""Bodies standing or sitting with the feet on the floor and the shanks upright."""

FootAngles = dict[str, tuple[FloatArray, BoolArray]]
"""Per side: the foot angle per frame (degrees) and the frames whose landmarks it can rest on."""


def foot_angles(c: Cleaned, series: LandmarkSeries, spec: AnalysisSpec, view: str | None) -> FootAngles:
    """Each foot's angle per frame, from world landmarks where present (else perspective undone).

    When both legs are measured together (not walking, not a one-sided exercise) the pair is
    read in two parts (:func:`pair_angles`): how far the feet open (half the angle between
    them) and how that opening is shared between the legs (half the difference of their angles
    against the hip line). The opening needs no reference direction; the share needs the hip
    line, whose direction is depth in a side view and is then not trusted. In a front view of
    a standing or seated body the feet point at the camera and the opening is read from the
    toes' sideways offsets in the image (:func:`geo.foot_splay_deg`). ``view``: the camera's
    view as :func:`geo.camera_view` names it.
    """
    pts = c.world if c.world is not None else geo.undo_perspective(c.xyz, series.width, series.height)
    lying = spec.body in LYING_BODIES
    angles = {
        s: (geo.foot_angle_deg(pts, s, lying), reliable(c, (heel, toe, B.LEFT_HIP, B.RIGHT_HIP)))
        for s, (heel, toe, _, _) in geo.FOOT.items()
    }
    if spec.body == "walking" or spec.primary_signal in ONE_SIDED_SIGNALS:
        return angles  # steps (one foot at a time) / a support leg that is not reported
    front = view == "front"
    splay = None
    if front and spec.body in ON_FEET:
        # with world landmarks (MediaPipe) the image's own depth (z) is far off and the image is
        # taken as it is; without, the perspective is undone with it (docs/analysis.md)
        splay = geo.foot_splay_deg(c.xyz if c.world is not None else pts, pts)
    noise = SPLIT_NOISE_DEG if c.world is not None else 0.0
    return pair_angles(angles, splay, noise if front else None)


SPLIT_NOISE_DEG = 5.0
"""How far MediaPipe's world landmarks turn one foot against the other (half the difference):
0.6-3.9° on the rendered clips filmed straight on, 7.3° with the camera 15° to the side,
where both feet were turned alike. Less than this is not told apart from noise."""


def pair_angles(angles: FootAngles, splay: FloatArray | None, noise: float | None) -> FootAngles:
    """Both feet's angles as the pair's opening plus each leg's share of it.

    ``splay``: the half opening measured another way (:func:`geo.foot_splay_deg`), else the
    mean of the two angles. ``noise``: each leg's share is half the difference of the two
    angles (over the recording), less ``noise`` degrees toward 0 (what the landmarks turn a foot
    by themselves); ``None``: no share, both legs get the half opening (a side view: the hip
    line points along the camera's axis, where MediaPipe's depth turned it 20-27° and read
    parallel legs as one turned out, the other in; one leg turned alone is then not seen, only
    how far the feet open). Both feet must be seen in the same frames; in a front view where
    they seldom are, each foot is measured alone.
    """
    (left, ok_l), (right, ok_r) = angles["left"], angles["right"]
    ok = ok_l & ok_r
    if noise is not None and ok.sum() < RELIABLE_SHARE * max(ok_l.sum(), ok_r.sum()):
        return angles  # front view, the feet seldom both seen: each foot alone, as measured
    opening = (left + right) / 2.0 if splay is None else splay
    half = ((left - right) / 2.0)[ok]
    half = half[np.isfinite(half)]
    share = 0.0
    if noise is not None and half.size:
        median = float(np.median(half))
        share = float(np.sign(median)) * max(abs(median) - noise, 0.0)
    return {"left": (opening + share, ok), "right": (opening - share, ok)}


def held_foot_angles(angles: FootAngles, detected: BoolArray) -> dict[str, float | None]:
    """Each foot's typical angle over the frames with a person (None where unreliable)."""
    return {s: at(fa, detected, ok) for s, (fa, ok) in angles.items()}


def leg_positions(
    foot_angle: dict[str, float | None], spec: AnalysisSpec, xyz: FloatArray
) -> tuple[dict[str, float | None], dict[str, str | None], str | None]:
    """The foot angles to report, the leg position each names, and the support leg (dropped)."""
    support = None
    if spec.primary_signal in ONE_SIDED_SIGNALS:
        # the other leg is a bent support with its foot on the floor: its rotation is not the
        # working leg's and its foot angle is not reliable, so it is not reported
        support = "right" if geo.bottom_side(xyz) == "left" else "left"
        foot_angle[support] = None
    positions = {s: classify_position(foot_angle[s], spec) for s in ("left", "right")}
    return foot_angle, positions, support
