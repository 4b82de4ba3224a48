"""``analyse``: a landmark sequence + an exercise's spec -> report and per-frame traces."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from midline.core import geometry as geo
from midline.core.cues import FRONTAL_BODIES, ONE_SIDED_SIGNALS, Findings, build_cues, cue_trace
from midline.core.landmarks import BODY_LANDMARKS, B, LandmarkSeries
from midline.core.metrics import (
    amplitude,
    at,
    at_squeeze,
    classify_position,
    phase_durations,
    rep_frames,
    stance_steps,
    symmetry,
)
from midline.core.phases import detect_reps, label_frames, rep_profile
from midline.core.report import Phase, Quality, Rep, Report, Step, Summary, VideoInfo
from midline.core.signals import (
    LEG_PER_HEIGHT,
    Cleaned,
    clean,
    leg_length_px,
    leg_signals,
    legs_out_fraction,
    seen,
)
from midline.core.signals import (
    reliable as reliable_,
)
from midline.core.spec import AnalysisSpec

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

LEG_SETS = {
    "left": (B.LEFT_KNEE, B.LEFT_ANKLE, B.LEFT_HEEL, B.LEFT_FOOT_INDEX),
    "right": (B.RIGHT_KNEE, B.RIGHT_ANKLE, B.RIGHT_HEEL, B.RIGHT_FOOT_INDEX),
}
"""Each leg's own points, for its share of the movement (symmetry)."""
LYING_BODIES = frozenset({"side-lying", "supine"})
"""Bodies whose feet are off the floor: foot rotation is judged about the leg's own axis."""
CONFIDENCE_GROUPS = {
    "hip": (B.LEFT_HIP, B.RIGHT_HIP),
    "knee": (B.LEFT_KNEE, B.RIGHT_KNEE),
    "ankle": (B.LEFT_ANKLE, B.RIGHT_ANKLE),
    "foot": (B.LEFT_HEEL, B.RIGHT_HEEL, B.LEFT_FOOT_INDEX, B.RIGHT_FOOT_INDEX),
}
"""Landmark groups whose mean visibility is each metric's confidence (gaps: knee/ankle...)."""
REST_PAD_S = 1.0
"""Rest taken on each side of a rep when measuring how far a leg moved."""


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
    n = series.frames
    t = series.t.astype(np.float64)
    video = VideoInfo(series.fps, n, series.duration_s, series.width, series.height)
    c = clean(series)
    detected_fraction = float(c.detected.mean()) if n else 0.0
    leg_px = leg_length_px(c) if detected_fraction > 0 else float("nan")
    cm_per_leg = LEG_PER_HEIGHT * height_cm if height_cm else None
    nan = np.full(n, np.nan)
    findings = Findings(detected_fraction=detected_fraction, cm_per_leg=cm_per_leg)

    if detected_fraction < spec.no_person_fraction or not np.isfinite(leg_px):
        if detected_fraction < spec.no_person_fraction:
            warning = "No person found in the video."
            cues = build_cues(spec, asked, findings)
        else:  # a person, but never a thigh or shank in view: nothing to measure the legs by
            warning = "The legs are never in view: nothing could be measured."
            findings.legs_out_fraction = 1.0
            cues = [c for c in build_cues(spec, asked, findings) if c.code == "legs-out-of-frame"]
        quality = Quality(detected_fraction, None, [warning], legs_out_of_frame_fraction=1.0)
        report = Report(spec.exercise, asked, video, quality, [], _empty_summary(spec), cues, None)
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

    xyz = c.xyz
    vs = geo.view_score(xyz)
    view = geo.camera_view(vs)
    det = c.detected
    legs_out = legs_out_fraction(c)
    sig = leg_signals(series, spec, c, leg_px)
    gaps, reliable, raw_gaps, raw_primary = sig.gaps, sig.reliable, sig.raw_gaps, sig.raw_primary
    raw = c.xyz_raw
    timings = [] if spec.body == "walking" else detect_reps(t, sig.timing, spec.min_rom, raw=sig.timing_seen)
    tilt, tilt_ok = sig.tilt, sig.tilt_ok
    u = rep_profile(t, timings)
    ends = np.array([r.end for r in timings])
    starts = np.array([r.start for r in timings])
    core_idx, core_m = rep_frames(t, np.stack([starts, ends], axis=1) if timings else np.zeros((0, 2)))
    ext_spans = (
        np.stack(
            [
                np.maximum(starts - REST_PAD_S, np.r_[-np.inf, ends[:-1]]),
                np.minimum(ends + REST_PAD_S, np.r_[starts[1:], np.inf]),
            ],
            axis=1,
        )
        if timings
        else np.zeros((0, 2))
    )
    ext_idx, ext_m = rep_frames(t, ext_spans)
    g_all = {lv: at_squeeze(raw_gaps[lv], u, core_idx, core_m, reliable[lv]) for lv in gaps}
    frontal = spec.body in FRONTAL_BODIES
    tilt_all = {s: at_squeeze(tilt[s], u, core_idx, core_m, tilt_ok) for s in tilt}
    peak_all = at_squeeze(raw_primary, u, core_idx, core_m)
    # confidence: the mean visibility of the landmarks each number rests on, over the rep
    rep_vis = c.vis[core_idx]  # (R, W, 12)
    n_frames = np.maximum(core_m.sum(axis=1), 1)
    conf_all = {
        name: (rep_vis[:, :, list(idx)].mean(axis=2) * core_m).sum(axis=1) / n_frames
        for name, idx in CONFIDENCE_GROUPS.items()
    }
    rom_all = amplitude(raw_primary[:, None], u, ext_idx, ext_m, 1.0)
    legs_all = {
        s: amplitude(seen(raw[:, list(idx), :2].reshape(n, -1), det), u, ext_idx, ext_m, leg_px)
        for s, idx in LEG_SETS.items()
    }
    two_sided = spec.primary_signal not in ONE_SIDED_SIGNALS
    reps: list[Rep] = []
    ranges: dict[str, list[float]] = {"left": [], "right": []}
    phase, rep_of = label_frames(t, timings, spec.phase_order)
    for i, r in enumerate(timings):
        durs = phase_durations(r, spec)
        names = spec.phase_order
        bounds = [
            (names[0], r.start, r.hold_start),
            (names[1], r.hold_start, r.hold_end),
            (names[2], r.hold_end, r.end),
        ]
        g = {lv: _opt(g_all[lv][i]) for lv in gaps}
        conc, ecc = durs["concentric"], durs["eccentric"]
        ratio = ecc / conc if conc > 1e-6 else None
        lr: dict[str, float | None] = {}
        if two_sided:
            for s in LEG_SETS:
                lr[s] = _opt(legs_all[s][i])
                if lr[s] is not None:
                    ranges[s].append(float(legs_all[s][i]))
        tilts = {s: (_opt(tilt_all[s][i]) if frontal else None) for s in ("left", "right")}
        rom = _opt(rom_all[i])
        reps.append(
            Rep(
                index=i + 1,
                start_s=r.start,
                end_s=r.end,
                phases=[Phase(nm, a, b) for nm, a, b in bounds],
                concentric_s=conc,
                hold_s=durs["hold"],
                eccentric_s=ecc,
                eccentric_ratio=ratio,
                thigh_gap_min=g["thigh"],
                knee_gap_min=g["knee"],
                ankle_gap_min=g["ankle"],
                rom=rom if rom is not None else abs(r.peak - r.rest),
                knee_alignment_deg=tilts,
                leg_range=lr,
                peak_value=_opt(peak_all[i]),
                confidence={name: float(v[i]) for name, v in conf_all.items()},
                thigh_gap_cm=_cm(g["thigh"], cm_per_leg),
                knee_gap_cm=_cm(g["knee"], cm_per_leg),
                ankle_gap_cm=_cm(g["ankle"], cm_per_leg),
            )
        )

    # foot angle and leg position over the whole recording (world landmarks where present)
    # world landmarks when present, else image pixels with the camera's perspective undone
    pts = c.world if c.world is not None else geo.undo_perspective(xyz, series.width, series.height)
    foot_angle: dict[str, float | None] = {}
    steps: list[Step] = []
    walk_tilt: dict[str, float | None] = {}
    for s, (heel, toe, _, _) in geo.FOOT.items():
        fa = geo.foot_angle_deg(pts, s, spec.body in LYING_BODIES)
        ok = reliable_(c, (heel, toe, B.LEFT_HIP, B.RIGHT_HIP))
        if spec.body == "walking":
            step_angles, step_tilts = [], []
            for a, b in stance_steps(t, xyz[:, heel], leg_px, series.fps):
                every = np.ones(b + 1 - a, bool)
                v = at(fa[a : b + 1], every, ok[a : b + 1])
                k = at(tilt[s][a : b + 1], every, tilt_ok[a : b + 1])
                if v is not None:
                    steps.append(Step(s, float(t[a]), float(t[b]), v, k))
                    step_angles.append(v)
                if k is not None:
                    step_tilts.append(k)
            foot_angle[s] = float(np.median(step_angles)) if step_angles else None
            walk_tilt[s] = float(np.median(step_tilts)) if step_tilts else None
        else:
            foot_angle[s] = at(fa, det, ok)
    if spec.primary_signal in ONE_SIDED_SIGNALS:
        # the other leg is a bent support with its foot on the floor: its rotation is not the
        # working leg's and its foot angle is not reliable, so it is not reported
        support = "right" if geo.bottom_side(xyz) == "left" else "left"
        foot_angle[support] = None
    positions = {s: classify_position(foot_angle[s], spec) for s in ("left", "right")}

    sym = None if spec.primary_signal in ONE_SIDED_SIGNALS else symmetry(ranges)
    warnings: list[str] = []
    if legs_out >= spec.legs_out_of_frame_fraction:
        warnings.append("Knees or ankles leave the picture in part of the video.")
    findings.rep_knee_gap = [r.knee_gap_min for r in reps]
    findings.rep_ankle_gap = [r.ankle_gap_min for r in reps]
    findings.rep_ratio = [r.eccentric_ratio for r in reps]
    findings.rep_rom = [r.rom for r in reps]
    findings.rep_tilt = [r.knee_alignment_deg for r in reps]
    findings.leg_position = positions
    findings.foot_angle = foot_angle
    findings.symmetry = sym
    findings.legs_out_fraction = legs_out
    findings.view = view
    findings.warnings = warnings
    cues = build_cues(spec, asked, findings)

    def med(vals: list[float | None]) -> float | None:
        v = [x for x in vals if x is not None]
        return float(np.median(v)) if v else None

    conf = {
        name: float(np.mean(c.vis[det][:, list(idx)])) if det.any() else 0.0
        for name, idx in CONFIDENCE_GROUPS.items()
    }
    rest_level = float(np.median([r.rest for r in timings])) if timings else None
    if rest_level is not None and spec.squeeze_direction == "decreasing":
        rest_level = -rest_level
    kg = med([r.knee_gap_min for r in reps])
    ag = med([r.ankle_gap_min for r in reps])
    tg = med([r.thigh_gap_min for r in reps])
    summary = Summary(
        rep_count=len(reps),
        mean_concentric_s=_mean([r.concentric_s for r in reps]),
        mean_eccentric_s=_mean([r.eccentric_s for r in reps]),
        mean_hold_s=_mean([r.hold_s for r in reps]),
        mean_eccentric_ratio=_mean([r.eccentric_ratio for r in reps]),
        time_under_tension_s=float(sum(r.end_s - r.start_s for r in reps)),
        knee_gap_at_squeeze=kg,
        ankle_gap_at_squeeze=ag,
        thigh_gap_at_squeeze=tg,
        leg_position=dict(positions),
        foot_angle_deg=foot_angle,
        knee_alignment_deg=walk_tilt
        if spec.body == "walking"
        else {s: med([r.knee_alignment_deg.get(s) for r in reps]) for s in ("left", "right")},
        symmetry=sym,
        confidence=conf,
        primary_signal={
            "name": spec.primary_signal,
            "unit": spec.unit,
            "rest": rest_level,
            "peak": med([r.peak_value for r in reps]),
        },
        knee_gap_at_squeeze_cm=_cm(kg, cm_per_leg),
        ankle_gap_at_squeeze_cm=_cm(ag, cm_per_leg),
        thigh_gap_at_squeeze_cm=_cm(tg, cm_per_leg),
        steps=steps,
    )
    quality = Quality(detected_fraction, view, findings.warnings, vs, legs_out, leg_px)
    report = Report(
        spec.exercise,
        asked,
        video,
        quality,
        reps,
        summary,
        cues,
        cm_per_leg,
    )
    traces = Traces(
        t,
        gaps["thigh"],
        gaps["knee"],
        gaps["ankle"],
        sig.primary,
        phase,
        rep_of,
        cue_trace(t, timings, report.cues),
        leg_px,
        c,
        series,
    )
    return Analysis(report, traces)


def _opt(v: float) -> float | None:
    return float(v) if np.isfinite(v) else None


def _cm(v: float | None, cm_per_leg: float | None) -> float | None:
    return None if v is None or cm_per_leg is None else v * cm_per_leg


def _mean(vals: list[float | None] | list[float]) -> float | None:
    v = [x for x in vals if x is not None]
    return float(np.mean(v)) if v else None


def _empty_summary(spec: AnalysisSpec) -> Summary:
    return Summary(
        rep_count=0,
        mean_concentric_s=None,
        mean_eccentric_s=None,
        mean_hold_s=None,
        mean_eccentric_ratio=None,
        time_under_tension_s=0.0,
        knee_gap_at_squeeze=None,
        ankle_gap_at_squeeze=None,
        thigh_gap_at_squeeze=None,
        leg_position={"left": None, "right": None},
        foot_angle_deg={"left": None, "right": None},
        knee_alignment_deg={"left": None, "right": None},
        symmetry=None,
        confidence={},
        primary_signal={"name": spec.primary_signal, "unit": spec.unit, "rest": None, "peak": None},
    )
