"""The training log's pure rules: sets checked against the catalog, pain holds, history series,
sparklines, report metrics, planned sessions, and the export document."""

from __future__ import annotations

import datetime as dt

import pytest

from midline.catalog import load_catalog
from midline.catalog.query import UnknownExerciseError
from midline.log.entry import LogInputError, SetInput, make_sets, next_set_number, planned_sets
from midline.log.history import (
    UnknownMetricError,
    metric_series,
    metrics_from_report,
    sparkline,
)
from midline.log.landmarks import LandmarksBlobError, pack_landmarks, unpack_landmarks
from midline.log.pain import progression_hold, progression_holds
from midline.log.records import AnalysisRecord, SessionRecord, SetRecord, UserRecord
from midline.log.transfer import ImportFileError, export_document, parse_document, sets_csv
from midline.planner import build_plan, make_profile

CAT = load_catalog()
T0 = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


def _set(
    exercise: str = "seated-squeeze", reps: int = 10, pain: int = 0, rpe: int | None = None
) -> SetRecord:
    return SetRecord(exercise, 1, "both", reps, "ball", "above-knees", "parallel", "2-2-3", rpe, pain)


def _day(day: int, *sets: SetRecord) -> SessionRecord:
    return SessionRecord(dt.date(2026, 11, day), sets, created_at=T0)


def test_a_set_takes_every_value_given() -> None:
    (s,) = make_sets(
        CAT,
        SetInput("seated-squeeze", 1, 12, "both", "ball", "above-knees", "parallel", "2-2-3", 6, 0, "ok"),
    )
    assert s == SetRecord(
        "seated-squeeze", 1, "both", 12, "ball", "above-knees", "parallel", "2-2-3", 6, 0, "ok"
    )


def test_left_out_values_come_from_the_catalog() -> None:
    ex = CAT.exercises["seated-squeeze"]
    sets = make_sets(CAT, SetInput("seated-squeeze"))
    assert len(sets) == ex.default_sets and {s.reps for s in sets} == {ex.default_reps}
    assert sets[0].prop == ex.props[0].prop and sets[0].placement == ex.props[0].placements[0]
    assert sets[0].position == ex.default_position and sets[0].tempo == "2-2-3"


def test_a_one_leg_exercise_logged_for_both_sides_records_left_and_right() -> None:
    sets = make_sets(CAT, SetInput("side-lying-leg-lift", sets=2, reps=10), first_number=3)
    assert [(s.set_number, s.side) for s in sets] == [(3, "left"), (3, "right"), (4, "left"), (4, "right")]
    (left,) = make_sets(CAT, SetInput("side-lying-leg-lift", sets=1, side="left"))
    assert left.side == "left"


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (SetInput("seated-squeeze", side="left"), "works both legs at once"),
        (SetInput("seated-squeeze", side="up"), "--side must be one of both, left, right"),
        (SetInput("seated-squeeze", prop="band"), "not done with prop 'band'; use one of: ball, ring, none"),
        (SetInput("seated-squeeze", prop="ball", placement="above-ankles"), "use one of: above-knees"),
        (SetInput("seated-squeeze", position="frog"), "not done with leg position 'frog'"),
        (SetInput("seated-squeeze", tempo="slow"), "e.g. 2-2-3"),
        (SetInput("seated-squeeze", pain=11), "pain must be between 0 and 10"),
        (SetInput("seated-squeeze", rpe=0), "RPE must be between 1 and 10"),
    ],
)
def test_values_the_exercise_does_not_allow_are_refused_with_the_allowed_ones(
    given: SetInput, message: str
) -> None:
    with pytest.raises(LogInputError, match=message):
        make_sets(CAT, given)


def test_an_unknown_exercise_suggests_close_ids() -> None:
    with pytest.raises(UnknownExerciseError, match="Did you mean: seated-squeeze"):
        make_sets(CAT, SetInput("seated-sqeeze"))


def test_set_numbers_continue_within_a_session() -> None:
    session = _day(20, _set(), SetRecord("seated-squeeze", 2, "both", 10, "ball", "above-knees", "parallel"))
    assert next_set_number(session, "seated-squeeze") == 3
    assert next_set_number(session, "clamshell") == 1 and next_set_number(None, "clamshell") == 1


def test_pain_on_the_latest_session_holds_that_exercise_only() -> None:
    log = [_day(18, _set()), _day(20, _set(pain=0), _set(pain=2), _set("clamshell"))]
    assert progression_hold(log, "seated-squeeze") == (
        "pain reported on 2026-11-20: progression held for seated-squeeze"
    )
    assert progression_hold(log, "clamshell") is None
    assert progression_hold(log, "the-hundred") is None  # never done
    assert progression_holds(log) == {
        "seated-squeeze": "pain reported on 2026-11-20: progression held for seated-squeeze"
    }


def test_a_later_pain_free_session_lifts_the_hold() -> None:
    log = [_day(22, _set()), _day(20, _set(pain=4))]  # order of the list does not matter
    assert progression_hold(log, "seated-squeeze") is None
    assert progression_hold([*log, _day(22, _set(pain=1))], "seated-squeeze") is not None


def test_set_metrics_per_day() -> None:
    log = [_day(18, _set(reps=10, rpe=5), _set(reps=12, rpe=7)), _day(20, _set(reps=15, pain=3))]
    assert [(p.date.day, p.value) for p in metric_series(log, [], "volume")] == [(18, 22.0), (20, 15.0)]
    assert [p.value for p in metric_series(log, [], "reps")] == [11.0, 15.0]
    assert [p.value for p in metric_series(log, [], "rpe")] == [7.0]  # day 20 has no RPE
    assert [p.value for p in metric_series(log, [], "pain")] == [0.0, 3.0]
    assert metric_series(log, [], "volume", exercise="clamshell") == []


def test_an_analysis_metric_is_read_from_the_stored_analyses() -> None:
    a = AnalysisRecord(
        "seated-squeeze", {}, {"ankle_gap_at_squeeze": 0.05}, {}, "0.1.0", "0.1.0", created_at=T0
    )
    b = AnalysisRecord(
        "seated-squeeze",
        {},
        {"ankle_gap_at_squeeze": 0.03},
        {},
        "0.1.0",
        "0.1.0",
        created_at=T0 + dt.timedelta(days=2),
    )
    assert [(p.date.day, p.value) for p in metric_series([], [b, a], "ankle_gap_at_squeeze")] == [
        (20, 0.05),
        (22, 0.03),
    ]
    with pytest.raises(UnknownMetricError, match="the stored analyses have: ankle_gap_at_squeeze"):
        metric_series([], [a], "knee_gap")


def test_sparkline_scales_from_lowest_to_highest() -> None:
    assert sparkline([0, 1, 2, 3, 4, 5, 6, 7]) == "▁▂▃▄▅▆▇█"
    assert sparkline([10, 40, 10]) == "▁█▁"
    assert sparkline([5, 5]) == "▄▄" and sparkline([]) == ""


def test_report_metrics_are_its_summary_numbers() -> None:
    report = {
        "summary": {
            "rep_count": 8,
            "mean_eccentric_ratio": 1.4,
            "ankle_gap_at_squeeze": None,
            "knee_alignment_deg": {"left": 3.5, "right": None},
            "leg_position": {"left": "parallel"},
            "steps": [],
        }
    }
    assert metrics_from_report(report) == {
        "rep_count": 8.0,
        "mean_eccentric_ratio": 1.4,
        "knee_alignment_deg.left": 3.5,
    }


def test_a_planned_session_becomes_its_prescribed_sets() -> None:
    plan = build_plan(make_profile(props="ring,ball", weeks=1)).to_dict()
    prescribed = plan["weeks"][0]["sessions"][1]["exercises"]
    sets = planned_sets(plan, 1, 2)
    expected = sum(e["sets"] * (1 if e["side"] == "both" else 2) for e in prescribed)
    assert len(sets) == expected
    first = prescribed[0]
    assert (sets[0].exercise, sets[0].reps, sets[0].prop, sets[0].placement, sets[0].position) == (
        first["exercise"],
        first["reps"],
        first["prop"],
        first["placement"],
        first["position"],
    )
    with pytest.raises(LogInputError, match="no week 9"):
        planned_sets(plan, 9, 1)
    with pytest.raises(LogInputError, match="no session 7"):
        planned_sets(plan, 1, 7)


def test_landmarks_pack_and_unpack_unchanged() -> None:
    doc = {"format": "midline-landmarks", "frames": [[0.5, 0.25]] * 100, "note": "ü"}
    blob = pack_landmarks(doc)
    assert unpack_landmarks(blob) == doc and len(blob) < len(str(doc)) / 3
    with pytest.raises(LandmarksBlobError):
        unpack_landmarks(b"not zlib")


def test_the_export_document_parses_back_to_the_same_records() -> None:
    me = UserRecord(1, "local", "Me", "client", None, T0)
    sessions = [
        _day(20, _set(rpe=6), _set(pain=2)),
        SessionRecord(dt.date(2026, 11, 21), notes="x", created_at=T0),
    ]
    analysis = AnalysisRecord(
        "seated-squeeze", {"a": [1, None]}, {"m": 1.5}, {"report": "r.json"}, "0.1.0", "0.1.0", created_at=T0
    )
    doc = export_document(me, [], [], sessions, [analysis], {analysis.uid: b"\x00\x01"})
    bundle = parse_document(doc)
    assert bundle.sessions == sessions and bundle.analyses == [analysis]
    assert bundle.landmarks == {analysis.uid: b"\x00\x01"}
    assert "password" not in str(doc["user"])


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ([], "not a midline export"),
        ({"format": "midline-log", "version": 99}, "version 99 is not supported"),
        (
            {
                "format": "midline-log",
                "version": 1,
                "user": {},
                "profiles": [],
                "plans": [],
                "sessions": [{"uid": "s"}],
            },
            r"sessions\[0\]: missing '(date|sets)'",
        ),
    ],
)
def test_a_file_that_is_not_an_export_is_refused_with_where(doc: object, message: str) -> None:
    with pytest.raises(ImportFileError, match=message):
        parse_document(doc)


def test_csv_has_one_row_per_set() -> None:
    day = _day(20, _set(), _set(pain=2))
    lines = sets_csv([day, _day(21)]).splitlines()
    assert lines[0] == (
        "date,session,exercise,set,side,reps,prop,placement,position,tempo,rpe,pain,notes,"
        "session_notes,plan,plan_week,plan_session"
    )
    assert lines[1:] == [
        f"2026-11-20,{day.uid},seated-squeeze,1,both,10,ball,above-knees,parallel,2-2-3,,0,,,,,",
        f"2026-11-20,{day.uid},seated-squeeze,1,both,10,ball,above-knees,parallel,2-2-3,,2,,,,,",
    ]
