"""Pose the body: anatomical joint angles -> bone transforms (forward kinematics) -> skinned vertices.

Linear blend skinning in numpy, so the renderer gets the posed mesh itself and the truth gets the exact
joint centres and the exact surface the camera sees. Angles are degrees, each a rotation about an axis of
the rest pose (x = the person's left, y = back, z = up), applied at the bone's head and composed down
the hierarchy, as a Blender pose-mode rotation with world-aligned bone axes would be.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from render.body import Body

LEG_KEYS = ("hip_flex", "hip_abd", "hip_rot", "knee_flex", "knee_splay", "shank_rot", "ankle_flex")
SIDES = {"l": 1.0, "r": -1.0}


def axis_rotation(axis: np.ndarray, deg: float) -> np.ndarray:
    """Rotation matrix about a unit axis (right hand), Rodrigues' formula."""
    a = np.asarray(axis, dtype=np.float64)
    a = a / np.linalg.norm(a)
    t = np.radians(deg)
    k = np.array([[0.0, -a[2], a[1]], [a[2], 0.0, -a[0]], [-a[1], a[0], 0.0]])
    return np.eye(3) + np.sin(t) * k + (1.0 - np.cos(t)) * (k @ k)


_X, _Y, _Z = np.eye(3)


@dataclass(frozen=True)
class PoseSpec:
    """A full-body pose: per-leg angles, arm angles, and the whole body's placement in the room.

    Leg angles (degrees, per side "l"/"r"): hip_flex (leg forward), hip_abd (foot away from the midline),
    hip_rot (external rotation of the leg about its own axis, + = toes out; this is the leg position),
    knee_flex (heel toward the buttock), knee_splay (shank tilted out at the knee, + = ankle lateral of
    the knee, i.e. valgus), shank_rot (the foot turned about the shank, + = toes out: the leg position
    where the hip is flexed, as when seated), ankle_flex (+ = toes down).
    Arms: shoulder_abd / shoulder_flex per side.
    posture: standing | seated | supine | side-lying-left | side-lying-right; ground: how the body is
    placed on the floor (feet on the floor, or a fixed lift computed once for lying postures).
    """

    legs: Mapping[str, Mapping[str, float]]
    arms: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    posture: str = "standing"
    translate: tuple[float, float, float] = (0.0, 0.0, 0.0)

    def key(self) -> tuple[object, ...]:
        """Hashable identity: equal keys render identical images (used to reuse renders)."""
        legs = tuple((s, tuple(round(float(self.legs[s].get(k, 0.0)), 9) for k in LEG_KEYS)) for s in "lr")
        arms = tuple(
            (
                s,
                tuple(
                    round(float(self.arms.get(s, {}).get(k, 0.0)), 9)
                    for k in ("shoulder_abd", "shoulder_flex")
                ),
            )
            for s in "lr"
        )
        return (legs, arms, self.posture, tuple(round(v, 9) for v in self.translate))


def posture_rotation(posture: str) -> np.ndarray:
    """Whole-body rotation from standing to the posture (about the rest frame's origin)."""
    if posture in ("standing", "seated"):
        return np.eye(3)
    if posture == "supine":  # front (-y) turns to face up, head toward +y
        return axis_rotation(_X, -90.0)
    if posture == "side-lying-left":  # left side (+x) down, head toward +x, front still facing -y
        return axis_rotation(_Y, 90.0)
    if posture == "side-lying-right":
        return axis_rotation(_Y, -90.0)
    raise ValueError(f"unknown posture {posture!r}")


def local_rotations(body: Body, pose: PoseSpec) -> dict[str, np.ndarray]:
    """Bone name -> rotation (rest-frame axes) from the anatomical angles."""
    rots: dict[str, np.ndarray] = {}
    for side, s in SIDES.items():
        if f"thigh_{side}" not in body.bone_names:
            continue
        a = pose.legs.get(side, {})
        hip, ankle = body.bone_head[body.bone(f"thigh_{side}")], body.bone_head[body.bone(f"foot_{side}")]
        rest_axis = ankle - hip  # points down the leg; external rotation turns the toes out (+s x)
        rot = axis_rotation(rest_axis, -s * a.get("hip_rot", 0.0))
        abd = axis_rotation(_Y, -s * a.get("hip_abd", 0.0))
        flex = axis_rotation(_X, -a.get("hip_flex", 0.0))
        rots[f"thigh_{side}"] = flex @ abd @ rot
        splay = axis_rotation(_Y, -s * a.get("knee_splay", 0.0))
        knee = body.bone_head[body.bone(f"calf_{side}")]
        twist = axis_rotation(ankle - knee, -s * a.get("shank_rot", 0.0))  # foot about the shank, + = out
        # twist and splay the straight shank, then bend it
        rots[f"calf_{side}"] = axis_rotation(_X, a.get("knee_flex", 0.0)) @ splay @ twist
        rots[f"foot_{side}"] = axis_rotation(_X, a.get("ankle_flex", 0.0))
        arm = pose.arms.get(side, {})
        if arm and f"upperarm_{side}" in body.bone_names:
            up_abd = axis_rotation(_Y, -s * arm.get("shoulder_abd", 0.0))
            up_flex = axis_rotation(_X, -arm.get("shoulder_flex", 0.0))
            rots[f"upperarm_{side}"] = up_flex @ up_abd
    return rots


def bone_transforms(body: Body, rotations: Mapping[str, np.ndarray], root: np.ndarray) -> np.ndarray:
    """(B, 4, 4) world transforms of the rest-pose points, parents composed before children."""
    n = len(body.bone_names)
    out = np.zeros((n, 4, 4))
    for b in range(n):
        local = np.eye(4)
        r = rotations.get(body.bone_names[b])
        if r is not None:
            h = body.bone_head[b]
            local[:3, :3] = r
            local[:3, 3] = h - r @ h
        parent = out[body.bone_parent[b]] if body.bone_parent[b] >= 0 else root
        out[b] = parent @ local
    return out


def skin(vertices: np.ndarray, weights: np.ndarray, transforms: np.ndarray) -> np.ndarray:
    """Linear blend skinning: v' = sum_b w_vb (R_b v + t_b). Unweighted vertices follow transform 0."""
    per_bone = np.einsum("bij,vj->bvi", transforms[:, :3, :3], vertices) + transforms[:, None, :3, 3]
    w = weights.copy()
    w[w.sum(axis=1) == 0, 0] = 1.0
    return np.einsum("vb,bvi->vi", w, per_bone)


@dataclass(frozen=True)
class Posed:
    vertices: np.ndarray  # (V, 3) world
    transforms: np.ndarray  # (B, 4, 4)
    body_rotation: np.ndarray  # (3, 3) posture rotation: world = R @ body frame (+ translation)

    def point(self, body: Body, bone: str, where: str = "head") -> np.ndarray:
        b = body.bone(bone)
        p = body.bone_head[b] if where == "head" else body.bone_tail[b]
        t = self.transforms[b]
        return np.asarray(t[:3, :3] @ p + t[:3, 3])


def pose_body(body: Body, pose: PoseSpec, lift: float | None = None) -> Posed:
    """Skin the body in `pose`; `lift` fixes the height (lying), None puts the lowest foot on z = 0."""
    root = np.eye(4)
    root[:3, :3] = posture_rotation(pose.posture)
    root[:3, 3] = pose.translate
    transforms = bone_transforms(body, local_rotations(body, pose), root)
    verts = skin(body.vertices, body.weights, transforms)
    body_verts = body.leg_side != 0 if lift is None else slice(None)
    dz = -verts[body_verts, 2].min() if lift is None else lift
    verts[:, 2] += dz
    transforms[:, 2, 3] += dz
    return Posed(verts, transforms, root[:3, :3])
