"""Numbers per rep and per set: phase durations, gaps at the squeeze, alignment, position, symmetry."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from midline.core.cues import ONE_SIDED_SIGNALS
from midline.core.landmarks import B
from midline.core.phases import RepTiming, rep_profile
from midline.core.signals import Cleaned, LegSignals, seen
from midline.core.spec import AnalysisSpec

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

RELIABLE_SHARE = 0.7
"""A metric is reported only if its landmarks were seen inside the image in this share of its frames."""
LEG_SETS = {
    "left": (B.LEFT_KNEE, B.LEFT_ANKLE, B.LEFT_HEEL, B.LEFT_FOOT_INDEX),
    "right": (B.RIGHT_KNEE, B.RIGHT_ANKLE, B.RIGHT_HEEL, B.RIGHT_FOOT_INDEX),
}
"""Each leg's own points, for its share of the movement (symmetry)."""
CONFIDENCE_GROUPS = {
    "hip": (B.LEFT_HIP, B.RIGHT_HIP),
    "knee": (B.LEFT_KNEE, B.RIGHT_KNEE),
    "ankle": (B.LEFT_ANKLE, B.RIGHT_ANKLE),
    "foot": (B.LEFT_HEEL, B.RIGHT_HEEL, B.LEFT_FOOT_INDEX, B.RIGHT_FOOT_INDEX),
}
"""Landmark groups whose mean visibility is each metric's confidence (gaps: knee/ankle...)."""
REST_PAD_S = 1.0
"""Rest taken on each side of a rep when measuring how far a leg moved."""


def at(values: FloatArray, mask: BoolArray, reliable: BoolArray | None = None) -> float | None:
    """Median of ``values`` over ``mask``; None where unknown or resting on unreliable landmarks."""
    m = mask & np.isfinite(values)
    if m.sum() == 0:
        return None
    if reliable is not None and reliable[mask].mean() < RELIABLE_SHARE:
        return None
    return float(np.median(values[m]))


def classify_position(angle: float | None, spec: AnalysisSpec) -> str | None:
    """Name a foot angle by the catalog's classification bands (first band that holds it).

    A cut-off belongs to the band farther from straight ahead (internal <= -8 < parallel < 20 <=
    pilates-stance), so a foot turned exactly to a cut-off counts as turned.
    """
    if angle is None or not np.isfinite(angle):
        return None
    for band in spec.positions:
        inside = band.min_deg < angle <= band.max_deg if angle < 0 else band.min_deg <= angle < band.max_deg
        if inside:
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


@dataclass(frozen=True)
class RepWindows:
    """Each rep's frames: ``u`` the per-frame rep position; ``core`` the rep itself, ``ext`` the
    rep with up to :data:`REST_PAD_S` of rest each side (frame indices (R, W) and their masks)."""

    u: FloatArray
    core_idx: NDArray[np.int64]
    core_m: BoolArray
    ext_idx: NDArray[np.int64]
    ext_m: BoolArray


def rep_windows(t: FloatArray, timings: list[RepTiming]) -> RepWindows:
    """The frames each rep's numbers are read over (the rests never reach into a neighbour rep)."""
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
    return RepWindows(rep_profile(t, timings), core_idx, core_m, ext_idx, ext_m)


@dataclass(frozen=True)
class RepMeasures:
    """Every rep's numbers as arrays (R,), NaN = unknown: gaps, shank tilt and the primary signal
    at the squeeze, landmark confidence, range of motion and each leg's share of the movement."""

    gap: dict[str, FloatArray]
    tilt: dict[str, FloatArray]
    peak: FloatArray
    confidence: dict[str, FloatArray]
    rom: FloatArray
    leg_range: dict[str, FloatArray]


def measure_reps(c: Cleaned, sig: LegSignals, w: RepWindows, leg_px: float) -> RepMeasures:
    """All reps' numbers at once (vectorised over reps), from the unsmoothed signals."""
    u, core_idx, core_m = w.u, w.core_idx, w.core_m
    # confidence: the mean visibility of the landmarks each number rests on, over the rep
    rep_vis = c.vis[core_idx]  # (R, W, 12)
    n_frames = np.maximum(core_m.sum(axis=1), 1)
    n = len(c.xyz_raw)
    # each leg's travel relative to the body's midline (the hip midpoint), so a sway of the whole
    # body, or a shift of the pose model's estimate, counts for neither leg
    hips = c.xyz[:, [B.LEFT_HIP, B.RIGHT_HIP], :2].mean(axis=1, keepdims=True)
    return RepMeasures(
        gap={lv: at_squeeze(sig.raw_gaps[lv], u, core_idx, core_m, sig.reliable[lv]) for lv in sig.gaps},
        tilt={s: at_squeeze(sig.tilt[s], u, core_idx, core_m, sig.tilt_ok) for s in sig.tilt},
        peak=at_squeeze(sig.raw_primary, u, core_idx, core_m),
        confidence={
            name: (rep_vis[:, :, list(idx)].mean(axis=2) * core_m).sum(axis=1) / n_frames
            for name, idx in CONFIDENCE_GROUPS.items()
        },
        rom=amplitude(sig.raw_primary[:, None], u, w.ext_idx, w.ext_m, 1.0),
        leg_range={
            s: amplitude(
                seen((c.xyz_raw[:, list(idx), :2] - hips).reshape(n, -1), c.detected),
                u,
                w.ext_idx,
                w.ext_m,
                leg_px,
            )
            for s, idx in LEG_SETS.items()
        },
    )


def set_symmetry(m: RepMeasures, spec: AnalysisSpec) -> float | None:
    """Left/right balance of the legs' movement over the set (None for one-legged exercises)."""
    if spec.primary_signal in ONE_SIDED_SIGNALS:
        return None
    return symmetry({s: [float(v) for v in m.leg_range[s] if np.isfinite(v)] for s in LEG_SETS})


def set_confidence(c: Cleaned) -> dict[str, float]:
    """Mean visibility of each landmark group over the frames with a person."""
    det = c.detected
    if not det.any():
        return {name: 0.0 for name in CONFIDENCE_GROUPS}
    vis = c.vis[det]  # once, not once per group
    return {name: float(np.mean(vis[:, list(idx)])) for name, idx in CONFIDENCE_GROUPS.items()}
