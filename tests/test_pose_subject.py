"""Staying on one subject when several people are in view (real footage, real pose model)."""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from midline.core.landmarks import LandmarkSeries
from midline.pose.backend import PRECISE_TIMING
from midline.pose.extract import (
    ExtractOptions,
    _agreeing_rest,
    _seam_mismatch,
    _SegmentResult,
    extract_landmarks,
)
from midline.pose.subject import (
    Box,
    SubjectTracker,
    body_box,
    choose_person,
    crop_window,
    same_subject,
    uncrop,
)

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


def test_the_largest_most_central_person_is_chosen() -> None:
    near_centre = (660.0, 380.0, 180.0)
    big_at_edge = (1180.0, 360.0, 200.0)
    small_centre = (640.0, 360.0, 60.0)
    assert choose_person([big_at_edge, small_centre, near_centre], 1280, 720) == near_centre
    assert choose_person([small_centre, big_at_edge], 1280, 720) == big_at_edge  # size still counts


class _Fixed:
    """A pose backend that always finds the same landmarks (image coordinates of its input)."""

    def __init__(self, image: np.ndarray) -> None:
        self.image = image
        self.calls = 0

    def process(self, rgb: np.ndarray, t: float) -> tuple[np.ndarray, np.ndarray]:
        self.calls += 1
        return self.image.copy(), np.zeros((33, 3))

    def close(self) -> None:
        pass


class _Detector:
    def __init__(self, people: list[tuple[float, float, float]]) -> None:
        self.people = people

    def detect(self, rgb: np.ndarray) -> list[tuple[float, float, float]]:
        return self.people

    def close(self) -> None:
        pass


def test_the_tracker_starts_on_the_chosen_person_not_the_pose_models_pick() -> None:
    # The pose model locks onto a person at the left edge; the detector also sees someone larger
    # in the middle, so the tracker runs the middle person on a crop and follows them there.
    w, h = 1000, 500
    edge = _standing(0.1, 0.5, 0.5)  # hips at (100, 250) px
    hips_mid = np.array([500.0, 250.0])
    window_side = 2 * 1.3 * 150
    in_crop = _standing(0.5, 0.5, 0.8)  # the middle person, in the crop's own coordinates
    crop = _Fixed(in_crop)
    tracker = SubjectTracker(
        _Fixed(edge),
        crop_backend=crop,
        detector=_Detector([(100.0, 250.0, 90.0), (hips_mid[0], hips_mid[1], 150.0)]),
    )
    rgb = np.zeros((h, w, 3), np.uint8)
    for k in range(5):
        found = tracker.process(rgb, k / 30)
        assert found is not None
        hips = found[0][[23, 24], :2].mean(axis=0) * (w, h)
        assert np.hypot(*(hips - hips_mid)) < 0.25 * window_side
    assert tracker.chosen == 1 and crop.calls == 5


def _two_people_clip(path: Path) -> Path:
    """A 1280x720 clip of two people: one in the middle, one smaller at the left edge
    (the sample's rendered person twice, scaled, on a grey ground)."""
    from fractions import Fraction

    import av
    import cv2

    from midline.samples import sample_video
    from midline.video.decode import iter_frames

    frames = [np.ascontiguousarray(f.rgb[:, 160:480]) for f in iter_frames(sample_video())][:30]
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=15)
        stream.width, stream.height, stream.pix_fmt = 1280, 720, "yuv420p"
        for i, rgb in enumerate(frames):
            canvas = np.full((720, 1280, 3), 90, np.uint8)
            for scale, cx, cy in ((1.4, 720, 360), (1.2, 210, 380)):
                im = cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
                y0, x0 = cy - im.shape[0] // 2, cx - im.shape[1] // 2
                canvas[y0 : y0 + im.shape[0], x0 : x0 + im.shape[1]] = im
            frame = av.VideoFrame.from_ndarray(canvas, format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, 15)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def test_of_two_people_the_large_central_one_is_followed_from_the_first_frame(tmp_path: Path) -> None:
    from midline.pose.backend import MediaPipePersonDetector
    from midline.video.decode import iter_frames

    clip = _two_people_clip(tmp_path / "two_people.mp4")
    detector = MediaPipePersonDetector()
    people = detector.detect(next(iter(iter_frames(clip))).rgb)
    detector.close()
    assert sorted(round(p[0], -1) for p in people) == [210, 720]  # the detector sees both
    series = extract_landmarks(clip, ExtractOptions(workers=1))
    assert series.detected.all()
    hips = series.image[:, [23, 24], :2].mean(axis=1) * (1280, 720)
    assert (np.abs(hips[:, 0] - 720) < 60).all() and (np.abs(hips[:, 1] - 360) < 60).all()


def test_precise_timing_follows_the_man_as_long_as_plain_tracking_does() -> None:
    """`--precise-timing` re-anchors the main model on the detector, which prefers a whole,
    unoccluded body (the woman); the crop model that follows the man meanwhile tracks plainly, so
    he is still followed while she walks past, and lost no sooner than with plain tracking."""
    options = ExtractOptions(workers=1)  # the default pose rate
    plain = extract_landmarks(REAL / "sports2d_demo.mp4", options)
    precise = extract_landmarks(REAL / "sports2d_demo.mp4", replace(options, pose=PRECISE_TIMING))
    boxes = _boxes(precise)
    during = [b for ti, b in zip(precise.t, boxes, strict=True) if 3.3 <= ti <= 5.3 and b is not None]
    assert len(during) >= 20
    assert all(b.cy < 0.45 and 0.25 < b.cx < 0.55 for b in during)
    seen = [b is not None for b in boxes]
    assert sum(seen) >= 0.9 * sum(b is not None for b in _boxes(plain))
