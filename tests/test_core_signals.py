"""Cleaning: spike rejection, gap bridging, zero-phase smoothing, motion-based denoising."""

from __future__ import annotations

import numpy as np

from core_body import BodyPlan, build, standard_reps
from midline.core.landmarks import LM, B, LandmarkSeries
from midline.core.signals import (
    clean,
    denoise_by_motion,
    fit_motion,
    motion_features,
    smooth,
    smoothed_noise_var,
)


def test_a_one_frame_spike_is_removed_and_a_short_dropout_bridged() -> None:
    s = build(BodyPlan(duration=4.0, reps=[], noise_px=0.5))
    img = s.image.copy()
    img[40, LM.LEFT_KNEE, 0] += 0.2  # 256 px spike
    img[60:65] = np.nan  # a 5-frame dropout
    c = clean(LandmarkSeries(s.t, img, None, s.width, s.height, s.fps))
    knee_x = c.xyz[:, B.LEFT_KNEE, 0]
    assert np.isfinite(knee_x).all()
    assert abs(knee_x[40] - np.median(knee_x)) < 3.0
    assert not c.detected[60:65].any()


def test_long_dropouts_stay_unknown() -> None:
    s = build(BodyPlan(duration=4.0, reps=[]))
    img = s.image.copy()
    img[30:60] = np.nan  # 1 s: too long to bridge
    c = clean(LandmarkSeries(s.t, img, None, s.width, s.height, s.fps))
    assert np.isnan(c.xyz[35:55, B.LEFT_KNEE, 0]).all()
    assert np.isfinite(c.xyz[:25, B.LEFT_KNEE, 0]).all()


def test_smoothing_does_not_shift_timing() -> None:
    t = np.arange(300) / 30.0
    pulse = np.exp(-(((t - 5.0) / 0.4) ** 2))
    noisy = pulse + np.random.default_rng(0).normal(0, 0.05, t.shape)
    out = smooth(noisy, 30.0)
    assert abs(t[np.argmax(out)] - 5.0) <= 2 / 30.0
    assert np.std(out - pulse) < 0.5 * np.std(noisy - pulse)


def test_denoising_by_the_legs_motion_keeps_the_signal_and_cuts_noise() -> None:
    plan = BodyPlan(duration=15.0, reps=standard_reps(), squeeze_deg=(4.0, 4.0))
    clean_c = clean(build(plan))
    noisy_c = clean(build(BodyPlan(**{**plan.__dict__, "noise_px": 4.0})))
    truth = clean_c.xyz_raw[:, B.LEFT_KNEE, 0] - clean_c.xyz_raw[:, B.RIGHT_KNEE, 0]
    noisy = noisy_c.xyz_raw[:, B.LEFT_KNEE, 0] - noisy_c.xyz_raw[:, B.RIGHT_KNEE, 0]
    denoised = denoise_by_motion(noisy, noisy_c.xyz_raw)
    assert np.std(denoised - truth) < 0.6 * np.std(noisy - truth)
    assert np.corrcoef(denoised, truth)[0, 1] > 0.95


def knee_x_gap(noise_px: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A squeeze set's knee x gap without noise and with ``noise_px`` of landmark noise, and the
    noisy body's landmarks (pixels)."""
    plan = BodyPlan(duration=15.0, reps=standard_reps(), squeeze_deg=(4.0, 4.0))
    exact = clean(build(plan)).xyz_raw
    noisy = clean(build(BodyPlan(**{**plan.__dict__, "noise_px": noise_px}))).xyz_raw
    gap = [p[:, B.LEFT_KNEE, 0] - p[:, B.RIGHT_KNEE, 0] for p in (exact, noisy)]
    return gap[0], gap[1], noisy


def test_a_noisy_recording_keeps_the_denoising_its_legs_motion_gives() -> None:
    """At 16 px of noise the knee gap's own smoothed noise is a fifth of its variance: judged on
    all of it, the legs' motions 'explained too little' and the 3.6x noisier gap was used. The
    share is judged on the signal less its own noise and the fit's."""
    truth, noisy, xyz = knee_x_gap(16.0)
    target = smooth(noisy, 30.0)
    own = smoothed_noise_var(noisy, 30.0)
    assert fit_motion(target, motion_features(xyz), signal_noise_var=own) is not None
    denoised = denoise_by_motion(target, xyz, fallback=noisy, signal_noise_var=own)
    assert np.std(denoised - truth) < 0.35 * np.std(noisy - truth)


def test_a_coordinate_that_repeats_but_for_rounding_does_not_swamp_the_motions() -> None:
    """landmarks.json keeps world landmarks to the millimetre: a coordinate that barely moves then
    repeats in most frames, and its second differences are rounding residues (1e-19). Read as
    its noise, that weighed it 1e15 times over the legs and the denoising fell apart."""
    truth, noisy, xyz = knee_x_gap(4.0)
    rng = np.random.default_rng(0)
    rounded = np.column_stack(
        [
            np.where(rng.random(len(truth)) < 0.1, 0.001, 0.0) + 1e-19 * rng.standard_normal(len(truth))
            for _ in range(3)
        ]
    )
    x = np.column_stack([motion_features(xyz), rounded])
    model = fit_motion(smooth(noisy, 30.0), x)
    assert model is not None
    assert np.std(model.apply(x) - truth) < 0.35 * np.std(noisy - truth)
