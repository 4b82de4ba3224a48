"""Reps and phases from the primary signal: where each movement starts and stops.

A movement between two still positions follows (close to) a minimum-jerk profile. A threshold
on speed would cut every movement short by a fraction of its length, so each rep is fitted
instead: reps are found with a hysteresis on the smoothed signal, each transition gets starting
values from its 25 % / 75 % crossings, then the whole rep (rest, rise, hold, fall, rest) is
fitted to the unsmoothed signal by least squares. The fitted starts and ends are where the
model's velocity is zero, i.e. the phase boundaries. The signal is allowed to be a bent (not
linear) function of the movement's position, one bend for the whole set, as an angle measured
in a tilted image is. Where the noise leaves single reps loosely timed, the set's shared tempo
then tightens them (:func:`pool_tempo`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple, cast

import numpy as np
from numpy.typing import NDArray

from midline.core.signals import smoothing_gain

FloatArray = NDArray[np.float64]

ENTER, EXIT = 0.30, 0.15
"""Hysteresis (fractions of the set's range): a rep starts above ENTER and ends below EXIT."""

MIN_SNR = 6.0
"""A rep must rise this many standard deviations of the smoothed signal's noise above rest
(stillness is not reps). White noise spreads a smoothed still signal over about 3.3 of them
(its 10th to 98th percentile), under this with room to spare."""


def rep_floor(t: FloatArray, y: FloatArray, min_range: float) -> float:
    """The least range of a rep: ``min_range`` (the exercise's), or MIN_SNR times the noise left
    in the smoothed signal, whichever is larger. ``y``: the signal unsmoothed (its frame noise is
    read from its second differences and scaled by what the zero-phase filter lets through: the
    reps are found on the smoothed signal, so the same floor holds at any frame rate)."""
    finite = t[np.isfinite(t)]
    fps = 1.0 / float(np.median(np.diff(finite))) if finite.size > 1 else 30.0
    sigma = noise_level(y) * float(np.sqrt(smoothing_gain(round(fps, 3))))
    return max(min_range, MIN_SNR * sigma, 1e-9)


_TAU = np.linspace(0.0, 1.0, 2001)
_MJ = 10 * _TAU**3 - 15 * _TAU**4 + 6 * _TAU**5


def min_jerk(tau: FloatArray) -> FloatArray:
    """Normalised minimum-jerk position 0 -> 1 over tau in 0..1 (clipped outside)."""
    x = np.clip(tau, 0.0, 1.0)
    out: FloatArray = x * x * x * (10.0 + x * (6.0 * x - 15.0))
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


def noise_level(y: FloatArray) -> float:
    """Robust noise standard deviation of a signal from its second differences."""
    d2 = np.diff(y[np.isfinite(y)], n=2)
    if d2.size == 0:
        return 0.0
    return float(1.4826 * np.median(np.abs(d2)) / np.sqrt(6.0))


def _bent_slope(g: FloatArray, bend: float) -> FloatArray | float:
    """d _bent / d g at the (straight) minimum-jerk position ``g``."""
    if bend == 0.0:
        return 1.0
    out: FloatArray = 1.0 + bend * (1.0 - 2.0 * g)
    return out


def _min_jerk_slope(tau: FloatArray) -> FloatArray:
    """d min_jerk / d tau (zero outside 0..1)."""
    x = np.clip(tau, 0.0, 1.0)
    y = x * (1.0 - x)
    out: FloatArray = 30.0 * y * y
    return out


class RepFit(NamedTuple):
    """The fitted reps: ``times`` (N, 4) = start, hold start, hold end, end; ``bend``: the set's."""

    times: FloatArray
    bend: float


def _window_samples(
    t: FloatArray, y: FloatArray, windows: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Each rep's samples inside its window as (n, width) arrays: times, values, weights (0 = none)."""
    idx0 = np.clip(np.searchsorted(t, windows[:, 0]), 0, len(t) - 1)
    idx1 = np.clip(np.searchsorted(t, windows[:, 1], side="right"), 1, len(t))
    width = int(max(2, (idx1 - idx0).max()))
    cols = idx0[:, None] + np.arange(width)[None, :]
    valid = cols < idx1[:, None]
    cols = np.clip(cols, 0, len(t) - 1)
    yy = y[cols]
    m = (valid & np.isfinite(yy)).astype(np.float64)
    return t[cols], np.where(m > 0, yy, 0.0), m


def fit_reps(
    t: FloatArray,
    y: FloatArray,
    init: FloatArray,
    windows: FloatArray,
    iterations: int = 12,
    chunk: int = 512,
) -> RepFit:
    """Least-squares fit of every rep at once: the (N, 4) times and the set's bend.

    Each rep j is modelled on the samples of ``y`` inside ``windows[j]`` as rest level ->
    minimum-jerk rise -> hold level -> minimum-jerk fall -> rest level (3 levels, 4 times),
    fitted by damped Gauss-Newton (Levenberg-Marquardt) steps, all reps together as batched
    7 x 7 systems. Every sample of the rests, the movements and the hold counts, not only
    threshold crossings, so noise averages out, and the shared hold level ties the rise to
    the fall. Starting times come from level crossings (see :func:`detect_reps`). The signal
    may see the movement's position through a bent map, one bend shared by the set
    (:func:`_set_bend`), measured once on a sample of the reps and then fitted with all of them.
    """
    out = init.astype(np.float64).copy()
    if len(init) == 0:
        return RepFit(out, 0.0)
    dt = float(np.median(np.diff(t))) if len(t) > 1 else 1.0

    # the bend is a property of the set: measured on the straight fits of a sample of its reps
    # spread over it (all of a short set's), then every rep is fitted with it
    pick = np.unique(np.linspace(0, len(init) - 1, min(len(init), BEND_SAMPLE)).round().astype(int))
    tp, yp, mp = _window_samples(t, y, windows[pick])
    straight, sse = _levenberg_marquardt(tp, yp, mp, out[pick], dt, iterations)
    bend = _set_bend(tp, yp, mp, straight, sse, dt, noise_level(y) ** 2, len(init))
    if len(pick) == len(init):  # the sample is the set: start from its straight fit
        out = straight
        if bend != 0.0:  # a small bend moves the converged times a little: a few warm steps
            out = _levenberg_marquardt(tp, yp, mp, out, dt, WARM_STEPS, bend)[0]
        return RepFit(out, bend)
    for c in range(0, len(init), chunk):
        sl = slice(c, c + chunk)
        out[sl] = _levenberg_marquardt(*_window_samples(t, y, windows[sl]), out[sl], dt, iterations, bend)[0]
    return RepFit(out, bend)


BEND_GRID = (-0.5, -0.25, 0.25, 0.5)
"""Shared bends tried (see :func:`_bent`), then refined by a parabola through the best three."""
WARM_STEPS = 6
"""Levenberg-Marquardt steps of a fit started from the straight fit's times."""
BEND_SAMPLE = 24
"""At most this many reps (evenly spread over the set) measure its bend."""
BEND_SHRINK = 3.84
"""The fitted bend is shrunk by 1 - BEND_SHRINK / z2 (z2: its chi-square, 3.84 = the 5 % point)."""


def _set_bend(
    ts: FloatArray,
    ys: FloatArray,
    ms: FloatArray,
    t0: FloatArray,
    sse0: FloatArray,
    dt: float,
    noise_var: float,
    n_reps: int,
) -> float:
    """The set's bend of the position-to-signal map, measured on a sample of its reps (0: none).

    The signal is rarely a linear function of the movement's position (an angle measured in a
    tilted image, a projection of a swinging leg): a static bend of that map is the same for every
    rise and fall of the set, and bends each movement's shape the same way, which shifts the
    fitted boundaries. One bend for the whole set is estimated from the sampled reps' straight
    fits ``t0`` / ``sse0`` (a grid, then a parabola) and shrunk towards none by how little it
    explains: z2 = the drop in squared error over the noise variance, the variance inflated by
    the squared excess misfit of the straight model (a misfit beyond the noise is correlated,
    and a bend would fit it, not the map), scaled up from the sample to the ``n_reps`` reps. A
    bend that explains less than chance (z2 <= :data:`BEND_SHRINK`) is dropped, and fewer reps
    (a live window) give a smaller bend rather than a different switch.
    """
    total0 = float(sse0.sum())
    if noise_var <= 0 or ms.sum() < 8 or not np.isfinite(total0):
        return 0.0
    fits = {0.0: total0}
    times_at = {0.0: t0}
    for bend in BEND_GRID:
        times, sse = _levenberg_marquardt(ts, ys, ms, t0.copy(), dt, WARM_STEPS, bend)
        fits[bend], times_at[bend] = float(sse.sum()), times
    grid = sorted(fits)
    k = int(np.argmin([fits[g] for g in grid]))
    if 0 < k < len(grid) - 1:  # refine: the vertex of the parabola through the best and its neighbours
        x = np.array(grid[k - 1 : k + 2])
        c2, c1, _ = np.polyfit(x, [fits[g] for g in x], 2)
        if c2 > 0:
            bend = float(np.clip(-c1 / (2 * c2), x[0], x[2]))
            fits[bend] = float(
                _levenberg_marquardt(ts, ys, ms, times_at[grid[k]].copy(), dt, WARM_STEPS, bend)[1].sum()
            )
    best = min(fits, key=lambda g: fits[g])
    excess = max(1.0, fits[0.0] / (float(ms.sum()) * noise_var))
    z2 = (fits[0.0] - fits[best]) / (noise_var * excess**2) * n_reps / len(t0)
    shrink = 1.0 - BEND_SHRINK / z2 if z2 > 0 else 0.0
    return shrink * best if shrink > 0 and best != 0.0 else 0.0


def _model(
    tt: FloatArray, times: FloatArray, bend: float = 0.0
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """The bent rise and fall (as the signal sees them), their taus and durations, and the
    straight minimum-jerk positions they were bent from (the Jacobian's slope reuses them)."""
    d_r = np.maximum(times[:, 1] - times[:, 0], 1e-3)[:, None]
    d_f = np.maximum(times[:, 3] - times[:, 2], 1e-3)[:, None]
    tau_r = (tt - times[:, 0:1]) / d_r
    tau_f = (tt - times[:, 2:3]) / d_f
    g_r, g_f = min_jerk(tau_r), min_jerk(tau_f)
    return _bent(g_r, bend), _bent(g_f, -bend), tau_r, tau_f, d_r, d_f, g_r, g_f


def _bent(g: FloatArray, bend: float) -> FloatArray:
    """The movement's position 0..1 as the signal sees it: g + bend g (1 - g) (monotone, |bend| < 1)."""
    if bend == 0.0:
        return g  # the straight map (most fits): no arithmetic
    out: FloatArray = g + bend * g * (1.0 - g)
    return out


def _levels(g_r: FloatArray, g_f: FloatArray, yy: FloatArray, m: FloatArray) -> FloatArray:
    """The three levels (rest, hold, rest after) in closed form for given timings: (n, 3)."""
    basis = np.stack([1.0 - g_r, g_r - g_f, g_f], axis=-1)
    wb = basis * m[..., None]
    wbt = wb.transpose(0, 2, 1)  # batched matrix products (BLAS) beat einsum here
    gram = wbt @ basis + 1e-9 * np.eye(3)
    rhs = (wbt @ yy[..., None])[..., 0]
    out: FloatArray = np.linalg.solve(gram, rhs[..., None])[..., 0]
    return out


_Fit = tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]
"""A fit's state at given times: tau and duration of the rise and the fall, the prediction, and
the straight minimum-jerk positions of the rise and the fall."""


def _sse(
    tt: FloatArray, yy: FloatArray, m: FloatArray, times: FloatArray, bend: float = 0.0
) -> tuple[FloatArray, FloatArray, _Fit]:
    """Weighted squared error per rep, the levels and the fit's state (reused by the next step)."""
    g_r, g_f, tau_r, tau_f, d_r, d_f, s_r, s_f = _model(tt, times, bend)
    lv = _levels(g_r, g_f, yy, m)
    pred = lv[:, 0:1] * (1 - g_r) + lv[:, 1:2] * (g_r - g_f) + lv[:, 2:3] * g_f
    out: FloatArray = (m * (yy - pred) ** 2).sum(axis=1)
    return out, lv, (tau_r, tau_f, d_r, d_f, pred, s_r, s_f)


def _time_columns(
    lv: FloatArray,
    tau_r: FloatArray,
    tau_f: FloatArray,
    d_r: FloatArray,
    d_f: FloatArray,
    s_r: FloatArray,
    s_f: FloatArray,
    bend: float,
) -> list[FloatArray]:
    """The model's derivatives in the 4 times (start, hold start, hold end, end), the levels fixed."""
    a, b, c = lv[:, 0:1], lv[:, 1:2], lv[:, 2:3]
    sr = (b - a) * _bent_slope(s_r, bend) * _min_jerk_slope(tau_r) / d_r
    sf = (c - b) * _bent_slope(s_f, -bend) * _min_jerk_slope(tau_f) / d_f
    return [sr * (tau_r - 1.0), -sr * tau_r, sf * (tau_f - 1.0), -sf * tau_f]


def _levenberg_marquardt(
    tt: FloatArray,
    yy: FloatArray,
    m: FloatArray,
    times: FloatArray,
    dt: float,
    iterations: int,
    bend: float = 0.0,
) -> tuple[FloatArray, FloatArray]:
    """Damped Gauss-Newton on the 4 times, the levels re-solved exactly at every step.

    Returns the times and each rep's squared error there. A rep whose step has shrunk below
    0.1 ms (or that cannot improve) is done; once a quarter of the reps still fitted are done,
    they are set aside, so a long set's last iterations run on its few slow reps only.
    """
    n = len(times)
    out_times, out_sse = times.copy(), np.zeros(n)
    idx = np.arange(n)  # the reps still fitted, as rows of the caller's arrays
    lam = np.full(n, 1e-2)
    sse, lv, fit = _sse(tt, yy, m, times, bend)
    for _ in range(iterations):
        # the model and prediction at the current times were computed by the _sse that chose them
        tau_r, tau_f, d_r, d_f, pred, s_r, s_f = fit
        resid = (yy - pred) * m
        jac = np.stack(_time_columns(lv, tau_r, tau_f, d_r, d_f, s_r, s_f, bend), axis=-1)
        jw = jac * m[..., None]
        jwt = jw.transpose(0, 2, 1)
        jtj = jwt @ jac
        jtr = (jwt @ resid[..., None])[..., 0]
        diag = np.diagonal(jtj, axis1=1, axis2=2)
        damped = jtj + (lam[:, None, None] * (diag[:, :, None] + 1e-12)) * np.eye(4)
        step = np.linalg.solve(damped, jtr[..., None])[..., 0]
        step = np.clip(step, -0.25, 0.25)
        cand = times + step
        cand[:, 1] = np.maximum(cand[:, 1], cand[:, 0] + dt)
        cand[:, 2] = np.maximum(cand[:, 2], cand[:, 1] - dt)
        cand[:, 3] = np.maximum(cand[:, 3], cand[:, 2] + dt)
        new_sse, new_lv, new_fit = _sse(tt, yy, m, cand, bend)
        better = np.isfinite(new_sse) & (new_sse < sse)
        if better.all():
            fit = new_fit
        elif better.any():
            keep = better[:, None]
            fit = cast(_Fit, tuple(np.where(keep, new, cur) for new, cur in zip(new_fit, fit, strict=True)))
        times = np.where(better[:, None], cand, times)
        lv = np.where(better[:, None], new_lv, lv)
        sse = np.where(better, new_sse, sse)
        lam = np.where(better, lam * 0.3, lam * 10.0)
        done = (np.abs(step) < 1e-4).all(axis=1) | (lam > 1e6)
        if done.all():
            break  # every rep converged (or cannot improve): stop early
        if done.sum() * 4 >= len(idx):
            out_times[idx], out_sse[idx] = times, sse
            go = ~done
            idx, tt, yy, m, times, lam, sse, lv = (v[go] for v in (idx, tt, yy, m, times, lam, sse, lv))
            fit = cast(_Fit, tuple(v[go] for v in fit))
    out_times[idx], out_sse[idx] = times, sse
    return out_times, out_sse


POOL_MIN_REPS = 3
"""A set's tempo is pooled over at least this many complete reps (fewer tell too little about it)."""
TEMPO_CV = 0.05
"""Rep-to-rep spread of a phase's duration assumed at the least, as a fraction of the set's mean:
people repeat a self-paced movement's duration to within about 5 % at best, so no rep is pulled
all the way to the set's mean however noisy the signal."""

_DURATIONS = np.array([[-1.0, 1.0, 0.0, 0.0], [0.0, -1.0, 1.0, 0.0], [0.0, 0.0, -1.0, 1.0]])
"""Boundary times (start, hold start, hold end, end) -> phase durations (rise, hold, fall)."""


def time_information(
    t: FloatArray, y: FloatArray, windows: FloatArray, times: FloatArray, bend: float = 0.0
) -> FloatArray:
    """Each fitted rep's Fisher information on its 4 times per unit noise variance: (N, 4, 4).

    The model's Jacobian in the 4 times and the 3 levels at the fit, with the levels profiled out
    (the Schur complement), as the Cramer-Rao bound has it: its inverse times the noise variance
    is how far each time, and each phase duration, can be trusted.
    """
    tt, yy, m = _window_samples(t, y, windows)
    g_r, g_f, tau_r, tau_f, d_r, d_f, s_r, s_f = _model(tt, times, bend)
    lv = _levels(g_r, g_f, yy, m)
    times_cols = _time_columns(lv, tau_r, tau_f, d_r, d_f, s_r, s_f, bend)
    jac = np.stack([*times_cols, 1 - g_r, g_r - g_f, g_f], axis=-1)
    info = (jac * m[..., None]).transpose(0, 2, 1) @ jac
    f_tt, f_tl, f_ll = info[:, :4, :4], info[:, :4, 4:], info[:, 4:, 4:]
    profiled: FloatArray = f_tt - f_tl @ np.linalg.solve(f_ll + 1e-9 * np.eye(3), f_tl.transpose(0, 2, 1))
    return profiled


def pool_tempo(times: FloatArray, information: FloatArray, noise_var: float) -> FloatArray:
    """The reps' times with the set's shared tempo taken into account (empirical Bayes).

    A set is done to one count: the reps' rise, hold and fall durations scatter around the set's
    own. Each rep's fitted times are an estimate with covariance ``noise_var`` x the inverse of
    ``information`` (:func:`time_information`); the durations' true spread over the set, tau^2,
    is what their scatter shows beyond that (DerSimonian-Laird, per phase), floored at
    :data:`TEMPO_CV` of the mean. Each rep then gets the times that best fit both its own
    signal and the set's durations (the posterior mode of a Gaussian random-effects model):
    a clearly timed rep keeps its times, a noisy one moves toward the set's tempo by as much
    as its noise exceeds the tempo's spread, and a rep that truly differs (a spread well above
    the noise) keeps its own. Fewer than :data:`POOL_MIN_REPS` reps, or an information matrix
    that cannot be inverted, leave the times as they are.
    """
    n = len(times)
    if n < POOL_MIN_REPS or noise_var <= 0:
        return times
    try:
        precision = information / noise_var + 1e-9 * np.eye(4)
        cov = np.linalg.inv(precision)
    except np.linalg.LinAlgError:
        return times
    durations = times @ _DURATIONS.T
    var = np.diagonal(_DURATIONS @ cov @ _DURATIONS.T, axis1=1, axis2=2)  # (n, 3)
    if not (np.isfinite(var).all() and (var > 0).all()):
        return times
    w = 1.0 / var
    fixed = (w * durations).sum(axis=0) / w.sum(axis=0)
    q = (w * (durations - fixed) ** 2).sum(axis=0)
    tau2 = np.maximum(0.0, (q - (n - 1)) / (w.sum(axis=0) - (w * w).sum(axis=0) / w.sum(axis=0)))
    w_re = 1.0 / (var + tau2)
    mean = (w_re * durations).sum(axis=0) / w_re.sum(axis=0)
    tau2 = np.maximum(tau2, (TEMPO_CV * mean) ** 2 + 1e-8)
    prior = _DURATIONS.T @ np.diag(1.0 / tau2)  # (4, 3)
    lhs = precision + prior @ _DURATIONS
    rhs = (precision @ times[..., None])[..., 0] + prior @ mean
    out: FloatArray = np.linalg.solve(lhs, rhs[..., None])[..., 0]
    return out if np.isfinite(out).all() else times


EDGE_REST_FRAMES = 2
"""A rep counts when its fit starts and ends at rest at least this many frames inside the
recording (one cut off by it, or still moving at its edge, is not a rep)."""


def detect_reps(
    t: FloatArray,
    s: FloatArray,
    min_range: float = 0.0,
    raw: FloatArray | None = None,
    rest_pad_s: float = 1.0,
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
    y = s if raw is None else raw
    floor = rep_floor(t, y, min_range)
    if amp <= floor:
        return []
    # an excursion that never rises above the floor is noise, not a rep: it bounds no neighbour
    exc = [(a, b) for a, b in _excursions(s, lo, amp) if np.nanmax(s[a : b + 1]) - lo >= floor]
    if not exc:
        return []
    first_i = int(np.argmax(finite))
    last_i = len(s) - 1 - int(np.argmax(finite[::-1]))
    rough: list[tuple[RepTiming, bool]] = []
    filled = np.nan_to_num(s, nan=lo)
    for k, (a, b) in enumerate(exc):
        complete = a > first_i and b < last_i
        prev_b = exc[k - 1][1] if k > 0 else first_i
        next_a = exc[k + 1][0] if k + 1 < len(exc) else last_i
        rep = _quick_rep(t, filled, a, b, prev_b, next_a, lo)
        rough.append((rep, complete))
    init = np.array([[r.start, r.hold_start, r.hold_end, r.end] for r, _ in rough])
    margin = 0.1
    lower = np.r_[t[first_i], init[:-1, 3] + margin]
    upper = np.r_[init[1:, 0] - margin, t[last_i]]
    win = np.stack(
        [np.maximum(init[:, 0] - rest_pad_s, lower), np.minimum(init[:, 3] + rest_pad_s, upper)],
        axis=1,
    )
    fit = fit_reps(t, y, init, win)
    fitted = fit.times
    # which reps count is decided on their own fits; the set's tempo only refines their times
    edge = EDGE_REST_FRAMES * float(np.median(np.diff(t)))
    keep = [
        j
        for j, (r, complete) in enumerate(rough)
        if complete
        and fitted[j, 0] >= t[first_i] + edge
        and fitted[j, 3] <= t[last_i] - edge
        and abs(r.peak - r.rest) >= floor
    ]
    if len(keep) >= POOL_MIN_REPS:
        info = time_information(t, y, win[keep], fitted[keep], fit.bend)
        pooled = pool_tempo(fitted[keep], info, noise_level(y) ** 2)
        pooled[:, 0] = np.maximum(pooled[:, 0], t[first_i])  # still inside the recording
        pooled[:, 3] = np.minimum(pooled[:, 3], t[last_i])
        fitted[keep] = pooled
    reps: list[RepTiming] = []
    for j in keep:
        r = rough[j][0]
        start, hold_start, hold_end, end = fitted[j]
        if hold_start > hold_end:
            hold_start = hold_end = (hold_start + hold_end) / 2.0
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


_Q_LO, _Q_HI = 0.25, 0.75
_TAU_Q_LO, _TAU_Q_HI = (float(v) for v in np.interp([_Q_LO, _Q_HI], _MJ, _TAU))


SAG_S = 0.25
"""A hold that dips under 75 % of the rep's range for longer than this sags (else it is noise)."""


def _quick_rep(
    t: FloatArray, s: FloatArray, a: int, b: int, prev_b: int, next_a: int, lo: float
) -> RepTiming:
    """Starting values for the fit: each transition from its 25 % and 75 % crossings.

    The crossing times of a minimum-jerk profile at two levels fix its start and duration.
    Levels are fractions of this rep's own range (rest = the set's rest, peak = its maximum),
    so a partial rep is timed like a full one. A handful of array calls per rep.
    """
    top = a + int(np.argmax(s[a : b + 1]))
    peak = float(s[top])
    rng = peak - lo
    q_lo, q_hi = lo + _Q_LO * rng, lo + _Q_HI * rng
    rise = s[prev_b : top + 1]
    r_lo = prev_b + _last(rise < q_lo)
    r_hi = prev_b + _last(rise < q_hi)
    fall = s[top : next_a + 1]
    f_hi = top + _first(fall < q_hi)
    f_lo = top + _first(fall < q_lo)
    # a hold that sags under 75 % for a while and comes back is still the hold: the rise ends at
    # its first arrival, the fall starts at its last departure (brief dips are noise, kept as read)
    first_hi = r_lo + _first(s[r_lo : top + 1] >= q_hi)
    if _time_below(t, s, first_hi, r_hi, q_hi) > SAG_S:
        r_hi = first_hi
    last_hi = top + _last(s[top : f_lo + 1] >= q_hi)
    if _time_below(t, s, f_hi, last_hi, q_hi) > SAG_S:
        f_hi = last_hi
    dur_r = max((t[r_hi] - t[r_lo]) / (_TAU_Q_HI - _TAU_Q_LO), 2 * (t[1] - t[0]))
    dur_f = max((t[f_lo] - t[f_hi]) / (_TAU_Q_HI - _TAU_Q_LO), 2 * (t[1] - t[0]))
    start = float(t[r_lo]) - _TAU_Q_LO * dur_r
    hold_start = start + dur_r
    hold_end = float(t[f_hi]) - (1.0 - _TAU_Q_HI) * dur_f
    end = hold_end + dur_f
    if hold_start > hold_end:
        hold_start = hold_end = (hold_start + hold_end) / 2.0
    return RepTiming(start, hold_start, hold_end, end, lo, peak, lo)


def _first(mask: NDArray[np.bool_]) -> int:
    """Index of the first True (the last index if none); argmax on booleans stops early."""
    k = int(np.argmax(mask))
    return k if mask[k] else len(mask) - 1


def _last(mask: NDArray[np.bool_]) -> int:
    """Index of the last True (0 if none)."""
    k = int(np.argmax(mask[::-1]))
    return len(mask) - 1 - k if mask[len(mask) - 1 - k] else 0


def _time_below(t: FloatArray, s: FloatArray, i: int, j: int, level: float) -> float:
    """Seconds the signal spends under ``level`` between frames i and j (0 when j <= i)."""
    if j <= i:
        return 0.0
    below = s[i:j] < level
    return float(np.sum(np.diff(t[i : j + 1])[below]))


def rep_profile(t: FloatArray, reps: list[RepTiming]) -> FloatArray:
    """Per-frame position within the reps: 0 at rest, 1 in the hold, minimum-jerk in between."""
    u = np.zeros(len(t))
    if not reps:
        return u
    b = np.array([[r.start, r.hold_start, r.hold_end, r.end] for r in reps])
    k = np.searchsorted(b[:, 0], t, side="right") - 1  # the last rep started at or before t
    kk = np.maximum(k, 0)
    s0, s1, s2, s3 = (b[kk, i] for i in range(4))
    rise = min_jerk((t - s0) / np.maximum(s1 - s0, 1e-6))
    fall = min_jerk((t - s2) / np.maximum(s3 - s2, 1e-6))
    inside = (k >= 0) & (t < s3)
    u[inside] = (rise - fall)[inside]
    return u


PHASE_CODE = {"concentric": 1, "hold": 2, "eccentric": 3}
"""Per-frame phase codes (0 = rest), as the traces and the annotated video read them."""


def label_frames(
    t: FloatArray, timings: list[RepTiming], phase_order: tuple[str, str, str]
) -> tuple[NDArray[np.int8], NDArray[np.int64]]:
    """Each frame's phase code and 0-based rep index (-1 outside reps), for all reps at once."""
    phase = np.zeros(len(t), np.int8)
    rep_of = np.full(len(t), -1, np.int64)
    if not timings:
        return phase, rep_of
    b = np.array([[r.start, r.hold_start, r.hold_end, r.end] for r in timings])
    k = np.searchsorted(b[:, 0], t, side="right") - 1  # the last rep started at or before t
    ok = k >= 0
    kk = np.where(ok, k, 0)
    inside = ok & (t <= b[kk, 3])
    rep_of[inside] = k[inside]
    codes = np.array([PHASE_CODE[name] for name in phase_order], np.int8)
    which = (t >= b[kk, 1]).astype(np.int64) + (t >= b[kk, 2])
    moving = inside & (t < b[kk, 3])
    phase[moving] = codes[which[moving]]
    return phase, rep_of
