"""Look-ups and filters over the catalog: the pure functions behind ``midline exercises``/``muscles``.

Every id a user types is checked against the catalog, so a typo fails with a message naming the
known ids (and the closest ones) rather than silently matching nothing.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from midline.catalog.loader import Catalog
from midline.catalog.models import LEVELS, Exercise, Muscle
from midline.errors import UnknownEntryError


class UnknownExerciseError(UnknownEntryError):
    """An exercise id the catalog does not have; the message suggests the closest ids."""


class UnknownFilterError(UnknownEntryError):
    """A filter value (muscle, position, prop, level) that names nothing in the catalog."""


def close_matches(query: str, candidates: Iterable[str], n: int = 5) -> list[str]:
    """Ids that look like ``query``: those containing it first, then the most similar spellings."""
    pool = list(candidates)
    q = query.strip().lower()
    contains = [c for c in pool if q and q in c]
    similar = difflib.get_close_matches(q, pool, n=n, cutoff=0.5)
    out: list[str] = []
    for c in [*contains, *similar]:
        if c not in out:
            out.append(c)
    return out[:n]


def _unknown(
    what: str, value: str, known: Iterable[str], error: type[UnknownEntryError]
) -> UnknownEntryError:
    pool = list(known)
    near = close_matches(value, pool)
    hint = f" Did you mean: {', '.join(near)}?" if near else ""
    return error(f"unknown {what} {value!r}.{hint} Known: {', '.join(pool)}")


def find_exercise(catalog: Catalog, exercise_id: str) -> Exercise:
    """The exercise with this id; an unknown id raises :class:`UnknownExerciseError` with suggestions."""
    ex = catalog.exercises.get(exercise_id)
    if ex is None:
        raise _unknown("exercise", exercise_id, catalog.exercises, UnknownExerciseError)
    return ex


def muscles_matching(catalog: Catalog, muscle_or_group: str) -> list[Muscle]:
    """The muscle with this id, or every muscle of this group (e.g. ``adductors``)."""
    if muscle_or_group in catalog.muscles:
        return [catalog.muscles[muscle_or_group]]
    group = catalog.muscles_in_group(muscle_or_group)
    if group:
        return group
    groups = [g for g in dict.fromkeys(m.group for m in catalog.muscles.values()) if g not in catalog.muscles]
    raise _unknown("muscle or group", muscle_or_group, [*catalog.muscles, *groups], UnknownFilterError)


@dataclass(frozen=True)
class ExerciseFilter:
    """What a user asked the exercise list for; ``None`` means "any"."""

    muscle: str | None = None
    position: str | None = None
    prop: str | None = None
    level: str | None = None
    primary_only: bool = False
    kind: str | None = None


def filter_exercises(catalog: Catalog, f: ExerciseFilter) -> list[Exercise]:
    """Exercises (in catalog order) that match every given criterion.

    ``muscle`` is a muscle id or a muscle group and matches primary or (unless ``primary_only``)
    secondary muscles; ``position`` an allowed leg position; ``prop`` a prop the exercise can be
    done with; ``level`` the exact level; ``kind`` ``exercise`` or ``habit``.
    """
    wanted_muscles = {m.id for m in muscles_matching(catalog, f.muscle)} if f.muscle else None
    if f.position is not None and f.position not in catalog.positions:
        raise _unknown("position", f.position, catalog.positions, UnknownFilterError)
    if f.prop is not None and f.prop not in catalog.props:
        raise _unknown("prop", f.prop, catalog.props, UnknownFilterError)
    if f.level is not None and f.level not in LEVELS:
        raise _unknown("level", f.level, LEVELS, UnknownFilterError)
    if f.kind is not None and f.kind not in ("exercise", "habit"):
        raise _unknown("kind", f.kind, ("exercise", "habit"), UnknownFilterError)

    def keep(ex: Exercise) -> bool:
        if wanted_muscles is not None:
            trained = ex.primary_muscles if f.primary_only else ex.muscles
            if not wanted_muscles & set(trained):
                return False
        if f.position is not None and f.position not in ex.positions:
            return False
        if f.prop is not None and f.prop not in {u.prop for u in ex.props}:
            return False
        if f.level is not None and ex.level != f.level:
            return False
        return f.kind is None or ex.kind == f.kind

    return [ex for ex in catalog.exercises.values() if keep(ex)]


@dataclass(frozen=True)
class MuscleUse:
    """Which exercises train a muscle, as a primary mover and as a helper."""

    muscle: Muscle
    primary_in: list[str]
    secondary_in: list[str]


def muscle_usage(catalog: Catalog) -> list[MuscleUse]:
    """Every muscle (catalog order) with the exercises that train it."""
    return [
        MuscleUse(
            muscle=m,
            primary_in=[e.id for e in catalog.exercises.values() if m.id in e.primary_muscles],
            secondary_in=[e.id for e in catalog.exercises.values() if m.id in e.secondary_muscles],
        )
        for m in catalog.muscles.values()
    ]


def exercises_with_position(catalog: Catalog, position_id: str) -> list[str]:
    return [e.id for e in catalog.exercises.values() if position_id in e.positions]


def exercises_with_prop(catalog: Catalog, prop_id: str) -> list[str]:
    return [e.id for e in catalog.exercises.values() if prop_id in {u.prop for u in e.props}]


def uncovered(
    catalog: Catalog,
    muscles: Iterable[str],
    *,
    level: str = "beginner",
    props: Iterable[str] = ("none", "ring", "ball"),
) -> list[tuple[str, str]]:
    """(muscle, position) pairs no exercise of ``level`` doable with ``props`` trains as primary.

    An empty list means a programme restricted to those exercises and props can reach every given
    muscle in every leg position: the balance the method asks for.
    """
    allowed = set(props)
    pool = [
        e
        for e in catalog.exercises.values()
        if e.kind == "exercise" and e.level == level and allowed & {u.prop for u in e.props}
    ]
    return [
        (m, p)
        for m in muscles
        for p in catalog.positions
        if not any(m in e.primary_muscles and p in e.positions for e in pool)
    ]
