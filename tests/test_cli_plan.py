"""``midline plan`` through the real app: JSON, Markdown, iCalendar, errors."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

from icalendar import Calendar
from typer.testing import CliRunner, Result

import midline.cli.plan_cmd  # noqa: F401  (registers the commands on the app)
from midline.cli.app import app

runner = CliRunner()
DONE_WHEN = [
    "plan",
    "--level",
    "beginner",
    "--days",
    "3",
    "--minutes",
    "20",
    "--weeks",
    "4",
    "--props",
    "ring,ball",
]


def run(*args: str) -> Result:
    return runner.invoke(app, list(args))


def test_done_when_command_prints_json_with_every_required_field() -> None:
    res = run(*DONE_WHEN, "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert {"profile", "note", "habits", "weeks", "coverage_matrix"} <= set(data)
    assert "spot reduction" in data["note"]
    assert len(data["weeks"]) == 4
    for week in data["weeks"]:
        muscles = week["coverage"]["muscles"]
        positions = week["coverage"]["positions"]
        assert all(
            muscles[m]["covered"]
            for m in ["adductor-magnus", "adductor-longus", "adductor-brevis", "gracilis", "pectineus"]
        )
        assert muscles["vastus-medialis"]["covered"]
        assert set(positions) == {"parallel", "pilates-stance", "internal"}
        assert all(p["covered"] for p in positions.values())
        assert len(week["sessions"]) == 3
        for session in week["sessions"]:
            assert session["minutes"] <= 20
            assert session["seconds"] <= 20 * 60
            for item in session["exercises"]:
                assert {
                    "exercise",
                    "name",
                    "sets",
                    "reps",
                    "side",
                    "tempo",
                    "position",
                    "prop",
                    "placement",
                    "minutes",
                } <= set(item)
                assert set(item["tempo"]) == {"squeeze_s", "hold_s", "release_s"}
                assert item["side"] in {"both", "left and right"}
    assert data["weeks"][3]["deload"] is True
    matrix = data["coverage_matrix"]
    assert matrix["weeks"] == [1, 2, 3, 4]
    assert all(len(counts) == 4 for counts in matrix["muscles"].values())
    assert all(min(counts) >= 1 for counts in matrix["positions"].values())


def test_markdown_and_ics_files(tmp_path: Path) -> None:
    md, ics = tmp_path / "plan.md", tmp_path / "plan.ics"
    res = run(*DONE_WHEN, "--markdown", str(md), "--ics", str(ics), "--start", "2027-01-04")
    assert res.exit_code == 0, res.output
    text = md.read_text(encoding="utf-8")
    assert text.startswith("# midline programme")
    assert "## Week 4 (deload)" in text and "## Coverage" in text and "spot reduction" in text
    cal = Calendar.from_ical(ics.read_bytes())
    events = list(cal.walk("VEVENT"))
    assert len(events) == 12
    days = sorted(e.decoded("dtstart") for e in events)
    assert days[:3] == [dt.date(2027, 1, 4), dt.date(2027, 1, 6), dt.date(2027, 1, 8)]  # Mon, Wed, Fri
    assert days[-1] == dt.date(2027, 1, 29)
    assert len({str(e["uid"]) for e in events}) == 12
    assert "Standing squeeze" in "".join(str(e["description"]) for e in events)


def test_default_ics_start_is_the_next_monday(tmp_path: Path) -> None:
    ics = tmp_path / "plan.ics"
    assert run(*DONE_WHEN, "--weeks", "1", "--ics", str(ics)).exit_code == 0
    first = min(e.decoded("dtstart") for e in Calendar.from_ical(ics.read_bytes()).walk("VEVENT"))
    today = dt.date.today()
    assert first.weekday() == 0 and today < first <= today + dt.timedelta(days=7)


def test_table_output_shows_weeks_and_the_coverage_matrix() -> None:
    res = run(*DONE_WHEN)
    assert res.exit_code == 0, res.output
    assert "Week 1" in res.stdout and "Week 4 - deload" in res.stdout
    assert "Coverage" in res.stdout and "pectineus" in res.stdout
    assert res.stdout.count("An honest note") == 1


def _midline(*args: str) -> subprocess.CompletedProcess[str]:
    code = "from midline.cli.app import main; main()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=False)


def test_infeasible_profile_is_a_message_not_a_traceback() -> None:
    res = _midline("plan", "--minutes", "5", "--days", "1", "--props", "ring,ball")
    assert res.returncode == 2
    assert "5 minutes is too short" in " ".join(res.stderr.split())
    assert "Traceback" not in res.stderr


def test_unknown_prop_lists_the_known_ones() -> None:
    res = _midline("plan", "--props", "rings")
    assert res.returncode == 2
    assert "known props: none, ring, ball" in " ".join(res.stderr.split())
    assert "Traceback" not in res.stderr


def test_unwritable_output_is_a_message(tmp_path: Path) -> None:
    res = _midline(
        *DONE_WHEN[:1], "--props", "ring,ball", "--markdown", str(tmp_path / "missing" / "plan.md")
    )
    assert res.returncode == 2
    assert "cannot write" in res.stderr and "Traceback" not in res.stderr
