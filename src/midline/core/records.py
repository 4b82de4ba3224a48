"""The report's records from the metrics: one ``Rep`` per rep and the set's ``Summary``."""

from __future__ import annotations

import numpy as np

from midline.core.cues import FRONTAL_BODIES, ONE_SIDED_SIGNALS
from midline.core.metrics import LEG_SETS, RepMeasures, phase_durations
from midline.core.phases import RepTiming
from midline.core.report import Phase, Rep, Summary
from midline.core.spec import AnalysisSpec
from midline.core.walking import Walk


def rep_records(
    timings: list[RepTiming], m: RepMeasures, spec: AnalysisSpec, cm_per_leg: float | None
) -> list[Rep]:
    """One record per rep: its phases and durations and its numbers (None = unknown)."""
    frontal = spec.body in FRONTAL_BODIES
    two_sided = spec.primary_signal not in ONE_SIDED_SIGNALS
    reps: list[Rep] = []
    for i, r in enumerate(timings):
        durs = phase_durations(r, spec)
        names = spec.phase_order
        bounds = [
            (names[0], r.start, r.hold_start),
            (names[1], r.hold_start, r.hold_end),
            (names[2], r.hold_end, r.end),
        ]
        g = {lv: _opt(m.gap[lv][i]) for lv in m.gap}
        conc, ecc = durs["concentric"], durs["eccentric"]
        ratio = ecc / conc if conc > 1e-6 else None
        lr: dict[str, float | None] = {s: _opt(m.leg_range[s][i]) for s in LEG_SETS} if two_sided else {}
        tilts = {s: (_opt(m.tilt[s][i]) if frontal else None) for s in ("left", "right")}
        rom = _opt(m.rom[i])
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
                peak_value=_opt(m.peak[i]),
                confidence={name: float(v[i]) for name, v in m.confidence.items()},
                thigh_gap_cm=_cm(g["thigh"], cm_per_leg),
                knee_gap_cm=_cm(g["knee"], cm_per_leg),
                ankle_gap_cm=_cm(g["ankle"], cm_per_leg),
            )
        )
    return reps


def summarise(
    reps: list[Rep],
    timings: list[RepTiming],
    spec: AnalysisSpec,
    positions: dict[str, str | None],
    foot_angle: dict[str, float | None],
    walk: Walk,
    symmetry: float | None,
    confidence: dict[str, float],
    cm_per_leg: float | None,
    support_leg: str | None = None,
) -> Summary:
    """The set in numbers: means and medians over the reps, position, symmetry, confidence."""
    rest_level = float(np.median([r.rest for r in timings])) if timings else None
    if rest_level is not None and spec.squeeze_direction == "decreasing":
        rest_level = -rest_level
    kg = _med([r.knee_gap_min for r in reps])
    ag = _med([r.ankle_gap_min for r in reps])
    tg = _med([r.thigh_gap_min for r in reps])
    return Summary(
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
        knee_alignment_deg=walk.knee_alignment
        if spec.body == "walking"
        else {s: _med([r.knee_alignment_deg.get(s) for r in reps]) for s in ("left", "right")},
        symmetry=symmetry,
        confidence=confidence,
        primary_signal={
            "name": spec.primary_signal,
            "unit": spec.unit,
            "rest": rest_level,
            "peak": _med([r.peak_value for r in reps]),
        },
        knee_gap_at_squeeze_cm=_cm(kg, cm_per_leg),
        ankle_gap_at_squeeze_cm=_cm(ag, cm_per_leg),
        thigh_gap_at_squeeze_cm=_cm(tg, cm_per_leg),
        steps=walk.steps,
        support_leg=support_leg,
    )


def empty_summary(spec: AnalysisSpec) -> Summary:
    """The summary of a recording where nothing could be measured."""
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


def _opt(v: float) -> float | None:
    return float(v) if np.isfinite(v) else None


def _cm(v: float | None, cm_per_leg: float | None) -> float | None:
    return None if v is None or cm_per_leg is None else v * cm_per_leg


def _mean(vals: list[float | None] | list[float]) -> float | None:
    v = [x for x in vals if x is not None]
    return float(np.mean(v)) if v else None


def _med(vals: list[float | None]) -> float | None:
    v = [x for x in vals if x is not None]
    return float(np.median(v)) if v else None
