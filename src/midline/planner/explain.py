"""Why a profile has no plan: checks before solving, and constraint relaxation after.

Before solving, each requirement is checked on its own (an allowed exercise for every target
muscle and leg position; enough minutes a week for the cheapest covering set). When the week's
programme is still infeasible, the solver is re-run with one constraint family dropped at a time;
the families whose removal gives a plan are the ones named.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import Bounds, LinearConstraint, milp

from midline.catalog import Catalog
from midline.catalog.models import Exercise
from midline.errors import PlanInfeasibleError
from midline.planner.coverage import Target
from midline.planner.model import FAMILIES, Family, PatternProblem, solve_pattern

HINT = "allow more props, a higher level, more minutes or days, or fewer exclusions"
EXCLUSION_HINT = "allow more props, a higher level or fewer exclusions"


def _excluded_list(candidates: Sequence[Exercise], reasons: Mapping[str, str]) -> str:
    listed = [f"{ex.id} ({reasons[ex.id]})" for ex in candidates if ex.id in reasons]
    return "; ".join(listed) if listed else "the catalog has none"


def check_requirements(
    catalog: Catalog,
    targets: Sequence[Target],
    usable: Sequence[Exercise],
    reasons: Mapping[str, str],
) -> None:
    """Each target muscle and each leg position needs at least one usable exercise."""
    if not usable:
        raise PlanInfeasibleError(
            f"every exercise is excluded: {_excluded_list(list(catalog.exercises.values()), reasons)}; {HINT}"
        )
    exercises = [ex for ex in catalog.exercises.values() if ex.kind == "exercise"]
    for t in targets:
        if not any(t.trained_by(ex) for ex in usable):
            excluded = _excluded_list([ex for ex in exercises if t.trained_by(ex)], reasons)
            raise PlanInfeasibleError(
                f"no allowed exercise trains {t.label} as a primary muscle (excluded: {excluded});"
                f" {EXCLUSION_HINT}"
            )
    for pos in catalog.positions.values():
        if not any(pos.id in ex.positions for ex in usable):
            excluded = _excluded_list([ex for ex in exercises if pos.id in ex.positions], reasons)
            raise PlanInfeasibleError(
                f"no allowed exercise can be done in {pos.name.lower()} ({pos.id})"
                f" (excluded: {excluded}); {EXCLUSION_HINT}"
            )


def minimum_weekly_seconds(problem: PatternProblem) -> int | None:
    """The fewest seconds a week needs to cover every target in every leg position (None: impossible)."""
    pairs = [(e, p) for e in range(len(problem.seconds)) for p in problem.positions_of[e]]
    if not pairs:
        return None
    rows: list[NDArray[np.float64]] = []
    for exercises in problem.covers:
        rows.append(np.array([1.0 if e in exercises else 0.0 for e, _ in pairs]))
    for p in range(problem.n_positions):
        rows.append(np.array([1.0 if q == p else 0.0 for _, q in pairs]))
    c = np.array([float(problem.seconds[e]) for e, _ in pairs])
    res = milp(
        c,
        constraints=LinearConstraint(np.vstack(rows), 1, np.inf),
        integrality=np.ones(len(pairs)),
        bounds=Bounds(0, 1),
    )
    if res.x is None:
        return None
    return math.ceil(float(res.fun) - 1e-6)


def check_time(problem: PatternProblem, minutes: int, days: int, n_positions: int) -> None:
    """The cheapest covering set of the week must fit the week's minutes."""
    need = minimum_weekly_seconds(problem)
    have = problem.per_week * problem.budget_s
    if need is not None and need > have:
        raise PlanInfeasibleError(
            f"{minutes} minutes is too short: covering every target muscle in all {n_positions} leg"
            f" positions needs at least {math.ceil(need / 60)} minutes a week, and {days}"
            f" session{'s' if days > 1 else ''} of {minutes} minutes give{'s' if days == 1 else ''}"
            f" {days * minutes}; allow more minutes or days"
        )


FAMILY_WORDS: Mapping[Family, str] = {
    "coverage": "every target muscle trained each week",
    "positions": "every leg position used each week",
    "time": "each session within its minutes",
    "variety": "no two consecutive sessions identical",
}


def explain_block(problem: PatternProblem, week: int, minutes: int) -> PlanInfeasibleError:
    """Name the constraint families that, dropped alone, would let the block from ``week`` be planned."""
    culprits = [f for f in FAMILIES if solve_pattern(problem, relax=frozenset({f})) is not None]
    detail = {
        "time": f"sessions of {minutes} minutes",
        "variety": f"{len(problem.seconds)} usable exercise{'s' if len(problem.seconds) != 1 else ''}",
    }
    if culprits:
        named = " or ".join(
            FAMILY_WORDS[f] + (f" (with {detail[f]})" if f in detail else "") for f in culprits
        )
        return PlanInfeasibleError(
            f"week {week} cannot be planned: the constraint that cannot be met is {named}; {HINT}"
        )
    pairs = [
        (f, g)
        for i, f in enumerate(FAMILIES)
        for g in FAMILIES[i + 1 :]
        if solve_pattern(problem, relax=frozenset({f, g})) is not None
    ]
    if pairs:
        named = " or ".join(f"{FAMILY_WORDS[f]} together with {FAMILY_WORDS[g]}" for f, g in pairs)
        return PlanInfeasibleError(
            f"week {week} cannot be planned: the constraints that cannot be met together are {named}; {HINT}"
        )
    return PlanInfeasibleError(
        f"week {week} cannot be planned: coverage, leg positions, session time ({minutes} minutes)"
        f" and variety cannot be met together; {HINT}"
    )
