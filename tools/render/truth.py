"""Camera geometry and the truth file (the format of shared/fixtures/synthetic/README.md, plus extras)."""

from __future__ import annotations

from typing import Any

import numpy as np
from render.clip import LEVELS, ClipPlan
from render.scenario import Camera

SIDE = {"l": "left", "r": "right"}


def camera_matrix(cam: Camera) -> np.ndarray:
    """4x4 world matrix of a camera at `position` looking at `look_at`, z up (Blender's convention)."""
    c = np.asarray(cam.position, dtype=np.float64)
    f = np.asarray(cam.look_at, dtype=np.float64) - c
    f /= np.linalg.norm(f)
    r = np.cross(f, [0.0, 0.0, 1.0])
    r /= np.linalg.norm(r)
    u = np.cross(r, f)
    m = np.eye(4)
    m[:3, 0], m[:3, 1], m[:3, 2], m[:3, 3] = r, u, -f, c
    return m


def project(points: np.ndarray, cam: Camera, width: int, height: int) -> np.ndarray:
    """(..., 3) world points -> (..., 2) image x, y normalised 0..1 (y down), pinhole, 36 mm sensor width."""
    m = camera_matrix(cam)
    rel = (points - m[:3, 3]) @ m[:3, :3]
    fpx = cam.focal_mm / 36.0 * width
    depth = -rel[..., 2]
    x = width / 2.0 + fpx * rel[..., 0] / depth
    y = height / 2.0 - fpx * rel[..., 1] / depth
    return np.stack([x / width, y / height], axis=-1)


def primary_signal(plan: ClipPlan, name: str) -> np.ndarray:
    """The catalog's primary signal per frame, from the exact joints and mesh gaps."""
    j = plan.joints
    if name == "knee_gap":
        return plan.gaps["knee"]
    if name == "bottom_leg_floor_angle":
        side = SIDE[plan.scenario.working_side]
        d = j[f"{side}_ankle"] - j[f"{side}_hip"]
        return np.degrees(np.arctan2(d[:, 2], np.linalg.norm(d[:, :2], axis=1)))
    if name == "hip_flexion":
        sh = 0.5 * (j["left_shoulder"] + j["right_shoulder"])
        hp = 0.5 * (j["left_hip"] + j["right_hip"])
        an = 0.5 * (j["left_ankle"] + j["right_ankle"])
        a, b = sh - hp, an - hp
        cos = (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
        return 180.0 - np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))
    if name == "foot_progression":
        return np.full(len(plan.times), np.mean([plan.foot_angle[s] for s in "lr"]))
    raise ValueError(f"no truth for primary signal {name!r}")


def _shank_tilt(plan: ClipPlan, frame: int, s: str) -> float:
    """Frontal shank angle from vertical in the body frame, + = knee medial of the ankle (valgus)."""
    rot = plan.renders[int(plan.frame_to_render[frame])].body_rotation
    knee = rot.T @ plan.joints[f"{SIDE[s]}_knee"][frame]
    ankle = rot.T @ plan.joints[f"{SIDE[s]}_ankle"][frame]
    sign = 1.0 if s == "l" else -1.0
    return float(np.degrees(np.arctan2(-sign * (knee[0] - ankle[0]), knee[2] - ankle[2])))


def build_truth(plan: ClipPlan, view: str, signal_name: str, unit: str, direction: str) -> dict[str, Any]:
    sc = plan.scenario
    fps, n = sc.fps, len(plan.times)
    signal = primary_signal(plan, signal_name)
    upright = plan.posture in ("standing", "seated")

    def frame_at(t: float) -> int:
        return int(np.clip(round(t * fps), 0, n - 1))

    rest_value = float(signal[0])
    reps = []
    for rep in plan.reps:
        k = frame_at(rep.squeeze_s)
        h = rep.phases[1]
        conc = next(p for p in rep.phases if p.name == "concentric")
        ecc = next(p for p in rep.phases if p.name == "eccentric")
        r: dict[str, Any] = {
            "index": rep.index,
            "phases": [
                {"name": p.name, "start_s": round(p.start_s, 4), "end_s": round(p.end_s, 4)}
                for p in rep.phases
            ],
            "start_s": round(rep.start_s, 4),
            "end_s": round(rep.end_s, 4),
            "concentric_s": round(conc.end_s - conc.start_s, 4),
            "hold_s": round(h.end_s - h.start_s, 4),
            "eccentric_s": round(ecc.end_s - ecc.start_s, 4),
            "eccentric_ratio": round((ecc.end_s - ecc.start_s) / (conc.end_s - conc.start_s), 4),
            "amplitude": rep.amplitude,
            "squeeze_frame": k,
            "peak_value": round(float(signal[k]), 5),
            "rom": round(abs(float(signal[k]) - rest_value), 5),
            "knee_alignment_deg": {
                SIDE[s]: round(_shank_tilt(plan, k, s), 3) if upright else 0.0 for s in "lr"
            },
        }
        for lv in LEVELS:
            r[f"{lv}_gap_min"] = round(float(plan.gaps[lv][k]), 5)
            r[f"{lv}_centre_min"] = round(float(plan.centres[lv][k]), 5)
        reps.append(r)
    full = [r for r in reps if r["amplitude"] >= 0.95] or reps
    breadth = {lv: round(float(np.median(plan.centres[lv] - plan.gaps[lv])), 5) for lv in LEVELS}
    hips = np.linalg.norm(plan.joints["left_hip"][0] - plan.joints["right_hip"][0]) / plan.leg_length
    expected, forbidden = _cues(sc.faults, reps, sc, signal_name, upright)
    w, h = sc.resolution
    image = {k: project(v, sc.camera, w, h) for k, v in plan.joints.items()}
    legs = np.stack([image[f"{side}_{j}"] for side in ("left", "right") for j in ("knee", "ankle")], axis=1)
    out_fraction = float(np.mean(np.any((legs < 0) | (legs > 1), axis=(1, 2))))
    if out_fraction <= 0.02:  # the synthetic README's rule
        forbidden = sorted({*forbidden, "legs-out-of-frame"})
    joints2d = {k: np.round(v, 5).tolist() for k, v in image.items()}
    return {
        "case": sc.name,
        "exercise": sc.exercise,
        "view": view,
        "fps": fps,
        "frames": n,
        "width": w,
        "height": h,
        "duration_s": round(n / fps, 4),
        "leg_length_m": round(plan.leg_length, 5),
        "reps": reps,
        "rep_count": len(reps),
        "primary_signal": {
            "name": signal_name,
            "unit": unit,
            "squeeze_direction": direction,
            "rest": round(rest_value, 5),
            "peak": round(float(np.median([r["peak_value"] for r in full])), 5),
        },
        "leg_position": {SIDE[s]: _position_class(plan.foot_angle[s]) for s in "lr"},
        "foot_angle_deg": {SIDE[s]: round(plan.foot_angle[s], 3) for s in "lr"},
        "knee_alignment_deg": {
            SIDE[s]: round(float(np.median([r["knee_alignment_deg"][SIDE[s]] for r in full])), 3)
            for s in "lr"
        },
        "asked_leg_position": "parallel",
        "expected_cues": expected,
        "forbidden_cues": forbidden,
        "breadth": breadth,
        "hip_joint_distance": round(float(hips), 5),
        "leg_clearance_min": round(float(min(plan.gaps[lv].min() for lv in LEVELS)), 5),
        "quality": {"detected_fraction": 1.0, "legs_out_of_frame_fraction": round(out_fraction, 4)},
        "leg_range_scale": {"left": 1.0, "right": sc.asymmetry_scale if "asymmetry" in sc.faults else 1.0},
        "camera": {
            "position": list(sc.camera.position),
            "look_at": list(sc.camera.look_at),
            "focal_mm": sc.camera.focal_mm,
            "focal_px": round(sc.camera.focal_mm / 36.0 * w, 3),
        },
        "body": sc.body,
        "faults": list(sc.faults),
        "posture": plan.posture,
        "signal": np.round(signal, 5).tolist(),
        "gaps": {lv: np.round(plan.gaps[lv], 5).tolist() for lv in LEVELS},
        "joints_world": {k: np.round(v, 5).tolist() for k, v in plan.joints.items()},
        "joints_image": joints2d,
        "frame_render": plan.frame_to_render.tolist(),
        "note": (
            "Rendered MakeHuman body (CC0), exact joint centres from the rig; gaps are signed surface gaps "
            "measured on the skinned mesh (negative = soft tissue pressing into the other leg), in leg "
            "lengths; leg_clearance_min is over the three levels only. joints_world: metres, z up, the "
            "floor at z = 0; joints_image: x, y normalised, y down."
        ),
    }


def _position_class(foot_angle: float) -> str:
    """The synthetic README's classes: >= 20 deg out Pilates stance, <= -8 deg internal, else parallel."""
    return "pilates-stance" if foot_angle >= 20 else "internal" if foot_angle <= -8 else "parallel"


def _cues(
    faults: list[str], reps: list[dict[str, Any]], sc: Any, signal: str, upright: bool
) -> tuple[list[str], list[str]]:
    expected: set[str] = set()
    forbidden: set[str] = {"no-person", "wrong-view"}
    ratios = [r["eccentric_ratio"] for r in reps]
    if "fast-release" in faults:
        if max(ratios) <= 0.5:
            expected.add("fast-release")
    elif min(ratios) >= 1.5:
        forbidden.add("fast-release")
    if "partial" in faults:
        expected.add("partial-range")
    elif min(r["amplitude"] for r in reps) >= 0.95:
        forbidden.add("partial-range")
    if "asymmetry" in faults:
        expected.add("asymmetry")
    elif signal != "bottom_leg_floor_angle":
        forbidden.add("asymmetry")
    if upright:
        tilt = [abs(v) for r in reps for v in r["knee_alignment_deg"].values()]
        if min(tilt) >= 12:
            expected.add("knee-not-over-foot")
        elif max(tilt) <= 3:
            forbidden.add("knee-not-over-foot")
    if signal == "knee_gap" and sc.exercise == "standing-squeeze":
        if all(r["knee_gap_min"] <= 0.02 and r["ankle_gap_min"] >= 0.12 for r in reps):
            expected.add("legs-loose-below")
        elif all(r["ankle_gap_min"] <= 0.02 or r["knee_gap_min"] >= 0.06 for r in reps):
            forbidden.add("legs-loose-below")
    if sc.exercise in ("standing-squeeze", "seated-squeeze"):
        if any(_position_class(sc.foot_angle(s)) != "parallel" for s in "lr"):
            expected.add("position-mismatch")
        else:
            forbidden.add("position-mismatch")
    return sorted(expected), sorted(forbidden - expected)
