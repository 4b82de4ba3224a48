"""Accuracy of the analysis core on a folder of known-answer landmark cases.

    .venv/bin/python tools/accuracy.py [FOLDER]      (default tests/data/synthetic)

Prints one row per case (reps truth/got, worst phase-boundary error, knee/ankle gap error at
the squeeze, leg position, cues) and a totals line. The truth files are read here only, never
by the core.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from midline.catalog import load_catalog
from midline.catalog.spec import analysis_spec
from midline.core.pipeline import analyse
from midline.pose.landmarks_file import read_landmarks

PHASE_TOL_S = 0.15
GAP_TOL = 0.03
GAP_EXERCISES = ("standing-squeeze", "seated-squeeze")


@dataclass
class CaseResult:
    case: str
    reps_truth: int
    reps_got: int
    phase_err: float | None
    knee_err: float | None
    ankle_err: float | None
    position_ok: bool
    cues_ok: bool
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            self.reps_truth == self.reps_got
            and (self.phase_err is None or self.phase_err <= PHASE_TOL_S)
            and (self.knee_err is None or self.knee_err <= GAP_TOL)
            and (self.ankle_err is None or self.ankle_err <= GAP_TOL)
            and self.position_ok
            and self.cues_ok
        )


def evaluate(landmarks: Path, truth: dict[str, Any]) -> CaseResult:
    spec = analysis_spec(load_catalog(), truth["exercise"])
    rep = analyse(read_landmarks(landmarks), spec).report
    got = rep.reps
    problems: list[str] = []
    phase_err = None
    knee_err = ankle_err = None
    if len(got) == truth["rep_count"] and got:
        errs = []
        for tr, gr in zip(truth["reps"], got, strict=True):
            tp = {p["name"]: p for p in tr["phases"]}
            for gp in gr.phases:
                p = tp[gp.name]
                errs += [abs(p["start_s"] - gp.start_s), abs(p["end_s"] - gp.end_s)]
            if truth["exercise"] in GAP_EXERCISES:
                for key, name in (("knee_gap_min", "knee"), ("ankle_gap_min", "ankle")):
                    v = getattr(gr, key)
                    e = abs(v - tr[key]) if v is not None else float("inf")
                    if name == "knee":
                        knee_err = max(knee_err or 0.0, e)
                    else:
                        ankle_err = max(ankle_err or 0.0, e)
        phase_err = max(errs)
    if truth["exercise"] in GAP_EXERCISES and "legs-out-of-frame" in truth["expected_cues"]:
        ankle_err = None  # ankles cut off: None is the right answer
    want_pos = truth["leg_position"]
    have_pos = rep.summary.leg_position
    position_ok = not want_pos or all(have_pos.get(s) == want_pos[s] for s in ("left", "right"))
    if "legs-out-of-frame" in truth["expected_cues"]:
        # feet cut off by the framing: the contract asks for null, not a guess
        position_ok = all(have_pos.get(s) is None for s in ("left", "right"))
    codes = set(rep.cue_codes())
    missing = [c for c in truth["expected_cues"] if c not in codes]
    extra = [c for c in truth["forbidden_cues"] if c in codes]
    if missing:
        problems.append("missing " + ",".join(missing))
    if extra:
        problems.append("forbidden " + ",".join(extra))
    if not position_ok:
        problems.append(f"position {have_pos} vs {want_pos}")
    return CaseResult(
        truth["case"],
        truth["rep_count"],
        len(got),
        phase_err,
        knee_err,
        ankle_err,
        position_ok,
        not missing and not extra,
        problems,
    )


def run(folder: Path) -> list[CaseResult]:
    results = []
    for truth_file in sorted(folder.glob("*.truth.json")):
        truth = json.loads(truth_file.read_text())
        lm = truth_file.with_name(truth_file.name.replace(".truth.json", ".landmarks.json"))
        results.append(evaluate(lm, truth))
    return results


def _f(v: float | None, digits: int = 3) -> str:
    return "-" if v is None else f"{v:.{digits}f}"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="The analysis core against known-answer landmark cases.")
    parser.add_argument(
        "folder",
        nargs="?",
        type=Path,
        default=Path("tests/data/synthetic"),
        help="*.landmarks.json + *.truth.json",
    )
    folder: Path = parser.parse_args(argv).folder
    if not any(folder.glob("*.truth.json")):
        parser.error(f"no *.truth.json cases in {folder}")
    results = run(folder)
    print(f"{'case':58} {'reps':>6} {'phase s':>8} {'knee':>6} {'ankle':>6} {'pos':>4} {'cues':>4}  notes")
    for r in results:
        print(
            f"{r.case[:58]:58} {r.reps_truth:>2}/{r.reps_got:<3} {_f(r.phase_err):>8} "
            f"{_f(r.knee_err):>6} {_f(r.ankle_err):>6} {'ok' if r.position_ok else 'NO':>4} "
            f"{'ok' if r.cues_ok else 'NO':>4}  {'; '.join(r.problems)}"
        )
    n = len(results)

    def cnt(pred: Any) -> int:
        return sum(1 for r in results if pred(r))

    phase_errs = [r.phase_err for r in results if r.phase_err is not None]
    gap_cases = [r for r in results if r.knee_err is not None]
    gaps_ok = [
        r for r in gap_cases if r.knee_err <= GAP_TOL and (r.ankle_err is None or r.ankle_err <= GAP_TOL)
    ]
    worst = _f(max(phase_errs) if phase_errs else None)
    print(
        f"TOTAL {cnt(lambda r: r.ok)}/{n} cases pass"
        f" | reps exact {cnt(lambda r: r.reps_truth == r.reps_got)}/{n}"
        f" | phases <= {PHASE_TOL_S}s {sum(e <= PHASE_TOL_S for e in phase_errs)}/{len(phase_errs)}"
        f" (worst {worst})"
        f" | gaps <= {GAP_TOL} {len(gaps_ok)}/{len(gap_cases)}"
        f" | position {cnt(lambda r: r.position_ok)}/{n} | cues {cnt(lambda r: r.cues_ok)}/{n}"
    )
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
