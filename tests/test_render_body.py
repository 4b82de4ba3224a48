"""The render tool's MakeHuman body (tools/render/body.py, pose.py) on the real CC0 assets.

The assets are copied into tools/render/assets/makehuman (CC0, licence beside them).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

from render.body import ASSETS, load_body
from render.clip import Measurer
from render.pose import PoseSpec, pose_body


@pytest.fixture(scope="module")
def body():  # type: ignore[no-untyped-def]
    return load_body("caucasian-female-young")


def test_bones_sit_on_the_joint_cube_centroids(body) -> None:  # type: ignore[no-untyped-def]
    groups = json.loads((ASSETS / "basemesh_vertex_groups.json").read_text())
    knee = np.concatenate([np.arange(a, b + 1) for a, b in groups["joint-l-knee"]])
    np.testing.assert_allclose(body.bone_head[body.bone("calf_l")], body.vertices[knee].mean(axis=0))
    assert len(body.bone_names) == 53
    leg = Measurer(body).leg_length
    assert 0.7 < leg < 0.85  # metres, hip joint to ankle
    assert body.vertices[:, 2].max() == pytest.approx(1.61, abs=0.05)  # standing height


def test_rest_pose_skins_to_the_rest_mesh(body) -> None:  # type: ignore[no-untyped-def]
    posed = pose_body(body, PoseSpec({}), lift=0.0)
    np.testing.assert_allclose(posed.vertices, body.vertices, atol=1e-12)


def test_hip_flexion_keeps_bone_lengths_and_brings_the_thigh_forward(body) -> None:  # type: ignore[no-untyped-def]
    m = Measurer(body)
    posed = pose_body(body, PoseSpec({"l": {"hip_flex": 90.0, "knee_flex": 90.0}}), lift=0.0)
    j, rest = m.joints(posed), m.joints(pose_body(body, PoseSpec({}), lift=0.0))
    for a, b in (("hip", "knee"), ("knee", "ankle")):
        assert np.linalg.norm(j[f"left_{b}"] - j[f"left_{a}"]) == pytest.approx(
            np.linalg.norm(rest[f"left_{b}"] - rest[f"left_{a}"])
        )
    thigh = j["left_knee"] - j["left_hip"]
    assert thigh[1] < -0.3 and abs(thigh[2]) < 0.06  # forward (-y), about level
    shank = j["left_ankle"] - j["left_knee"]
    assert shank[2] < -0.35 and abs(shank[1]) < 0.06  # hanging down again
    np.testing.assert_allclose(j["right_knee"], rest["right_knee"], atol=1e-12)  # the other leg stays


def test_adduction_closes_the_knee_gap_measured_on_the_mesh(body) -> None:  # type: ignore[no-untyped-def]
    m = Measurer(body)
    gaps = []
    for abd in (0.0, -4.0, -8.0):
        posed = pose_body(body, PoseSpec({"l": {"hip_abd": abd}, "r": {"hip_abd": abd}}))
        gap, centre = m.gaps(posed, m.joints(posed))["knee"]
        assert centre > gap
        gaps.append(gap)
    assert gaps[0] > gaps[1] > gaps[2]


@pytest.mark.parametrize("turn", [35.0, -15.0])
def test_leg_rotation_turns_the_toes_out_when_positive(body, turn: float) -> None:  # type: ignore[no-untyped-def]
    m = Measurer(body)

    def toe_out(spec: PoseSpec) -> dict[str, float]:
        j = m.joints(pose_body(body, spec))
        out = {}
        for side, sign in (("left", 1.0), ("right", -1.0)):
            v = j[f"{side}_foot_index"] - j[f"{side}_ankle"]
            out[side] = float(np.degrees(np.arctan2(sign * v[0], -v[1])))
        return out

    rest = toe_out(PoseSpec({}))
    turned = toe_out(PoseSpec({"l": {"hip_rot": turn}, "r": {"hip_rot": turn}}))
    for side in ("left", "right"):
        assert turned[side] - rest[side] == pytest.approx(turn, abs=2.0)
