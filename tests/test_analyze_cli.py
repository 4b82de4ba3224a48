"""``midline analyze`` end to end: the report folder, --landmarks re-runs, --json, bad input as messages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import midline.cli.analyze_cmd
from make_videos import pattern, write_video
from midline.analysis import AnalyzeOptions, analyze_landmarks, analyze_video
from midline.cli.app import _register, app
from midline.pose.extract import ExtractOptions
from midline.video.encode import VideoWriter

HERE = Path(__file__).parent
REAL = HERE / "data" / "real"
SYNTH = HERE / "data" / "synthetic"
FAST_RELEASE = SYNTH / "d05_standing-squeeze_fast-release.landmarks.json"
runner = CliRunner()
_register()  # the commands, as `midline` registers them


def flat(text: str) -> str:
    """Rich wraps long lines; compare text with the wrapping undone."""
    return " ".join(text.split())


def midline(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The installed entry point, as a user runs it (errors become messages there)."""
    code = "from midline.cli.app import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def test_landmarks_rerun_writes_the_report_folder_and_prints_the_summary(tmp_path: Path) -> None:
    out = tmp_path / "set.midline"
    res = runner.invoke(
        app, ["analyze", "--landmarks", str(FAST_RELEASE), "-e", "standing-squeeze", "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    report = json.loads((out / "report.json").read_text())
    assert report["summary"]["rep_count"] == 4
    assert "fast-release" in [c["code"] for c in report["cues"]]
    assert "standing-squeeze: 4 reps" in res.stdout
    assert "control the release" in " ".join(res.stdout.split())
    html = (out / "report.html").read_text()
    assert "Plotly.newPlot" in html and "<script src=" not in html
    assert not any(p.name.startswith(".") for p in out.iterdir()), "no temporary files left"


def test_json_dash_prints_only_the_report_on_stdout(tmp_path: Path) -> None:
    res = runner.invoke(
        app,
        [
            "analyze",
            "--landmarks",
            str(FAST_RELEASE),
            "-e",
            "standing-squeeze",
            "--out",
            str(tmp_path),
            "--json",
            "-",
        ],
    )
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["exercise"] == "standing-squeeze"


def test_json_path_and_position_and_height(tmp_path: Path) -> None:
    target = tmp_path / "copy" / "r.json"
    res = runner.invoke(
        app,
        ["analyze", "--landmarks", str(FAST_RELEASE), "-e", "standing-squeeze", "--out", str(tmp_path / "o"),
         "--json", str(target), "--position", "pilates-stance", "--height-cm", "165"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    report = json.loads(target.read_text())
    assert report["asked_position"] == "pilates-stance"
    assert "position-mismatch" in [c["code"] for c in report["cues"]]
    assert report["summary"]["knee_gap_at_squeeze_cm"] is not None


def test_video_and_landmarks_runs_give_the_same_report(tmp_path: Path) -> None:
    clip = REAL / "pose2sim_single_cam01.mp4"
    options = AnalyzeOptions(make_video=True, extract=ExtractOptions(workers=1))
    first = analyze_video(clip, "standing-squeeze", tmp_path / "v", options)
    assert {p.name for p in (tmp_path / "v").iterdir()} == {
        "report.json",
        "landmarks.json",
        "annotated.mp4",
        "report.html",
    }
    assert 'src="data:video/mp4;base64,' in (tmp_path / "v" / "report.html").read_text()
    again = analyze_landmarks(tmp_path / "v" / "landmarks.json", "standing-squeeze", tmp_path / "l")
    assert again.report == first.report
    assert first.report["quality"]["detected_fraction"] > 0.9


def test_video_with_no_person_gives_a_report_with_the_no_person_cue(tmp_path: Path) -> None:
    clip = write_video(tmp_path / "empty_room.mp4", [i / 30 for i in range(60)], width=160, height=120)
    res = runner.invoke(app, ["analyze", str(clip), "-e", "standing-squeeze", "--no-video"])
    assert res.exit_code == 0, res.output
    report = json.loads((tmp_path / "empty_room.midline" / "report.json").read_text())
    assert [c["code"] for c in report["cues"]] == ["no-person"]
    assert not (tmp_path / "empty_room.midline" / "annotated.mp4").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"squeeze and release\n" * 10, "not a video"),
        (b"#EXTM3U\n#EXTINF:1,\nhttp://example.com/a.ts\n", "playlist or concat list"),
    ],
)
def test_bad_files_get_a_message_not_a_traceback(tmp_path: Path, content: bytes, message: str) -> None:
    bad = tmp_path / "set.mp4"
    bad.write_bytes(content)
    res = midline("analyze", str(bad), "--exercise", "standing-squeeze")
    assert res.returncode == 2
    assert message in flat(res.stderr)
    assert "Traceback" not in res.stderr
    assert not (tmp_path / "set.midline" / "report.json").exists()


def test_truncated_video_leaves_no_report(tmp_path: Path) -> None:
    data = (REAL / "pose2sim_single_cam01.mp4").read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])
    res = midline("analyze", str(cut), "--exercise", "standing-squeeze")
    assert res.returncode == 2, res.stderr
    assert "damaged or incomplete" in flat(res.stderr)
    assert not (tmp_path / "cut.midline" / "report.json").exists()


def test_unknown_exercise_lists_the_ones_that_can_be_analysed() -> None:
    res = midline("analyze", str(REAL / "pose2sim_single_cam01.mp4"), "--exercise", "jumping-jacks")
    assert res.returncode == 2
    assert "unknown exercise 'jumping-jacks'" in flat(res.stderr)
    assert "standing-squeeze" in res.stderr and "double-leg-lowers" in res.stderr


def test_unknown_position_lists_the_known_ones() -> None:
    res = midline("analyze", "--landmarks", str(FAST_RELEASE), "-e", "standing-squeeze", "--position", "frog")
    assert res.returncode == 2
    assert "parallel, pilates-stance, internal" in flat(res.stderr)


def test_video_cut_short_after_its_header_is_reported_as_truncated(tmp_path: Path) -> None:
    # moov first (+faststart), then the picture data cut: decoding simply ends early, without an error.
    whole = tmp_path / "whole.mp4"
    with VideoWriter(whole, fps=30) as writer:
        for i in range(150):
            writer.write(pattern(160, 120, i), i / 30)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    res = midline("analyze", str(cut), "--exercise", "standing-squeeze", "--no-video")
    assert res.returncode == 2, res.stderr
    assert "probably truncated" in flat(res.stderr)
    assert not (tmp_path / "cut.midline" / "report.json").exists()


def test_an_exercise_without_an_analysis_template_is_refused_with_the_ones_that_have_one() -> None:
    res = midline("analyze", "--landmarks", str(FAST_RELEASE), "-e", "clamshell")
    assert res.returncode == 2
    assert "cannot be analysed from video" in flat(res.stderr)
    assert "standing-squeeze" in res.stderr
