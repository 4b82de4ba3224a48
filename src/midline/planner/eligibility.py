"""Which catalog exercises a profile may use, and why each other one is left out."""

from __future__ import annotations

import re
from dataclasses import dataclass

from midline.catalog import Catalog
from midline.catalog.models import LEVELS, Exercise
from midline.planner.profile import Profile

_WORD = re.compile(r"[a-z0-9]+")


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def _condition(contraindication: str) -> str:
    """The condition itself, without the advice in brackets ("late pregnancy (sit instead)")."""
    return contraindication.split("(", 1)[0]


@dataclass(frozen=True)
class Eligibility:
    """Allowed exercises and habits in catalog order; ``excluded`` maps an id to the reason."""

    exercises: tuple[Exercise, ...]
    habits: tuple[Exercise, ...]
    excluded: dict[str, str]
    unmatched_avoid: tuple[str, ...]
    props: frozenset[str]


def avoid_reason(ex: Exercise, avoid: tuple[str, ...]) -> tuple[str | None, set[str]]:
    """Why ``avoid`` rules ``ex`` out (or None), and which avoid items matched it.

    An item that is an exercise id excludes that exercise; any other item is a condition whose
    words must all appear (case-insensitively) in one contraindication: ``knee-pain`` matches
    "acute knee pain".
    """
    matched: set[str] = set()
    reason: str | None = None
    for item in avoid:
        if item == ex.id:
            matched.add(item)
            reason = reason or f"avoided ({item})"
            continue
        words = _words(item)
        for contra in ex.contraindications:
            if words and words <= _words(_condition(contra)):
                matched.add(item)
                reason = reason or f"avoided: {item} ({contra})"
    return reason, matched


def eligible(profile: Profile, catalog: Catalog) -> Eligibility:
    """Filter the catalog by level, props and the avoid list (habits only by the avoid list)."""
    props = frozenset({"none", *profile.props})
    level = LEVELS.index(profile.level)
    allowed: list[Exercise] = []
    habits: list[Exercise] = []
    excluded: dict[str, str] = {}
    matched: set[str] = set()
    for ex in catalog.exercises.values():
        reason, hits = avoid_reason(ex, profile.avoid)
        matched |= hits
        if reason is None and ex.kind == "exercise":
            if LEVELS.index(ex.level) > level:
                reason = f"{ex.level} level"
            elif not any(u.prop in props for u in ex.props):
                reason = "needs " + " or ".join(u.prop for u in ex.props)
        if reason is not None:
            excluded[ex.id] = reason
        elif ex.kind == "habit":
            habits.append(ex)
        else:
            allowed.append(ex)
    unmatched = tuple(a for a in profile.avoid if a not in matched)
    return Eligibility(tuple(allowed), tuple(habits), excluded, unmatched, props)
