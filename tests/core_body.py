"""A small kinematic stick body for the core's unit tests: every number is known by construction.

Front view, pixel coordinates in a 1280 x 720 image, depth z in pixels (toward the camera =
smaller), seen through a pinhole camera with the focal length the core assumes. Straight legs
swing about the hip joints in the frontal plane (adduction); each leg's angle follows
minimum-jerk reps with given boundaries. Not the shared fixtures' generator.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from midline.core.geometry import FOCAL_PER_SIZE
from midline.core.landmarks import LM, LandmarkSeries
from midline.core.phases import min_jerk

W, H = 1280, 720
LEG_PX = 300.0
HIP_W = 0.22 * LEG_PX
SHANK = 0.48
FOOT_PX = 0.26 * LEG_PX


@dataclass
class RepPlan:
    """Rep boundaries in seconds: rest -> (start..hold_start) -> hold -> (hold_end..end)."""

    start: float
    hold_start: float
    hold_end: float
    end: float
    scale: float = 1.0  # share of the full range this rep reaches


@dataclass
class BodyPlan:
    fps: float = 30.0
    duration: float = 12.0
    reps: list[RepPlan] = field(default_factory=list)
    rest_deg: tuple[float, float] = (-4.0, -4.0)  # leg angle from vertical, + = toward midline
    squeeze_deg: tuple[float, float] = (3.0, 3.0)
    foot_deg: tuple[float, float] = (0.0, 0.0)  # + = toes out
    valgus_px: float = 0.0  # knees pushed toward the midline by this much at the squeeze
    noise_px: float = 0.0
    seed: int = 0


def rep_profile(t: np.ndarray, reps: list[RepPlan]) -> np.ndarray:
    u = np.zeros_like(t)
    for r in reps:
        rise = min_jerk((t - r.start) / (r.hold_start - r.start))
        fall = min_jerk((t - r.hold_end) / (r.end - r.hold_end))
        u += r.scale * (rise - fall)
    return u


def leg_angles(plan: BodyPlan, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    u = rep_profile(t, plan.reps)
    out = []
    for side in range(2):
        a0, a1 = np.radians(plan.rest_deg[side]), np.radians(plan.squeeze_deg[side])
        out.append(a0 + (a1 - a0) * u)
    return out[0], out[1]


def knee_centre_distance(angle_l: float, angle_r: float) -> float:
    """Distance between the knee centres (px) for leg angles in radians (+ = toward midline)."""
    f = 1.0 - SHANK
    return HIP_W - f * LEG_PX * (np.sin(angle_l) + np.sin(angle_r))


def ankle_centre_distance(angle_l: float, angle_r: float) -> float:
    return HIP_W - LEG_PX * (np.sin(angle_l) + np.sin(angle_r))


def build(plan: BodyPlan) -> LandmarkSeries:
    t = np.arange(round(plan.duration * plan.fps)) / plan.fps
    n = len(t)
    pts = np.zeros((n, 33, 3))
    cx, hy = W / 2, 250.0
    al, ar = leg_angles(plan, t)
    u = rep_profile(t, plan.reps)
    for side, ang, sgn in (("LEFT", al, 1.0), ("RIGHT", ar, -1.0)):
        # the person's left is image right (+x) when they face the camera
        hip = np.stack([np.full(n, cx + sgn * HIP_W / 2), np.full(n, hy), np.zeros(n)], axis=1)
        ankle = hip + LEG_PX * np.stack([-sgn * np.sin(ang), np.cos(ang), np.zeros(n)], axis=1)
        knee = hip + (1.0 - SHANK) * (ankle - hip)
        knee[:, 0] -= sgn * plan.valgus_px * u
        foot = np.radians(plan.foot_deg[0 if side == "LEFT" else 1])
        heel = ankle + np.array([0.0, 0.05 * LEG_PX, 0.04 * LEG_PX])
        toe = heel + FOOT_PX * np.stack(
            [np.full(n, sgn * np.sin(foot)), np.zeros(n), np.full(n, -np.cos(foot))], axis=1
        )
        pts[:, LM[f"{side}_HIP"]] = hip
        pts[:, LM[f"{side}_KNEE"]] = knee
        pts[:, LM[f"{side}_ANKLE"]] = ankle
        pts[:, LM[f"{side}_HEEL"]] = heel
        pts[:, LM[f"{side}_FOOT_INDEX"]] = toe
        pts[:, LM[f"{side}_SHOULDER"]] = hip + np.array([sgn * 0.12 * LEG_PX, -0.6 * LEG_PX, 0])
        pts[:, LM[f"{side}_ELBOW"]] = hip + np.array([sgn * 0.2 * LEG_PX, -0.3 * LEG_PX, 0])
        pts[:, LM[f"{side}_WRIST"]] = hip + np.array([sgn * 0.22 * LEG_PX, -0.05 * LEG_PX, 0])
    pts[:, LM.NOSE] = np.array([cx, hy - 0.8 * LEG_PX, -10.0])
    # pinhole camera: the hips' depth images at 1 px per unit; nearer points are magnified
    focal = FOCAL_PER_SIZE * max(W, H)
    centre = np.array([W / 2, H / 2])
    pts[..., :2] = centre + (pts[..., :2] - centre) * focal / (focal + pts[..., 2:3])
    if plan.noise_px:
        rng = np.random.default_rng(plan.seed)
        pts = pts + rng.normal(0.0, plan.noise_px, pts.shape)
    image = np.empty((n, 33, 4))
    image[..., 0] = pts[..., 0] / W
    image[..., 1] = pts[..., 1] / H
    image[..., 2] = pts[..., 2] / W
    image[..., 3] = 0.95
    return LandmarkSeries(t=t, image=image, world=None, width=W, height=H, fps=plan.fps)


def standard_reps(ecc_s: float = 1.6) -> list[RepPlan]:
    """Three reps of 1 s squeeze, 0.6 s hold, ``ecc_s`` release, 1.2 s rest between."""
    reps, t0 = [], 1.0
    for _ in range(3):
        reps.append(RepPlan(t0, t0 + 1.0, t0 + 1.6, t0 + 1.6 + ecc_s))
        t0 += 1.6 + ecc_s + 1.2
    return reps


def build_walking(foot_deg: float, duration: float = 8.0, fps: float = 30.0) -> LandmarkSeries:
    """Walking toward the camera: each foot alternates 0.5 s stance (still) and 0.5 s swing
    (lifted and carried forward); both feet turned by ``foot_deg`` (+ = toes out)."""
    plan = BodyPlan(fps=fps, duration=duration, rest_deg=(0.0, 0.0), foot_deg=(foot_deg, foot_deg))
    series = build(plan)
    t = series.t
    img = series.image.copy()
    for k, side in enumerate(("LEFT", "RIGHT")):
        phase = ((t + 0.5 * k) % 1.0) / 0.5  # 0..1 stance, 1..2 swing
        swing = np.clip(phase - 1.0, 0.0, 1.0)
        lift = np.where(phase >= 1.0, np.sin(np.pi * swing), 0.0) * 0.2 * LEG_PX
        for name in ("KNEE", "ANKLE", "HEEL", "FOOT_INDEX"):
            share = 0.5 if name == "KNEE" else 1.0
            img[:, LM[f"{side}_{name}"], 1] -= share * lift / H
    return LandmarkSeries(t=t, image=img, world=None, width=W, height=H, fps=fps)


def yawed(pts: np.ndarray, deg: float, left_hip: int, right_hip: int) -> np.ndarray:
    """Points (T, N, 3) turned ``deg`` about the vertical through the hips' midpoint (a camera off
    to one side); ``left_hip`` / ``right_hip``: their indices in ``pts`` (33-point or compact)."""
    a = np.radians(deg)
    rot = np.array([[np.cos(a), 0, np.sin(a)], [0, 1, 0], [-np.sin(a), 0, np.cos(a)]])
    hips = (pts[:, left_hip] + pts[:, right_hip])[:, None] / 2.0
    out: np.ndarray = (pts - hips) @ rot.T + hips
    return out
