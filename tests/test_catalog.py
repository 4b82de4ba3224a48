"""The shipped catalog: it loads, it holds the method's exercises, and it can build a balanced week."""

from __future__ import annotations

import pytest

from midline.catalog import Catalog, load_catalog
from midline.catalog.query import (
    ExerciseFilter,
    close_matches,
    filter_exercises,
    find_exercise,
    muscle_usage,
    uncovered,
)
from midline.catalog.spec import NotAnalysableError, analysis_spec
from midline.errors import UnknownEntryError

METHOD_EXERCISES = {
    "standing-squeeze",
    "seated-squeeze",
    "inner-thigh-lift",
    "inner-thigh-lift-flexed-foot",
    "double-leg-lowers",
    "double-leg-stretch",
    "mat-footwork",
    "the-hundred",
    "supine-ring-squeeze",
    "bridge-ball-squeeze",
    "ring-squeeze-knee-extension",
    "reformer-legwork",
    "leg-extension",
    "standing-leg-press",
    "rainbow",
    "walking",
    "sitting-parallel",
}
BALANCE_EXERCISES = {
    "side-lying-leg-lift",
    "clamshell",
    "standing-side-steps",
    "prone-heel-squeeze",
    "side-lying-leg-rotation",
}
TARGET_MUSCLES = [
    "adductor-magnus",
    "adductor-longus",
    "adductor-brevis",
    "gracilis",
    "pectineus",
    "vastus-medialis",
    "deep-hip-rotators",
    "gluteus-medius-minimus",
    "tensor-fasciae-latae",
]
ANALYSABLE = {"standing-squeeze", "seated-squeeze", "inner-thigh-lift", "double-leg-lowers", "walking"}


@pytest.fixture(scope="module")
def cat() -> Catalog:
    return load_catalog()


def test_every_exercise_of_the_method_and_the_balance_work_is_in_the_catalog(cat: Catalog) -> None:
    assert set(cat.exercises) >= METHOD_EXERCISES | BALANCE_EXERCISES


def test_balance_exercises_are_marked_general_and_the_method_ones_method(cat: Catalog) -> None:
    assert {cat.exercise(i).source for i in BALANCE_EXERCISES} == {"general"}
    assert {cat.exercise(i).source for i in METHOD_EXERCISES} == {"method"}


def test_every_entry_of_every_file_says_where_it_comes_from(cat: Catalog) -> None:
    for table in (cat.actions, cat.muscles, cat.positions, cat.placements, cat.props, cat.exercises):
        for entry in table.values():
            assert entry.source in ("method", "anatomy", "general"), entry.id


def test_every_release_is_slower_than_its_squeeze(cat: Catalog) -> None:
    for ex in cat.exercises.values():
        assert ex.tempo.release_s > ex.tempo.squeeze_s, ex.id


@pytest.mark.parametrize("muscle", TARGET_MUSCLES)
def test_each_target_muscle_is_primary_in_a_beginner_exercise_with_home_props(
    cat: Catalog, muscle: str
) -> None:
    found = [
        ex.id
        for ex in cat.exercises.values()
        if ex.kind == "exercise"
        and ex.level == "beginner"
        and muscle in ex.primary_muscles
        and {u.prop for u in ex.props} & {"none", "ring", "ball"}
    ]
    assert found, muscle


def test_beginner_home_exercises_reach_every_target_muscle_in_every_leg_position(cat: Catalog) -> None:
    assert uncovered(cat, TARGET_MUSCLES, level="beginner", props=("none", "ring", "ball")) == []


def test_uncovered_names_what_a_narrower_prop_set_cannot_reach(cat: Catalog) -> None:
    # With only a gym machine, nothing trains the pectineus as a primary muscle: every position is missed.
    missing = uncovered(cat, ["pectineus"], props=("gym-machine",))
    assert missing == [("pectineus", p) for p in cat.positions]


def test_several_exercises_allow_pilates_stance_and_internal_rotation(cat: Catalog) -> None:
    both = [ex.id for ex in cat.exercises.values() if {"pilates-stance", "internal"} <= set(ex.positions)]
    assert len(both) >= 5


def test_the_teaching_uses_the_methods_cues(cat: Catalog) -> None:
    cues = " ".join(c.lower() for ex in cat.exercises.values() for c in ex.cues)
    for phrase in ("hug the midline", "foot in line with the knee", "control the release"):
        assert phrase in cues


def test_supine_leg_lowering_warns_about_the_lower_back(cat: Catalog) -> None:
    for ex_id in ("double-leg-lowers", "the-hundred", "double-leg-stretch", "rainbow"):
        assert any("lower back" in c for c in cat.exercise(ex_id).contraindications), ex_id


def test_every_analysable_exercise_builds_its_analysis_spec(cat: Catalog) -> None:
    analysable = {ex.id for ex in cat.exercises.values() if ex.analysis is not None}
    assert analysable >= ANALYSABLE
    for ex_id in analysable:
        spec = analysis_spec(cat, ex_id)
        assert spec.exercise == ex_id
        assert spec.default_position == cat.exercise(ex_id).default_position


def test_an_exercise_without_a_template_is_not_analysable(cat: Catalog) -> None:
    with pytest.raises(NotAnalysableError, match="standing-squeeze"):
        analysis_spec(cat, "clamshell")


def test_filter_by_muscle_matches_primary_and_secondary_unless_primary_only(cat: Catalog) -> None:
    any_role = {ex.id for ex in filter_exercises(cat, ExerciseFilter(muscle="vastus-medialis"))}
    primary = {
        ex.id for ex in filter_exercises(cat, ExerciseFilter(muscle="vastus-medialis", primary_only=True))
    }
    assert primary == {"mat-footwork", "ring-squeeze-knee-extension", "reformer-legwork", "leg-extension"}
    assert "standing-squeeze" in any_role - primary  # vastus medialis is its secondary muscle


def test_filter_by_group_and_combined_criteria(cat: Catalog) -> None:
    found = filter_exercises(
        cat, ExerciseFilter(muscle="abductors", primary_only=True, level="beginner", prop="none")
    )
    assert [ex.id for ex in found] == [
        "walking",
        "side-lying-leg-lift",
        "clamshell",
        "standing-side-steps",
    ]
    habits = filter_exercises(cat, ExerciseFilter(kind="habit"))
    assert [ex.id for ex in habits] == ["walking", "sitting-parallel"]


def test_filter_by_position_and_prop(cat: Catalog) -> None:
    reformer = filter_exercises(cat, ExerciseFilter(prop="reformer"))
    assert [ex.id for ex in reformer] == ["reformer-legwork"]
    stance = filter_exercises(cat, ExerciseFilter(position="pilates-stance", muscle="deep-hip-rotators"))
    assert {"prone-heel-squeeze", "side-lying-leg-rotation"} <= {ex.id for ex in stance}
    assert all("pilates-stance" in ex.positions for ex in stance)


@pytest.mark.parametrize(
    ("flt", "message"),
    [
        (ExerciseFilter(muscle="gracillis"), "unknown muscle or group 'gracillis'. Did you mean: gracilis?"),
        (ExerciseFilter(position="turned-out"), "unknown position 'turned-out'"),
        (ExerciseFilter(prop="rings"), "Did you mean: ring"),
        (ExerciseFilter(level="expert"), "unknown level 'expert'"),
        (ExerciseFilter(kind="drill"), "unknown kind 'drill'"),
    ],
)
def test_a_filter_naming_nothing_fails_with_the_known_ids(
    cat: Catalog, flt: ExerciseFilter, message: str
) -> None:
    with pytest.raises(UnknownEntryError) as err:
        filter_exercises(cat, flt)
    assert message in str(err.value)


def test_find_exercise_suggests_close_ids(cat: Catalog) -> None:
    assert find_exercise(cat, "clamshell").name == "Clamshell"
    with pytest.raises(UnknownEntryError) as err:
        find_exercise(cat, "clam-shell")
    assert "Did you mean: clamshell" in str(err.value)


def test_close_matches_prefers_ids_containing_the_query() -> None:
    ids = ["standing-squeeze", "seated-squeeze", "clamshell"]
    assert close_matches("squeeze", ids) == ["standing-squeeze", "seated-squeeze"]
    assert close_matches("zzz", ids) == []


def test_muscle_usage_lists_each_exercise_under_its_muscles(cat: Catalog) -> None:
    usage = {u.muscle.id: u for u in muscle_usage(cat)}
    assert list(usage) == list(cat.muscles)
    assert "leg-extension" in usage["vastus-medialis"].primary_in
    assert "standing-squeeze" in usage["vastus-medialis"].secondary_in
    for u in usage.values():
        for ex_id in u.primary_in:
            assert u.muscle.id in cat.exercise(ex_id).primary_muscles
