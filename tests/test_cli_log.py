"""``midline log``, ``history``, ``export`` and ``import`` through the real app on a SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner, Result

import midline.cli.log_cmds  # registers the commands on the app
import midline.cli.plan_cmd  # noqa: F401
from midline.catalog import load_catalog
from midline.catalog.spec import analysis_spec
from midline.cli.app import app
from midline.core.pipeline import analyse
from midline.log.landmarks import unpack_landmarks
from midline.log.service import store_analysis
from midline.pose.landmarks_file import series_from_dict
from midline.storage import open_repository

SYNTHETIC = Path(__file__).parent / "data" / "synthetic"

runner = CliRunner()


def run(db: Path, *args: str) -> Result:
    return runner.invoke(app, [*args, "--db", str(db)], env={"COLUMNS": "200"})


def test_logged_sets_show_in_history_with_a_sparkline_and_the_pain_hold(tmp_path: Path) -> None:
    db = tmp_path / "log.db"
    common = ["--prop", "ball", "--placement", "above-knees", "--position", "parallel", "--tempo", "2-2-3"]
    res = run(
        db,
        "log",
        "--exercise",
        "seated-squeeze",
        "--sets",
        "2",
        "--reps",
        "10",
        *common,
        "--rpe",
        "5",
        "--date",
        "2026-11-16",
    )
    assert res.exit_code == 0, res.output
    assert "logged 2 sets of seated-squeeze (both) on 2026-11-16" in res.output
    run(db, "log", "-e", "seated-squeeze", "--sets", "2", "--reps", "12", *common, "--date", "2026-11-18")
    res = run(
        db,
        "log",
        "-e",
        "seated-squeeze",
        "--sets",
        "3",
        "--reps",
        "15",
        *common,
        "--pain",
        "2",
        "--notes",
        "inner knee",
        "--date",
        "2026-11-20",
    )
    assert res.exit_code == 0, res.output
    assert "pain reported on 2026-11-20: progression held for seated-squeeze" in res.output

    res = run(db, "history", "--exercise", "seated-squeeze", "--metric", "volume", "--weeks", "0")
    assert res.exit_code == 0, res.output
    assert res.output.count("seated-squeeze") >= 7  # 7 set rows
    assert "inner knee" in res.output
    assert "total reps (every set, both sides): ▁▂█  20 → 45" in res.output
    assert "pain reported on 2026-11-20: progression held for seated-squeeze" in res.output

    res = run(db, "history", "--metric", "rpe", "--weeks", "0")
    assert "highest RPE: ▄  5 → 5" in res.output


def test_a_one_leg_exercise_records_each_side(tmp_path: Path) -> None:
    db = tmp_path / "log.db"
    res = run(db, "log", "-e", "side-lying-leg-lift", "--sets", "2", "--date", "2026-11-20")
    assert "logged 4 sets of side-lying-leg-lift (left, right)" in res.output
    res = run(
        db, "log", "-e", "side-lying-leg-lift", "--sets", "1", "--side", "right", "--date", "2026-11-20"
    )
    assert "logged 1 sets of side-lying-leg-lift (right)" in res.output
    rows = run(db, "history", "--weeks", "0").output.splitlines()
    assert [r.split("│")[3:5] for r in rows if "side-lying-leg-lift" in r] == [
        [" 1   ", " left  "],
        [" 1   ", " right "],
        [" 2   ", " left  "],
        [" 2   ", " right "],
        [" 3   ", " right "],
    ]


def test_a_planned_session_is_marked_done_once(tmp_path: Path) -> None:
    db = tmp_path / "log.db"
    plan = runner.invoke(app, ["plan", "--weeks", "1", "--props", "ring,ball", "--json"])
    (tmp_path / "plan.json").write_text(plan.stdout)
    args = [
        "log",
        "--plan",
        str(tmp_path / "plan.json"),
        "--week",
        "1",
        "--session",
        "1",
        "--date",
        "2026-11-23",
    ]
    res = run(db, *args)
    assert res.exit_code == 0, res.output
    assert "week 1 session 1 done on 2026-11-23" in res.output
    res = run(db, *args)
    assert res.exit_code == 2 and "already marked done (on 2026-11-23)" in res.output
    res = run(db, "log", "--plan", str(tmp_path / "plan.json"), "--week", "3", "--session", "1")
    assert res.exit_code == 2 and "the plan has no week 3" in res.output


def test_export_import_into_a_fresh_database_and_export_again_is_identical(tmp_path: Path) -> None:
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    run(a, "log", "-e", "seated-squeeze", "--sets", "2", "--reps", "12", "--rpe", "6", "--date", "2026-11-20")
    run(a, "log", "-e", "clamshell", "--pain", "1", "--notes", 'hip, "pinch"', "--date", "2026-11-21")
    res = run(a, "export", "--json", str(tmp_path / "a.json"), "--csv", str(tmp_path / "a.csv"))
    assert res.exit_code == 0, res.output
    res = run(b, "import", str(tmp_path / "a.json"))
    assert res.exit_code == 0 and "imported 0 profiles, 0 plans, 2 sessions, 0 analyses" in res.output
    res = run(b, "import", str(tmp_path / "a.json"))
    assert "2 already there, skipped" in res.output
    run(b, "export", "--json", str(tmp_path / "b.json"))
    assert (tmp_path / "b.json").read_bytes() == (tmp_path / "a.json").read_bytes()
    doc = json.loads((tmp_path / "a.json").read_text())
    assert [len(s["sets"]) for s in doc["sessions"]] == [2, 4]  # clamshell: 2 sets x left/right
    csv_lines = (tmp_path / "a.csv").read_text().splitlines()
    assert len(csv_lines) == 1 + 6 and 'hip, ""pinch""' in csv_lines[-1]


def test_mistakes_are_messages_with_exit_status_2(tmp_path: Path) -> None:
    db = tmp_path / "log.db"
    cases = [
        (["log", "-e", "seated-sqeeze"], "unknown exercise 'seated-sqeeze'. Did you mean: seated-squeeze"),
        (["log"], "give --exercise ID to log sets, or --plan FILE --week N --session N"),
        (["log", "-e", "seated-squeeze", "--date", "20/11/2026"], "the date must be YYYY-MM-DD"),
        (["log", "-e", "seated-squeeze", "--side", "left"], "works both legs at once"),
        (["history", "--metric", "knee_gap"], "unknown metric 'knee_gap'"),
        (["export"], "give --csv PATH and/or --json PATH"),
        (["import", str(tmp_path / "missing.json")], "cannot read"),
        (["log", "-e", "seated-squeeze", "--user", "nobody"], "no user 'nobody' in this database"),
    ]
    for args, message in cases:
        res = run(db, *args)
        assert res.exit_code == 2, (args, res.output)
        assert message in " ".join(res.output.split()), (args, res.output)
        assert "Traceback" not in res.output
    (tmp_path / "x.json").write_text('{"format": "something-else"}')
    res = run(db, "import", str(tmp_path / "x.json"))
    assert res.exit_code == 2 and "not a midline export" in res.output


def test_the_database_comes_from_midline_db_when_no_db_is_given(tmp_path: Path) -> None:
    db = tmp_path / "env.db"
    res = runner.invoke(app, ["log", "-e", "clamshell", "--date", "2026-11-20"], env={"MIDLINE_DB": str(db)})
    assert res.exit_code == 0, res.output
    assert db.exists()
    res = runner.invoke(
        app, ["history", "--weeks", "0"], env={"MIDLINE_DB": f"sqlite:///{db}", "COLUMNS": "200"}
    )
    assert "clamshell" in res.output


def test_an_unreachable_database_is_a_message(tmp_path: Path) -> None:
    res = runner.invoke(app, ["history", "--db", "postgresql://me:secret@127.0.0.1:9/x?connect_timeout=2"])
    assert res.exit_code == 2
    assert "cannot open the database" in res.output and "secret" not in res.output


def test_a_stored_video_analysis_is_charted_by_its_metric_and_keeps_its_landmarks(tmp_path: Path) -> None:
    db = tmp_path / "log.db"
    source = SYNTHETIC / "d01_standing-squeeze_clean-world.landmarks.json"
    landmarks = json.loads(source.read_text())
    truth = json.loads((SYNTHETIC / "d01_standing-squeeze_clean-world.truth.json").read_text())
    report = analyse(series_from_dict(landmarks), analysis_spec(load_catalog(), "standing-squeeze")).report
    repo = open_repository(str(db))
    me = repo.local_user()
    stored = store_analysis(repo, me.id, report.to_dict(), {"landmarks": str(source)}, landmarks)
    blob = repo.analysis_landmarks(me.id, stored.uid)
    assert blob is not None and unpack_landmarks(blob) == landmarks
    assert len(blob) < source.stat().st_size / 3  # compressed
    assert stored.metrics["rep_count"] == report.summary.rep_count == truth["rep_count"]
    repo.engine.dispose()

    res = run(db, "history", "--metric", "mean_eccentric_ratio", "--weeks", "0")
    assert res.exit_code == 0, res.output
    assert "video analyses: mean_eccentric_ratio" in res.output and "standing-squeeze" in res.output
    assert f"{report.to_dict()['summary']['mean_eccentric_ratio']:g}" in res.output
    assert "mean_eccentric_ratio: ▄" in res.output  # one analysis: one point
