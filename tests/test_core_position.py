"""Leg position from the feet, on generated bodies whose foot rotations are known by construction.

Standing (front view): the foot's heading in the floor plane. Side-lying: the working (bottom)
leg is straight and its foot turns about the leg's own axis; the bent top leg is a support
whose rotation is not the exercise's, so it is not reported.
"""

from __future__ import annotations

import numpy as np
import pytest

from core_body import BodyPlan, build, yawed
from midline.catalog import load_catalog
from midline.catalog.spec import analysis_spec
from midline.core import geometry as geo
from midline.core.geometry import FOCAL_PER_SIZE, undo_perspective
from midline.core.landmarks import LM, LandmarkSeries
from midline.core.metrics import classify_position
from midline.core.pipeline import analyse
from midline.core.position import SPLIT_NOISE_DEG, foot_angles, held_foot_angles, leg_positions, pair_angles
from midline.core.signals import clean
from midline.core.spec import AnalysisSpec

W, H = 1280, 720
LEG = 300.0  # leg length, pixels


def spec(exercise: str) -> AnalysisSpec:
    return analysis_spec(load_catalog(), exercise)


Positions = tuple[dict[str, float | None], dict[str, str | None]]


def positions(series: LandmarkSeries, sp: AnalysisSpec) -> Positions:
    angle, pos, _ = with_support(series, sp)
    return angle, pos


def with_support(series: LandmarkSeries, sp: AnalysisSpec) -> tuple[dict, dict, str | None]:
    c = clean(series)
    view = geo.camera_view(geo.view_score(c.xyz))
    return leg_positions(held_foot_angles(foot_angles(c, series, sp, view), c.detected), sp, c.xyz)


def side_lying(bottom: str, foot_deg: float, frames: int = 60) -> LandmarkSeries:
    """Lying on the ``bottom`` side facing the camera (on the left side: head to the image right).

    The bottom leg lies straight along the floor; its foot (heel -> toe) points at the camera,
    turned by ``foot_deg`` about the leg's axis (+ = toes out, toward the floor for the bottom
    leg). The top leg is bent: thigh toward the camera, foot on the floor in front.
    """
    top = "right" if bottom == "left" else "left"
    feet = -1.0 if bottom == "left" else 1.0  # image x direction from the hips to the feet
    pts = np.zeros((33, 3))
    hip_bottom = np.array([W / 2 - feet * 120.0, 420.0, 0.0])
    hip_top = hip_bottom + np.array([0.0, -0.23 * LEG, 0.0])  # the top hip is higher in the image
    leg = np.array([feet, 0.0, 0.0])  # along the floor toward the feet
    ankle = hip_bottom + LEG * leg
    a = np.radians(foot_deg)
    heel = ankle + np.array([feet * 0.05 * LEG, 0.0, 0.04 * LEG])
    toe = heel + 0.26 * LEG * np.array([0.0, np.sin(a), -np.cos(a)])  # out = down, toward the floor
    for name, p in (("HIP", hip_bottom), ("KNEE", hip_bottom + 0.52 * LEG * leg), ("ANKLE", ankle)):
        pts[LM[f"{bottom.upper()}_{name}"]] = p
    pts[LM[f"{bottom.upper()}_HEEL"]] = heel
    pts[LM[f"{bottom.upper()}_FOOT_INDEX"]] = toe
    knee_t = hip_top + LEG * np.array([feet * 0.2, 0.0, -0.47])
    ankle_t = knee_t + LEG * np.array([feet * 0.3, 0.3, 0.2])
    for name, p in (("HIP", hip_top), ("KNEE", knee_t), ("ANKLE", ankle_t)):
        pts[LM[f"{top.upper()}_{name}"]] = p
    pts[LM[f"{top.upper()}_HEEL"]] = ankle_t + np.array([0.0, 0.05 * LEG, 0.05 * LEG])
    pts[LM[f"{top.upper()}_FOOT_INDEX"]] = ankle_t + LEG * np.array([feet * 0.2, -0.05, -0.15])
    for side, hip in ((bottom, hip_bottom), (top, hip_top)):
        pts[LM[f"{side.upper()}_SHOULDER"]] = hip + np.array([-feet * 0.6 * LEG, 0.0, 0.0])
        pts[LM[f"{side.upper()}_ELBOW"]] = hip + np.array([-feet * 0.45 * LEG, 0.05 * LEG, -0.1 * LEG])
        pts[LM[f"{side.upper()}_WRIST"]] = hip + np.array([-feet * 0.3 * LEG, 0.05 * LEG, -0.2 * LEG])
    pts[LM.NOSE] = hip_bottom + np.array([-feet * 0.85 * LEG, -0.1 * LEG, -0.05 * LEG])
    focal = FOCAL_PER_SIZE * max(W, H)  # a pinhole camera with the focal length the core assumes
    centre = np.array([W / 2, H / 2])
    pts[:, :2] = centre + (pts[:, :2] - centre) * focal / (focal + pts[:, 2:3])
    image = np.empty((frames, 33, 4))
    image[..., 0] = pts[:, 0] / W
    image[..., 1] = pts[:, 1] / H
    image[..., 2] = pts[:, 2] / W
    image[..., 3] = 0.95
    t = np.arange(frames) / 30.0
    return LandmarkSeries(t=t, image=image, world=None, width=W, height=H, fps=30.0)


@pytest.mark.parametrize(
    ("deg", "name"), [(0.0, "parallel"), (3.0, "parallel"), (35.0, "pilates-stance"), (-15.0, "internal")]
)
def test_standing_feet_are_named_by_the_catalog_bands(deg: float, name: str) -> None:
    angle, pos = positions(build(BodyPlan(duration=2.0, foot_deg=(deg, deg))), spec("standing-squeeze"))
    assert pos == {"left": name, "right": name}
    for side in ("left", "right"):
        assert angle[side] == pytest.approx(deg, abs=1.0)


def test_each_standing_leg_is_judged_on_its_own() -> None:
    _, pos = positions(build(BodyPlan(duration=2.0, foot_deg=(35.0, 0.0))), spec("standing-squeeze"))
    assert pos == {"left": "pilates-stance", "right": "parallel"}


@pytest.mark.parametrize(
    ("bottom", "deg", "name"),
    [
        ("left", 0.0, "parallel"),
        ("left", 35.0, "pilates-stance"),
        ("right", -15.0, "internal"),
        ("right", 2.0, "parallel"),
    ],
)
def test_side_lying_working_leg_turns_about_its_own_axis(bottom: str, deg: float, name: str) -> None:
    angle, pos = positions(side_lying(bottom, deg), spec("inner-thigh-lift"))
    assert pos[bottom] == name
    assert angle[bottom] == pytest.approx(deg, abs=1.0)


@pytest.mark.parametrize("bottom", ["left", "right"])
def test_side_lying_support_leg_is_not_reported(bottom: str) -> None:
    top = "right" if bottom == "left" else "left"
    angle, pos, support = with_support(side_lying(bottom, 0.0), spec("inner-thigh-lift"))
    assert angle[top] is None and pos[top] is None
    assert support == top  # named as the support leg, so the report can say why it has no position
    report = analyse(side_lying(bottom, 0.0), spec("inner-thigh-lift")).report.to_dict()
    assert report["summary"]["support_leg"] == top and report["summary"]["leg_position"][top] is None


def test_only_the_side_lying_lift_has_a_support_leg() -> None:
    assert with_support(build(BodyPlan(duration=2.0)), spec("standing-squeeze"))[2] is None


@pytest.mark.parametrize(
    ("deg", "name"),
    [
        (-8.0, "internal"),
        (-7.99, "parallel"),
        (19.99, "parallel"),
        (20.0, "pilates-stance"),
        (0.0, "parallel"),
    ],
)
def test_a_cut_off_belongs_to_the_turned_band(deg: float, name: str) -> None:
    assert classify_position(deg, spec("standing-squeeze")) == name


def body_3d(series: LandmarkSeries) -> np.ndarray:
    """All 33 landmarks of a built body in pixels with the camera's perspective undone (exact)."""
    px = series.image[..., :3] * np.array([series.width, series.height, series.width])
    out: np.ndarray = undo_perspective(px, series.width, series.height)
    return out


def seen_from(series: LandmarkSeries, pts: np.ndarray, straight_world_feet: bool) -> LandmarkSeries:
    """``pts`` (perspective-free pixels) imaged by the pinhole camera, with world landmarks.

    ``straight_world_feet``: the world landmarks read each foot as pointing straight at the
    camera whatever its turn (as MediaPipe did on rendered feet seen end-on: its depth is poor).
    """
    focal = FOCAL_PER_SIZE * max(W, H)
    centre = np.array([W / 2, H / 2])
    image = series.image.copy()
    image[..., :2] = (centre + (pts[..., :2] - centre) * focal / (focal + pts[..., 2:3])) / [W, H]
    image[..., 2] = pts[..., 2] / W
    hips = (pts[:, LM.LEFT_HIP] + pts[:, LM.RIGHT_HIP])[:, None] / 2.0
    world = (pts - hips) * (0.9 / LEG)
    if straight_world_feet:
        for heel, toe in ((LM.LEFT_HEEL, LM.LEFT_FOOT_INDEX), (LM.RIGHT_HEEL, LM.RIGHT_FOOT_INDEX)):
            length = np.linalg.norm(world[:, toe] - world[:, heel], axis=-1)
            world[:, toe] = world[:, heel] + length[:, None] * np.array([0.0, 0.0, -1.0])
    return LandmarkSeries(series.t, image, world, W, H, series.fps)


@pytest.mark.parametrize(("deg", "name"), [(-15.0, "internal"), (0.0, "parallel"), (35.0, "pilates-stance")])
def test_feet_seen_end_on_are_read_from_the_image_when_world_depth_reads_them_straight(
    deg: float, name: str
) -> None:
    built = build(BodyPlan(duration=2.0, foot_deg=(deg, deg)))
    series = seen_from(built, body_3d(built), straight_world_feet=True)
    for exercise in ("standing-squeeze", "seated-squeeze"):
        angle, pos = positions(series, spec(exercise))
        assert pos == {"left": name, "right": name}
        for side in ("left", "right"):
            # the image's perspective is not undone (world landmarks come with a poor image
            # depth): the toes, nearer the camera, look further out, here by 2-5 deg
            a = angle[side]
            assert a is not None and deg - 1.0 <= a <= deg + 6.0


@pytest.mark.parametrize("yaw", [-15.0, 15.0])
def test_pilates_stance_is_read_with_the_camera_off_to_one_side(yaw: float) -> None:
    built = build(BodyPlan(duration=2.0, foot_deg=(35.0, 35.0)))
    series = seen_from(built, yawed(body_3d(built), yaw, LM.LEFT_HIP, LM.RIGHT_HIP), straight_world_feet=True)
    angle, pos = positions(series, spec("standing-squeeze"))
    assert pos == {"left": "pilates-stance", "right": "pilates-stance"}
    # the opening comes from the image; how it is shared rests on the world landmarks, which
    # here read both feet straight at the camera, so +-15 deg against the turned hip line
    left, right = angle["left"], angle["right"]
    assert left is not None and right is not None
    assert 34.0 <= (left + right) / 2.0 <= 41.0


def test_one_foot_turned_out_is_told_apart_beyond_the_world_landmarks_noise() -> None:
    built = build(BodyPlan(duration=2.0, foot_deg=(35.0, 0.0)))
    series = seen_from(built, body_3d(built), straight_world_feet=False)
    angle, pos = positions(series, spec("standing-squeeze"))
    assert pos == {"left": "pilates-stance", "right": "parallel"}
    # the share beyond the noise: half the difference (17.5) less SPLIT_NOISE_DEG each way
    assert angle["left"] - angle["right"] == pytest.approx(35.0 - 2 * SPLIT_NOISE_DEG, abs=1.5)


def _pair(left: float, right: float, n: int = 10) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    return {
        "left": (np.full(n, left), np.ones(n, dtype=bool)),
        "right": (np.full(n, right), np.ones(n, dtype=bool)),
    }


def test_side_view_gives_both_legs_the_pairs_half_opening() -> None:
    # a hip line turned 25 deg in depth reads parallel feet as 25 out and 25 in
    out = pair_angles(_pair(27.0, -23.0), None, None)
    for side in ("left", "right"):
        assert out[side][0] == pytest.approx(np.full(10, 2.0))


def test_a_difference_within_the_noise_is_not_a_difference() -> None:
    out = pair_angles(_pair(4.0, -4.0), None, 5.0)
    assert out["left"][0] == pytest.approx(np.zeros(10))
    assert out["right"][0] == pytest.approx(np.zeros(10))
    exact = pair_angles(_pair(4.0, -4.0), None, 0.0)
    assert exact["left"][0] == pytest.approx(np.full(10, 4.0))
    assert exact["right"][0] == pytest.approx(np.full(10, -4.0))


def test_a_foot_seldom_seen_with_the_other_is_measured_alone() -> None:
    pair = _pair(35.0, 0.0)
    pair["right"][1][:5] = False
    pair["left"][1][5:] = False
    out = pair_angles(pair, None, 5.0)
    assert out["left"][0] == pytest.approx(np.full(10, 35.0))
    assert out["right"][0] == pytest.approx(np.full(10, 0.0))
