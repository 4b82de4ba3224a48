"""Reps and phases from the primary signal: where each movement starts and stops.

A movement between two still positions follows (close to) a minimum-jerk profile. A threshold
on speed would cut every movement short, so each transition's boundaries are fitted instead: the
times at which the smoothed signal crosses 20 %, 30 % ... 80 % of the way between the two
plateaus are matched, by least squares, to the times a minimum-jerk profile crosses them. The
fitted start and end are where the velocity is zero. Plateau levels are re-estimated from the
fitted boundaries and the fit is repeated.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

LEVELS = np.arange(0.2, 0.81, 0.1)
"""Fractions of a transition whose crossing times are fitted (away from the noisy plateaus)."""
ENTER, EXIT = 0.30, 0.15
"""Hysteresis (fractions of the set's range): a rep starts above ENTER and ends below EXIT."""
REACHED = 0.9
"""Share of a rep's own range at which its plateau (hold) counts as reached."""

_TAU = np.linspace(0.0, 1.0, 2001)
_MJ = 10 * _TAU**3 - 15 * _TAU**4 + 6 * _TAU**5


def min_jerk(tau: FloatArray) -> FloatArray:
    """Normalised minimum-jerk position 0 -> 1 over tau in 0..1 (clipped outside)."""
    x = np.clip(tau, 0.0, 1.0)
    out: FloatArray = 10 * x**3 - 15 * x**4 + 6 * x**5
    return out


def min_jerk_time(level: FloatArray) -> FloatArray:
    """Inverse of :func:`min_jerk`: when (0..1) the profile reaches ``level``."""
    out: FloatArray = np.interp(level, _MJ, _TAU)
    return out


@dataclass(frozen=True)
class RepTiming:
    """One complete rep: leave rest (``start``), reach the hold, leave it, back at rest (``end``).

    Times in seconds; ``rest``/``peak``: the signal's plateau levels (oriented, see
    :func:`detect_reps`); ``rest_after``: the level it returns to.
    """

    start: float
    hold_start: float
    hold_end: float
    end: float
    rest: float
    peak: float
    rest_after: float


def _runs(mask: NDArray[np.bool_]) -> list[tuple[int, int]]:
    """Inclusive (start, end) index pairs of True runs."""
    if not mask.any():
        return []
    d = np.diff(mask.astype(np.int8), prepend=0, append=0)
    starts = np.flatnonzero(d == 1)
    ends = np.flatnonzero(d == -1) - 1
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def _excursions(s: FloatArray, lo: float, amp: float) -> list[tuple[int, int]]:
    """Runs above EXIT that reach ENTER (hysteresis), as inclusive index pairs."""
    finite = np.isfinite(s)
    above_exit = finite & (np.nan_to_num(s, nan=-np.inf) > lo + EXIT * amp)
    above_enter = finite & (np.nan_to_num(s, nan=-np.inf) > lo + ENTER * amp)
    return [(a, b) for a, b in _runs(above_exit) if above_enter[a : b + 1].any()]


def _crossing(t: FloatArray, u: FloatArray, i: int, level: float) -> float:
    """Interpolated time between samples i and i+1 where u passes ``level``."""
    u0, u1 = u[i], u[i + 1]
    if not (np.isfinite(u0) and np.isfinite(u1)) or u1 == u0:
        return float(t[i])
    f = (level - u0) / (u1 - u0)
    return float(t[i] + np.clip(f, 0.0, 1.0) * (t[i + 1] - t[i]))


def _fit_rise(t: FloatArray, u: FloatArray, lo_i: int, top_i: int) -> tuple[float, float]:
    """Start and end of a rise of ``u`` from 0 to 1 between indices lo_i..top_i."""
    times, taus = [], []
    seg = u[lo_i : top_i + 1]
    for p in LEVELS:
        below = np.flatnonzero(np.nan_to_num(seg, nan=np.inf) < p)
        if below.size == 0 or below[-1] + lo_i >= top_i:
            continue
        times.append(_crossing(t, u, int(below[-1]) + lo_i, float(p)))
        taus.append(float(min_jerk_time(np.array(p))))
    return _fit(times, taus, t[lo_i], t[top_i])


def _fit_fall(t: FloatArray, u: FloatArray, top_i: int, hi_i: int) -> tuple[float, float]:
    """Start and end of a fall of ``u`` from 1 to 0 between indices top_i..hi_i."""
    times, taus = [], []
    seg = u[top_i : hi_i + 1]
    for p in LEVELS:
        below = np.flatnonzero(np.nan_to_num(seg, nan=np.inf) < p)
        if below.size == 0 or below[0] == 0:
            continue
        i = int(below[0]) + top_i - 1
        times.append(_crossing(t, u, i, float(p)))
        taus.append(float(min_jerk_time(np.array(1.0 - p))))
    return _fit(times, taus, t[top_i], t[hi_i])


def _fit(times: list[float], taus: list[float], fa: float, fb: float) -> tuple[float, float]:
    if len(times) < 2:
        return fa, fb
    a = np.stack([np.ones(len(taus)), np.array(taus)], axis=1)
    (t0, dur), *_ = np.linalg.lstsq(a, np.array(times), rcond=None)
    dur = max(float(dur), 1e-3)
    return float(t0), float(t0) + dur


def _level(s: FloatArray, t: FloatArray, a: float, b: float, fallback: float) -> float:
    """Median of the signal between times a and b (the plateau's middle half), else fallback."""
    if b < a:
        return fallback
    q = (b - a) / 4.0
    m = (t >= a + q) & (t <= b - q) & np.isfinite(s)
    if m.sum() < 2:
        m = (t >= a) & (t <= b) & np.isfinite(s)
    if m.sum() < 1:
        return fallback
    return float(np.median(s[m]))


def detect_reps(t: FloatArray, s: FloatArray, min_range: float = 0.0, iterations: int = 3) -> list[RepTiming]:
    """Complete reps in the (smoothed) signal ``s`` oriented so that a rep rises from rest.

    A rep must leave rest and come back within the recording: an excursion already under way at
    the first frame, or unfinished at the last, is dropped. A complete rep of smaller range
    still counts when it passes ENTER of the set's range (and ``min_range``).
    """
    finite = np.isfinite(s)
    if finite.sum() < 8:
        return []
    lo = float(np.percentile(s[finite], 10))
    hi = float(np.percentile(s[finite], 98))
    amp = hi - lo
    if amp <= max(min_range, 1e-9):
        return []
    exc = _excursions(s, lo, amp)
    first_i = int(np.argmax(finite))
    last_i = len(s) - 1 - int(np.argmax(finite[::-1]))
    reps: list[RepTiming] = []
    for k, (a, b) in enumerate(exc):
        if a <= first_i or b >= last_i:
            continue  # under way at the start or unfinished at the end: a half rep
        prev_b = exc[k - 1][1] if k > 0 else first_i
        next_a = exc[k + 1][0] if k + 1 < len(exc) else last_i
        rest = _level(s, t, float(t[prev_b]), float(t[a]), lo)
        rest_after = _level(s, t, float(t[b]), float(t[next_a]), lo)
        seg = s[a : b + 1]
        top = float(np.nanmax(seg))
        peak = float(np.nanmedian(seg[seg >= top - 0.1 * (top - rest)]))
        start = hold_start = hold_end = end = float("nan")
        for _ in range(iterations):
            up = (s - rest) / (peak - rest) if peak != rest else s * np.nan
            down = (s - rest_after) / (peak - rest_after) if peak != rest_after else s * np.nan
            reached = np.flatnonzero(np.nan_to_num(up[a : b + 1], nan=-1) >= REACHED)
            reached_d = np.flatnonzero(np.nan_to_num(down[a : b + 1], nan=-1) >= REACHED)
            if reached.size == 0 or reached_d.size == 0:
                break
            top_i = a + int(reached[0])
            top_j = a + int(reached_d[-1])
            start, hold_start = _fit_rise(t, up, prev_b, top_i)
            hold_end, end = _fit_fall(t, down, top_j, next_a)
            if hold_start > hold_end:
                mid = (hold_start + hold_end) / 2.0
                hold_start = hold_end = mid
            rest = _level(s, t, float(t[prev_b]) if k == 0 else _prev_end(reps, t, prev_b), start, rest)
            rest_after = _level(s, t, end, float(t[next_a]), rest_after)
            peak = _level(s, t, hold_start, hold_end, peak)
        if not np.isfinite(start) or start < t[first_i] or end > t[last_i]:
            continue
        if abs(peak - rest) < min_range:
            continue
        reps.append(RepTiming(start, hold_start, hold_end, end, rest, peak, rest_after))
    return reps


def _prev_end(reps: list[RepTiming], t: FloatArray, prev_b: int) -> float:
    return reps[-1].end if reps else float(t[prev_b])
