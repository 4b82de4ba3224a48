"""Real footage through the whole analysis: phone rotation, legs cut off, the wrong exercise or view."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from make_videos import write_frames
from midline.analysis import AnalyzeOptions, analyze_video
from midline.pose.extract import ExtractOptions, extract_landmarks
from midline.video.decode import iter_frames

REAL = Path(__file__).parent / "data" / "real"
ONE_WORKER = ExtractOptions(workers=1, sample_fps=30)


@pytest.fixture(scope="module")
def portrait() -> tuple[list[np.ndarray], list[float]]:
    """Pose2Sim's portrait clip (one person stepping) at 540x960, 30 fps."""
    frames = list(iter_frames(REAL / "pose2sim_single_cam01.mp4", max_width=540, sample_fps=30))
    return [f.rgb for f in frames], [f.t for f in frames]


def test_a_phone_video_stored_sideways_gives_the_same_landmarks_as_an_upright_one(
    portrait: tuple[list[np.ndarray], list[float]], tmp_path: Path
) -> None:
    frames, times = portrait
    upright = write_frames(tmp_path / "upright.mp4", frames, times)
    # As a phone stores portrait video: pixels landscape, a display matrix saying "turn 90°".
    sideways = write_frames(tmp_path / "phone.mp4", [np.rot90(f, k=-1) for f in frames], times, rotation=90)
    a = extract_landmarks(upright, ONE_WORKER)
    b = extract_landmarks(sideways, ONE_WORKER)
    assert (b.width, b.height) == (540, 960)
    both = a.detected & b.detected
    assert both.mean() > 0.9
    diff = np.abs(a.image[both][:, 11:29, :2] - b.image[both][:, 11:29, :2])
    assert np.median(diff) < 0.01


def test_legs_cut_off_by_the_framing_give_the_legs_out_of_frame_cue(
    portrait: tuple[list[np.ndarray], list[float]], tmp_path: Path
) -> None:
    frames, times = portrait
    clip = write_frames(tmp_path / "top_half.mp4", [f[:500] for f in frames], times)
    result = analyze_video(
        clip, "standing-squeeze", tmp_path / "out", AnalyzeOptions(make_video=False, extract=ONE_WORKER)
    )
    assert "legs-out-of-frame" in [c["code"] for c in result.report["cues"]]
    assert result.report["quality"]["detected_fraction"] > 0.9


def test_a_front_view_analysed_as_a_side_view_exercise_gets_the_wrong_view_cue(
    portrait: tuple[list[np.ndarray], list[float]], tmp_path: Path
) -> None:
    frames, times = portrait
    clip = write_frames(tmp_path / "front.mp4", frames, times)
    result = analyze_video(
        clip, "double-leg-lowers", tmp_path / "out", AnalyzeOptions(make_video=False, extract=ONE_WORKER)
    )
    assert result.report["quality"]["view"] == "front"
    assert "wrong-view" in [c["code"] for c in result.report["cues"]]
    assert result.report["summary"]["rep_count"] == 0
