"""Unit tests of the planner: time model, progression, eligibility, profile checks, infeasibility."""

from __future__ import annotations

import dataclasses
import itertools

import pytest

from midline.catalog import Catalog, load_catalog
from midline.errors import MidlineError, PlanInfeasibleError
from midline.planner import ProfileError, build_plan, make_profile
from midline.planner.build import deal_positions
from midline.planner.eligibility import eligible
from midline.planner.progression import LADDER, base_prescription, is_deload, prescribe
from midline.planner.timing import exercise_seconds


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def subset(catalog: Catalog, ids: list[str], **changes: dict[str, object]) -> Catalog:
    """The real catalog with only ``ids`` as exercises, some of them changed (id -> field values)."""
    exercises = {i: catalog.exercises[i].model_copy(update=changes.get(i, {})) for i in ids}
    return dataclasses.replace(catalog, exercises=exercises)


RING_BALL = frozenset({"none", "ring", "ball"})


# --- time model ---------------------------------------------------------------------------------


def test_bilateral_time_is_reps_times_tempo_plus_setup_rest_and_transition() -> None:
    # 2 sets x 10 reps x (2 + 2 + 3) s + 20 s set-up + 20 s rest + 15 s transition
    assert (
        exercise_seconds(
            sets=2, reps=10, squeeze_s=2, hold_s=2, release_s=3, pulses=0, unilateral=False, setup_s=20
        )
        == 140 + 20 + 20 + 15
    )


def test_unilateral_time_counts_both_sides_and_one_switch() -> None:
    # 2 x 10 x 5 s on each of 2 sides + 15 s set-up + 10 s switch + 20 s rest + 15 s transition
    assert (
        exercise_seconds(
            sets=2, reps=10, squeeze_s=1.5, hold_s=1, release_s=2.5, pulses=0, unilateral=True, setup_s=15
        )
        == 200 + 15 + 10 + 20 + 15
    )


def test_pulses_add_half_a_second_per_rep() -> None:
    plain = exercise_seconds(
        sets=1, reps=10, squeeze_s=2, hold_s=1, release_s=3, pulses=0, unilateral=False, setup_s=0
    )
    pulsed = exercise_seconds(
        sets=1, reps=10, squeeze_s=2, hold_s=1, release_s=3, pulses=3, unilateral=False, setup_s=0
    )
    assert pulsed - plain == 15


# --- progression --------------------------------------------------------------------------------


def test_standing_squeeze_progresses_release_then_ring_to_ankles_then_reps(catalog: Catalog) -> None:
    ex = catalog.exercise("standing-squeeze")
    steps = [prescribe(ex, catalog, RING_BALL, k, deload=False) for k in range(len(LADDER) + 2)]
    assert (steps[0].prop, steps[0].placement, steps[0].reps, steps[0].release_s) == (
        "ring",
        "above-knees",
        10,
        3.0,
    )
    assert steps[1].release_s == 3.5 and steps[1].placement == "above-knees"
    assert steps[2].placement == "above-ankles" and steps[2].release_s == 3.5
    assert steps[3].reps == 12
    assert steps[8].pulses == 3
    # the release never gets faster, the reps never fewer, the prop never closer to the hip
    for before, after in itertools.pairwise(steps):
        assert after.release_s >= before.release_s
        assert after.reps >= before.reps
        assert after.lever >= before.lever
        assert after.seconds >= before.seconds
    # after the last rung the dose plateaus
    assert steps[-1] == steps[-2] == steps[len(LADDER)]


def test_squeeze_and_hold_stay_while_the_release_slows(catalog: Catalog) -> None:
    ex = catalog.exercise("seated-squeeze")
    last = prescribe(ex, catalog, RING_BALL, len(LADDER), deload=False)
    assert (last.squeeze_s, last.hold_s) == (ex.tempo.squeeze_s, ex.tempo.hold_s)
    assert last.release_s == ex.tempo.release_s + 1.5


def test_resistance_rung_adds_ankle_weights_only_when_the_user_has_them(catalog: Catalog) -> None:
    ex = catalog.exercise("inner-thigh-lift")
    with_weights = prescribe(ex, catalog, frozenset({"none", "ankle-weights"}), 4, deload=False)
    without = prescribe(ex, catalog, frozenset({"none"}), 4, deload=False)
    assert (with_weights.prop, with_weights.placement) == ("ankle-weights", "on-ankles")
    assert (without.prop, without.placement) == ("none", "none")


def test_seated_squeeze_stays_above_the_knees(catalog: Catalog) -> None:
    # its catalog entry allows the ball above the knees only, and lists no lever progression
    ex = catalog.exercise("seated-squeeze")
    assert prescribe(ex, catalog, RING_BALL, len(LADDER), deload=False).placement == "above-knees"


def test_deload_keeps_tempo_and_placement_and_cuts_reps_by_thirty_percent(catalog: Catalog) -> None:
    ex = catalog.exercise("standing-squeeze")
    week = prescribe(ex, catalog, RING_BALL, 3, deload=False)
    deload = prescribe(ex, catalog, RING_BALL, 3, deload=True)
    assert deload.reps == round(week.reps * 0.7) == 8
    assert (deload.release_s, deload.placement, deload.sets) == (week.release_s, week.placement, week.sets)
    assert [w for w in range(1, 13) if is_deload(w)] == [4, 8, 12]


def test_base_prescription_uses_the_first_usable_prop_in_catalog_order(catalog: Catalog) -> None:
    assert (
        base_prescription(catalog.exercise("standing-squeeze"), catalog, frozenset({"none", "ball"})).prop
        == "ball"
    )
    assert base_prescription(catalog.exercise("mat-footwork"), catalog, RING_BALL).prop == "none"


def test_plan_weeks_follow_the_ladder_and_deload(catalog: Catalog) -> None:
    plan = build_plan(make_profile(props="ring,ball", weeks=8), catalog)
    assert [w.step for w in plan.weeks] == [0, 1, 2, 2, 3, 4, 5, 5]
    assert [w.deload for w in plan.weeks] == [False, False, False, True] * 2
    assert "slower release" in plan.weeks[1].change
    assert "above the ankles" in plan.weeks[2].change
    assert "deload" in plan.weeks[3].change


def test_standing_squeeze_ring_moves_to_the_ankles_in_week_three(catalog: Catalog) -> None:
    plan = build_plan(make_profile(props="ring", weeks=3), catalog)
    placements = {
        w.index: {i.placement for s in w.sessions for i in s.exercises if i.exercise == "standing-squeeze"}
        for w in plan.weeks
    }
    assert placements[1] == {"above-knees"}
    assert placements[3] == {"above-ankles"}


# --- eligibility --------------------------------------------------------------------------------


def test_level_props_and_avoid_filter_the_catalog(catalog: Catalog) -> None:
    elig = eligible(make_profile(props="ring", avoid="groin,clamshell"), catalog)
    allowed = {ex.id for ex in elig.exercises}
    assert "double-leg-lowers" not in allowed and elig.excluded["double-leg-lowers"] == "intermediate level"
    assert "leg-extension" not in allowed and "needs gym-machine" in elig.excluded["leg-extension"]
    assert "standing-squeeze" not in allowed  # "groin strain"
    assert "clamshell" not in allowed and elig.excluded["clamshell"] == "avoided (clamshell)"
    assert {"bridge-ball-squeeze", "inner-thigh-lift"} <= allowed
    assert {h.id for h in elig.habits} == {"walking", "sitting-parallel"}


def test_avoid_matches_the_condition_not_the_advice_in_brackets(catalog: Catalog) -> None:
    # supine-ring-squeeze: "late pregnancy (lying on the back; sit and do the seated squeeze instead)"
    elig = eligible(make_profile(props="ring", avoid="back"), catalog)
    assert "supine-ring-squeeze" in {ex.id for ex in elig.exercises}
    assert "double-leg-lowers" not in {ex.id for ex in elig.exercises}


def test_an_avoid_word_that_matches_nothing_is_reported(catalog: Catalog) -> None:
    plan = build_plan(make_profile(props="ring,ball", avoid="kneee", weeks=1), catalog)
    assert any("'kneee'" in note for note in plan.notes)


def test_habits_are_listed_not_scheduled(catalog: Catalog) -> None:
    plan = build_plan(make_profile(props="ring,ball", weeks=1), catalog)
    scheduled = {i.exercise for s in plan.weeks[0].sessions for i in s.exercises}
    assert {h.id for h in plan.habits} == {"walking", "sitting-parallel"}
    assert not scheduled & {"walking", "sitting-parallel"}


def test_preferences_pull_an_exercise_in(catalog: Catalog) -> None:
    def count(prefer: str) -> int:
        plan = build_plan(make_profile(props="ring,ball", weeks=1, prefer=prefer), catalog)
        return sum(i.exercise == "seated-squeeze" for s in plan.weeks[0].sessions for i in s.exercises)

    # with the preference it is in every session (each in that session's position), more often than without
    assert count("seated-squeeze") == 3 > count("")


# --- profile validation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "words"),
    [
        ({"days": 0}, "days"),
        ({"days": 8}, "days"),
        ({"minutes": 4}, "minutes"),
        ({"minutes": 121}, "minutes"),
        ({"weeks": 53}, "weeks"),
        ({"level": "expert"}, "level"),
    ],
)
def test_out_of_range_profiles_are_refused_with_the_field_named(
    values: dict[str, object], words: str
) -> None:
    with pytest.raises(ProfileError, match=words):
        make_profile(**values)


def test_unknown_prop_lists_the_known_ones(catalog: Catalog) -> None:
    with pytest.raises(ProfileError, match="unknown prop 'rings'; known props: none, ring, ball"):
        build_plan(make_profile(props="rings"), catalog)


def test_unknown_preference_is_refused(catalog: Catalog) -> None:
    with pytest.raises(ProfileError, match=r"cannot prefer 'sideways'.*known leg positions: parallel"):
        build_plan(make_profile(props="ring,ball", prefer="sideways"), catalog)


def test_profile_lists_accept_commas_case_and_repeats() -> None:
    profile = make_profile(props=" Ring, ball,ring ,", avoid="Knee-Pain")
    assert profile.props == ("ring", "ball")
    assert profile.avoid == ("knee-pain",)


def test_profile_errors_are_midline_errors() -> None:
    assert issubclass(ProfileError, MidlineError)


# --- infeasibility ------------------------------------------------------------------------------


def test_five_minutes_once_a_week_is_too_short(catalog: Catalog) -> None:
    with pytest.raises(
        PlanInfeasibleError, match=r"5 minutes is too short: .* needs at least \d+ minutes a week"
    ):
        build_plan(make_profile(props="ring,ball", minutes=5, days=1), catalog)


def test_no_props_and_no_seated_squeeze_leaves_the_pectineus_untrained(catalog: Catalog) -> None:
    # The seated squeeze is the one prop-free exercise with the pectineus as a primary muscle.
    with pytest.raises(PlanInfeasibleError, match="no allowed exercise trains pectineus") as info:
        build_plan(make_profile(avoid="seated-squeeze"), catalog)
    assert "standing-squeeze (needs ring or ball)" in str(info.value)


def test_everything_avoided_says_so(catalog: Catalog) -> None:
    everything = ",".join(catalog.exercises)
    with pytest.raises(PlanInfeasibleError, match="every exercise is excluded"):
        build_plan(make_profile(props="ring,ball", avoid=everything), catalog)


def test_a_position_no_allowed_exercise_can_take_is_named(catalog: Catalog) -> None:
    # internal rotation removed from every exercise of a small catalog
    ids = ["standing-squeeze", "mat-footwork", "clamshell"]
    small = subset(
        catalog,
        ids,
        **{"standing-squeeze": {"positions": ["parallel", "pilates-stance"]}},
        **{"mat-footwork": {"positions": ["parallel", "pilates-stance"], "default_position": "parallel"}},
    )
    with pytest.raises(
        PlanInfeasibleError, match=r"no allowed exercise can be done in slight internal rotation \(internal\)"
    ):
        build_plan(make_profile(props="ring,ball"), small)


def test_the_solver_names_variety_when_sessions_cannot_differ(catalog: Catalog) -> None:
    # one exercise that trains every target in every position: three sessions a week, one per
    # position, cover everything in time, but made of the only exercise they cannot differ
    allround = {
        "primary_muscles": [
            "adductor-magnus",
            "adductor-longus",
            "adductor-brevis",
            "gracilis",
            "pectineus",
            "vastus-medialis",
            "deep-hip-rotators",
            "gluteus-medius-minimus",
        ],
        "secondary_muscles": [],
    }
    small = subset(catalog, ["standing-squeeze"], **{"standing-squeeze": allround})
    with pytest.raises(PlanInfeasibleError, match="cannot be met is no two consecutive sessions identical"):
        build_plan(make_profile(props="ring", days=3, minutes=20, weeks=1), small)


def test_the_solver_names_session_time_when_the_week_fits_but_no_session_does(catalog: Catalog) -> None:
    # three slow exercises, one per leg position (8.3, 7.2 and 11.3 min): 26.7 min fit two
    # 14-minute sessions in sum, but no session holds two of them
    slow = {"default_sets": 3, "default_reps": 20}
    small = subset(
        catalog,
        ["standing-squeeze", "mat-footwork", "side-lying-leg-rotation"],
        **{"standing-squeeze": {**slow, "positions": ["parallel"]}},
        **{"mat-footwork": {**slow, "positions": ["pilates-stance"], "default_position": "pilates-stance"}},
        **{
            "side-lying-leg-rotation": {
                **slow,
                "positions": ["internal"],
                "default_position": "internal",
                "primary_muscles": ["deep-hip-rotators", "gluteus-medius-minimus"],
            }
        },
    )
    with pytest.raises(PlanInfeasibleError, match="cannot be met is each session within its minutes"):
        build_plan(make_profile(props="ring", days=2, minutes=14, weeks=1), small)


# --- determinism and structure ------------------------------------------------------------------


def test_same_profile_same_plan(catalog: Catalog) -> None:
    profile = make_profile(props="ring,ball,band", days=4, minutes=30, weeks=6, level="intermediate")
    assert build_plan(profile, catalog).to_dict() == build_plan(profile, catalog).to_dict()


def test_positions_are_dealt_round_the_sessions() -> None:
    assert deal_positions(3, 3, 0) == [[0], [1], [2]]
    assert deal_positions(4, 3, 1) == [[1], [2], [0], [1]]
    assert deal_positions(2, 3, 0) == [[0, 2], [1]]
    assert deal_positions(1, 3, 2) == [[2, 0, 1]]


def test_three_sessions_a_week_need_no_position_change(catalog: Catalog) -> None:
    plan = build_plan(make_profile(props="ring,ball", weeks=4), catalog)
    assert all(len(s.positions) == 1 for w in plan.weeks for s in w.sessions)


def test_sessions_fall_on_spread_weekdays(catalog: Catalog) -> None:
    plan = build_plan(make_profile(props="ring,ball", weeks=1), catalog)
    assert [s.day for s in plan.weeks[0].sessions] == ["Monday", "Wednesday", "Friday"]
