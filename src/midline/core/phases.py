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
REACHED = 0.85
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


_LEVEL_TAU = np.interp(LEVELS, _MJ, _TAU)


def _crossings(t: FloatArray, u: FloatArray, idx: NDArray[np.int64]) -> FloatArray:
    """Interpolated times where u passes each of LEVELS between samples idx and idx + 1."""
    u0, u1 = u[idx], u[idx + 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        f = np.clip(np.where(u1 != u0, (LEVELS - u0) / (u1 - u0), 0.0), 0.0, 1.0)
    f = np.where(np.isfinite(f), f, 0.0)
    out: FloatArray = t[idx] + f * (t[idx + 1] - t[idx])
    return out


def _fit_rise(t: FloatArray, u: FloatArray, lo_i: int, top_i: int) -> tuple[float, float]:
    """Start and end of a rise of ``u`` from 0 to 1 between indices lo_i..top_i.

    Per level, the last sample still below it before the top; all levels at once.
    """
    seg = np.nan_to_num(u[lo_i:top_i], nan=np.inf)
    if seg.size < 2:
        return float(t[lo_i]), float(t[top_i])
    below = seg[:, None] < LEVELS[None, :]
    has = below.any(axis=0)
    last = seg.size - 1 - np.argmax(below[::-1], axis=0)
    times = _crossings(t, u, lo_i + last)
    return _fit(times[has], _LEVEL_TAU[has], float(t[lo_i]), float(t[top_i]))


def _fit_fall(t: FloatArray, u: FloatArray, top_i: int, hi_i: int) -> tuple[float, float]:
    """Start and end of a fall of ``u`` from 1 to 0 between indices top_i..hi_i.

    Per level, the first sample below it after the top; all levels at once.
    """
    seg = np.nan_to_num(u[top_i + 1 : hi_i + 1], nan=np.inf)
    if seg.size < 1:
        return float(t[top_i]), float(t[hi_i])
    below = seg[:, None] < LEVELS[None, :]
    has = below.any(axis=0)
    first = top_i + np.argmax(below, axis=0)  # sample before the first one below
    times = _crossings(t, u, first)
    return _fit(times[has], 1.0 - _LEVEL_TAU[has], float(t[top_i]), float(t[hi_i]))


def _fit(times: FloatArray, taus: FloatArray, fa: float, fb: float) -> tuple[float, float]:
    """Least-squares line times = start + duration * tau (closed form)."""
    if times.size < 2 or np.ptp(taus) == 0:
        return fa, fb
    tm, am = times.mean(), taus.mean()
    dur = float(((taus - am) * (times - tm)).sum() / ((taus - am) ** 2).sum())
    dur = max(dur, 1e-3)
    t0 = float(tm - dur * am)
    return t0, t0 + dur


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


def _min_jerk_slope(tau: FloatArray) -> FloatArray:
    """d min_jerk / d tau (zero outside 0..1)."""
    x = np.clip(tau, 0.0, 1.0)
    out: FloatArray = 30 * x**2 - 60 * x**3 + 30 * x**4
    return out


def fit_reps(
    t: FloatArray,
    y: FloatArray,
    init: FloatArray,
    windows: FloatArray,
    iterations: int = 12,
    chunk: int = 512,
) -> FloatArray:
    """Least-squares fit of every rep at once; returns (N, 4): start, hold start, hold end, end.

    Each rep j is modelled on the samples of ``y`` inside ``windows[j]`` as rest level ->
    minimum-jerk rise -> hold level -> minimum-jerk fall -> rest level (3 levels, 4 times),
    fitted by damped Gauss-Newton (Levenberg-Marquardt) steps, all reps together as batched
    7 x 7 systems. Every sample of the rests, the movements and the hold counts, not only
    threshold crossings, so noise averages out, and the shared hold level ties the rise to
    the fall. Starting times come from level crossings (see :func:`detect_reps`).
    """
    out = init.astype(np.float64).copy()
    if len(init) == 0:
        return out
    dt = float(np.median(np.diff(t))) if len(t) > 1 else 1.0
    idx0 = np.clip(np.searchsorted(t, windows[:, 0]), 0, len(t) - 1)
    idx1 = np.clip(np.searchsorted(t, windows[:, 1], side="right"), 1, len(t))
    width = int(max(2, (idx1 - idx0).max()))
    for c in range(0, len(init), chunk):
        sl = slice(c, c + chunk)
        cols = idx0[sl][:, None] + np.arange(width)[None, :]
        valid = cols < idx1[sl][:, None]
        cols = np.clip(cols, 0, len(t) - 1)
        tt = t[cols]
        yy = y[cols]
        m = (valid & np.isfinite(yy)).astype(np.float64)
        yy = np.where(m > 0, yy, 0.0)
        out[sl] = _levenberg_marquardt(tt, yy, m, out[sl], dt, iterations)
    return out


def _model(
    tt: FloatArray, times: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    d_r = np.maximum(times[:, 1] - times[:, 0], 1e-3)[:, None]
    d_f = np.maximum(times[:, 3] - times[:, 2], 1e-3)[:, None]
    tau_r = (tt - times[:, 0:1]) / d_r
    tau_f = (tt - times[:, 2:3]) / d_f
    return min_jerk(tau_r), min_jerk(tau_f), tau_r, tau_f, d_r, d_f


def _levels(g_r: FloatArray, g_f: FloatArray, yy: FloatArray, m: FloatArray) -> FloatArray:
    """The three levels (rest, hold, rest after) in closed form for given timings: (n, 3)."""
    basis = np.stack([1.0 - g_r, g_r - g_f, g_f], axis=-1)
    wb = basis * m[..., None]
    gram = np.einsum("nwi,nwj->nij", wb, basis) + 1e-9 * np.eye(3)
    rhs = np.einsum("nwi,nw->ni", wb, yy)
    out: FloatArray = np.linalg.solve(gram, rhs[..., None])[..., 0]
    return out


def _sse(tt: FloatArray, yy: FloatArray, m: FloatArray, times: FloatArray) -> tuple[FloatArray, FloatArray]:
    g_r, g_f, *_ = _model(tt, times)
    lv = _levels(g_r, g_f, yy, m)
    pred = lv[:, 0:1] * (1 - g_r) + lv[:, 1:2] * (g_r - g_f) + lv[:, 2:3] * g_f
    out: FloatArray = (m * (yy - pred) ** 2).sum(axis=1)
    return out, lv


def _levenberg_marquardt(
    tt: FloatArray, yy: FloatArray, m: FloatArray, times: FloatArray, dt: float, iterations: int
) -> FloatArray:
    """Damped Gauss-Newton on the 4 times, the levels re-solved exactly at every step."""
    n = len(times)
    lam = np.full(n, 1e-2)
    sse, lv = _sse(tt, yy, m, times)
    for _ in range(iterations):
        g_r, g_f, tau_r, tau_f, d_r, d_f = _model(tt, times)
        a, b, c = lv[:, 0:1], lv[:, 1:2], lv[:, 2:3]
        pred = a * (1 - g_r) + b * (g_r - g_f) + c * g_f
        resid = (yy - pred) * m
        sr = (b - a) * _min_jerk_slope(tau_r) / d_r
        sf = (c - b) * _min_jerk_slope(tau_f) / d_f
        jac = np.stack([sr * (tau_r - 1.0), -sr * tau_r, sf * (tau_f - 1.0), -sf * tau_f], axis=-1)
        jw = jac * m[..., None]
        jtj = np.einsum("nwi,nwj->nij", jw, jac)
        jtr = np.einsum("nwi,nw->ni", jw, resid)
        diag = np.einsum("nii->ni", jtj)
        damped = jtj + (lam[:, None, None] * (diag[:, :, None] + 1e-12)) * np.eye(4)
        step = np.linalg.solve(damped, jtr[..., None])[..., 0]
        step = np.clip(step, -0.25, 0.25)
        cand = times + step
        cand[:, 1] = np.maximum(cand[:, 1], cand[:, 0] + dt)
        cand[:, 2] = np.maximum(cand[:, 2], cand[:, 1] - dt)
        cand[:, 3] = np.maximum(cand[:, 3], cand[:, 2] + dt)
        new_sse, new_lv = _sse(tt, yy, m, cand)
        better = np.isfinite(new_sse) & (new_sse < sse)
        times = np.where(better[:, None], cand, times)
        lv = np.where(better[:, None], new_lv, lv)
        sse = np.where(better, new_sse, sse)
        lam = np.where(better, lam * 0.3, lam * 10.0)
    return times


def detect_reps(
    t: FloatArray,
    s: FloatArray,
    min_range: float = 0.0,
    iterations: int = 1,
    raw: FloatArray | None = None,
    rest_pad_s: float = 1.5,
) -> list[RepTiming]:
    """Complete reps in the (smoothed) signal ``s`` oriented so that a rep rises from rest.

    Reps are found with a hysteresis on the set's range, their boundaries first estimated from
    level crossings, then fitted by least squares to ``raw`` (the same signal unsmoothed; ``s``
    when not given), see :func:`fit_reps`. A rep must leave rest and come back within
    the recording: one under way at the first frame, or unfinished at the last, is dropped. A
    complete rep of smaller range still counts when it passes ENTER of the set's range (and
    ``min_range``).
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
    rough: list[tuple[RepTiming, bool]] = []
    for k, (a, b) in enumerate(exc):
        complete = a > first_i and b < last_i
        prev_b = exc[k - 1][1] if k > 0 else first_i
        next_a = exc[k + 1][0] if k + 1 < len(exc) else last_i
        sl = slice(prev_b, next_a + 1)  # work on this rep's stretch only: O(rep), not O(T)
        rep = _rough_rep(t[sl], s[sl], a - prev_b, b - prev_b, 0, next_a - prev_b, lo, iterations)
        if rep is None:
            continue
        complete = complete and rep.start >= t[first_i] and rep.end <= t[last_i]
        rough.append((rep, complete))
    if not rough:
        return []
    y = s if raw is None else raw
    init = np.array([[r.start, r.hold_start, r.hold_end, r.end] for r, _ in rough])
    margin = 0.1
    lower = np.r_[t[first_i], init[:-1, 3] + margin]
    upper = np.r_[init[1:, 0] - margin, t[last_i]]
    win = np.stack(
        [np.maximum(init[:, 0] - rest_pad_s, lower), np.minimum(init[:, 3] + rest_pad_s, upper)],
        axis=1,
    )
    fitted = fit_reps(t, y, init, win)
    reps: list[RepTiming] = []
    for j, (r, complete) in enumerate(rough):
        start, hold_start, hold_end, end = fitted[j]
        if hold_start > hold_end:
            hold_start = hold_end = (hold_start + hold_end) / 2.0
        if not complete or start < t[first_i] or end > t[last_i]:
            continue
        if abs(r.peak - r.rest) < min_range:
            continue
        reps.append(
            RepTiming(
                float(start),
                float(hold_start),
                float(hold_end),
                float(end),
                r.rest,
                r.peak,
                r.rest_after,
            )
        )
    return reps


def _rough_rep(
    t: FloatArray,
    s: FloatArray,
    a: int,
    b: int,
    prev_b: int,
    next_a: int,
    lo: float,
    iterations: int,
) -> RepTiming | None:
    """First estimate of one excursion's boundaries from level crossings (see module doc)."""
    rest = _level(s, t, float(t[prev_b]), float(t[a]), lo)
    rest_after = _level(s, t, float(t[b]), float(t[next_a]), lo)
    seg = s[a : b + 1]
    seg = seg[np.isfinite(seg)]
    if seg.size == 0:
        return None
    peak = float(np.median(seg[seg >= np.percentile(seg, 75)]))
    start = hold_start = hold_end = end = float("nan")
    for _ in range(iterations):
        if peak in (rest, rest_after):
            break
        up = (s - rest) / (peak - rest)
        down = (s - rest_after) / (peak - rest_after)
        reached = np.flatnonzero(np.nan_to_num(up[a : b + 1], nan=-1) >= REACHED)
        reached_d = np.flatnonzero(np.nan_to_num(down[a : b + 1], nan=-1) >= REACHED)
        if reached.size == 0 or reached_d.size == 0:
            break
        top_i = a + int(reached[0])
        top_j = a + int(reached_d[-1])
        start, hold_start = _fit_rise(t, up, prev_b, top_i)
        hold_end, end = _fit_fall(t, down, top_j, next_a)
        if hold_start > hold_end:
            hold_start = hold_end = (hold_start + hold_end) / 2.0
        rest = _level(s, t, float(t[prev_b]), start, rest)
        rest_after = _level(s, t, end, float(t[next_a]), rest_after)
        peak = _level(s, t, hold_start, hold_end, peak)
    if not np.isfinite(start):
        return None
    return RepTiming(start, hold_start, hold_end, end, rest, peak, rest_after)


def rep_profile(t: FloatArray, reps: list[RepTiming]) -> FloatArray:
    """Per-frame position within the reps: 0 at rest, 1 in the hold, minimum-jerk in between."""
    u = np.zeros(len(t))
    for r in reps:
        i0, i1, i2, i3 = np.searchsorted(t, [r.start, r.hold_start, r.hold_end, r.end])
        u[i0:i1] = min_jerk((t[i0:i1] - r.start) / max(r.hold_start - r.start, 1e-6))
        u[i1:i2] = 1.0
        u[i2:i3] = 1.0 - min_jerk((t[i2:i3] - r.hold_end) / max(r.end - r.hold_end, 1e-6))
    return u
