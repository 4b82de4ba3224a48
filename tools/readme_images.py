"""Regenerate the README's pictures: `midline plan` recorded as SVG, and frames of `annotated.mp4`.

Run: .venv/bin/python tools/readme_images.py

The frames come from `midline analyze` on rendered clips (tests/data/rendered): each is the frame
in the middle of the first rep's hold, where the gap bars, the phase and the cue are all on show.
"""

from __future__ import annotations

import io
import sys
import tempfile
from pathlib import Path

from rich.console import Console

from midline.analysis.run import AnalyzeOptions, analyze_video
from midline.planner import build_plan, make_profile
from midline.planner.export_rich import week_table
from midline.video.decode import iter_frames

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "images"
RENDERED = ROOT / "tests" / "data" / "rendered"
FRAMES = {  # picture -> (clip, exercise)
    "annotated-inner-thigh-lift.png": (
        "r12_inner-thigh-lift_clean-bottom-left_caucasian-female",
        "inner-thigh-lift",
    ),
    "annotated-pilates-stance.png": ("r06_standing-squeeze_pilates-stance_african-male", "standing-squeeze"),
    "annotated-seated-squeeze.png": ("r10_seated-squeeze_valgus_caucasian-male", "seated-squeeze"),
}


def plan_svg(path: Path) -> None:
    profile = make_profile(level="beginner", days=3, minutes=20, weeks=4, props="ring,ball")
    plan = build_plan(profile)
    console = Console(record=True, width=92, file=io.StringIO())
    console.print(week_table(plan.weeks[0], profile.minutes))
    path.write_text(console.export_svg(title="midline plan --days 3 --minutes 20 --props ring,ball"))


def annotated_frame(clip: str, exercise: str, path: Path) -> None:
    """The annotated video's frame at the middle of the first rep's hold, as PNG."""
    import cv2

    with tempfile.TemporaryDirectory() as tmp:
        result = analyze_video(RENDERED / f"{clip}.mp4", exercise, tmp, AnalyzeOptions(make_html=False))
        hold = result.analysis.report.reps[0].phases[1]
        when = 0.5 * (hold.start_s + hold.end_s)
        frame = min(iter_frames(result.files["video"]), key=lambda f: abs(f.t - when))
        cv2.imwrite(str(path), cv2.cvtColor(frame.rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_PNG_COMPRESSION, 9])


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    plan_svg(OUT / "plan.svg")
    print(f"wrote {OUT / 'plan.svg'}")
    for name, (clip, exercise) in FRAMES.items():
        if len(sys.argv) > 1 and name not in sys.argv[1:]:
            continue
        annotated_frame(clip, exercise, OUT / name)
        print(f"wrote {OUT / name}")
