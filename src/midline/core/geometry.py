"""Per-frame body geometry: surface gaps between the legs, shank tilt, foot angle, joint angles.

All functions take cleaned body-landmark coordinates (T, 12, 3), indexed by ``B``, and return
(T,) arrays (NaN = unknown).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from midline.core.landmarks import B

FloatArray = NDArray[np.float64]

BREADTH = {"thigh": 0.175, "knee": 0.115, "ankle": 0.075}
"""Leg breadth (diameter) per level as a fraction of leg length (anthropometric averages)."""
THIGH_LEVEL = 0.25
"""The upper-thigh level: this share of the way from the hip joint to the knee."""

LEFT = {"hip": B.LEFT_HIP, "knee": B.LEFT_KNEE, "ankle": B.LEFT_ANKLE}
RIGHT = {"hip": B.RIGHT_HIP, "knee": B.RIGHT_KNEE, "ankle": B.RIGHT_ANKLE}
FOOT = {
    "left": (B.LEFT_HEEL, B.LEFT_FOOT_INDEX, B.LEFT_KNEE, B.LEFT_ANKLE),
    "right": (B.RIGHT_HEEL, B.RIGHT_FOOT_INDEX, B.RIGHT_KNEE, B.RIGHT_ANKLE),
}


def norm(v: FloatArray, keepdims: bool = False) -> FloatArray:
    """``np.linalg.norm(v, axis=-1)``, the same numbers, faster.

    For 2 or 3 coordinates the squares are summed one coordinate at a time, in the order
    ``np.add.reduce`` sums them: numpy reduces a short last axis in loops of 2-3 elements.
    """
    if v.ndim > 1 and v.shape[-1] in (2, 3):
        sq = v[..., 0] * v[..., 0]
        for k in range(1, v.shape[-1]):
            sq += v[..., k] * v[..., k]
        out: FloatArray = np.sqrt(sq, out=sq)
        return out[..., None] if keepdims else out
    out = np.sqrt(np.add.reduce(v * v, axis=-1, keepdims=keepdims))
    return out


def _unit(v: FloatArray) -> FloatArray:
    n = norm(v, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        out: FloatArray = v / n
    return out


def level_points(xyz: FloatArray, level: str) -> tuple[FloatArray, FloatArray]:
    """The left and right leg's centre points at a level ("thigh", "knee", "ankle"), (T, 3) each."""
    if level == "thigh":
        lp = xyz[:, B.LEFT_HIP] + THIGH_LEVEL * (xyz[:, B.LEFT_KNEE] - xyz[:, B.LEFT_HIP])
        rp = xyz[:, B.RIGHT_HIP] + THIGH_LEVEL * (xyz[:, B.RIGHT_KNEE] - xyz[:, B.RIGHT_HIP])
        return lp, rp
    return xyz[:, LEFT[level]], xyz[:, RIGHT[level]]


def surface_gap(xyz: FloatArray, level: str, leg_px: float, use_depth: bool) -> FloatArray:
    """Surface gap between the legs at a level, in leg lengths: centre distance − breadth.

    ``use_depth``: include z (side views, where the legs are side by side in depth); in front
    views the legs are side by side in the image plane and the noisier z is left out.
    Negative values (noise, breadth estimate) are kept: clipping would bias averages.
    """
    lp, rp = level_points(xyz, level)
    d = lp - rp if use_depth else (lp - rp)[:, :2]
    dist = norm(d)
    out: FloatArray = dist / leg_px - BREADTH[level]
    return out


def shank_tilt_deg(xyz: FloatArray, side: str) -> FloatArray:
    """Frontal shank tilt from the image vertical, + = knee medial of the ankle (valgus).

    Medial is toward the other hip, so the sign follows the person, not the image.
    """
    legs = LEFT if side == "left" else RIGHT
    other = RIGHT if side == "left" else LEFT
    shank = xyz[:, legs["knee"], :2] - xyz[:, legs["ankle"], :2]
    medial = np.sign(xyz[:, other["hip"], 0] - xyz[:, legs["hip"], 0])
    out: FloatArray = np.degrees(np.arctan2(shank[:, 0] * medial, -shank[:, 1]))
    return out


def foot_angle_deg(
    pts: FloatArray, side: str, about_leg: bool = False, image: tuple[int, int] | None = None
) -> FloatArray:
    """Foot rotation away from straight ahead, + = toes out (degrees).

    On the feet (standing, sitting, walking: ``about_leg`` False) the rotation is the foot's
    heading in the floor plane (about the vertical), which is what the eye judges and does not
    depend on how the shank leans. Lying (``about_leg`` True) it is the rotation about the
    shank axis, the leg's own long axis.

    ``pts``: (T, 12, 3) body landmarks in a frame with x right, y down, z away (image pixels with z, or world
    metres). Straight ahead is perpendicular to the rotation axis and to the hip line (so it
    turns with the body when the camera is off-axis, and with the leg when the hip flexes); the
    heel->toe direction is projected onto the plane across the axis. ``image``: (width, height)
    when ``pts`` are image pixels, whose perspective is then undone (:func:`undo_perspective`).
    """
    heel_i, toe_i, knee_i, ankle_i = FOOT[side]

    def point(i: int) -> FloatArray:
        return pts[:, i] if image is None else undo_perspective(pts[:, i], *image)

    heel, toe, knee, ankle = point(heel_i), point(toe_i), point(knee_i), point(ankle_i)
    hips = point(B.LEFT_HIP) - point(B.RIGHT_HIP)
    if np.isfinite(hips).all(axis=1).any():  # the pelvis turns little: its median is steadier
        hips = np.nanmedian(hips, axis=0)[None, :]  # one row: the axes below are worked out once
    lateral = _unit(hips)  # toward the person's left
    vertical = np.array([[0.0, -1.0, 0.0]])  # y is down
    up = _unit(knee - ankle) if about_leg else vertical
    forward = _unit(np.cross(lateral, up))
    outward = lateral if side == "left" else -lateral
    outward = _unit(outward - _dot(outward, up)[..., None] * up)
    foot = toe - heel
    foot = foot - _dot(foot, up)[..., None] * up
    out: FloatArray = np.degrees(np.arctan2(_dot(foot, outward), _dot(foot, forward)))
    return out


MEDIAN_FRAMES = 4000
"""Frames enough for a median of a body proportion (a longer recording is subsampled for it)."""


def foot_splay_deg(image: FloatArray, pts3d: FloatArray) -> FloatArray:
    """Half the angle between the two feet (+ = toes apart), from their sideways offsets in a front view.

    A foot pointing at the camera is seen end-on: its direction is nearly all depth, which a
    single camera estimates poorly (MediaPipe read feet turned in 15° as straight), while the
    toe's sideways offset from the heel lies in the image plane and is seen well. That offset is
    ``L·sin(angle)`` for a foot of length ``L``; summed over the two feet (each toward its own
    outside) it is ``2·L·sin(half opening)·cos(yaw)``, so a camera off to one side (yaw) turns
    one foot in and the other out and barely moves the sum. ``L`` in pixels is the foot's
    length as a share of the shank, measured in 3D (``pts3d``: world landmarks or the image with
    its perspective undone), times the shank's image length (on the feet the shank stands
    upright, across the camera's view, so it is not foreshortened like the foot).

    ``image``: (T, 12, 3) image pixels (only x, y are used). Returns (T,) degrees.
    """
    # the medians below (hip line, foot / shank ratio) are steady over a few thousand frames:
    # a long recording's are taken on every k-th frame
    k = max(1, image.shape[0] // MEDIAN_FRAMES)
    hips = image[::k, B.LEFT_HIP, :2] - image[::k, B.RIGHT_HIP, :2]
    if not np.isfinite(hips).all(axis=1).any():
        return np.full(image.shape[0], np.nan)
    outside = np.nanmedian(hips, axis=0)
    outside = outside / np.hypot(*outside)  # toward the person's left in the image
    offset = np.zeros(image.shape[0])
    shank = np.zeros(image.shape[0])
    ratios = []
    x, y = image[..., 0], image[..., 1]  # one coordinate at a time: long loops, no (T, 2) slices
    for side, sign in (("left", 1.0), ("right", -1.0)):
        heel, toe, knee, ankle = FOOT[side]
        offset += sign * ((x[:, toe] - x[:, heel]) * outside[0] + (y[:, toe] - y[:, heel]) * outside[1])
        shank += np.hypot(x[:, knee] - x[:, ankle], y[:, knee] - y[:, ankle])
        p = pts3d[::k]
        ratios.append(norm(p[:, toe] - p[:, heel]) / norm(p[:, knee] - p[:, ankle]))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.concatenate(ratios)
    r = r[np.isfinite(r)]
    foot = (float(np.median(r)) if r.size else float("nan")) * shank  # sum of both feet's lengths
    with np.errstate(invalid="ignore", divide="ignore"):
        out: FloatArray = np.degrees(np.arcsin(np.clip(offset / foot, -1.0, 1.0)))
    return out


def _dot(a: FloatArray, b: FloatArray) -> FloatArray:
    """``np.sum(a * b, axis=-1)`` of 3-vectors (broadcast), the same numbers, one coordinate at a time."""
    out: FloatArray = a[..., 0] * b[..., 0]
    out = out + a[..., 1] * b[..., 1]
    out = out + a[..., 2] * b[..., 2]
    return out


FOCAL_PER_SIZE = 0.8
"""Assumed focal length / the image's larger side (phones and webcams: ~0.7-0.9)."""


def undo_perspective(points: FloatArray, width: int, height: int) -> FloatArray:
    """Image points (..., 3) rescaled to the hip midpoint's depth (weak perspective).

    A point nearer the camera than the hips (z < 0, in x's pixel scale) is imaged further from
    the image centre; with an assumed focal length f its offset from the centre is scaled by
    (1 + z / f). This matters for feet filmed from close by, whose toe is much nearer than the
    heel: without it a straight foot looks turned out.
    """
    f = FOCAL_PER_SIZE * max(width, height)
    out = points.copy()
    scale = points[..., 2] / f
    scale += 1.0
    # centre + (x - centre) * scale, in place and one coordinate at a time: numpy runs each as
    # one long loop, where a (..., 2) slice broadcast against the centre runs 2-element loops
    for k, centre in ((0, width / 2.0), (1, height / 2.0)):
        v = out[..., k]
        v -= centre
        v *= scale
        v += centre
    return out


def angle_deg(a: FloatArray, b: FloatArray, c: FloatArray) -> FloatArray:
    """The angle at ``b`` between ``b->a`` and ``b->c`` (degrees), per frame."""
    u = _unit(a - b)
    v = _unit(c - b)
    cos = np.clip(np.sum(u * v, axis=-1), -1.0, 1.0)
    out: FloatArray = np.degrees(np.arccos(cos))
    return out


def _mid(xyz: FloatArray, a: int, b: int) -> FloatArray:
    out: FloatArray = (xyz[:, a] + xyz[:, b]) / 2.0
    return out


def hip_flexion_deg(xyz: FloatArray, side: str | None = None) -> FloatArray:
    """180° − angle(shoulder, hip, ankle) in the image plane (side view): 90 = legs up, 0 = flat."""
    p = xyz[..., :2]
    if side is None:
        sh = _mid(p, B.LEFT_SHOULDER, B.RIGHT_SHOULDER)
        hip = _mid(p, B.LEFT_HIP, B.RIGHT_HIP)
        ank = _mid(p, B.LEFT_ANKLE, B.RIGHT_ANKLE)
    else:
        legs = LEFT if side == "left" else RIGHT
        sh = p[:, B.LEFT_SHOULDER if side == "left" else B.RIGHT_SHOULDER]
        hip, ank = p[:, legs["hip"]], p[:, legs["ankle"]]
    out: FloatArray = 180.0 - angle_deg(sh, hip, ank)
    return out


def knee_extension_deg(xyz: FloatArray, side: str) -> FloatArray:
    """The knee angle hip-knee-ankle (180 = straight)."""
    legs = LEFT if side == "left" else RIGHT
    return angle_deg(xyz[:, legs["hip"]], xyz[:, legs["knee"]], xyz[:, legs["ankle"]])


def bottom_side(xyz: FloatArray) -> str:
    """Side-lying: the bottom leg is the one whose hip lies lower in the image (nearer the floor)."""
    dy = xyz[:, B.LEFT_HIP, 1] - xyz[:, B.RIGHT_HIP, 1]
    med = np.nanmedian(dy) if np.isfinite(dy).any() else 0.0
    return "left" if med > 0 else "right"


def floor_angle_deg(xyz: FloatArray, side: str) -> FloatArray:
    """Elevation of a leg's hip->ankle line above the horizontal image line (the floor), degrees."""
    legs = LEFT if side == "left" else RIGHT
    d = xyz[:, legs["ankle"], :2] - xyz[:, legs["hip"], :2]
    out: FloatArray = np.degrees(np.arctan2(-d[:, 1], np.abs(d[:, 0])))
    return out


def view_score(xyz: FloatArray) -> float:
    """(shoulder width + hip width) / torso length in the image: ~1 facing, ~0.5 or less side-on."""
    p = xyz[..., :2]
    sw = norm(p[:, B.LEFT_SHOULDER] - p[:, B.RIGHT_SHOULDER])
    hw = norm(p[:, B.LEFT_HIP] - p[:, B.RIGHT_HIP])
    torso = norm(_mid(p, B.LEFT_SHOULDER, B.RIGHT_SHOULDER) - _mid(p, B.LEFT_HIP, B.RIGHT_HIP))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (sw + hw) / torso
    r = r[np.isfinite(r)]
    return float(np.median(r)) if r.size else float("nan")


FRONT_VIEW_SCORE = 0.85
"""(shoulder + hip width) / torso length at or above this: filmed from the front."""


def camera_view(score: float) -> str | None:
    """Name the camera's view from :func:`view_score`: "front", "side", or None when unknown."""
    return None if not np.isfinite(score) else ("front" if score >= FRONT_VIEW_SCORE else "side")
