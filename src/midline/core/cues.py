"""Rules over the metrics -> cue codes and the teacher's messages (thresholds from the spec)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from midline.core.phases import RepTiming
from midline.core.report import Cue, Rep, Severity
from midline.core.spec import AnalysisSpec

ONE_SIDED_SIGNALS = frozenset({"bottom_leg_floor_angle"})
"""Primary signals that measure one working leg: no left/right symmetry to judge."""
FRONTAL_BODIES = frozenset({"standing", "seated", "walking"})
"""Bodies whose knees should stack over the feet (shank tilt is meaningful)."""


@dataclass
class Findings:
    """What the cue rules read: per-rep values (None = unknown/unreliable) and set-level values."""

    rep_knee_gap: list[float | None] = field(default_factory=list)
    rep_ankle_gap: list[float | None] = field(default_factory=list)
    rep_ratio: list[float | None] = field(default_factory=list)
    rep_rom: list[float] = field(default_factory=list)
    rep_tilt: list[dict[str, float | None]] = field(default_factory=list)
    leg_position: dict[str, str | None] = field(default_factory=dict)
    foot_angle: dict[str, float | None] = field(default_factory=dict)
    symmetry: float | None = None
    detected_fraction: float = 0.0
    legs_out_fraction: float = 0.0
    view: str | None = None
    cm_per_leg: float | None = None
    warnings: list[str] = field(default_factory=list)


def set_findings(
    spec: AnalysisSpec,
    reps: list[Rep],
    positions: dict[str, str | None],
    foot_angle: dict[str, float | None],
    symmetry: float | None,
    detected_fraction: float,
    legs_out_fraction: float,
    view: str | None,
    cm_per_leg: float | None,
) -> Findings:
    """What the rules read, gathered from the reps and the set (warnings start with the framing)."""
    warnings: list[str] = []
    if legs_out_fraction >= spec.legs_out_of_frame_fraction:
        warnings.append("Knees or ankles leave the picture in part of the video.")
    return Findings(
        rep_knee_gap=[r.knee_gap_min for r in reps],
        rep_ankle_gap=[r.ankle_gap_min for r in reps],
        rep_ratio=[r.eccentric_ratio for r in reps],
        rep_rom=[r.rom for r in reps],
        rep_tilt=[r.knee_alignment_deg for r in reps],
        leg_position=positions,
        foot_angle=foot_angle,
        symmetry=symmetry,
        detected_fraction=detected_fraction,
        legs_out_fraction=legs_out_fraction,
        view=view,
        cm_per_leg=cm_per_leg,
        warnings=warnings,
    )


def _dist(gap: float, cm_per_leg: float | None) -> str:
    """A gap in words: centimetres when the height is known, else a share of the leg."""
    if cm_per_leg is not None:
        return f"about {gap * cm_per_leg:.0f} cm"
    return f"about {gap:.2f} of your leg length"


def _cue(code: str, severity: Severity, message: str, reps: list[int] | None = None) -> Cue:
    return Cue(code=code, severity=severity, message=message, reps=reps or [])


def build_cues(spec: AnalysisSpec, asked: str, f: Findings) -> list[Cue]:
    """Every cue that holds, rule by rule in the report's order; unreliable inputs add a quality
    warning to ``f.warnings`` instead of a cue. With too few frames of a person only that is said."""
    if f.detected_fraction < spec.no_person_fraction:
        return [
            _cue(
                "no-person",
                "fault",
                f"A person was found in only {f.detected_fraction:.0%} of the frames: film the "
                "whole body, well lit, facing the camera as the exercise asks.",
            )
        ]
    cues: list[Cue] = []
    for rule in RULES:
        cues.extend(rule(spec, asked, f))
    return cues


def _framing(spec: AnalysisSpec, asked: str, f: Findings) -> list[Cue]:
    """legs-out-of-frame and wrong-view: the film itself keeps other checks from being made."""
    out = []
    if f.legs_out_fraction >= spec.legs_out_of_frame_fraction:
        out.append(
            _cue(
                "legs-out-of-frame",
                "warning",
                f"Your knees or ankles are out of the picture in {f.legs_out_fraction:.0%} of the "
                "frames: step back or tilt the camera so the feet are in view.",
            )
        )
    if f.view is not None and f.view != spec.view:
        out.append(
            _cue(
                "wrong-view",
                "warning",
                f"This looks filmed from the {f.view}; this exercise is checked from the "
                f"{spec.view}. Turn the camera (or yourself) and film again.",
            )
        )
    return out


def _legs_loose_below(spec: AnalysisSpec, asked: str, f: Findings) -> list[Cue]:
    """Knees meet but ankles apart in at least half the reps (hug the midline to the ankle)."""
    n = len(f.rep_rom)
    if n and spec.view == "side":
        f.warnings.append(
            "Filmed from the side, the gap between the legs is out of sight: the squeeze of the legs "
            "together was not checked (film a set from the front for that)."
        )
    if n and any(k is not None for k in f.rep_knee_gap) and all(a is None for a in f.rep_ankle_gap):
        f.warnings.append("Ankles not reliably visible: the ankle squeeze was not checked.")
    loose = {
        i: a
        for i, (k, a) in enumerate(zip(f.rep_knee_gap, f.rep_ankle_gap, strict=True), start=1)
        if k is not None and a is not None and k <= spec.knees_meet_gap and a >= spec.ankles_apart_gap
    }
    return _in_most_reps(
        "legs-loose-below",
        loose,
        n,
        lambda gap: (
            f"Your knees meet but your ankles drift {_dist(gap, f.cm_per_leg)} apart: "
            "squeeze all the way down to the ankles."
        ),
    )


def _fast_release(spec: AnalysisSpec, asked: str, f: Findings) -> list[Cue]:
    """The release (eccentric) rushed against the squeeze in at least half the reps."""
    n = len(f.rep_ratio)
    fast = {
        i: r for i, r in enumerate(f.rep_ratio, start=1) if r is not None and r <= spec.fast_release_ratio
    }
    return _in_most_reps(
        "fast-release",
        fast,
        n,
        lambda ratio: (
            f"You release in {ratio:.1f}x the time you take to squeeze: control the release, "
            "take at least as long letting go as squeezing in."
        ),
    )


def _in_most_reps(code: str, flagged: dict[int, float], n: int, message: Callable[[float], str]) -> list[Cue]:
    """A fault seen in at least half of the ``n`` reps is the set's: one cue naming the ``flagged``
    reps (rep number -> value), its message worded on their mean value."""
    if not n or 2 * len(flagged) < n:
        return []
    return [_cue(code, "fault", message(sum(flagged.values()) / len(flagged)), list(flagged))]


def _knee_over_foot(spec: AnalysisSpec, asked: str, f: Findings) -> list[Cue]:
    """A shin off vertical in at least half the reps (standing, seated, walking bodies only)."""
    n = len(f.rep_tilt)
    if spec.body not in FRONTAL_BODIES or not n:
        return []
    tilted: list[int] = []
    worst = 0.0
    unknown = 0
    for i, tilt in enumerate(f.rep_tilt, start=1):
        vals = [v for v in tilt.values() if v is not None]
        if not vals:
            unknown += 1
            continue
        m = max(vals, key=abs)
        if abs(m) >= spec.knee_offset_deg:
            tilted.append(i)
            worst = m if abs(m) > abs(worst) else worst
    if unknown == n:
        f.warnings.append("Knees or ankles not reliably visible: knee-over-foot not checked.")
        return []
    if 2 * len(tilted) < n:
        return []
    where = "inside" if worst > 0 else "outside"
    return [
        _cue(
            "knee-not-over-foot",
            "fault",
            f"Your knees drift {where} your feet (shin about {abs(worst):.0f}° off "
            "vertical): keep each knee over its foot.",
            tilted,
        )
    ]


def _position(spec: AnalysisSpec, asked: str, f: Findings) -> list[Cue]:
    """A leg in another position than asked: per foot when walking, else position-mismatch."""
    if not spec.check_position:
        return []
    for side in ("left", "right"):
        if f.leg_position.get(side) is None and f.foot_angle.get(side) is None:
            f.warnings.append(f"The {side} foot is not reliably visible: leg position not checked.")
            break
    wrong = {s: p for s, p in f.leg_position.items() if p is not None and p != asked}
    if not wrong:
        return []
    if spec.body == "walking":
        out = []
        for side in wrong:
            ang = f.foot_angle.get(side) or 0.0
            out.append(
                _cue(
                    "foot-turned-out" if ang > 0 else "foot-turned-in",
                    "fault",
                    f"Your {side} foot turns {'out' if ang > 0 else 'in'} about {abs(ang):.0f}°"
                    " as you walk: point the toes straight ahead, foot in line with the knee.",
                )
            )
        return out
    desc = ", ".join(f"{s} leg {p} ({(f.foot_angle.get(s) or 0.0):+.0f}°)" for s, p in wrong.items())
    return [
        _cue(
            "position-mismatch",
            "fault",
            f"This exercise asks for {asked} legs but I see: {desc}. Set the feet "
            "to the asked position, toes in line with the knees.",
        )
    ]


def _asymmetry(spec: AnalysisSpec, asked: str, f: Findings) -> list[Cue]:
    """One leg doing less of the movement than the other (not judged for one-sided exercises)."""
    if spec.primary_signal in ONE_SIDED_SIGNALS or f.symmetry is None:
        return []
    diff = 1.0 - f.symmetry
    if diff < spec.asymmetry:
        return []
    return [
        _cue(
            "asymmetry",
            "warning",
            f"One leg does about {diff:.0%} less of the work than the other: "
            "squeeze evenly from both legs toward the midline.",
        )
    ]


def _partial_range(spec: AnalysisSpec, asked: str, f: Findings) -> list[Cue]:
    """Reps that move less than the catalog's share of the set's median range."""
    n = len(f.rep_rom)
    if n < 2:
        return []
    med = float(np.median(f.rep_rom))
    part = [i for i, r in enumerate(f.rep_rom, start=1) if med > 0 and r < spec.partial_range * med]
    if not part:
        return []
    return [
        _cue(
            "partial-range",
            "info",
            f"Rep{'s' if len(part) > 1 else ''} {', '.join(map(str, part))} went less than "
            f"{spec.partial_range:.0%} of your usual range: move through the full range, "
            "or count it as a smaller rep on purpose.",
            part,
        )
    ]


Rule = Callable[[AnalysisSpec, str, Findings], list[Cue]]
RULES: tuple[Rule, ...] = (
    _framing,
    _legs_loose_below,
    _fast_release,
    _knee_over_foot,
    _position,
    _asymmetry,
    _partial_range,
)
"""The cue rules in the order their cues appear in a report (each may add a quality warning)."""


def cue_trace(t: NDArray[np.float64], timings: list[RepTiming], cues: list[Cue]) -> NDArray[np.str_]:
    """The cue to show live on each frame: a rep's fault during the phase it is about."""
    out = np.full(len(t), "", dtype="<U24")
    for cue in cues:
        for i in cue.reps:
            r = timings[i - 1]
            a, b = (r.hold_end, r.end) if cue.code == "fast-release" else (r.start, r.end)
            sl = _span(t, a, b)
            out[sl] = np.where(out[sl] == "", cue.code, out[sl])
    return out


def _span(t: NDArray[np.float64], a: float, b: float) -> slice:
    """The frames with a <= t < b as a slice of the sorted times."""
    i = int(np.searchsorted(t, a, side="left"))
    j = int(np.searchsorted(t, b, side="left"))
    return slice(i, max(i, j))
