"""Reported pain holds progression back.

The rule: an exercise whose most recent session had a set with pain above 0 does not progress; the
hold lifts once a later session of that exercise is logged without pain. The planner can consume
:func:`progression_holds`; the CLI prints the reasons.
"""

from __future__ import annotations

from collections.abc import Iterable

from midline.log.records import SessionRecord


def progression_hold(sessions: Iterable[SessionRecord], exercise: str) -> str | None:
    """Why ``exercise`` must not progress, or ``None`` when it may."""
    latest = None
    for session in sessions:
        sets = [s for s in session.sets if s.exercise == exercise]
        if sets and (latest is None or session.date >= latest[0]):
            worst = max(s.pain for s in sets)
            if latest is not None and session.date == latest[0]:
                worst = max(worst, latest[1])
            latest = (session.date, worst)
    if latest is None or latest[1] == 0:
        return None
    return f"pain reported on {latest[0].isoformat()}: progression held for {exercise}"


def progression_holds(sessions: Iterable[SessionRecord]) -> dict[str, str]:
    """Every exercise held back by pain, with its reason."""
    pool = list(sessions)
    exercises = dict.fromkeys(s.exercise for session in pool for s in session.sets)
    holds = {ex: progression_hold(pool, ex) for ex in exercises}
    return {ex: reason for ex, reason in holds.items() if reason is not None}
