"""Hold the whole pipeline to the rendered clips: `midline analyze` on each clip against its truth.

    cd tools && ../.venv/bin/python -m render.evaluate ../tests/data/rendered

Prints one row per clip: reps found / true, primary signal at rest and peak (found / true), expected cues
missed and forbidden cues given. A report for people. The pass/fail table against issue #5's criteria
is `tools/accuracy.py --rendered` (held by tests/test_rendered_accuracy.py; docs/accuracy.md).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any


def analyse(video: Path, exercise: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        cmd = [str(Path(sys.executable).parent / "midline"), "analyze", str(video), "-e", exercise]
        cmd += ["--no-video", "--out", tmp, "--json", str(out)]
        subprocess.run(cmd, check=True, capture_output=True)
        return dict(json.loads(out.read_text()))


def row(video: Path) -> dict[str, Any]:
    truth = json.loads(video.with_name(video.name.removesuffix(".mp4") + ".truth.json").read_text())
    report = analyse(video, truth["exercise"])
    given = {c["code"] for c in report.get("cues", [])}
    found = report["summary"].get("primary_signal") or {}
    return {
        "clip": truth["case"],
        "reps": f"{report['summary']['rep_count']}/{truth['rep_count']}",
        "rest": f"{found.get('rest', float('nan')):.3g}/{truth['primary_signal']['rest']:.3g}",
        "peak": f"{found.get('peak', float('nan')):.3g}/{truth['primary_signal']['peak']:.3g}",
        "missed": sorted(set(truth["expected_cues"]) - given),
        "forbidden_given": sorted(given & set(truth["forbidden_cues"])),
    }


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else Path(__file__).resolve().parents[2] / "tests" / "data" / "rendered"
    for video in sorted(folder.glob("*.mp4")):
        print(json.dumps(row(video)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
