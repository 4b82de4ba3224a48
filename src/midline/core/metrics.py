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
    """Stance phases of one foot while walking: the heel (near) still, at least 0.25 s long.

    ``max_speed``: in leg lengths per second, in the image plane.
    """
    v = np.gradient(heel[:, :2], t, axis=0)
    speed = np.linalg.norm(v, axis=-1) / leg_px
    still = np.isfinite(speed) & (speed < max_speed)
    d = np.diff(still.astype(np.int8), prepend=0, append=0)
    starts = np.flatnonzero(d == 1)
    ends = np.flatnonzero(d == -1) - 1
    min_len = max(2, int(0.25 * fps))  # a stance lasts >= 0.3 s; a swing apex is briefer
    return [(int(a), int(b)) for a, b in zip(starts, ends, strict=True) if b - a + 1 >= min_len]


def rep_frames(t: FloatArray, spans: FloatArray) -> tuple[NDArray[np.int64], BoolArray]:
    """Frame indices (R, W) and validity mask of each rep's time span [a, b] (padded rows)."""
    if len(spans) == 0:
        return np.zeros((0, 1), np.int64), np.zeros((0, 1), bool)
    i0 = np.searchsorted(t, spans[:, 0], side="left")
    i1 = np.searchsorted(t, spans[:, 1], side="right")
    width = int(max(1, (i1 - i0).max()))
    idx = i0[:, None] + np.arange(width)[None, :]
    mask = idx < i1[:, None]
    return np.clip(idx, 0, max(len(t) - 1, 0)), mask


def at_squeeze(
    values: FloatArray,
    u: FloatArray,
    idx: NDArray[np.int64],
    mask: BoolArray,
    reliable: BoolArray | None = None,
) -> FloatArray:
    """A per-frame quantity at the squeeze (u = 1) for every rep at once; NaN = unknown.

    Over each rep's frames past halfway (u >= 0.5: the hold and the ends of the movements) the
    quantity is fitted as a straight line in the rep position u and read at u = 1: many more
    frames than the hold alone, so landmark noise averages out. NaN where its landmarks were
    reliable in fewer than :data:`RELIABLE_SHARE` of those frames.
    """
    uu = u[idx]
    v = values[idx]
    late = mask & (uu >= 0.5)
    w = late & np.isfinite(v)
    n = w.sum(axis=1)
    v0 = np.where(w, v, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        um = (w * uu).sum(axis=1) / n
        vm = v0.sum(axis=1) / n
        du = np.where(w, uu - um[:, None], 0.0)
        suu = (du * du).sum(axis=1)
        beta = np.where(suu > 1e-3 * n, (du * (v0 - vm[:, None])).sum(axis=1) / suu, 0.0)
        out: FloatArray = np.where(n >= 3, vm + beta * (1.0 - um), np.nan)
        if reliable is not None:
            share = (late & reliable[idx]).sum(axis=1) / late.sum(axis=1)
            out = np.where(share >= RELIABLE_SHARE, out, np.nan)
    return out


def amplitude(
    points: FloatArray, u: FloatArray, idx: NDArray[np.int64], mask: BoolArray, scale: float
) -> FloatArray:
    """How far a group of coordinates moved between rest and squeeze, per rep; NaN = unknown.

    ``points`` (T, K): e.g. one leg's landmark coordinates. Each coordinate is regressed on the
    rep position u over the rep and its rests; the length of the slope vector, / ``scale``, is
    the movement (every frame counts, so the landmark noise averages out).
    """
    y = points[idx]  # (R, W, K)
    uu = u[idx]
    w = mask & np.isfinite(y).all(axis=2)
    n = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        um = (w * uu).sum(axis=1) / n
        du = np.where(w, uu - um[:, None], 0.0)
        y0 = np.where(w[..., None], y, 0.0)
        ym = y0.sum(axis=1) / n[:, None]
        beta = (du[:, None, :] @ (y0 - ym[:, None, :]))[:, 0, :] / (du * du).sum(axis=1)[:, None]
        spread = np.where(w, uu, np.inf).min(axis=1), np.where(w, uu, -np.inf).max(axis=1)
        ok = (n >= 5) & (spread[1] - spread[0] >= 0.5)
        out: FloatArray = np.where(ok, np.linalg.norm(beta, axis=1) / scale, np.nan)
    return out
