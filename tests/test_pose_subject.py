"""Staying on one subject when several people are in view (real footage, real pose model)."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from midline.core.landmarks import LandmarkSeries
from midline.pose.extract import (
    ExtractOptions,
    _agreeing_rest,
    _seam_mismatch,
    _SegmentResult,
    extract_landmarks,
)
from midline.pose.subject import Box, body_box, crop_window, same_subject, uncrop

REAL = Path(__file__).parent / "data" / "real"


def _boxes(series: LandmarkSeries) -> list[Box | None]:
    return [body_box(f) if np.isfinite(f[:, 0]).any() else None for f in series.image]


def _standing(cx: float, cy: float, height: float) -> np.ndarray:
    """A (33, 4) frame: body landmarks spread over a box of the given centre and height."""
    lm = np.zeros((33, 4))
    lm[:, 3] = 1.0
    ys = np.linspace(cy - height / 2, cy + height / 2, 33)
    lm[:, 0] = cx + np.where(np.arange(33) % 2 == 0, -0.05, 0.05)
    lm[:, 1] = ys
    lm[[11, 12], 1] = cy - height / 2
    lm[[31, 32], 1] = cy + height / 2
    return lm


def test_a_small_move_is_the_same_subject_and_a_jump_to_another_place_or_size_is_not() -> None:
    here = body_box(_standing(0.4, 0.5, 0.6))
    assert here is not None
    assert same_subject(here, body_box(_standing(0.45, 0.5, 0.6)), dt=1 / 30)  # type: ignore[arg-type]
    assert not same_subject(here, body_box(_standing(0.85, 0.5, 0.6)), dt=1 / 30)  # type: ignore[arg-type]
    assert not same_subject(here, body_box(_standing(0.4, 0.5, 0.25)), dt=1 / 30)  # type: ignore[arg-type]


def test_crop_coordinates_map_back_to_the_full_image() -> None:
    box = Box(0.5, 0.5, 0.2, 0.4)
    window = crop_window(box, 1000, 500)
    x0, y0, x1, y1 = window
    assert 0 <= x0 < x1 <= 1000 and 0 <= y0 < y1 <= 500
    in_crop = np.zeros((33, 4))
    in_crop[:, 0] = 0.5
    in_crop[:, 1] = 0.25
    image, _ = uncrop((in_crop, np.zeros((33, 3))), window, 1000, 500)
    assert image[0, 0] == pytest.approx((x0 + 0.5 * (x1 - x0)) / 1000)
    assert image[0, 1] == pytest.approx((y0 + 0.25 * (y1 - y0)) / 500)


@pytest.fixture(scope="module")
def two_people() -> LandmarkSeries:
    # Sports2D's demo: a man on a block jumps down while a woman walks past in front of the camera.
    return extract_landmarks(REAL / "sports2d_demo.mp4", ExtractOptions(workers=1, sample_fps=15))


def test_the_subject_never_jumps_to_the_passer_by(two_people: LandmarkSeries) -> None:
    boxes = _boxes(two_people)
    t = two_people.t
    kept = [(t[i], b) for i, b in enumerate(boxes) if b is not None]
    for (ta, a), (tb, b) in itertools.pairwise(kept):
        if tb - ta <= 1.0:  # within the time a lost subject is still waited for
            assert same_subject(a, b, tb - ta), f"jump between {ta:.2f} s and {tb:.2f} s"


def test_the_man_on_the_block_is_followed_while_the_woman_walks_past(two_people: LandmarkSeries) -> None:
    boxes = _boxes(two_people)
    t = two_people.t
    # 3.3-5.3 s: the woman walks across the lower half of the frame; the man stands on the block.
    during = [b for ti, b in zip(t, boxes, strict=True) if 3.3 <= ti <= 5.3 and b is not None]
    assert len(during) >= 20
    assert all(b.cy < 0.45 and 0.25 < b.cx < 0.55 for b in during)


@pytest.mark.slow
def test_two_segments_in_parallel_follow_the_same_man_across_their_seam() -> None:
    # The seam (3.8 s) falls while the woman walks in front. Started cold (no warm-up) the second
    # segment locks onto her; the seam check must notice and follow the man through it instead.
    options = ExtractOptions(workers=2, min_split_s=0.0, warmup_s=0.0, balance=False)
    series = extract_landmarks(REAL / "sports2d_demo.mp4", options)
    boxes = _boxes(series)
    during = [b for ti, b in zip(series.t, boxes, strict=True) if 3.3 <= ti <= 5.3 and b is not None]
    assert len(during) >= 25
    assert all(b.cy < 0.45 and 0.25 < b.cx < 0.55 for b in during)


def test_a_seam_between_two_different_people_is_detected() -> None:
    t1, t2 = np.arange(0, 10) / 10, np.arange(10, 20) / 10
    a, b = _standing(0.4, 0.5, 0.6), _standing(0.85, 0.5, 0.6)
    before = _SegmentResult(t1, np.stack([a] * 10), np.zeros((10, 33, 3)), 0, 0)
    other = _SegmentResult(t2, np.stack([b] * 10), np.zeros((10, 33, 3)), 0, 0)
    same = _SegmentResult(t2, np.stack([a] * 10), np.zeros((10, 33, 3)), 0, 0)
    seed = _seam_mismatch(before, other, seam_s=1.0)
    assert seed is not None and seed[0].cx == pytest.approx(0.4) and seed[1] == pytest.approx(0.9)
    assert _seam_mismatch(before, same, seam_s=1.0) is None


def test_a_seam_re_run_keeps_the_first_runs_frames_from_where_both_agree() -> None:
    t = np.arange(10, 20) / 10
    a, b = _standing(0.4, 0.5, 0.6), _standing(0.85, 0.5, 0.6)
    first_run = _SegmentResult(t, np.stack([b] * 3 + [a] * 7), np.zeros((10, 33, 3)), 0, 0)
    assert _agreeing_rest(first_run, 1.1, a) is None  # it showed someone else then
    rest = _agreeing_rest(first_run, 1.3, a)
    assert rest is not None and first_run.t[rest][0] == pytest.approx(1.4)


def test_composited_second_person_does_not_break_tracking() -> None:
    series = extract_landmarks(REAL / "pose2sim_multi_cam01.mp4", ExtractOptions(workers=1, sample_fps=30))
    boxes = [b for b in _boxes(series) if b is not None]
    assert len(boxes) >= 0.9 * series.frames
    for a, b in itertools.pairwise(boxes):
        assert same_subject(a, b, 1 / 30)
