"""Pose runs at DEFAULT_SAMPLE_FPS frames/s at most: the report must not depend on that.

Each synthetic case (25-60 fps, known phase times) is analysed at its own rate and sampled the way
the decoder samples (one frame per 1/rate s bin); counts and cues must agree, and phase times must
stay as close to the truth as at the full rate.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np

from midline.catalog import load_catalog
from midline.catalog.spec import analysis_spec
from midline.core.landmarks import LandmarkSeries
from midline.core.pipeline import analyse
from midline.pose.extract import DEFAULT_SAMPLE_FPS
from midline.pose.landmarks_file import read_landmarks

SYNTH = Path(__file__).parent / "data" / "synthetic"


def sampled(series: LandmarkSeries, rate: float) -> LandmarkSeries:
    bins = np.floor(series.t * rate + 1e-6)
    keep = np.concatenate([[True], np.diff(bins) > 0])
    world = None if series.world is None else series.world[keep]
    return replace(series, t=series.t[keep], image=series.image[keep], world=world, fps=rate)


def phase_errors(report_reps: list, truth_reps: list) -> list[float]:
    out = []
    for rep, true in zip(report_reps, truth_reps, strict=True):
        for ph, tph in zip(rep.phases, true["phases"], strict=True):
            out += [abs(ph.start_s - tph["start_s"]), abs(ph.end_s - tph["end_s"])]
    return out


def test_sampling_at_the_pose_rate_keeps_reps_cues_and_phase_times() -> None:
    catalog = load_catalog()
    full_err: list[float] = []
    sampled_err: list[float] = []
    cases = sorted(SYNTH.glob("d*.landmarks.json"))
    assert len(cases) >= 20
    for path in cases:
        truth = json.loads(path.with_name(path.name.replace(".landmarks.json", ".truth.json")).read_text())
        spec = analysis_spec(catalog, truth["exercise"])
        series = read_landmarks(path)
        full = analyse(series, spec).report
        low = analyse(sampled(series, DEFAULT_SAMPLE_FPS), spec).report
        assert len(low.reps) == len(full.reps), path.name
        assert sorted(low.cue_codes()) == sorted(full.cue_codes()), path.name
        if len(full.reps) == len(truth["reps"]):
            full_err += phase_errors(full.reps, truth["reps"])
            sampled_err += phase_errors(low.reps, truth["reps"])
    assert len(sampled_err) > 300
    assert np.mean(sampled_err) <= np.mean(full_err) + 0.02
    assert np.percentile(sampled_err, 95) <= 0.15
