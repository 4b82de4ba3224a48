"""analyse() end to end on generated bodies: reps, gaps, cues, report contract, traces."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from core_body import (
    LEG_PX,
    BodyPlan,
    ankle_centre_distance,
    build,
    build_walking,
    knee_centre_distance,
    standard_reps,
)
from midline.catalog import load_catalog
from midline.catalog.spec import analysis_spec
from midline.core.landmarks import LM, LandmarkSeries
from midline.core.pipeline import analyse
from midline.core.signals import LEG_PER_HEIGHT
from midline.core.spec import AnalysisSpec
from midline.pose.landmarks_file import read_landmarks

CATALOG = load_catalog()
SQUEEZE = analysis_spec(CATALOG, "standing-squeeze")
# squeeze until the ankle centres are 0.08 leg lengths apart (surface gap 0.005): legs together
TOGETHER = float(np.degrees(np.arcsin((0.22 - 0.08) / 2)))


def clean_plan(**kw: object) -> BodyPlan:
    base = {"duration": 15.0, "reps": standard_reps(), "squeeze_deg": (TOGETHER, TOGETHER), "noise_px": 1.5}
    base.update(kw)
    return BodyPlan(**base)  # type: ignore[arg-type]


def codes(plan: BodyPlan, spec: AnalysisSpec = SQUEEZE) -> set[str]:
    return set(analyse(build(plan), spec).report.cue_codes())


def test_clean_squeeze_reps_phases_and_gaps() -> None:
    plan = clean_plan()
    rep = analyse(build(plan), SQUEEZE).report
    assert rep.summary.rep_count == 3
    for want, got in zip(plan.reps, rep.reps, strict=True):
        names = [p.name for p in got.phases]
        assert names == ["concentric", "hold", "eccentric"]
        bounds = [got.phases[0].start_s, got.phases[1].start_s, got.phases[2].start_s, got.phases[2].end_s]
        np.testing.assert_allclose(bounds, [want.start, want.hold_start, want.hold_end, want.end], atol=0.1)
        a = np.radians(TOGETHER)
        assert got.knee_gap_min == pytest.approx(knee_centre_distance(a, a) / LEG_PX - 0.115, abs=0.01)
        assert got.ankle_gap_min == pytest.approx(ankle_centre_distance(a, a) / LEG_PX - 0.075, abs=0.01)
        assert got.eccentric_ratio == pytest.approx(1.6, abs=0.2)
    assert rep.cue_codes() == []
    assert rep.summary.leg_position == {"left": "parallel", "right": "parallel"}
    assert rep.quality.view == "front"


def test_knees_meet_but_ankles_apart_is_legs_loose_below() -> None:
    # ankles stay hip-width (surface gap ~0.145) while the knees are pulled in to touch
    plan = clean_plan(squeeze_deg=(0.0, 0.0), valgus_px=0.05 * LEG_PX)
    found = analyse(build(plan), SQUEEZE, height_cm=170.0).report
    cue = next(c for c in found.cues if c.code == "legs-loose-below")
    assert cue.reps == [1, 2, 3]
    assert "cm" in cue.message and "ankles" in cue.message
    assert "knee-not-over-foot" not in found.cue_codes()


def test_knees_caving_past_the_feet_is_knee_not_over_foot() -> None:
    plan = clean_plan(squeeze_deg=(0.0, 0.0), valgus_px=0.2 * LEG_PX)  # shin ~22 degrees off
    assert "knee-not-over-foot" in codes(plan)


def test_fast_release_asymmetry_partial_and_position() -> None:
    assert "fast-release" in codes(clean_plan(reps=standard_reps(ecc_s=0.5)))
    assert "asymmetry" in codes(clean_plan(squeeze_deg=(TOGETHER, -1.0)))
    partial = standard_reps()
    partial[1].scale = 0.5
    rep = analyse(build(clean_plan(reps=partial)), SQUEEZE).report
    assert rep.summary.rep_count == 3
    assert next(c for c in rep.cues if c.code == "partial-range").reps == [2]
    turned = analyse(build(clean_plan(foot_deg=(35.0, 35.0))), SQUEEZE).report
    assert turned.summary.leg_position == {"left": "pilates-stance", "right": "pilates-stance"}
    assert "position-mismatch" in turned.cue_codes()
    assert (
        "position-mismatch"
        not in analyse(build(clean_plan(foot_deg=(35.0, 35.0))), SQUEEZE, "pilates-stance").report.cue_codes()
    )


def test_phase_order_comes_from_the_spec() -> None:
    lowering_first = replace(SQUEEZE, phase_order=("eccentric", "hold", "concentric"))
    rep = analyse(build(clean_plan()), lowering_first).report
    assert [p.name for p in rep.reps[0].phases] == ["eccentric", "hold", "concentric"]
    # the first movement is now the eccentric one
    assert rep.reps[0].eccentric_s == pytest.approx(1.0, abs=0.1)


def test_no_person_still_gets_a_report() -> None:
    s = build(BodyPlan(duration=3.0))
    empty = LandmarkSeries(s.t, np.full_like(s.image, np.nan), None, s.width, s.height, s.fps)
    a = analyse(empty, SQUEEZE)
    d = a.report.to_dict()
    assert [c["code"] for c in d["cues"]] == ["no-person"]
    assert d["reps"] == [] and d["quality"]["detected_fraction"] == 0.0
    json.dumps(d)
    assert a.traces.knee_gap.shape == s.t.shape


def test_a_person_whose_legs_never_show_gets_legs_out_of_frame_not_no_person() -> None:
    s = build(BodyPlan(duration=3.0))
    img = s.image.copy()
    img[:, 23:33] = np.nan  # hips and legs never found, the upper body is
    rep = analyse(LandmarkSeries(s.t, img, None, s.width, s.height, s.fps), SQUEEZE).report
    assert rep.cue_codes() == ["legs-out-of-frame"]
    assert rep.quality.detected_fraction == 1.0 and rep.reps == []


def test_ankles_out_of_frame_hold_back_ankle_numbers() -> None:
    s = build(clean_plan())
    img = s.image.copy()
    for lm in (
        LM.LEFT_ANKLE,
        LM.RIGHT_ANKLE,
        LM.LEFT_HEEL,
        LM.RIGHT_HEEL,
        LM.LEFT_FOOT_INDEX,
        LM.RIGHT_FOOT_INDEX,
    ):
        img[:, lm, 1] += 0.6  # below the image
        img[:, lm, 3] = 0.1
    rep = analyse(LandmarkSeries(s.t, img, None, s.width, s.height, s.fps), SQUEEZE).report
    assert "legs-out-of-frame" in rep.cue_codes()
    assert all(r.ankle_gap_min is None for r in rep.reps)
    assert all(r.knee_gap_min is not None for r in rep.reps)
    assert rep.reps[0].confidence["ankle"] < 0.2 < 0.9 < rep.reps[0].confidence["knee"]
    assert rep.summary.leg_position == {"left": None, "right": None}
    assert rep.quality.warnings


def test_report_contract_and_centimetres() -> None:
    a = analyse(build(clean_plan()), SQUEEZE, height_cm=160.0)
    d = a.report.to_dict()
    for key in ("exercise", "asked_position", "video", "quality", "reps", "summary", "cues"):
        assert key in d
    assert set(d["video"]) >= {"fps", "frames", "duration_s", "width", "height"}
    assert set(d["quality"]) >= {"detected_fraction", "view", "warnings"}
    rep0 = d["reps"][0]
    for key in (
        "index",
        "start_s",
        "end_s",
        "phases",
        "concentric_s",
        "hold_s",
        "eccentric_s",
        "eccentric_ratio",
        "thigh_gap_min",
        "knee_gap_min",
        "ankle_gap_min",
        "rom",
    ):
        assert key in rep0
    for key in (
        "rep_count",
        "mean_concentric_s",
        "mean_eccentric_s",
        "mean_eccentric_ratio",
        "knee_gap_at_squeeze",
        "ankle_gap_at_squeeze",
        "leg_position",
        "foot_angle_deg",
        "knee_alignment_deg",
        "symmetry",
    ):
        assert key in d["summary"]
    assert rep0["knee_gap_cm"] == pytest.approx(rep0["knee_gap_min"] * LEG_PER_HEIGHT * 160.0, abs=0.01)
    json.dumps(d)
    tr = a.traces
    n = len(tr.t)
    assert tr.landmarks.shape == (n, 33, 4) and tr.phase.dtype == np.int8
    assert set(np.unique(tr.phase)) == {0, 1, 2, 3}
    assert set(np.unique(tr.rep)) == {-1, 0, 1, 2}


def test_walking_feet_turned_out_and_in() -> None:
    walk = analysis_spec(CATALOG, "walking")
    out = analyse(build_walking(30.0), walk).report
    assert "foot-turned-out" in out.cue_codes()
    # one stance per foot per second over 8 s (the first may be cut by the recording's start)
    assert 7 <= sum(st.foot == "left" for st in out.summary.steps) <= 8
    assert all(s.foot_angle_deg == pytest.approx(30.0, abs=2.0) for s in out.summary.steps)
    # straight legs standing vertically: the knees stack over the feet
    assert all(
        s.knee_alignment_deg is not None and abs(s.knee_alignment_deg) < 2.0 for s in out.summary.steps
    )
    assert out.summary.knee_alignment_deg["left"] == pytest.approx(0.0, abs=2.0)
    assert "foot-turned-in" in analyse(build_walking(-15.0), walk).report.cue_codes()
    straight = analyse(build_walking(0.0), walk).report.cue_codes()
    assert "foot-turned-out" not in straight and "foot-turned-in" not in straight


def test_a_side_view_of_a_front_view_exercise_is_wrong_view() -> None:
    fixture = Path(__file__).parent / "data/synthetic/d19_double-leg-lowers_clean-world.landmarks.json"
    side = read_landmarks(fixture)
    rep = analyse(side, SQUEEZE).report
    assert "wrong-view" in rep.cue_codes() and rep.quality.view == "side"


def test_messages_give_centimetres_or_a_share_of_the_leg() -> None:
    plan = clean_plan(squeeze_deg=(0.0, 0.0), valgus_px=0.05 * LEG_PX)
    with_height = analyse(build(plan), SQUEEZE, height_cm=170.0).report.cues[0].message
    without = analyse(build(plan), SQUEEZE).report.cues[0].message
    assert "cm apart" in with_height
    assert "of your leg length apart" in without


def test_a_hidden_far_leg_in_a_side_view_is_not_out_of_frame() -> None:
    # Side view: the far leg is occluded by the near one (low visibility) but inside the picture.
    series = read_landmarks(
        Path(__file__).parent / "data" / "synthetic" / "d19_double-leg-lowers_clean-world.landmarks.json"
    )
    image = series.image.copy()
    far = [LM.RIGHT_KNEE, LM.RIGHT_ANKLE, LM.RIGHT_HEEL, LM.RIGHT_FOOT_INDEX]
    image[:, far, 3] = np.where(np.isfinite(image[:, far, 3]), 0.1, np.nan)
    hidden = replace(series, image=image)
    report = analyse(hidden, analysis_spec(CATALOG, "double-leg-lowers")).report
    assert "legs-out-of-frame" not in report.cue_codes()
    assert report.summary.rep_count == 4


def test_a_side_view_reports_no_gap_between_the_legs_and_says_why() -> None:
    # From the side the legs are side by side along the camera's axis: the gap is depth, which a
    # single camera only guesses, so it is null and the report says the squeeze was not checked.
    series = read_landmarks(
        Path(__file__).parent / "data/synthetic/d19_double-leg-lowers_clean-world.landmarks.json"
    )
    analysis = analyse(series, analysis_spec(CATALOG, "double-leg-lowers"))
    report = analysis.report
    assert report.summary.rep_count == 4
    assert report.summary.knee_gap_at_squeeze is None and report.summary.ankle_gap_at_squeeze is None
    assert all(r.knee_gap_min is None and r.ankle_gap_min is None for r in report.reps)
    assert np.isnan(analysis.traces.knee_gap).all()
    assert any("from the side" in w for w in report.quality.warnings)
