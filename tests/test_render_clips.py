"""The rendered clips in tests/data/rendered (tools/render): the video and its truth agree.

The clips are made outside CI (Blender); these tests read them. The slow test holds MediaPipe to the
exact joint centres of the rendered body: its landmarks sit a near-constant 1-8 % of leg length from
the rig's joint centres (most in standing views, hips worst in side-lying ones), and move around that
offset by under 3 %.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import av
import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

RENDERED = Path(__file__).parent / "data" / "rendered"
CLIPS = sorted(RENDERED.glob("*.mp4"))


def _truth(video: Path) -> dict:  # type: ignore[type-arg]
    return json.loads(video.with_name(video.name.removesuffix(".mp4") + ".truth.json").read_text())


@pytest.mark.parametrize("video", CLIPS, ids=[c.stem for c in CLIPS])
def test_video_matches_its_truth(video: Path) -> None:
    truth = _truth(video)
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(stream)]
        fps = float(stream.average_rate)
    assert len(frames) == truth["frames"] == len(truth["signal"])
    assert frames[0].shape == (truth["height"], truth["width"], 3)
    assert fps == pytest.approx(truth["fps"])
    for name in ("left_hip", "left_knee", "left_ankle", "right_hip", "right_knee", "right_ankle"):
        xy = np.asarray(truth["joints_image"][name])
        assert xy.shape == (truth["frames"], 2)
        assert np.all((xy > 0) & (xy < 1)), f"{name} leaves the image"
    # frames that reuse one render show the same picture
    renders = np.asarray(truth["frame_render"])
    same = np.flatnonzero(renders[1:] == renders[:-1])
    if len(same):
        i = int(same[0])
        assert np.abs(frames[i].astype(int) - frames[i + 1].astype(int)).mean() < 2.0


@pytest.mark.parametrize("video", CLIPS, ids=[c.stem for c in CLIPS])
def test_reps_phases_and_gaps_are_consistent(video: Path) -> None:
    truth = _truth(video)
    assert truth["rep_count"] == len(truth["reps"]) > 0
    signal = np.asarray(truth["signal"])
    for rep in truth["reps"]:
        phases = rep["phases"]
        assert [p["start_s"] for p in phases[1:]] == [p["end_s"] for p in phases[:-1]]
        assert all(p["end_s"] > p["start_s"] or p["name"] == "hold" for p in phases)
        k = rep["squeeze_frame"]
        assert rep["peak_value"] == pytest.approx(signal[k], abs=1e-4)
        assert rep["knee_gap_min"] == pytest.approx(truth["gaps"]["knee"][k], abs=1e-4)
        for level in ("thigh", "knee", "ankle"):
            assert rep[f"{level}_centre_min"] > rep[f"{level}_gap_min"]
    start = int(np.floor(truth["reps"][0]["start_s"] * truth["fps"] + 1e-9))
    assert np.all(signal[: start + 1] == signal[0])  # at rest until the first rep starts


POSE_SPREAD_KNOWN = {
    # seated with the feet turned out 30 deg, the thighs pointing at the camera: MediaPipe's left
    # knee moves about its mean offset by 4.3 % of leg length (the others: under 3 %); the clip's
    # analysis still meets every criterion (docs/accuracy.md)
    "r21": "MediaPipe's left knee spread 4.3 % of leg length",
}


def _pose_params() -> list[object]:
    out = []
    for clip in CLIPS:
        why = POSE_SPREAD_KNOWN.get(clip.name.split("_", 1)[0])
        marks = [pytest.mark.xfail(reason=why, strict=True)] if why else []
        out.append(pytest.param(clip, id=clip.stem, marks=marks))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("video", _pose_params())
def test_mediapipe_finds_the_rendered_joints(video: Path) -> None:
    from render.compare_pose import compare

    truth = _truth(video)
    report = compare(video, truth)
    assert report["detected"] == report["frames"]
    checked = set(report["joints"])
    if truth["posture"].startswith("side-lying-"):  # the bent top leg is partly hidden: not analysed
        top = "right" if truth["posture"].endswith("left") else "left"
        checked -= {f"{top}_knee", f"{top}_ankle"}
    for name in checked:  # % of leg length: a near-constant offset, and a small part that moves
        r = report["joints"][name]
        assert r["median_pct"] < 10.0, f"{name}: {r}"
        assert r["spread_pct"] < 3.0, f"{name}: {r}"
