"""Per-frame geometry on bodies whose every number is known."""

from __future__ import annotations

import numpy as np
import pytest

from core_body import LEG_PX, BodyPlan, RepPlan, ankle_centre_distance, build, knee_centre_distance, yawed
from midline.core import geometry as geo
from midline.core.landmarks import B
from midline.core.signals import clean, leg_length_px


def _pts(plan: BodyPlan) -> np.ndarray:
    """Cleaned pixels with the camera's perspective undone (as the pipeline reads feet)."""
    s = build(plan)
    return geo.undo_perspective(clean(s).xyz, s.width, s.height)


def test_foot_angle_undoes_perspective_itself_when_given_the_image_size() -> None:
    s = build(BodyPlan(duration=1.0, rest_deg=(0.0, 0.0), foot_deg=(10.0, 10.0)))
    xyz = clean(s).xyz
    naive = geo.foot_angle_deg(xyz, "left")[0]
    right = geo.foot_angle_deg(xyz, "left", image=(s.width, s.height))[0]
    assert right == pytest.approx(10.0, abs=0.5)
    assert abs(naive - 10.0) > 1.0


def test_surface_gap_is_centre_distance_over_leg_length_minus_breadth() -> None:
    plan = BodyPlan(duration=1.0, rest_deg=(2.0, 3.0))
    xyz = _pts(plan)
    a_l, a_r = np.radians(2.0), np.radians(3.0)
    knee = geo.surface_gap(xyz, "knee", LEG_PX, use_depth=False)
    ankle = geo.surface_gap(xyz, "ankle", LEG_PX, use_depth=False)
    assert knee[0] == pytest.approx(knee_centre_distance(a_l, a_r) / LEG_PX - 0.115, abs=1e-4)
    assert ankle[0] == pytest.approx(ankle_centre_distance(a_l, a_r) / LEG_PX - 0.075, abs=1e-4)


def test_shank_tilt_sign_follows_the_person_valgus_positive() -> None:
    # legs angled with the ankles toward the midline: the knees are lateral of the ankles
    xyz = _pts(BodyPlan(duration=1.0, rest_deg=(5.0, 5.0)))
    for side in ("left", "right"):
        assert geo.shank_tilt_deg(xyz, side)[0] == pytest.approx(-5.0, abs=1e-6)
    # knees pushed medially past the ankles: valgus, positive on both legs
    xyz2 = xyz.copy()
    xyz2[:, B.LEFT_KNEE, 0] -= 20.0
    xyz2[:, B.RIGHT_KNEE, 0] += 20.0
    assert (geo.shank_tilt_deg(xyz2, "left") > 0).all()
    assert (geo.shank_tilt_deg(xyz2, "right") > 0).all()


@pytest.mark.parametrize("deg", [-15.0, 0.0, 35.0])
def test_foot_angle_from_heel_to_toe_with_depth(deg: float) -> None:
    xyz = _pts(BodyPlan(duration=1.0, rest_deg=(0.0, 0.0), foot_deg=(deg, deg)))
    for side in ("left", "right"):
        assert geo.foot_angle_deg(xyz, side)[0] == pytest.approx(deg, abs=0.5)


def test_foot_angle_is_relative_to_the_body_when_the_camera_is_off_axis() -> None:
    xyz = _pts(BodyPlan(duration=1.0, rest_deg=(0.0, 0.0), foot_deg=(0.0, 0.0)))
    yaw = np.radians(15.0)
    rot = np.array([[np.cos(yaw), 0, np.sin(yaw)], [0, 1, 0], [-np.sin(yaw), 0, np.cos(yaw)]])
    turned = xyz @ rot.T
    for side in ("left", "right"):
        assert geo.foot_angle_deg(turned, side)[0] == pytest.approx(0.0, abs=0.5)


@pytest.mark.parametrize("deg", [-15.0, 0.0, 35.0])
def test_foot_splay_is_half_the_opening_from_the_image_alone(deg: float) -> None:
    xyz = _pts(BodyPlan(duration=1.0, rest_deg=(0.0, 0.0), foot_deg=(deg, deg)))
    flat = xyz.copy()
    flat[..., 2] = 0.0  # the image's own depth is not used: only the lengths come from 3D
    assert geo.foot_splay_deg(flat, xyz)[0] == pytest.approx(deg, abs=0.5)


@pytest.mark.parametrize("deg", [-15.0, 0.0, 35.0])
def test_foot_splay_barely_moves_when_the_camera_is_off_to_one_side(deg: float) -> None:
    # the 15 deg yaw turns one foot 15 deg in and the other 15 deg out as the camera sees them;
    # the sum of their sideways offsets keeps cos(15 deg) of the opening's sine
    xyz = yawed(
        _pts(BodyPlan(duration=1.0, rest_deg=(0.0, 0.0), foot_deg=(deg, deg))), 15.0, B.LEFT_HIP, B.RIGHT_HIP
    )
    expected = np.degrees(np.arcsin(np.cos(np.radians(15.0)) * np.sin(np.radians(deg))))
    assert geo.foot_splay_deg(xyz, xyz)[0] == pytest.approx(expected, abs=0.5)
    assert abs(expected - deg) < 1.5


def test_foot_splay_is_unknown_without_hips() -> None:
    xyz = _pts(BodyPlan(duration=1.0, rest_deg=(0.0, 0.0)))
    xyz[:, B.LEFT_HIP] = np.nan
    assert np.isnan(geo.foot_splay_deg(xyz, xyz)).all()


def test_foot_splay_of_unequal_feet_is_the_mean_sideways_offset() -> None:
    xyz = _pts(BodyPlan(duration=1.0, rest_deg=(0.0, 0.0), foot_deg=(35.0, 0.0)))
    expected = np.degrees(np.arcsin(np.sin(np.radians(35.0)) / 2.0))
    assert geo.foot_splay_deg(xyz, xyz)[0] == pytest.approx(expected, abs=0.5)


def test_joint_angles_and_floor_angle() -> None:
    t = 3
    xyz = np.zeros((t, len(B), 3))
    # supine seen from the side: shoulders left of the hips, legs straight up
    xyz[:, B.LEFT_SHOULDER] = xyz[:, B.RIGHT_SHOULDER] = [100.0, 500.0, 0]
    xyz[:, B.LEFT_HIP] = xyz[:, B.RIGHT_HIP] = [400.0, 500.0, 0]
    xyz[:, B.LEFT_ANKLE] = xyz[:, B.RIGHT_ANKLE] = [400.0, 200.0, 0]
    assert geo.hip_flexion_deg(xyz)[0] == pytest.approx(90.0)
    xyz[:, B.LEFT_ANKLE] = xyz[:, B.RIGHT_ANKLE] = [
        400.0 + 300 * np.cos(np.radians(45)),
        500.0 - 300 * np.sin(np.radians(45)),
        0,
    ]
    assert geo.hip_flexion_deg(xyz)[0] == pytest.approx(45.0)
    # side-lying: the left hip lower in the image is the bottom leg, lifted 20 degrees
    xyz[:, B.LEFT_HIP] = [600.0, 400.0, 0]
    xyz[:, B.RIGHT_HIP] = [600.0, 340.0, 0]
    xyz[:, B.LEFT_ANKLE] = [600.0 - 400 * np.cos(np.radians(20)), 400.0 - 400 * np.sin(np.radians(20)), 0]
    assert geo.bottom_side(xyz) == "left"
    assert geo.floor_angle_deg(xyz, "left")[0] == pytest.approx(20.0)


def test_view_score_front_versus_side() -> None:
    front = _pts(BodyPlan(duration=1.0))
    assert geo.view_score(front) > 0.85
    side = front.copy()
    side[..., 0] = 640.0 + 0.1 * (side[..., 0] - 640.0)  # the body turned side-on: widths vanish
    assert geo.view_score(side) < 0.5


def test_leg_length_from_segments_and_from_the_shank_when_thighs_point_at_the_camera() -> None:
    s = build(BodyPlan(duration=1.0, rest_deg=(0.0, 0.0)))
    c = clean(s)
    assert leg_length_px(c) == pytest.approx(LEG_PX, rel=1e-3)
    # seated facing the camera: thighs end-on (knees straight in front of the hips)
    xyz = c.xyz.copy()
    for hip, knee, ankle in (
        (B.LEFT_HIP, B.LEFT_KNEE, B.LEFT_ANKLE),
        (B.RIGHT_HIP, B.RIGHT_KNEE, B.RIGHT_ANKLE),
    ):
        shank = xyz[:, ankle] - xyz[:, knee]
        xyz[:, knee] = xyz[:, hip] + np.array([0.0, 10.0, -0.52 * LEG_PX])
        xyz[:, ankle] = xyz[:, knee] + shank
    seated = type(c)(xyz, xyz, c.vis, c.seen, c.inside, c.detected, None)
    assert leg_length_px(seated) == pytest.approx(LEG_PX, rel=0.01)


def test_knee_travel_signal_known_rep() -> None:
    plan = BodyPlan(duration=5.0, reps=[RepPlan(1.0, 2.0, 2.5, 4.0)], rest_deg=(-4, -4), squeeze_deg=(3, 3))
    xyz = _pts(plan)
    knee = geo.surface_gap(xyz, "knee", LEG_PX, use_depth=False)
    rest = knee_centre_distance(np.radians(-4), np.radians(-4)) / LEG_PX - 0.115
    sq = knee_centre_distance(np.radians(3), np.radians(3)) / LEG_PX - 0.115
    assert knee[0] == pytest.approx(rest, abs=1e-3)
    assert knee[int(2.2 * 30)] == pytest.approx(sq, abs=1e-3)
