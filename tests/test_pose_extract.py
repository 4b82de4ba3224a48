"""Video -> landmarks on real footage: real times, a person found, the parallel split seamless."""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from make_videos import write_video
from midline.pose.extract import ExtractOptions, extract_landmarks

REAL = Path(__file__).parent / "data" / "real"
CLIP = REAL / "pose2sim_single_cam01.mp4"  # 1.67 s, 60 fps, portrait, one person stepping


@pytest.fixture(scope="module")
def one_worker():
    return extract_landmarks(CLIP, ExtractOptions(workers=1, sample_fps=30))


def test_landmarks_of_the_person_in_every_frame_at_real_times(one_worker) -> None:
    s = one_worker
    assert (s.width, s.height) == (1080, 1920)
    assert s.fps == 30
    assert s.frames == 50
    np.testing.assert_allclose(s.t, np.arange(50) / 30, atol=1e-6)
    assert s.detected.mean() >= 0.95
    hips = s.image[s.detected][:, [23, 24], :2]
    assert ((hips > 0) & (hips < 1)).all()
    assert s.world is not None and np.isfinite(s.world[s.detected]).all()


def test_two_workers_give_the_same_landmarks_as_one(one_worker) -> None:
    progress: list[tuple[int, int]] = []
    two = extract_landmarks(
        CLIP,
        ExtractOptions(workers=2, sample_fps=30, min_split_s=0.0, warmup_s=0.5),
        progress=lambda done, total: progress.append((done, total)),
    )
    np.testing.assert_allclose(two.t, one_worker.t)
    both = two.detected & one_worker.detected
    assert both.mean() >= 0.95
    # The second worker warms its tracker up before the seam, so landmarks there agree closely.
    diff = np.abs(two.image[both][:, 23:29, :2] - one_worker.image[both][:, 23:29, :2])
    assert np.median(diff) < 0.01
    assert progress[-1] == (50, 50)
    assert all(b[0] >= a[0] for a, b in itertools.pairwise(progress))


def test_video_without_a_person_gives_empty_frames(tmp_path: Path) -> None:
    clip = write_video(tmp_path / "empty_room.mp4", [i / 30 for i in range(45)], width=160, height=120)
    s = extract_landmarks(clip, ExtractOptions(workers=1))
    assert s.frames > 0
    assert not s.detected.any()


def test_the_worker_that_is_ready_late_takes_the_later_half_of_what_is_left() -> None:
    # The handoff between this process (the lead, from 0 s) and a worker that became ready when
    # the lead was at 2 s, run here one after the other: the worker claims the later half of the
    # rest, the lead stops where the claim starts, and together they give one run's landmarks.
    from midline.pose.extract import _Handoff, _handoff_file, _run_segment, _Segment
    from midline.samples import sample_video
    from midline.video.probe import probe

    clip = sample_video()  # a rendered standing squeeze, 7.67 s at 15 fps
    duration = probe(clip).duration_s
    whole = _Segment(str(clip), 0.0, None, 1.0, None, 1280)
    with _handoff_file() as shared:
        lead = _Handoff(shared, "lead", duration)
        lead.write(0, 2.0)
        tail = _run_segment(replace(whole, handoff=_Handoff(shared, "tail", duration)), lambda n: None)
        start = 2.0 + (duration - 2.0 + 1.0) / 2
        assert tail.start_s == pytest.approx(start)
        assert tail.t[0] >= start - 1e-6 and tail.t[-1] > duration - 0.1
        head = _run_segment(replace(whole, handoff=lead), lambda n: None)
    assert head.t[0] == 0.0 and head.t[-1] < start
    one = extract_landmarks(clip, ExtractOptions(workers=1, sample_fps=None))
    np.testing.assert_allclose(np.concatenate([head.t, tail.t]), one.t)
    image = np.concatenate([head.image, tail.image])
    seen = np.isfinite(image[:, 23, 0])
    assert (seen == one.detected).mean() >= 0.9
    both = seen & one.detected
    diff = np.abs(image[both][:, 23:29, :2] - one.image[both][:, 23:29, :2])
    assert np.median(diff) < 0.01


def test_a_worker_ready_when_little_is_left_leaves_it_to_the_lead() -> None:
    from midline.pose.extract import _Handoff, _handoff_file

    with _handoff_file() as shared:
        lead = _Handoff(shared, "lead", 10.0)
        lead.write(0, 7.5)
        assert _Handoff(shared, "tail", 10.0).claim(warmup_s=1.0) is None
        assert np.isnan(lead.read(1))
        lead.write(0, 1.0)
        assert _Handoff(shared, "tail", 10.0).claim(warmup_s=1.0) == pytest.approx(1.0 + 10.0 / 2)
        assert lead.read(1) == pytest.approx(6.0)


def test_the_same_video_gives_the_same_landmarks_however_loaded_the_machine() -> None:
    # Two processes split the video into fixed halves (not where a race puts the seam), so
    # re-analysing a file can never change its report.
    options = ExtractOptions(workers=2, sample_fps=30, min_split_s=0.0)
    first = extract_landmarks(CLIP, options)
    second = extract_landmarks(CLIP, options)
    np.testing.assert_array_equal(first.t, second.t)
    np.testing.assert_array_equal(first.image, second.image)
