"""Week-to-week progression: deterministic prescription changes by step, with a deload rule.

Each non-deload week climbs one rung of :data:`LADDER`; a rung changes one thing (a slower
release, more reps, the prop moved further from the hip, more resistance, pulses) for every
exercise whose catalog entry lists that progression axis, and is a no-op for the others. Every
fourth week is a deload: the reps of the week before, 30 % fewer, and no tempo increase.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal

from midline.catalog import Catalog
from midline.catalog.models import Exercise
from midline.planner.timing import exercise_seconds

Rung = Literal["tempo", "lever", "reps", "resistance", "pulses"]

LADDER: tuple[Rung, ...] = (
    "tempo",
    "lever",
    "reps",
    "resistance",
    "tempo",
    "lever",
    "reps",
    "pulses",
    "tempo",
    "reps",
)
"""The rungs in order; after the last one the prescription plateaus (and the planner reuses weeks)."""

RELEASE_STEP_S = 0.5
"""A tempo rung slows the release (the eccentric) by this much; squeeze and hold stay."""
REPS_STEP = 2
PULSES = 3
"""Small pulses at the squeeze, before the hold, once the pulses rung is reached."""
DELOAD_EVERY = 4
DELOAD_VOLUME = 0.7
"""A deload week keeps 70 % of the reps (volume -30 %) and the tempo and placement of the week before."""

RUNG_WORDS: Mapping[Rung, str] = {
    "tempo": f"slower release (+{RELEASE_STEP_S:g} s)",
    "lever": "prop moved further from the hip (above the knees -> above the ankles)",
    "reps": f"more reps (+{REPS_STEP})",
    "resistance": "more resistance (a resistance prop instead of body weight)",
    "pulses": f"harder variant: {PULSES} small pulses at the squeeze",
}


@dataclass(frozen=True)
class Prescription:
    """How one exercise is done in a given week."""

    exercise_id: str
    sets: int
    reps: int
    squeeze_s: float
    hold_s: float
    release_s: float
    pulses: int
    prop: str
    placement: str
    lever: int
    unilateral: bool
    setup_s: float

    @property
    def seconds(self) -> int:
        return exercise_seconds(
            sets=self.sets,
            reps=self.reps,
            squeeze_s=self.squeeze_s,
            hold_s=self.hold_s,
            release_s=self.release_s,
            pulses=self.pulses,
            unilateral=self.unilateral,
            setup_s=self.setup_s,
        )


def is_deload(week: int) -> bool:
    """Weeks are numbered from 1; every fourth one is a deload."""
    return week % DELOAD_EVERY == 0


def _lowest_placement(placements: list[str], catalog: Catalog) -> tuple[str, int]:
    lever = min(catalog.placements[p].lever for p in placements)
    first = next(p for p in placements if catalog.placements[p].lever == lever)
    return first, lever


def base_prescription(ex: Exercise, catalog: Catalog, props: frozenset[str]) -> Prescription:
    """Week 1: the catalog's dose with the first usable prop (catalog order) at its shortest lever."""
    use = next(u for u in ex.props if u.prop in props)
    placement, lever = _lowest_placement(use.placements, catalog)
    return Prescription(
        exercise_id=ex.id,
        sets=ex.default_sets,
        reps=ex.default_reps,
        squeeze_s=ex.tempo.squeeze_s,
        hold_s=ex.tempo.hold_s,
        release_s=ex.tempo.release_s,
        pulses=0,
        prop=use.prop,
        placement=placement,
        lever=lever,
        unilateral=ex.laterality == "unilateral",
        setup_s=ex.setup_s,
    )


def _climb(
    p: Prescription, rung: Rung, ex: Exercise, catalog: Catalog, props: frozenset[str]
) -> Prescription:
    if rung not in ex.progressions:
        return p
    if rung == "tempo":
        return replace(p, release_s=p.release_s + RELEASE_STEP_S)
    if rung == "reps":
        return replace(p, reps=p.reps + REPS_STEP)
    if rung == "pulses":
        return replace(p, pulses=PULSES)
    if rung == "lever":
        use = next(u for u in ex.props if u.prop == p.prop)
        longer = [pl for pl in use.placements if catalog.placements[pl].lever > p.lever]
        if not longer:
            return p
        placement, lever = _lowest_placement(longer, catalog)
        return replace(p, placement=placement, lever=lever)
    # resistance: from body weight to the next usable prop that resists (catalog order)
    if catalog.props[p.prop].resistance:
        return p
    for use in ex.props:
        if use.prop in props and catalog.props[use.prop].resistance:
            placement, lever = _lowest_placement(use.placements, catalog)
            return replace(p, prop=use.prop, placement=placement, lever=lever)
    return p


def prescribe(ex: Exercise, catalog: Catalog, props: frozenset[str], step: int, deload: bool) -> Prescription:
    """The prescription after ``step`` rungs (capped at the ladder's length), deloaded if asked."""
    p = base_prescription(ex, catalog, props)
    for rung in LADDER[: min(step, len(LADDER))]:
        p = _climb(p, rung, ex, catalog, props)
    if deload:
        p = replace(p, reps=max(1, math.floor(p.reps * DELOAD_VOLUME + 0.5)))
    return p


def change_words(step: int, deload: bool, held: bool) -> str:
    """What changed this week, in words, for the plan's output."""
    if deload:
        return (
            f"deload: {round((1 - DELOAD_VOLUME) * 100)} % fewer reps, same tempo and placement as last week"
        )
    if held:
        return "progression held: the next step does not fit the session time"
    if step == 0:
        return "starting dose from the catalog"
    if step > len(LADDER):
        return "plateau: every progression step reached; keep the dose"
    return RUNG_WORDS[LADDER[step - 1]]
