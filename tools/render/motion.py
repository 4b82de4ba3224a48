"""Exercise motion: joint-angle keyframes per phase, blended with minimum-jerk profiles.

A rep goes rest -> peak (first phase) -> hold at the peak -> peak -> rest (last phase). Each movement is
the minimum-jerk profile s(u) = 10u^3 - 15u^4 + 6u^5, whose velocity and acceleration are zero at both
ends, so every phase boundary is a point of zero velocity exactly; the phase times go to the truth.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

Angles = dict[str, dict[str, float]]  # side ("l"/"r") -> joint angle name -> degrees


def minimum_jerk(u: np.ndarray | float) -> np.ndarray:
    """Position fraction of a minimum-jerk move at normalised time u (clipped to 0..1)."""
    x = np.clip(np.asarray(u, dtype=np.float64), 0.0, 1.0)
    return np.asarray(x**3 * (10.0 - 15.0 * x + 6.0 * x**2))


def blend(rest: Angles, peak: Angles, fraction: float, scale: Mapping[str, float]) -> Angles:
    """rest + fraction * scale[side] * (peak - rest), per side and angle."""
    out: Angles = {}
    for side in ("l", "r"):
        keys = set(rest.get(side, {})) | set(peak.get(side, {}))
        r, p = rest.get(side, {}), peak.get(side, {})
        f = fraction * scale.get(side, 1.0)
        out[side] = {k: r.get(k, 0.0) + f * (p.get(k, 0.0) - r.get(k, 0.0)) for k in keys}
    return out


@dataclass(frozen=True)
class Phase:
    name: str
    start_s: float
    end_s: float


@dataclass(frozen=True)
class Rep:
    index: int
    amplitude: float  # fraction of the rest->peak range reached (partial rep < 1)
    phases: tuple[Phase, Phase, Phase]

    @property
    def start_s(self) -> float:
        return self.phases[0].start_s

    @property
    def end_s(self) -> float:
        return self.phases[2].end_s

    @property
    def squeeze_s(self) -> float:
        """The middle of the hold: where the truth's squeeze values are taken."""
        return 0.5 * (self.phases[1].start_s + self.phases[1].end_s)


@dataclass(frozen=True)
class RepPlan:
    amplitude: float
    move_in_s: float  # first phase (rest -> peak)
    hold_s: float
    move_out_s: float  # last phase (peak -> rest)
    rest_after_s: float


def schedule(plans: list[RepPlan], phase_order: tuple[str, str, str], lead_in_s: float) -> list[Rep]:
    """Lay the reps out in time after a rest lead-in."""
    reps: list[Rep] = []
    t = lead_in_s
    for i, p in enumerate(plans):
        a = Phase(phase_order[0], t, t + p.move_in_s)
        h = Phase(phase_order[1], a.end_s, a.end_s + p.hold_s)
        b = Phase(phase_order[2], h.end_s, h.end_s + p.move_out_s)
        reps.append(Rep(i, p.amplitude, (a, h, b)))
        t = b.end_s + p.rest_after_s
    return reps


def fraction_at(reps: list[Rep], t: float) -> tuple[float, int | None]:
    """How far (0 = rest, rep amplitude = its peak) the body is toward the peak at time t, and the rep."""
    for rep in reps:
        a, h, b = rep.phases
        if t < a.start_s or t > b.end_s:
            continue
        if t <= a.end_s:
            u = (t - a.start_s) / (a.end_s - a.start_s)
            return rep.amplitude * float(minimum_jerk(u)), rep.index
        if t <= h.end_s:
            return rep.amplitude, rep.index
        u = (t - b.start_s) / (b.end_s - b.start_s)
        return rep.amplitude * float(1.0 - minimum_jerk(u)), rep.index
    return 0.0, None
