"""``midline exercises``, ``exercises show``, ``muscles``, ``positions``, ``props`` through the real app."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner, Result

import midline.cli.catalog_cmds  # noqa: F401  (registers the commands on the app)
from midline.catalog import load_catalog
from midline.cli.app import app

runner = CliRunner()


def run(*args: str) -> Result:
    return runner.invoke(app, list(args))


def flat(text: str) -> str:
    """Rich wraps long lines; compare text with the wrapping undone."""
    return " ".join(text.split())


def test_exercises_table_lists_every_exercise() -> None:
    res = run("exercises")
    assert res.exit_code == 0, res.output
    assert "standing-squeeze" in res.stdout
    assert "clamshell" in res.stdout
    assert f"{len(load_catalog().exercises)} of {len(load_catalog().exercises)} exercises" in res.stdout


def test_muscle_filter_keeps_only_exercises_training_that_muscle() -> None:
    res = run("exercises", "--muscle", "gracilis")
    assert res.exit_code == 0, res.output
    assert "standing-squeeze" in res.stdout
    assert "clamshell" not in res.stdout
    assert "leg-extension" not in res.stdout


def test_json_output_parses_and_respects_the_filters() -> None:
    res = run("exercises", "--muscle", "gracilis", "--level", "beginner", "--position", "internal", "--json")
    assert res.exit_code == 0, res.output
    found = json.loads(res.stdout)
    assert found, "expected at least one exercise"
    for ex in found:
        assert "gracilis" in ex["primary_muscles"] + ex["secondary_muscles"]
        assert ex["level"] == "beginner"
        assert "internal" in ex["positions"]
    assert "standing-squeeze" in {ex["id"] for ex in found}


def test_prop_filter_in_json() -> None:
    res = run("exercises", "--prop", "gym-machine", "--json")
    assert res.exit_code == 0, res.output
    assert [ex["id"] for ex in json.loads(res.stdout)] == ["leg-extension"]


def test_show_prints_the_teaching_and_the_dose() -> None:
    res = run("exercises", "show", "standing-squeeze")
    assert res.exit_code == 0, res.output
    out = flat(res.stdout)
    assert "Standing squeeze with ring (standing-squeeze)" in out
    assert "Hug the midline from the top of the thighs all the way to the ankles." in out
    assert "squeeze 2 s, hold 2 s, release 3 s (7 s a rep)" in out
    assert "parallel (default)" in out
    assert "above-ankles (lever 2)" in out
    assert "Analysable: measures knee_gap" in out


def test_show_of_a_non_analysable_exercise_says_so() -> None:
    res = run("exercises", "show", "clamshell")
    assert res.exit_code == 0, res.output
    assert "Not analysable from video yet" in flat(res.stdout)


def test_show_json_is_the_whole_entry() -> None:
    res = run("exercises", "show", "leg-extension", "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data == load_catalog().exercise("leg-extension").model_dump(mode="json")


def test_unknown_exercise_id_is_a_clear_error_with_close_matches() -> None:
    res = run("exercises", "show", "standing-squeze")
    assert res.exit_code == 2
    assert res.stdout == ""
    err = flat(res.stderr)
    assert "error: unknown exercise 'standing-squeze'." in err
    assert "Did you mean: standing-squeeze" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--muscle", "glutes"], "unknown muscle or group 'glutes'"),
        (["--position", "turnout"], "unknown position 'turnout'"),
        (["--prop", "balls"], "unknown prop 'balls'. Did you mean: ball"),
        (["--level", "easy"], "unknown level 'easy'"),
    ],
)
def test_bad_filter_value_exits_2_with_a_specific_message(args: list[str], message: str) -> None:
    res = run("exercises", *args)
    assert res.exit_code == 2
    assert message in flat(res.stderr)
    assert "Traceback" not in res.output


def test_muscles_json_lists_where_each_muscle_is_trained() -> None:
    res = run("muscles", "--json")
    assert res.exit_code == 0, res.output
    muscles = {m["id"]: m for m in json.loads(res.stdout)}
    assert set(muscles) == set(load_catalog().muscles)
    assert muscles["gracilis"]["group"] == "adductors"
    assert "standing-squeeze" in muscles["gracilis"]["primary_in"]
    assert "clamshell" in muscles["deep-hip-rotators"]["primary_in"]
    assert "standing-squeeze" in muscles["vastus-medialis"]["secondary_in"]


def test_muscles_table() -> None:
    res = run("muscles")
    assert res.exit_code == 0, res.output
    assert "tensor-fasciae-latae" in res.stdout
    assert "side-lying-leg-lift" in res.stdout


def test_positions_and_props() -> None:
    positions = json.loads(run("positions", "--json").stdout)
    assert [p["id"] for p in positions] == ["parallel", "pilates-stance", "internal"]
    assert "prone-heel-squeeze" in positions[1]["exercises"]
    props = {p["id"]: p for p in json.loads(run("props", "--json").stdout)}
    assert props["reformer"]["exercises"] == ["reformer-legwork"]
    table = run("props")
    assert table.exit_code == 0
    assert "above-ankles (2)" in table.stdout


def test_the_console_entry_point_prints_the_error_without_a_traceback() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", "from midline.cli.app import main; main()", "exercises", "show", "clam"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert "Did you mean: clamshell" in flat(proc.stderr)
    assert "Traceback" not in proc.stderr
