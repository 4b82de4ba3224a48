"""Numbers per rep and per set: phase durations, gaps at the squeeze, alignment, position, symmetry."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from midline.core.phases import RepTiming
from midline.core.spec import AnalysisSpec

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

RELIABLE_SHARE = 0.7
"""A metric is reported only if its landmarks were seen inside the image in this share of its frames."""


def window(t: FloatArray, a: float, b: float, min_half_s: float = 0.1) -> BoolArray:
    """Frames of the middle half of [a, b]; at least ±min_half_s around its centre."""
    mid, half = (a + b) / 2.0, max((b - a) / 4.0, min_half_s)
    out: BoolArray = (t >= mid - half) & (t <= mid + half)
    return out


def at(values: FloatArray, mask: BoolArray, reliable: BoolArray | None = None) -> float | None:
    """Median of ``values`` over ``mask``; None where unknown or resting on unreliable landmarks."""
    m = mask & np.isfinite(values)
    if m.sum() == 0:
        return None
    if reliable is not None and reliable[mask].mean() < RELIABLE_SHARE:
        return None
    return float(np.median(values[m]))


def classify_position(angle: float | None, spec: AnalysisSpec) -> str | None:
    """Name a foot angle by the catalog's classification bands (first band that holds it)."""
    if angle is None or not np.isfinite(angle):
        return None
    for band in spec.positions:
        if band.min_deg <= angle < band.max_deg:
            return band.id
    for band in spec.positions:  # the outer edges are inclusive
        if band.min_deg <= angle <= band.max_deg:
            return band.id
    return None


def phase_durations(rep: RepTiming, spec: AnalysisSpec) -> dict[str, float]:
    """Seconds per phase name, following the spec's phase order (first move, hold, return)."""
    first, hold, last = spec.phase_order
    return {
        first: rep.hold_start - rep.start,
        hold: rep.hold_end - rep.hold_start,
        last: rep.end - rep.hold_end,
    }


def leg_range(per_leg: FloatArray, t: FloatArray, rep: RepTiming, rest_mask: BoolArray) -> float | None:
    """How far one leg's own signal moved between rest (before the rep) and the hold."""
    hold = window(t, rep.hold_start, rep.hold_end)
    h = at(per_leg, hold)
    r = at(per_leg, rest_mask)
    if h is None or r is None:
        return None
    return abs(h - r)


def symmetry(ranges: dict[str, list[float]]) -> float | None:
    """Smaller / larger total leg range over the set (1 = even)."""
    tot = {k: float(np.sum(v)) for k, v in ranges.items() if v}
    if len(tot) < 2:
        return None
    lo, hi = min(tot.values()), max(tot.values())
    if hi <= 0:
        return None
    return lo / hi


def stance_steps(
    t: FloatArray, heel: FloatArray, leg_px: float, fps: float, max_speed: float = 0.6
) -> list[tuple[int, int]]:
    """Stance phases of one foot while walking: the heel (near) still, at least 0.15 s long.

    ``max_speed``: in leg lengths per second, in the image plane.
    """
    v = np.gradient(heel[:, :2], t, axis=0)
    speed = np.linalg.norm(v, axis=-1) / leg_px
    still = np.isfinite(speed) & (speed < max_speed)
    d = np.diff(still.astype(np.int8), prepend=0, append=0)
    starts = np.flatnonzero(d == 1)
    ends = np.flatnonzero(d == -1) - 1
    min_len = max(2, int(0.15 * fps))
    return [(int(a), int(b)) for a, b in zip(starts, ends, strict=True) if b - a + 1 >= min_len]


def at_squeeze(
    values: FloatArray, u: FloatArray, rep_mask: BoolArray, reliable: BoolArray | None = None
) -> float | None:
    """A per-frame quantity at the squeeze (u = 1), from every frame past halfway (u >= 0.5).

    The quantity is fitted as a straight line in the rep's position u over those frames (the
    hold and the last/first half of the movements) and read at u = 1: many more frames than
    the hold alone, so the landmark noise averages out; None where unknown or unreliable.
    """
    sel = rep_mask & (u >= 0.5)
    if reliable is not None and (sel.sum() == 0 or reliable[sel].mean() < RELIABLE_SHARE):
        return None
    sel &= np.isfinite(values)
    if sel.sum() < 3:
        return None
    uu, vv = u[sel], values[sel]
    if np.ptp(uu) < 0.2:
        return float(np.mean(vv))
    um = uu.mean()
    beta = float(((uu - um) * (vv - vv.mean())).sum() / ((uu - um) ** 2).sum())
    return float(vv.mean() + beta * (1.0 - um))


def leg_amplitude(points: FloatArray, u: FloatArray, leg_px: float) -> float | None:
    """How far one leg's points moved between rest and squeeze, in leg lengths.

    ``points`` (F, P, 2): that leg's landmarks over a rep and its rests; ``u`` (F,) the rep
    profile there. Each coordinate is regressed on u; the length of the slope vector is the
    movement (every frame counts, so the landmark noise averages out).
    """
    sel = np.isfinite(points).all(axis=tuple(range(1, points.ndim)))
    if sel.sum() < 5 or np.ptp(u[sel]) < 0.5:
        return None
    uu = u[sel] - u[sel].mean()
    y = points[sel].reshape(int(sel.sum()), -1)
    y = y - y.mean(axis=0)
    beta = (uu @ y) / float(uu @ uu)
    return float(np.linalg.norm(beta) / leg_px)
