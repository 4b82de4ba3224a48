"""Clean a landmark sequence: pixels, gap filling, spike rejection, zero-phase smoothing; leg length.

Everything works on whole arrays (T frames at once). Coordinates become pixels (x * width,
y * height, z * width) so that lengths are not distorted by the image's aspect ratio.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray
from scipy.signal import butter, sosfiltfilt

from midline.core import geometry as geo
from midline.core.landmarks import BODY_LANDMARKS, B, LandmarkSeries
from midline.core.spec import AnalysisSpec

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

MIN_VISIBILITY = 0.2
"""Below this a landmark is treated as not seen (BlazePose's guess for an occluded point)."""
SMOOTH_HZ = 4.0
"""Low-pass cut-off: voluntary exercise movements carry almost nothing above ~3 Hz."""
MAX_GAP_S = 0.5
"""Dropouts up to this long are bridged by interpolation; longer ones stay unknown (NaN)."""
SHANK_FRACTION = 0.48
"""Shank (knee->ankle) share of the leg length (hip->ankle); the thigh takes the rest."""
LEG_PER_HEIGHT = 0.49
"""Leg length (hip joint centre to ankle) per body height (anthropometric tables: ~0.49)."""


@dataclass(frozen=True)
class Cleaned:
    """Cleaned body landmarks in pixels: ``xyz`` (T, 12, 3), ``vis`` (T, 12), ``seen`` (T, 12).

    Indexed by :class:`~midline.core.landmarks.B` (the body landmarks only).

    ``seen`` is False where the landmark was missing or below :data:`MIN_VISIBILITY` in the raw
    data; interpolated short dropouts keep their interpolated coordinates but are not ``seen``.
    ``xyz_raw``: the same before smoothing (spikes rejected, short gaps bridged), for fits
    that model the motion themselves. ``detected`` (T,): a person was found in the frame.
    ``inside`` (T, 12): within the image.
    """

    xyz: FloatArray
    xyz_raw: FloatArray
    vis: FloatArray
    seen: BoolArray
    inside: BoolArray
    detected: BoolArray
    world: FloatArray | None
    world_raw: FloatArray | None = None


def _fill_gaps(values: FloatArray, max_gap: int) -> FloatArray:
    """Linear interpolation along axis 0 over NaN runs; runs longer than ``max_gap`` stay NaN."""
    t = values.shape[0]
    flat = values.reshape(t, -1)
    out = flat.copy()
    idx = np.arange(t)
    for j in range(flat.shape[1]):
        col = flat[:, j]
        ok = np.isfinite(col)
        n_ok = int(ok.sum())
        if n_ok == 0 or n_ok == t:
            continue
        out[:, j] = np.interp(idx, idx[ok], col[ok], left=np.nan, right=np.nan)
        # re-open long gaps
        missing = ~ok
        if max_gap >= 0:
            run_start = np.flatnonzero(missing & ~np.r_[False, missing[:-1]])
            run_end = np.flatnonzero(missing & ~np.r_[missing[1:], False])
            for a, b in zip(run_start, run_end, strict=True):
                if b - a + 1 > max_gap:
                    out[a : b + 1, j] = np.nan
    return out.reshape(values.shape)


def _despike(values: FloatArray, window: int = 3, inplace: bool = False) -> FloatArray:
    """Replace isolated outliers (one-frame spikes) by the mean of their two neighbours.

    A sample is a spike when it departs from its neighbours' mean by more than 6 robust
    standard deviations of that coordinate's such departures over the recording, and its
    neighbours agree with each other (so a fast but real movement is kept). O(T), vectorised.
    ``inplace``: overwrite ``values`` (a fresh array of the caller's: spares an hour-long copy).
    """
    t = values.shape[0]
    if t < 5 or not np.isfinite(values).any():
        return values
    prev, nxt = values[:-2], values[2:]
    mid = prev + nxt
    mid /= 2.0
    resid = values[1:-1] - mid
    np.abs(resid, out=resid)
    # gaps are bridged before this, so NaN remains only in never-seen landmarks (median: NaN);
    # every 4th frame (fewer in a long recording) is plenty for a robust scale and cheaper
    sigma = 1.4826 * _median0(resid[:: max(4, t // SCALE_ROWS)])
    sigma = np.where(np.isfinite(sigma), sigma, np.inf)
    step = nxt - prev
    np.abs(step, out=step)
    with np.errstate(invalid="ignore"):
        spike = resid > 6.0 * sigma  # (in place, to spare an hour's worth of temporaries)
        spike &= step < 3.0 * sigma
    out = values if inplace else values.copy()
    np.copyto(out[1:-1], mid, where=spike)
    return out


SCALE_ROWS = 6000
"""Frames enough for a robust noise scale (a median): a longer recording's is taken on every
k-th frame (its standard error is then about 1.6 %)."""


def _median0(values: FloatArray) -> FloatArray:
    """``np.median(values, axis=0)``, partitioned along contiguous rows (the same numbers, faster)."""
    rows = values.reshape(values.shape[0], -1).T.copy()
    out: FloatArray = np.median(rows, axis=1, overwrite_input=True).reshape(values.shape[1:])
    return out


def _bridgeable(values: FloatArray, max_gap: int) -> BoolArray:
    """Where ``_fill_gaps(values, max_gap)`` is finite, without interpolating.

    Finite samples, and missing ones inside a gap (finite on both sides) of at most ``max_gap``
    frames (any length when ``max_gap`` < 0).
    """
    t = values.shape[0]
    ok: BoolArray = np.isfinite(values.reshape(t, -1))
    if ok.all():
        return ok.reshape(values.shape)
    idx = np.arange(t)[:, None]
    before = np.maximum.accumulate(np.where(ok, idx, -1), axis=0)  # last finite frame so far
    after = np.minimum.accumulate(np.where(ok, idx, t)[::-1], axis=0)[::-1]  # next finite frame
    inner = (before >= 0) & (after < t)
    if max_gap >= 0:
        inner &= after - before - 1 <= max_gap
    out: BoolArray = (ok | inner).reshape(values.shape)
    return out


def smooth(values: FloatArray, fps: float, cutoff_hz: float = SMOOTH_HZ) -> FloatArray:
    """Zero-phase low-pass (Butterworth run forwards and backwards): no timing shift.

    NaN runs are bridged for the filter and put back afterwards.
    """
    t = values.shape[0]
    nyq = fps / 2.0
    if t < 16 or cutoff_hz >= nyq * 0.95:
        return values
    finite = np.isfinite(values)
    if not finite.any():
        return values
    all_finite = bool(finite.all())
    bridged = values if all_finite else _hold_edges(_fill_gaps(values, -1))
    if not all_finite:
        bridged = np.where(np.isfinite(bridged), bridged, 0.0)
    sos = butter(2, cutoff_hz / nyq, output="sos")
    # filter along contiguous rows (time last): several times faster than a strided axis 0
    rows = np.ascontiguousarray(bridged.reshape(t, -1).T)
    out = sosfiltfilt(sos, rows, axis=-1, padtype="odd", padlen=min(t - 1, int(fps)))
    out = out.T.reshape(values.shape)
    return out if all_finite else np.where(finite, out, np.nan)


@lru_cache(maxsize=32)
def smoothing_gain(fps: float, cutoff_hz: float = SMOOTH_HZ) -> float:
    """The share of white noise's variance that :func:`smooth` lets through at ``fps``: the sum
    of the squared impulse response of the zero-phase filter (1 where it does not filter)."""
    nyq = fps / 2.0
    if cutoff_hz >= nyq * 0.95:
        return 1.0
    sos = butter(2, cutoff_hz / nyq, output="sos")
    half = int(20 * fps)  # the response has died out long before 20 s
    impulse = np.zeros(2 * half + 1)
    impulse[half] = 1.0
    response = sosfiltfilt(sos, impulse, padtype=None)
    return float(response @ response)


def _hold_edges(values: FloatArray) -> FloatArray:
    """Leading/trailing NaN runs take the nearest finite value (so filters see no edge jump)."""
    t = values.shape[0]
    if t == 0 or (np.isfinite(values[0]).all() and np.isfinite(values[-1]).all()):
        return values
    flat = values.reshape(t, -1).copy()
    ok = np.isfinite(flat)
    any_ok = ok.any(axis=0)
    first = np.argmax(ok, axis=0)
    last = t - 1 - np.argmax(ok[::-1], axis=0)
    idx = np.arange(t)[:, None]
    cols = np.arange(flat.shape[1])
    first_val = flat[first, cols]
    last_val = flat[last, cols]
    flat = np.where((idx < first) & any_ok, first_val, flat)
    flat = np.where((idx > last) & any_ok, last_val, flat)
    return flat.reshape(values.shape)


def _filtered(values: FloatArray, window: int, max_gap: int, fps: float) -> tuple[FloatArray, FloatArray]:
    """Bridge every gap, reject spikes, smooth; then reopen the gaps too long to bridge.

    Returns (smoothed, unsmoothed).
    """
    # _fill_gaps returns a fresh array (and _hold_edges that or a fresh one): despike in place
    bridged = _despike(_hold_edges(_fill_gaps(values, -1)), window, inplace=True)
    out = smooth(bridged, fps)
    keep = _bridgeable(values, max_gap)
    if keep.all():  # nothing to reopen: spare the two masked copies (still a contiguous result)
        return (out.copy() if out is bridged else np.ascontiguousarray(out)), bridged
    return np.where(keep, out, np.nan), np.where(keep, bridged, np.nan)


def clean(series: LandmarkSeries) -> Cleaned:
    """Pixels, spike rejection, short-gap filling and zero-phase smoothing of the body landmarks.

    Only :data:`BODY_LANDMARKS` are kept, in compact (T, 12, ...) arrays indexed by
    :class:`~midline.core.landmarks.B`: an hour of landmarks must take well under a second, and
    the face and hands are not analysed.
    """
    cols = list(BODY_LANDMARKS)
    # np.take, not img[:, cols]: numpy's fancy indexing of a middle axis is ~6x slower
    img = np.take(series.image, cols, axis=1)
    w, h = float(series.width), float(series.height)
    xyz = np.empty((*img.shape[:2], 3))
    for k, size in enumerate((w, h, w)):  # one long loop per coordinate, not 3-element ones
        np.multiply(img[..., k], size, out=xyz[..., k], dtype=np.float64)
    vis = np.nan_to_num(img[..., 3], nan=0.0)
    raw_ok = np.isfinite(img[..., 0])
    detected = raw_ok.any(axis=1)  # BlazePose gives all 33 points or none
    seen = raw_ok & (vis >= MIN_VISIBILITY)
    with np.errstate(invalid="ignore"):
        inside = raw_ok & (img[..., 0] >= 0) & (img[..., 0] <= 1) & (img[..., 1] >= 0)
        inside &= img[..., 1] <= 1
    # unseen points keep their coordinates (BlazePose still guesses them) unless missing
    max_gap = max(1, round(MAX_GAP_S * series.fps))
    window = max(5, round(0.2 * series.fps) | 1)
    xyz, xyz_raw = _filtered(xyz, window, max_gap, series.fps)
    world = world_raw = None
    if series.world is not None:
        world, world_raw = _filtered(np.take(series.world, cols, axis=1), window, max_gap, series.fps)
    return Cleaned(
        xyz=xyz,
        xyz_raw=xyz_raw,
        vis=vis,
        seen=seen,
        inside=inside,
        detected=detected,
        world=world,
        world_raw=world_raw,
    )


def leg_length_px(c: Cleaned) -> float:
    """Leg length (hip joint to ankle, straight) in pixels, robust over the recording.

    A segment seen end-on (a seated person's thighs pointing at the camera) looks short, never
    long, so each estimate is a lower bound: thigh + shank, the shank scaled up by its share of
    the leg, the thigh likewise. The largest is kept. Each segment length is the median over
    frames where both its ends were seen.
    """
    est: list[float] = []
    segs: dict[str, list[float]] = {"thigh": [], "shank": []}
    for hip, knee, ankle in (
        (B.LEFT_HIP, B.LEFT_KNEE, B.LEFT_ANKLE),
        (B.RIGHT_HIP, B.RIGHT_KNEE, B.RIGHT_ANKLE),
    ):
        for name, a, b in (("thigh", hip, knee), ("shank", knee, ankle)):
            ok = c.seen[:, a] & c.seen[:, b] & c.inside[:, a] & c.inside[:, b]
            if ok.sum() >= 3:
                d = geo.norm(c.xyz[:, a, :2] - c.xyz[:, b, :2])[ok]  # (cheaper than picking first)
                segs[name].append(float(np.median(d)))
    thigh = max(segs["thigh"]) if segs["thigh"] else float("nan")
    shank = max(segs["shank"]) if segs["shank"] else float("nan")
    if np.isfinite(thigh) and np.isfinite(shank) and 0.8 <= thigh / shank <= 1.35:
        return thigh + shank  # neither segment foreshortened: measure, do not assume
    if np.isfinite(shank):
        est.append(shank / SHANK_FRACTION)
    if np.isfinite(thigh):
        est.append(thigh / (1.0 - SHANK_FRACTION))
    if not est:
        return float("nan")
    return max(est)


TIMING_LANDMARKS = (
    B.LEFT_HIP,
    B.RIGHT_HIP,
    B.LEFT_KNEE,
    B.RIGHT_KNEE,
    B.LEFT_ANKLE,
    B.RIGHT_ANKLE,
    B.LEFT_HEEL,
    B.RIGHT_HEEL,
    B.LEFT_FOOT_INDEX,
    B.RIGHT_FOOT_INDEX,
)
"""The leg points whose joint motion times a rep (every inner-thigh exercise moves the legs)."""


MOTION_VARIANCE = 2.0
"""A principal motion counts when its variance is this many times the (whitened) noise's."""
MIN_EXPLAINED = 0.8
"""The leg motions must explain this share of the signal's variance, or the signal is used."""


@dataclass(frozen=True)
class MotionModel:
    """The linear map from the leg points' coordinates to a signal (see :func:`denoise_by_motion`).

    Kept so that a stream can apply a model fitted on a window to each new frame (one dot
    product) instead of fitting again.
    """

    mean: FloatArray
    scale: FloatArray
    vectors: FloatArray
    coef: FloatArray
    uses_world: bool

    def apply(self, x: FloatArray) -> FloatArray:
        """The signal for features ``x`` (T, F) from :func:`motion_features`."""
        scores = ((x - self.mean) / self.scale) @ self.vectors
        out: FloatArray = self.coef[0] + scores @ self.coef[1:]
        return out


def motion_features(xyz: FloatArray, world: FloatArray | None = None) -> FloatArray:
    """The timing landmarks relative to the hip midpoint, image then world, as (T, F)."""
    cols = [_relative(xyz)]
    if world is not None:
        cols.append(_relative(world))
    return np.concatenate(cols, axis=1)


def fit_motion(
    signal: FloatArray,
    x: FloatArray,
    max_components: int = 6,
    uses_world: bool = False,
    signal_noise_var: float = 0.0,
) -> MotionModel | None:
    """Fit :class:`MotionModel` (None when the motions explain too little of the signal).

    ``signal_noise_var``: the variance of ``signal``'s own noise per frame, which no motion can
    explain; the share explained is judged on the rest (else a noisy recording whose motions
    explain all of its movement would fall back to its noisier signal).
    """
    ok = np.isfinite(x).all(axis=1) & np.isfinite(signal)
    n = int(ok.sum())
    if n < 8 * (max_components + 1):
        return None
    xo = x[ok]
    scale = _noise_scale(np.abs(np.diff(xo, n=2, axis=0))[:: max(1, n // SCALE_ROWS)])
    mean = xo.mean(axis=0)
    z = (xo - mean) / scale
    # principal motions from the small covariance matrix (cheaper than an SVD of all frames)
    var, vec = np.linalg.eigh(z.T @ z / n)
    order = np.argsort(var)[::-1]
    k = int(np.clip((var > MOTION_VARIANCE).sum(), 1, max_components))
    vectors = vec[:, order[:k]]
    scores = z @ vectors
    design = np.column_stack([np.ones(n), scores])
    coef, *_ = np.linalg.lstsq(design, signal[ok], rcond=None)
    resid = signal[ok] - design @ coef
    # the residual holds both sides' noise: the signal's own and the fit's (each score carries
    # unit noise per frame: features scaled by their noise, projected on orthonormal directions)
    noise = n * (signal_noise_var + float(coef[1:] @ coef[1:]))
    total = float(np.sum((signal[ok] - signal[ok].mean()) ** 2)) - noise
    if total <= 0 or 1.0 - (float(resid @ resid) - noise) / total < MIN_EXPLAINED:
        return None
    return MotionModel(mean, scale, vectors, coef, uses_world)


def smoothed_noise_var(raw: FloatArray, fps: float) -> float:
    """The noise variance per frame left in ``smooth(raw, fps)``: ``raw``'s own (from its second
    differences, as :func:`_noise_scale` reads it) times what the filter lets through."""
    finite = raw[np.isfinite(raw)]
    if finite.size < 3:
        return 0.0
    sigma = float(_noise_sd(np.abs(np.diff(finite, n=2))[:, None])[0])
    return sigma**2 * smoothing_gain(fps)


def _noise_scale(d2: FloatArray) -> FloatArray:
    """Each feature's noise standard deviation from its absolute second differences ``d2`` (T, F),
    robustly (their median); infinite, i.e. the feature left out, where it cannot be read.

    A coordinate that repeats exactly in most frames (still, or stored rounded: landmarks.json
    keeps world landmarks to the millimetre, and the hips' world coordinates relative to their
    midpoint barely move) has a median second difference of 0, or a rounding residue (1e-19)
    that would weigh it 1e15 times over the others; it carries no motion worth the risk.
    """
    sd = _noise_sd(d2)
    readable = sd > 1e-9 * d2.max(axis=0)
    out: FloatArray = np.where(readable, sd, np.inf)
    return out


def _noise_sd(d2: FloatArray) -> FloatArray:
    """The robust noise standard deviation of each column from its absolute second differences."""
    out: FloatArray = _median0(d2) * 1.4826 / np.sqrt(6.0)
    return out


def denoise_by_motion(
    signal: FloatArray,
    xyz: FloatArray,
    world: FloatArray | None = None,
    fallback: FloatArray | None = None,
    max_components: int = 6,
    signal_noise_var: float = 0.0,
) -> FloatArray:
    """The signal as explained by the legs' main motions: less noise, same timing.

    One movement moves every leg point on the same time course, while landmark noise is
    independent per point and coordinate. The leg points' coordinates (image x, y, z relative to
    the hip midpoint, and world x, y, z when present) are each scaled by their own noise level
    (from second differences, so the noisier depth weighs less), reduced to the principal
    motions that stand out of that noise, and ``signal`` (the smoothed primary signal) is
    regressed on them; the fitted signal averages the noise of many coordinates instead of the few the signal
    is built from. A single signal's plateau (knees already touching while the legs still move)
    does not stop the timing either. Where the motions explain less than
    :data:`MIN_EXPLAINED` of the signal, ``fallback`` (else ``signal``) is returned instead.
    ``signal_noise_var``: ``signal``'s own noise variance (:func:`smoothed_noise_var`).
    """
    out = signal if fallback is None else fallback
    x = motion_features(xyz, world)
    model = fit_motion(signal, x, max_components, world is not None, signal_noise_var)
    if model is None:
        return out
    fitted = model.apply(x)
    return np.where(np.isfinite(fitted), fitted, out)


def _relative(pts: FloatArray) -> FloatArray:
    """The timing landmarks relative to the hip midpoint, flattened to (T, P * D)."""
    hip_mid = (pts[:, B.LEFT_HIP] + pts[:, B.RIGHT_HIP]) / 2.0
    rel = np.take(pts, TIMING_LANDMARKS, axis=1) - hip_mid[:, None, :]
    out: FloatArray = rel.reshape(len(pts), -1)
    return out


LEG_POINTS = (B.LEFT_KNEE, B.RIGHT_KNEE, B.LEFT_ANKLE, B.RIGHT_ANKLE)
"""A leg is in the picture while all of these are seen inside the image."""


def seen(values: FloatArray, detected: BoolArray) -> FloatArray:
    """The values of frames where a person was seen; NaN on (bridged) dropout frames."""
    mask = detected.reshape(detected.shape + (1,) * (values.ndim - 1))
    out: FloatArray = np.where(mask, values, np.nan)
    return out


def reliable(c: Cleaned, idx: tuple[int, ...]) -> BoolArray:
    """Frames where every landmark in ``idx`` was seen inside the image (a number may rest on them)."""
    out: BoolArray = (c.seen[:, list(idx)] & c.inside[:, list(idx)]).all(axis=1)
    return out


def legs_out_fraction(c: Cleaned) -> float:
    """Share of the frames with a person where a knee or ankle lies outside the picture.

    Position, not visibility: a far leg hidden behind the near one in a side view has a low
    visibility but is in the frame (its numbers are held back by ``reliable`` instead).
    """
    det = c.detected
    legs_out = ~c.inside[:, list(LEG_POINTS)].all(axis=1)
    return float(legs_out[det].mean()) if det.any() else 0.0


def primary_signal(spec: AnalysisSpec, xyz: FloatArray, knee_gap: FloatArray) -> FloatArray:
    """The exercise's primary signal per frame (dispatch on the template's signal name)."""
    name = spec.primary_signal
    if name == "knee_gap":
        return knee_gap
    if name == "bottom_leg_floor_angle":
        return geo.floor_angle_deg(xyz, geo.bottom_side(xyz))
    if name == "hip_flexion":
        return geo.hip_flexion_deg(xyz)
    if name == "knee_extension":
        out: FloatArray = (geo.knee_extension_deg(xyz, "left") + geo.knee_extension_deg(xyz, "right")) / 2
        return out
    if name == "foot_progression":
        fp: FloatArray = (geo.foot_angle_deg(xyz, "left") + geo.foot_angle_deg(xyz, "right")) / 2
        return fp
    raise ValueError(f"unknown primary signal {name!r}")


@dataclass(frozen=True)
class LegSignals:
    """The per-frame leg signals the later stages read (NaN where unknown).

    ``gaps``/``primary``: smoothed, for plots; ``raw_gaps``/``raw_primary``/``tilt``: unsmoothed
    and NaN on dropout frames, for the fits (bridged dropouts are guesses); ``timing``: the
    primary signal denoised and oriented so that a rep rises, ``timing_seen`` its unsmoothed
    values on seen frames; ``reliable``/``tilt_ok``: frames whose landmarks can be trusted.
    """

    gaps: dict[str, FloatArray]
    raw_gaps: dict[str, FloatArray]
    reliable: dict[str, BoolArray]
    primary: FloatArray
    raw_primary: FloatArray
    timing: FloatArray
    timing_seen: FloatArray
    tilt: dict[str, FloatArray]
    tilt_ok: BoolArray


def leg_signals(series: LandmarkSeries, spec: AnalysisSpec, c: Cleaned, leg_px: float) -> LegSignals:
    """Surface gaps, the primary and timing signals and shank tilt, from the cleaned landmarks."""
    xyz, raw, det = c.xyz, c.xyz_raw, c.detected
    side_view = spec.view == "side"
    gaps = {lv: geo.surface_gap(xyz, lv, leg_px, side_view) for lv in ("thigh", "knee", "ankle")}
    ok = {
        "thigh": reliable(c, (B.LEFT_HIP, B.RIGHT_HIP, B.LEFT_KNEE, B.RIGHT_KNEE)),
        "knee": reliable(c, (B.LEFT_KNEE, B.RIGHT_KNEE)),
        "ankle": reliable(c, (B.LEFT_ANKLE, B.RIGHT_ANKLE)),
    }
    primary = primary_signal(spec, xyz, gaps["knee"])
    raw_gaps = {lv: seen(geo.surface_gap(raw, lv, leg_px, side_view), det) for lv in gaps}
    raw_primary = seen(primary_signal(spec, raw, raw_gaps["knee"]), det)
    sign = 1.0 if spec.squeeze_direction == "increasing" else -1.0
    timing_raw = denoise_by_motion(
        sign * primary,
        raw,
        c.world_raw,
        fallback=sign * raw_primary,
        signal_noise_var=smoothed_noise_var(raw_primary, series.fps),
    )
    gap_ok = ok
    if side_view:
        # Filmed from the side, the legs are side by side along the camera's axis: their gap is
        # all depth, which a single camera's pose model only guesses (MediaPipe read 0.6-0.7 leg
        # lengths on rendered legs that touched). A gap nobody can see is not reported.
        gaps = {lv: np.full_like(g, np.nan) for lv, g in gaps.items()}
        raw_gaps = {lv: np.full_like(g, np.nan) for lv, g in raw_gaps.items()}
        gap_ok = {lv: np.zeros_like(m) for lv, m in ok.items()}
    return LegSignals(
        gaps=gaps,
        raw_gaps=raw_gaps,
        reliable=gap_ok,
        primary=primary,
        raw_primary=raw_primary,
        timing=smooth(timing_raw, series.fps),
        timing_seen=seen(timing_raw, det),
        tilt={s: seen(geo.shank_tilt_deg(raw, s), det) for s in ("left", "right")},
        tilt_ok=ok["knee"] & ok["ankle"],
    )
