"""Plan one clip: resolve the motion for a scenario, pose every frame, measure the truth.

Pure numpy (no Blender): the result holds the unique posed meshes to render, the frame -> render map,
and the truth (phases, gaps measured on the mesh, joint centres per frame) in the synthetic format.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from render.body import Body, load_body
from render.gaps import surface_gap
from render.motion import Angles, Rep, RepPlan, blend, fraction_at, schedule
from render.pose import Posed, PoseSpec, pose_body
from render.scenario import Scenario

from midline.catalog import load_catalog

MOTIONS = Path(__file__).with_name("motions.yaml")
LEVELS = ("thigh", "knee", "ankle")
_TRUNK_AND_LEGS = {"Root", "pelvis", "spine", "neck", "head", "thigh", "calf", "foot", "ball"}


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for k, v in over.items():
        out[k] = (
            _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else copy.deepcopy(v)
        )
    return out


def _sides(spec: dict[str, Any], working: str, bilateral: bool) -> Angles:
    other = "r" if working == "l" else "l"
    out: Angles = {"l": {}, "r": {}}
    for key, side_list in (("both", "lr"), ("working", "lr" if bilateral else working), ("other", other)):
        for side in side_list:
            out[side].update({k: float(v) for k, v in spec.get(key, {}).items()})
    for side in "lr":
        out[side].update({k: float(v) for k, v in spec.get(side, {}).items()})
    return out


@dataclass
class ClipPlan:
    scenario: Scenario
    body: Body
    posture: str
    reps: list[Rep]
    times: np.ndarray
    frame_to_render: np.ndarray  # (F,) index into renders
    renders: list[Posed]
    joints: dict[str, np.ndarray]  # name -> (F, 3) world metres
    gaps: dict[str, np.ndarray]  # level -> (F,) signed surface gap, leg lengths
    centres: dict[str, np.ndarray]  # level -> (F,) centre distance, leg lengths
    leg_length: float
    box: tuple[float, float, float, float] | None  # seated: box centre x, y, top z, half width
    motion: dict[str, Any]
    foot_angle: dict[str, float]  # side -> toes-out angle about the leg's axis (rest mesh + leg rotation)


class Measurer:
    """Joint centres and mesh gaps of a posed body."""

    def __init__(self, body: Body) -> None:
        self.body = body
        self.leg_verts = {s: body.leg_side == v for s, v in (("l", 1), ("r", -1))}
        hip, knee, ankle = (body.bone_head[body.bone(f"{n}_l")] for n in ("thigh", "calf", "foot"))
        self.leg_length = float(np.linalg.norm(knee - hip) + np.linalg.norm(ankle - knee))
        self.heel_vertex = {}
        for s in "lr":  # the rearmost vertex of the foot below 6 cm
            foot = np.flatnonzero(self.leg_verts[s] & (body.vertices[:, 2] < 0.06))
            self.heel_vertex[s] = int(foot[np.argmax(body.vertices[foot, 1])])

    def joints(self, posed: Posed) -> dict[str, np.ndarray]:
        b = self.body
        out = {}
        for s, side in (("l", "left"), ("r", "right")):
            out[f"{side}_hip"] = posed.point(b, f"thigh_{s}")
            out[f"{side}_knee"] = posed.point(b, f"calf_{s}")
            out[f"{side}_ankle"] = posed.point(b, f"foot_{s}")
            out[f"{side}_foot_index"] = posed.point(b, f"ball_{s}", "tail")
            out[f"{side}_ball"] = posed.point(b, f"ball_{s}")
            out[f"{side}_heel"] = posed.vertices[self.heel_vertex[s]]
            out[f"{side}_shoulder"] = posed.point(b, f"upperarm_{s}")
        out["head"] = posed.point(b, "head", "tail")
        return out

    def gaps(self, posed: Posed, j: dict[str, np.ndarray]) -> dict[str, tuple[float, float]]:
        """level -> (signed surface gap, centre distance), metres."""
        v = posed.vertices
        out = {}
        for level in LEVELS:
            c, ax = {}, {}
            for s, side in (("l", "left"), ("r", "right")):
                hip, knee, ankle = j[f"{side}_hip"], j[f"{side}_knee"], j[f"{side}_ankle"]
                u_th = (hip - knee) / np.linalg.norm(hip - knee)
                u_sh = (knee - ankle) / np.linalg.norm(knee - ankle)
                c[s], ax[s] = {
                    "thigh": (hip + 0.25 * (knee - hip), u_th),
                    "knee": (knee, u_th + u_sh),
                    "ankle": (ankle, u_sh),
                }[level]
            gap = surface_gap(
                v[self.leg_verts["l"]], v[self.leg_verts["r"]], c["l"], c["r"], ax["l"], ax["r"]
            )
            out[level] = (gap, float(np.linalg.norm(c["l"] - c["r"])))
        return out


def _solve(body: Body, m: Measurer, angles: Angles, posture: str, rule: dict[str, Any], sides: str) -> None:
    """Bisect one angle (on `sides`) so the named mesh gap hits its target (leg lengths)."""
    lo, hi = float(rule["lo"]), float(rule["hi"])

    def gap_at(x: float) -> float:
        for s in sides:
            angles[s][rule["angle"]] = x
        posed = pose_body(body, PoseSpec(angles, posture=posture))
        return m.gaps(posed, m.joints(posed))[rule["gap"]][0] / m.leg_length - float(rule["target"])

    g_lo, g_hi = gap_at(lo), gap_at(hi)
    if g_lo * g_hi > 0:
        raise ValueError(
            f"cannot reach {rule['gap']} gap {rule['target']} with {rule['angle']} in [{lo}, {hi}]"
        )
    for _ in range(18):
        mid = 0.5 * (lo + hi)
        g = gap_at(mid)
        if (g < 0) == (g_lo < 0):
            lo, g_lo = mid, g
        else:
            hi = mid
    for s in sides:
        angles[s][rule["angle"]] = 0.5 * (lo + hi)


def _top_leg_to_floor(
    body: Body, keys: dict[str, Angles], arms: Angles, posture: str, lift: float, top: str
) -> None:
    """Side-lying: bisect the top leg's adduction until its lowest point (the foot) touches the floor."""
    mask = body.leg_side == (1 if top == "l" else -1)
    lo, hi = -70.0, 10.0  # more adduction = lower foot

    def low(x: float) -> float:
        angles = copy.deepcopy(keys["rest"])
        angles[top]["hip_abd"] = x
        return float(pose_body(body, PoseSpec(angles, arms, posture), lift=lift).vertices[mask, 2].min())

    if low(lo) > 0.0 or low(hi) < 0.0:
        return
    for _ in range(16):
        mid = 0.5 * (lo + hi)
        lo, hi = (lo, mid) if low(mid) > 0.0 else (mid, hi)
    for key in ("rest", "peak"):
        keys[key][top]["hip_abd"] = hi


def plan_clip(sc: Scenario) -> ClipPlan:
    motions = yaml.safe_load(MOTIONS.read_text())
    if sc.exercise not in motions:
        raise ValueError(f"no motion for {sc.exercise!r} in {MOTIONS}")
    motion = copy.deepcopy(motions[sc.exercise])
    for fault in sc.faults:
        motion = _merge(motion, motion.get("faults", {}).get(fault, {}))
    entry = load_catalog().exercise(sc.exercise)
    analysis = entry.analysis
    if analysis is None:
        raise ValueError(f"{sc.exercise} has no analysis template in the catalog")
    bilateral = entry.laterality == "bilateral"
    posture = motion["posture"]
    if posture == "side-lying":
        posture = "side-lying-left" if sc.working_side == "l" else "side-lying-right"
    body = load_body(sc.body)
    m = Measurer(body)
    working = sc.working_side
    sides_solved = "lr" if bilateral else working
    keys: dict[str, Angles] = {}
    for name in ("rest", "peak", "mid"):
        spec = motion.get(name, {})
        keys[name] = _sides(spec, working, bilateral)
        if name == "mid":
            continue
        for s in "lr":
            joint = motion.get("position_joint", "hip_rot")
            keys[name][s][joint] = keys[name][s].get(joint, 0.0) + sc.foot_angle(s)
        for rule in spec.get("solve", []):
            _solve(body, m, keys[name], posture, rule, sides_solved)
    arms = _sides(motion.get("arms", {}), working, bilateral=False)

    tempo = entry.tempo
    plans = []
    for r in sc.reps:
        sq = r.tempo.squeeze_s if r.tempo.squeeze_s is not None else tempo.squeeze_s
        rel = r.tempo.release_s if r.tempo.release_s is not None else tempo.release_s
        if "fast-release" in sc.faults and r.tempo.release_s is None:
            rel = 0.4 * sq
        hold = r.tempo.hold_s if r.tempo.hold_s is not None else tempo.hold_s
        durations = {"concentric": sq, "hold": hold, "eccentric": rel}
        order = tuple(analysis.phase_order)
        plans.append(RepPlan(r.amplitude, durations[order[0]], hold, durations[order[2]], r.rest_after_s))
    reps = schedule(plans, tuple(analysis.phase_order), sc.lead_in_s)
    duration = reps[-1].end_s + sc.tail_s
    times = np.arange(math.floor(duration * sc.fps) + 1) / sc.fps
    scale = {"l": 1.0, "r": sc.asymmetry_scale if "asymmetry" in sc.faults else 1.0}
    speed = float(motion.get("speed_m_s", 0.0))

    renders: list[Posed] = []
    index: dict[tuple[object, ...], int] = {}
    f2r = np.zeros(len(times), dtype=np.int64)
    lift = None
    if posture in ("supine", "side-lying-left", "side-lying-right"):
        # the trunk and legs rest on the floor; an arm reaching past the head may dip into it, hidden
        arm_bones = [i for i, n in enumerate(body.bone_names) if n.split("_")[0] not in _TRUNK_AND_LEGS]
        trunk = body.weights[:, arm_bones].sum(axis=1) < 0.5
        top = "r" if working == "l" else "l"
        if not bilateral:  # side-lying: the top leg's foot is placed on the floor below
            trunk &= body.leg_side != (1 if top == "l" else -1)
        rest_pose = pose_body(body, PoseSpec(keys["rest"], arms, posture), lift=0.0)
        lift = float(-rest_pose.vertices[trunk, 2].min())
        if not bilateral and motion.get("top_leg_on_floor"):
            _top_leg_to_floor(body, keys, arms, posture, lift, top)
    for i, t in enumerate(times):
        f, _ = fraction_at(reps, float(t))
        angles = blend(keys["rest"], keys["peak"], f, scale)
        if keys["mid"]["l"] or keys["mid"]["r"]:
            w = 4.0 * f * (1.0 - f)
            for s in "lr":
                for k, v in keys["mid"][s].items():
                    angles[s][k] = angles[s].get(k, 0.0) + w * v
        spec = PoseSpec(angles, arms, posture, (0.0, -speed * float(t), 0.0))
        k = spec.key()
        if k not in index:
            index[k] = len(renders)
            renders.append(pose_body(body, spec, lift=lift))
        f2r[i] = index[k]
    joint_r = [m.joints(p) for p in renders]
    gap_r = [m.gaps(p, j) for p, j in zip(renders, joint_r, strict=True)]
    joints = {n: np.array([joint_r[r][n] for r in f2r]) for n in joint_r[0]}
    gaps = {lv: np.array([gap_r[r][lv][0] for r in f2r]) / m.leg_length for lv in LEVELS}
    centres = {lv: np.array([gap_r[r][lv][1] for r in f2r]) / m.leg_length for lv in LEVELS}
    box = None
    if posture == "seated":
        p0 = renders[0]
        thighs = p0.vertices[(body.leg_side != 0) & (p0.vertices[:, 2] > 0.25)]
        top = float(thighs[:, 2].min())
        box = (0.0, float(joints["left_hip"][0, 1]) + 0.05, top, 0.2)
    foot = {}
    for s, sign in (("l", 1.0), ("r", -1.0)):
        toe = body.bone_tail[body.bone(f"ball_{s}")] - body.bone_head[body.bone(f"foot_{s}")]
        rest_out = float(np.degrees(np.arctan2(sign * toe[0], -toe[1])))
        foot[s] = rest_out + keys["rest"][s].get(motion.get("position_joint", "hip_rot"), 0.0)
    return ClipPlan(
        sc, body, posture, reps, times, f2r, renders, joints, gaps, centres, m.leg_length, box, motion, foot
    )
