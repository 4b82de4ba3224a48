"""Cleaning: spike rejection, gap bridging, zero-phase smoothing, motion-based denoising."""

from __future__ import annotations

import numpy as np

from core_body import BodyPlan, build, standard_reps
from midline.core.landmarks import LM, B, LandmarkSeries
from midline.core.signals import clean, denoise_by_motion, smooth


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
