"""The synthetic cases as other recordings of the same sets (tools/variants.py): the analysis must
hold beyond the recordings it was built on.

- mirrored (the image flipped, the person's left now their right): the mirrored report, to the
  same figures;
- a phone that drops 15 % of the frames (at random, or in runs of 3-8), only timestamps left:
  every rep still counted, the gaps at the squeeze still within 0.03 leg lengths, the cues the
  same;
- a recording that starts or stops in the middle of a hold: the half rep is not a rep;
- one filmed worse (every coordinate with 1.5 times its own noise): every rep still counted, the
  cues the same;
- one filmed at half the frame rate (every 2nd frame): every rep counted, the gaps within 0.03,
  the cues the same.
Phase durations are not asserted on the dropped-frame variants: with fewer frames the noise
limit itself is wider (tools/variants.py prints them).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from accuracy import SYNTHETIC_TOL, CaseResult, analyse_series, read_truth, score  # noqa: E402
from variants import VARIANTS  # noqa: E402

from midline.analysis.timed_landmarks import read_timed_landmarks  # noqa: E402

CASES = sorted((ROOT / "tests" / "data" / "synthetic").glob("*.landmarks.json"))
BY_CASE = pytest.mark.parametrize("path", CASES, ids=[p.name.split("_")[0] for p in CASES])
"""Every synthetic case, named by its number (d01...)."""


def _variant(path: Path, kind: str) -> tuple[CaseResult, CaseResult] | None:
    """The case's own result and its ``kind`` variant's (None when the variant does not apply)."""
    series, truth = read_timed_landmarks(path), read_truth(path)
    made = VARIANTS[kind](series, truth)
    if made is None:
        return None
    s, t = made
    return score(analyse_series(series, truth), truth, SYNTHETIC_TOL), score(
        analyse_series(s, t), t, SYNTHETIC_TOL
    )


def _changed(path: Path, kind: str) -> CaseResult:
    """The variant ``kind`` of the case, scored against its changed truth (it must exist)."""
    pair = _variant(path, kind)
    assert pair is not None
    return pair[1]


@BY_CASE
def test_a_mirrored_recording_gives_the_mirrored_report(path: Path) -> None:
    pair = _variant(path, "mirror")
    assert pair is not None
    orig, mirrored = pair
    assert mirrored.reps_got == orig.reps_got
    for a, b in (
        (orig.duration_err, mirrored.duration_err),
        (orig.phase_err, mirrored.phase_err),
        (orig.knee_err, mirrored.knee_err),
        (orig.ankle_err, mirrored.ankle_err),
    ):
        assert (a is None) == (b is None)
        if a is not None and b is not None:
            assert b == pytest.approx(a, abs=1e-6)
    swapped = {"left": orig.position_got.get("right"), "right": orig.position_got.get("left")}
    assert mirrored.position_got == swapped
    assert (mirrored.missing, mirrored.forbidden) == (orig.missing, orig.forbidden)


@pytest.mark.parametrize("kind", ["drop-frames", "drop-runs", "half-rate"])
@BY_CASE
def test_dropped_frames_still_count_every_rep(path: Path, kind: str) -> None:
    r = _changed(path, kind)
    assert r.reps_got == r.reps_truth
    assert r.gaps_ok, (r.knee_err, r.ankle_err)
    assert r.cues_ok, r.problems


@pytest.mark.parametrize("kind", ["trim-start", "trim-end"])
@BY_CASE
def test_a_rep_cut_off_by_the_recording_is_not_a_rep(path: Path, kind: str) -> None:
    pair = _variant(path, kind)
    if pair is None:
        pytest.skip("fewer than two reps: nothing left to cut")
    _, r = pair
    assert r.reps_got == r.reps_truth
    assert r.gaps_ok, (r.knee_err, r.ankle_err)
    assert r.cues_ok, r.problems


@BY_CASE
def test_a_recording_filmed_worse_still_counts_every_rep(path: Path) -> None:
    r = _changed(path, "noisier")
    assert r.reps_got == r.reps_truth
    assert r.cues_ok, r.problems
