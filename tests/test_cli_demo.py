"""``midline demo``: the README's main command prints a programme and analyses the bundled clip."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

import midline.cli.demo_cmd  # noqa: F401  (registers the command on the app)
from midline.cli.app import app
from midline.samples import sample_video


def test_the_sample_clip_ships_inside_the_package() -> None:
    assert sample_video().is_file() and sample_video().stat().st_size > 10_000


def test_demo_prints_the_programme_and_finds_the_samples_loose_ankles(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    res = CliRunner().invoke(app, ["demo", "--out", str(out), "--no-video"])
    assert res.exit_code == 0, res.output
    assert "Week 4 - deload" in res.stdout and "Session 3, Friday" in res.stdout
    report = json.loads((out / "report.json").read_text())
    # The sample was rendered with the knees together and the ankles apart, two reps.
    assert report["summary"]["rep_count"] == 2
    assert "legs-loose-below" in {c["code"] for c in report["cues"]}
    assert (out / "report.html").is_file()
