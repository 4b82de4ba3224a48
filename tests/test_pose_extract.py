"""Video -> landmarks on real footage: real times, a person found, the parallel split seamless."""

from __future__ import annotations

import itertools
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
