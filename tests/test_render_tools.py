"""The render tool's pure-numpy parts (tools/render): motion profiles, skinning, mesh gaps, camera."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

from render.body import Body
from render.gaps import surface_gap
from render.motion import RepPlan, blend, fraction_at, minimum_jerk, schedule
from render.pose import PoseSpec, axis_rotation, bone_transforms, pose_body, skin
from render.scenario import Camera
from render.truth import camera_matrix, project


def test_minimum_jerk_starts_and_ends_at_rest_with_zero_velocity() -> None:
    u = np.linspace(0.0, 1.0, 100001)
    s = minimum_jerk(u)
    v = np.gradient(s, u)
    assert s[0] == 0.0 and s[-1] == 1.0
    assert minimum_jerk(0.5) == pytest.approx(0.5)
    assert abs(v[0]) < 1e-4 and abs(v[-1]) < 1e-4
    assert v.max() == pytest.approx(1.875, rel=1e-4)  # the minimum-jerk peak speed, at mid-move
    assert np.all(np.diff(s) >= 0)


def test_reps_are_laid_out_phase_by_phase_with_zero_velocity_at_every_boundary() -> None:
    plans = [RepPlan(1.0, 2.0, 1.0, 3.0, 0.5), RepPlan(0.5, 1.0, 0.5, 1.5, 0.0)]
    reps = schedule(plans, ("concentric", "hold", "eccentric"), lead_in_s=0.4)
    assert [(p.name, p.start_s, p.end_s) for p in reps[0].phases] == [
        ("concentric", 0.4, 2.4),
        ("hold", 2.4, 3.4),
        ("eccentric", 3.4, 6.4),
    ]
    assert reps[1].start_s == pytest.approx(6.9)
    assert reps[0].squeeze_s == pytest.approx(2.9)
    dt = 1e-5
    for rep in reps:
        for phase in rep.phases:
            for t in (phase.start_s, phase.end_s):
                before, after = fraction_at(reps, t - dt)[0], fraction_at(reps, t + dt)[0]
                assert abs(after - before) / (2 * dt) < 1e-3
        assert fraction_at(reps, rep.squeeze_s) == (rep.amplitude, rep.index)
    assert fraction_at(reps, 0.2) == (0.0, None)
    assert fraction_at(reps, 6.6) == (0.0, None)


def test_blend_scales_each_side_range() -> None:
    rest = {"l": {"hip_abd": 10.0}, "r": {"hip_abd": 10.0}}
    peak = {"l": {"hip_abd": -10.0}, "r": {"hip_abd": -10.0}}
    out = blend(rest, peak, 0.5, {"l": 1.0, "r": 0.5})
    assert out["l"]["hip_abd"] == pytest.approx(0.0)
    assert out["r"]["hip_abd"] == pytest.approx(5.0)


def _chain() -> Body:
    """A leg along -z (thigh 0..-1, calf -1..-2, foot forward), one vertex on each of thigh and calf and
    one shared 50/50 at the knee."""
    verts = np.array([[0.0, 0.0, -0.5], [0.0, 0.0, -1.5], [0.0, 0.1, -1.0]])
    weights = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.5, 0.5, 0.0]])
    return Body(
        vertices=verts,
        triangles=np.zeros((0, 3), dtype=np.int64),
        bone_names=("thigh_l", "calf_l", "foot_l"),
        bone_parent=np.array([-1, 0, 1]),
        bone_head=np.array([[0.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 0.0, -2.0]]),
        bone_tail=np.array([[0.0, 0.0, -1.0], [0.0, 0.0, -2.0], [0.0, -0.2, -2.1]]),
        weights=weights,
        leg_side=np.zeros(3, dtype=np.int8),
    )


def test_skinning_rotates_a_child_bone_about_its_head_and_blends_shared_vertices() -> None:
    body = _chain()
    knee = {"calf_l": axis_rotation(np.array([1.0, 0.0, 0.0]), 90.0)}
    t = bone_transforms(body, knee, np.eye(4))
    out = skin(body.vertices, body.weights, t)
    np.testing.assert_allclose(out[0], [0.0, 0.0, -0.5], atol=1e-12)  # thigh vertex unmoved
    np.testing.assert_allclose(out[1], [0.0, 0.5, -1.0], atol=1e-12)  # calf bent 90° backward (+y)
    np.testing.assert_allclose(
        out[2], 0.5 * (np.array([0.0, 0.1, -1.0]) + np.array([0.0, 0.0, -0.9])), atol=1e-12
    )


def test_parent_rotation_carries_the_child() -> None:
    body = _chain()
    hip = {"thigh_l": axis_rotation(np.array([0.0, 1.0, 0.0]), 90.0)}  # foot swings toward -x
    t = bone_transforms(body, hip, np.eye(4))
    np.testing.assert_allclose(t[1, :3, :3] @ body.bone_head[1] + t[1, :3, 3], [-1.0, 0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(skin(body.vertices, body.weights, t)[1], [-1.5, 0.0, 0.0], atol=1e-12)


def test_pose_body_flexes_the_knee_by_the_asked_angle_and_keeps_bone_lengths() -> None:
    body = _chain()
    posed = pose_body(body, PoseSpec({"l": {"knee_flex": 30.0}}), lift=0.0)
    hip, knee = posed.point(body, "thigh_l"), posed.point(body, "calf_l")
    ankle = posed.point(body, "calf_l", "tail")
    thigh, shank = knee - hip, ankle - knee
    assert np.linalg.norm(shank) == pytest.approx(1.0)
    cos = thigh @ shank / np.linalg.norm(thigh) / np.linalg.norm(shank)
    assert np.degrees(np.arccos(cos)) == pytest.approx(30.0)


def _cylinder(centre_x: float, radius: float, n: int = 36, rings: int = 9) -> np.ndarray:
    """Vertices of a vertical cylinder, one vertex on each ring facing +x and one facing -x."""
    a = np.linspace(0.0, 2 * np.pi, n, endpoint=False)
    z = np.linspace(-0.04, 0.04, rings)
    ring = np.stack([centre_x + radius * np.cos(a), radius * np.sin(a)], axis=1)
    return np.concatenate([np.column_stack([ring, np.full(n, zz)]) for zz in z])


@pytest.mark.parametrize(("distance", "expected"), [(0.20, 0.08), (0.125, 0.005), (0.12, 0.0), (0.10, -0.02)])
def test_surface_gap_between_round_legs_is_signed(distance: float, expected: float) -> None:
    left, right = _cylinder(distance / 2, 0.06), _cylinder(-distance / 2, 0.06)
    up = np.array([0.0, 0.0, 1.0])
    gap = surface_gap(left, right, np.array([distance / 2, 0, 0]), np.array([-distance / 2, 0, 0]), up, up)
    assert gap == pytest.approx(expected, abs=1e-9)


def test_surface_gap_uses_only_the_slab_at_the_level() -> None:
    """A bulge far above the level does not change the gap there."""
    left, right = _cylinder(0.1, 0.06), _cylinder(-0.1, 0.06)
    bulge = np.array([[-0.05, 0.0, 0.3]])  # left vertex reaching past the right leg's surface, 30 cm up
    up = np.array([0.0, 0.0, 1.0])
    gap = surface_gap(np.vstack([left, bulge]), right, np.array([0.1, 0, 0]), np.array([-0.1, 0, 0]), up, up)
    assert gap == pytest.approx(0.08)


def test_camera_projects_its_target_to_the_image_centre_and_scales_by_focal_length() -> None:
    cam = Camera(position=(0.0, -3.0, 1.0), look_at=(0.0, 0.0, 1.0), focal_mm=36.0)
    assert project(np.array([0.0, 0.0, 1.0]), cam, 640, 480) == pytest.approx([0.5, 0.5])
    # 36 mm on a 36 mm sensor: focal length = image width; 0.3 m right at 3 m = 0.1 * width
    assert project(np.array([0.3, 0.0, 1.0]), cam, 640, 480) == pytest.approx([0.6, 0.5])
    assert project(np.array([0.0, 0.0, 1.3]), cam, 640, 480)[1] < 0.5  # up is up in the image
    m = camera_matrix(cam)
    np.testing.assert_allclose(-m[:3, 2], [0.0, 1.0, 0.0], atol=1e-12)  # Blender cameras look along -z


def test_knee_splay_tilts_the_shank_out_whether_the_knee_is_straight_or_bent() -> None:
    body = _chain()
    for flex in (0.0, 90.0):
        posed = pose_body(body, PoseSpec({"l": {"knee_flex": flex, "knee_splay": 10.0}}), lift=0.0)
        shank = posed.point(body, "calf_l", "tail") - posed.point(body, "calf_l")
        assert shank[0] == pytest.approx(np.sin(np.radians(10.0)))  # lateral (+x on the left leg)


def test_shank_rotation_turns_the_foot_about_the_shin_and_leaves_the_knee() -> None:
    body = _chain()
    seated = {"hip_flex": 90.0, "knee_flex": 90.0}
    rest = pose_body(body, PoseSpec({"l": seated}), lift=0.0)
    turned = pose_body(body, PoseSpec({"l": {**seated, "shank_rot": 30.0}}), lift=0.0)
    np.testing.assert_allclose(
        turned.point(body, "calf_l", "tail"), rest.point(body, "calf_l", "tail"), atol=1e-12
    )
    toe = turned.point(body, "foot_l", "tail") - turned.point(body, "foot_l")
    assert np.degrees(np.arctan2(toe[0], -toe[1])) == pytest.approx(30.0)  # toes out (+x on the left)
    assert turned.point(body, "calf_l")[0] == pytest.approx(0.0)  # the knee has not moved sideways
