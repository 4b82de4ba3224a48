"""The whole pipeline on every rendered clip (tests/data/rendered) against its exact truth.

Each clip goes through what `midline analyze` runs: PyAV decoding, MediaPipe Pose and the analysis
core (``analyze_video``, one pose process per clip, two clips at a time), once per clip per test
session (its landmarks.json is kept in a session folder), then the core on that landmarks.json.
Criteria, issue #5's Done-when: rep count exact; every phase's duration within 0.2 s;
knee and ankle surface gaps at the squeeze within 0.04 leg lengths (squeezes, where the truth
measures them on the mesh); the right leg position, left and right; every expected cue present
and no forbidden one. New clips in the folder are picked up. Where a clip misses a criterion for a
known reason, it is marked xfail (strict) with the measured figure, and docs/accuracy.md says why.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from accuracy import (  # noqa: E402
    GAP_EXERCISES,
    RENDERED_TOL,
    STEP_EXERCISES,
    CaseResult,
    all_clip_landmarks,
    analyse_series,
    read_truth,
    score,
    truth_series,
)
from variants import VARIANTS  # noqa: E402

from midline.analysis.timed_landmarks import read_timed_landmarks  # noqa: E402
from midline.pose.backend import PRECISE_TIMING  # noqa: E402

RENDERED = ROOT / "tests" / "data" / "rendered"
CLIPS = sorted(RENDERED.glob("*.mp4"))
CRITERIA = ("reps", "phases", "gaps", "position", "cues")

# Side-lying: the bent top (support) leg's position is not reported (null), as in the synthetic set.
SUPPORT_LEG = {(clip, "position"): "support leg not reported" for clip in ("r12", "r13", "r14")}

# (clip number, criterion) -> why it misses, with the figure measured (tools/accuracy.py --rendered).
KNOWN = {
    # MediaPipe's knees respond non-linearly near the squeeze (slow ends read flat, or creep through
    # the hold), so the fitted hold comes out 0.2-0.3 s long or short. The core on the rig's exact
    # joints (tools/accuracy.py --rendered --truth-joints) times these within 0.003 s (r07: 0.18 s).
    ("r01", "phases"): "MediaPipe: hold 0.24 s long (exact joints: 0.002 s)",
    ("r02", "phases"): "MediaPipe: hold 0.21 s short (exact joints: 0.003 s)",
    ("r07", "phases"): "MediaPipe: hold 0.23 s short (exact joints: 0.18 s)",
    ("r09", "phases"): "MediaPipe: hold 0.22 s long (exact joints: 0.003 s)",
    # r20-r22 were rendered after the analysis was settled (session 4), as clips it was not tuned on
    ("r20", "phases"): "MediaPipe: hold 0.24 s short (exact joints: 0.002 s)",
    ("r22", "phases"): "MediaPipe: release 0.33 s short (exact joints: 0.002 s)",
    **SUPPORT_LEG,
}


# The same with `midline analyze --precise-timing` (the pose model re-anchored every 2nd frame,
# its crop unfiltered): the holds above no longer trail (docs/accuracy.md, docs/video.md).
KNOWN_PRECISE = {
    ("r11", "phases"): "MediaPipe, precise timing: hold 0.23 s short (tracking: 0.09 s)",
    ("r22", "phases"): "MediaPipe, precise timing: release 0.22 s short (tracking: 0.33 s)",
    **SUPPORT_LEG,
}


@pytest.fixture(scope="session")
def rendered_landmarks(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, Path]:
    """Every clip through decode + MediaPipe once per session (two clips at a time): landmarks.json."""
    return all_clip_landmarks(CLIPS, tmp_path_factory.mktemp("rendered"))


def scored(landmarks: dict[Path, Path]) -> dict[str, CaseResult]:
    """Each clip's landmarks through the core, scored against its truth (by clip file name)."""
    out = {}
    for video, path in landmarks.items():
        truth = read_truth(video)
        out[video.name] = score(analyse_series(read_timed_landmarks(path), truth), truth, RENDERED_TOL)
    return out


@pytest.fixture(scope="session")
def rendered_results(rendered_landmarks: dict[Path, Path]) -> dict[str, CaseResult]:
    """Every clip's landmarks through the core, scored against its truth."""
    return scored(rendered_landmarks)


@pytest.fixture(scope="session")
def precise_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CaseResult]:
    """Every clip as `midline analyze --precise-timing` sees it, scored against its truth."""
    return scored(all_clip_landmarks(CLIPS, tmp_path_factory.mktemp("precise"), pose=PRECISE_TIMING))


def _params(known: dict[tuple[str, str], str] = KNOWN) -> list[Any]:
    out = []
    for video in CLIPS:
        number = video.name.split("_", 1)[0]
        exercise = read_truth(video)["exercise"]
        skip = set() if exercise in GAP_EXERCISES else {"gaps"}  # gaps: squeezes (measured on the mesh)
        if exercise in STEP_EXERCISES:  # walking: the report counts steps, not reps
            skip |= {"reps", "phases"}
        for crit in [c for c in CRITERIA if c not in skip]:
            marks = []
            if (number, crit) in known:
                marks.append(pytest.mark.xfail(reason=known[(number, crit)], strict=True))
            out.append(pytest.param(video, crit, id=f"{video.stem}-{crit}", marks=marks))
    return out


@pytest.mark.parametrize(("video", "criterion"), _params())
def test_rendered_clip_meets_criterion(
    video: Path,
    criterion: str,
    rendered_results: dict[str, CaseResult],
) -> None:
    meets(rendered_results[video.name], criterion)


@pytest.mark.parametrize(("video", "criterion"), _params(KNOWN_PRECISE))
def test_rendered_clip_with_precise_timing_meets_criterion(
    video: Path,
    criterion: str,
    precise_results: dict[str, CaseResult],
) -> None:
    meets(precise_results[video.name], criterion)


def meets(r: CaseResult, criterion: str) -> None:
    """Assert one of issue #5's criteria on a clip's scored report."""
    if criterion == "reps":
        assert r.reps_got == r.reps_truth
    elif criterion == "phases":
        assert r.duration_err is not None and r.duration_err <= RENDERED_TOL.phase_s, r.duration_err
    elif criterion == "gaps":
        assert r.knee_err is not None and r.knee_err <= RENDERED_TOL.gap, r.knee_err
        assert r.ankle_err is not None and r.ankle_err <= RENDERED_TOL.gap, r.ankle_err
    elif criterion == "position":
        assert r.position_ok, r.problems
    else:
        assert r.cues_ok, r.problems


def test_every_exercise_is_rendered() -> None:
    exercises = {read_truth(v)["exercise"] for v in CLIPS}
    assert {"standing-squeeze", "seated-squeeze", "inner-thigh-lift", "double-leg-lowers"} <= exercises
    assert all(read_truth(v)["rep_count"] > 0 for v in CLIPS)


@pytest.mark.parametrize("video", CLIPS, ids=[c.stem for c in CLIPS])
def test_core_on_the_rigs_exact_joints_counts_and_times_every_rep(video: Path) -> None:
    """Without the pose model's error (the rig's joints as landmarks) the core meets the timing and
    gap criteria on every clip: what the MediaPipe runs above miss is the pose model's share."""
    truth = read_truth(video)
    r = score(analyse_series(truth_series(truth), truth), truth, RENDERED_TOL)
    assert r.reps_got == r.reps_truth
    if truth["exercise"] not in STEP_EXERCISES:
        assert r.duration_err is not None and r.duration_err <= RENDERED_TOL.phase_s, r.duration_err
    if truth["exercise"] in GAP_EXERCISES:
        assert r.knee_err is not None and r.knee_err <= RENDERED_TOL.gap, r.knee_err
        assert r.ankle_err is not None and r.ankle_err <= RENDERED_TOL.gap, r.ankle_err


# (variant, clip number) -> why its rep count misses (tools/variants.py --rendered). None since
# session 7: drop-frames r12 and drop-runs r01 lost their last rep while a rep's rough end (pushed
# past the last frame by the dropped frames of its release) could drop it; its fit decides now.
KNOWN_VARIANTS: dict[tuple[str, str], str] = {}


@pytest.mark.parametrize("kind", ["mirror", "drop-frames", "drop-runs", "trim-start", "trim-end", "noisier"])
def test_other_recordings_of_the_clips_count_every_rep(
    kind: str, rendered_landmarks: dict[Path, Path]
) -> None:
    """The clips' landmarks as other recordings of the same sets (tools/variants.py): mirrored,
    with 15 % of the frames dropped (at random or in runs), cut off in a hold (one rep fewer),
    or with 1.5 times the landmarks' own noise: every rep is counted (but for known misses
    above, exactly those) and every expected cue given, no forbidden one."""
    misses, wrong_cues = set(), []
    for video, path in rendered_landmarks.items():
        truth = read_truth(video)
        if truth["exercise"] in STEP_EXERCISES:
            continue
        made = VARIANTS[kind](read_timed_landmarks(path), truth)
        if made is None:
            continue
        r = score(analyse_series(*made), made[1], RENDERED_TOL)
        number = video.name.split("_", 1)[0]
        if r.reps_got != r.reps_truth:
            misses.add((kind, number))
        elif not r.cues_ok:
            wrong_cues.append(f"{video.stem}: {r.problems}")
    assert misses == {k for k in KNOWN_VARIANTS if k[0] == kind}
    assert not wrong_cues, wrong_cues
