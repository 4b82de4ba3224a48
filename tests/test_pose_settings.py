"""How the pose model follows a person: plain tracking, or re-anchored for phase times that do not trail.

MediaPipe places each tracked frame's crop from the previous frame's landmarks through a heavy
filter, so on rendered clip r01 the hold reads 0.24 s long; re-anchoring the crop on the detector
every 2nd frame (and dropping that filter) times it within 0.2 s (docs/accuracy.md).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from midline.cli.app import _register, app
from midline.pose.backend import PRECISE_TIMING, TRACKING, PoseSettings, _import_mediapipe, _pose_graph
from midline.pose.extract import PoseModels

RENDERED = Path(__file__).parent / "data" / "rendered"
R01 = next(RENDERED.glob("r01_*.mp4"))
runner = CliRunner()
_register()


def test_settings_name_what_they_change() -> None:
    assert TRACKING.plain and not PRECISE_TIMING.plain
    assert PoseSettings(reanchor_every=2, crop_filter=False) == PRECISE_TIMING
    with pytest.raises(ValueError, match="reanchor_every"):
        PoseSettings(reanchor_every=-1)


def test_the_precise_graph_feeds_the_crop_per_frame_and_unfiltered() -> None:
    """The names the changed graph is built from exist in the installed mediapipe (pinned): the
    gate that reuses the last crop takes a per-frame input, the crop's filter is off."""
    mp = _import_mediapipe()
    config = _pose_graph(mp, PRECISE_TIMING)
    assert "USE_PREV:use_prev" in config.input_stream
    gates = [
        n for n in config.node if n.calculator == "GateCalculator" and "ALLOW:use_prev" in n.input_stream
    ]
    assert len(gates) == 1
    (smoothing,) = [n for n in config.node if n.name == "poselandmarkfiltering__LandmarksSmoothingCalculator"]
    from mediapipe.calculators.util import landmarks_smoothing_calculator_pb2 as ls

    options = smoothing.options.Extensions[ls.LandmarksSmoothingCalculatorOptions.ext]
    assert options.WhichOneof("filter_options") == "no_filter"
    # the plain graph is MediaPipe's own, unchanged
    plain = _pose_graph(mp, TRACKING)
    assert "USE_PREV:use_prev" not in plain.input_stream


def test_kept_models_follow_the_settings_asked_for() -> None:
    models = PoseModels()
    try:
        first = models.tracker(TRACKING).backend
        assert models.tracker(TRACKING).backend is first  # kept (and reset) for the next video
        precise = models.tracker(PRECISE_TIMING).backend
        assert precise is not first  # made afresh with the other settings
        assert models.tracker(PRECISE_TIMING).backend is precise
    finally:
        models.close()


def test_a_worker_loads_the_model_its_batch_asks_for() -> None:
    """A batch worker loads its model at start-up with the batch's settings, so its first video
    reuses that model instead of loading a second one (a second's start-up per worker)."""
    models = PoseModels()
    try:
        models.load(PRECISE_TIMING)
        loaded = models.tracker(PRECISE_TIMING).backend
        models.load(PRECISE_TIMING)  # already loaded: kept
        assert models.tracker(PRECISE_TIMING).backend is loaded
    finally:
        models.close()


def worst_duration_error(report: dict, truth: dict) -> float:
    errors = []
    for rep, true in zip(report["reps"], truth["reps"], strict=True):
        for phase, true_phase in zip(rep["phases"], true["phases"], strict=True):
            got = phase["end_s"] - phase["start_s"]
            errors.append(abs(got - (true_phase["end_s"] - true_phase["start_s"])))
    return max(errors)


def test_precise_timing_times_a_rendered_squeeze_where_tracking_trails(tmp_path: Path) -> None:
    """`midline analyze --precise-timing` on r01 (a clean standing squeeze): every phase within
    0.2 s of the rig's truth, where plain tracking reads the hold 0.24 s long."""
    truth = json.loads(R01.with_name(R01.name.replace(".mp4", ".truth.json")).read_text())
    errors = {}
    for flag in ([], ["--precise-timing"]):
        out = tmp_path / ("precise" if flag else "tracking")
        args = ["analyze", str(R01), "-e", truth["exercise"], "--no-video", "--out", str(out), *flag]
        res = runner.invoke(app, args)
        assert res.exit_code == 0, res.output
        report = json.loads((out / "report.json").read_text())
        assert len(report["reps"]) == len(truth["reps"])
        errors[bool(flag)] = worst_duration_error(report, truth)
    assert errors[True] < 0.2 < errors[False]
