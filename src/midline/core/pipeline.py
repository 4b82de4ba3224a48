"""``analyse``: a landmark sequence + an exercise's spec -> report and per-frame traces.

The stages, in the order the data flows: clean the landmarks (signals), the leg signals
(signals), reps and their phases (phases), each rep's numbers (metrics -> records), the feet
(position, walking), the set's numbers and the cues (metrics, cues), then the report (records).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from midline.core import geometry as geo
from midline.core.cues import Findings, build_cues, cue_trace, set_findings
from midline.core.geometry import FRONT_VIEW_SCORE
from midline.core.landmarks import BODY_LANDMARKS, LandmarkSeries
from midline.core.metrics import (
    CONFIDENCE_GROUPS,
    LEG_SETS,
    REST_PAD_S,
    measure_reps,
    rep_windows,
    set_confidence,
    set_symmetry,
)
from midline.core.phases import PHASE_CODE, RepTiming, detect_reps, label_frames
from midline.core.position import LYING_BODIES, foot_angles, held_foot_angles, leg_positions
from midline.core.records import empty_summary, rep_records, summarise
from midline.core.report import Quality, Report, VideoInfo
from midline.core.signals import (
    LEG_PER_HEIGHT,
    LEG_POINTS,
    Cleaned,
    LegSignals,
    clean,
    leg_length_px,
    leg_signals,
    legs_out_fraction,
)
from midline.core.spec import AnalysisSpec
from midline.core.walking import Walk, walking_steps

__all__ = [
    "CONFIDENCE_GROUPS",
    "FRONT_VIEW_SCORE",
    "LEG_POINTS",
    "LEG_SETS",
    "LYING_BODIES",
    "PHASE_CODE",
    "REST_PAD_S",
    "Analysis",
    "Traces",
    "analyse",
]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Traces:
    """Per-frame arrays for plots and the annotated video (NaN where unknown).

    Gaps are surface gaps in leg lengths; ``primary`` in the spec's unit; ``phase`` 0 rest,
    1 concentric, 2 hold, 3 eccentric; ``rep`` the rep's 0-based index or -1; ``cue`` the code
    live on that frame or ""; ``landmarks`` (T, 33, 4) cleaned, normalised like the input;
    ``leg_length`` in pixels of the source image; ``cleaned`` the core's pixel arrays (body
    landmarks only, indexed by ``B``); ``source`` the input.
    """

    t: FloatArray
    thigh_gap: FloatArray
    knee_gap: FloatArray
    ankle_gap: FloatArray
    primary: FloatArray
    phase: NDArray[np.int8]
    rep: NDArray[np.int64]
    cue: NDArray[np.str_]
    leg_length: float
    cleaned: Cleaned
    source: LandmarkSeries

    @cached_property
    def landmarks(self) -> FloatArray:
        """(T, 33, 4) cleaned landmarks, normalised like the input (built on first use)."""
        s = self.source
        return _normalised(self.cleaned, s.image, s.width, s.height)


@dataclass(frozen=True)
class Analysis:
    """What ``analyse`` returns: the report (the report.json contract) and the per-frame traces."""

    report: Report
    traces: Traces


def _normalised(c: Cleaned, source: FloatArray, w: int, h: int) -> FloatArray:
    """The input landmarks (T, 33, 4) with the cleaned body landmarks put back, normalised."""
    lm = source.copy()
    cols = list(BODY_LANDMARKS)
    lm[:, cols, :3] = c.xyz / np.array([w, h, w])
    lm[:, cols, 3] = np.where(np.isfinite(c.xyz[..., 0]), c.vis, np.nan)
    return lm


def analyse(
    series: LandmarkSeries,
    spec: AnalysisSpec,
    asked_position: str | None = None,
    height_cm: float | None = None,
) -> Analysis:
    """Analyse a whole recording of one exercise (pure: arrays in, report and traces out)."""
    asked = asked_position or spec.default_position
    t = series.t.astype(np.float64)
    c = clean(series)
    detected_fraction = float(c.detected.mean()) if series.frames else 0.0
    leg_px = leg_length_px(c) if detected_fraction > 0 else float("nan")
    cm_per_leg = LEG_PER_HEIGHT * height_cm if height_cm else None
    if detected_fraction < spec.no_person_fraction or not np.isfinite(leg_px):
        return _nothing_to_measure(series, spec, asked, t, c, detected_fraction, leg_px, cm_per_leg)

    sig = leg_signals(series, spec, c, leg_px)
    timings = _reps(t, sig, spec)
    measures = measure_reps(c, sig, rep_windows(t, timings), leg_px)
    reps = rep_records(timings, measures, spec, cm_per_leg)
    view_score = geo.view_score(c.xyz)
    angles = foot_angles(c, series, spec, geo.camera_view(view_score))
    walk = (
        walking_steps(t, c.xyz, angles, sig.tilt, sig.tilt_ok, leg_px, series.fps)
        if spec.body == "walking"
        else Walk()
    )
    foot_angle, positions, support_leg = leg_positions(
        walk.foot_angle if spec.body == "walking" else held_foot_angles(angles, c.detected), spec, c.xyz
    )
    symmetry = set_symmetry(measures, spec)
    legs_out = legs_out_fraction(c)
    findings = set_findings(
        spec,
        reps,
        positions,
        foot_angle,
        symmetry,
        detected_fraction,
        legs_out,
        geo.camera_view(view_score),
        cm_per_leg,
    )
    cues = build_cues(spec, asked, findings)  # may add quality warnings to findings.warnings
    summary = summarise(
        reps, timings, spec, positions, foot_angle, walk, symmetry, set_confidence(c), cm_per_leg, support_leg
    )
    quality = Quality(detected_fraction, findings.view, findings.warnings, view_score, legs_out, leg_px)
    report = Report(spec.exercise, asked, _video(series), quality, reps, summary, cues, cm_per_leg)
    phase, rep_of = label_frames(t, timings, spec.phase_order)
    traces = Traces(
        t,
        sig.gaps["thigh"],
        sig.gaps["knee"],
        sig.gaps["ankle"],
        sig.primary,
        phase,
        rep_of,
        cue_trace(t, timings, cues),
        leg_px,
        c,
        series,
    )
    return Analysis(report, traces)


def _reps(t: FloatArray, sig: LegSignals, spec: AnalysisSpec) -> list[RepTiming]:
    """The complete reps in the timing signal (walking has steps, not reps)."""
    if spec.body == "walking":
        return []
    return detect_reps(t, sig.timing, spec.min_rom, raw=sig.timing_seen)


def _video(series: LandmarkSeries) -> VideoInfo:
    """The recording's frame rate, length and size, as the report states them."""
    return VideoInfo(series.fps, series.frames, series.duration_s, series.width, series.height)


def _nothing_to_measure(
    series: LandmarkSeries,
    spec: AnalysisSpec,
    asked: str,
    t: FloatArray,
    c: Cleaned,
    detected_fraction: float,
    leg_px: float,
    cm_per_leg: float | None,
) -> Analysis:
    """The report for no person, or a person whose legs are never in view: a warning and its cue."""
    findings = Findings(detected_fraction=detected_fraction, cm_per_leg=cm_per_leg)
    if detected_fraction < spec.no_person_fraction:
        warning = "No person found in the video."
        cues = build_cues(spec, asked, findings)
    else:  # a person, but never a thigh or shank in view: nothing to measure the legs by
        warning = "The legs are never in view: nothing could be measured."
        findings.legs_out_fraction = 1.0
        cues = [cue for cue in build_cues(spec, asked, findings) if cue.code == "legs-out-of-frame"]
    quality = Quality(detected_fraction, None, [warning], legs_out_of_frame_fraction=1.0)
    report = Report(spec.exercise, asked, _video(series), quality, [], empty_summary(spec), cues, None)
    n = series.frames
    nan = np.full(n, np.nan)
    traces = Traces(
        t,
        nan,
        nan,
        nan,
        nan,
        np.zeros(n, np.int8),
        np.full(n, -1, np.int64),
        np.full(n, "", dtype="<U24"),
        leg_px,
        c,
        series,
    )
    return Analysis(report, traces)
