"""Turn what a user says they did into :class:`SetRecord` values, checked against the catalog.

A unilateral exercise logged with ``side="both"`` means each set was done on the left and the right:
it becomes one record per side, so the two legs can be compared later.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from midline.catalog import Catalog
from midline.catalog.query import find_exercise
from midline.errors import MidlineError
from midline.log.records import SIDES, SessionRecord, SetRecord, Side

TEMPO = re.compile(r"^\d+(\.\d+)?-\d+(\.\d+)?-\d+(\.\d+)?$")


class LogInputError(MidlineError):
    """A value given to ``midline log`` (or found in a plan or an import) that cannot be recorded."""


@dataclass(frozen=True)
class SetInput:
    """What ``midline log`` was told; ``None`` takes the catalog's default for the exercise."""

    exercise: str
    sets: int | None = None
    reps: int | None = None
    side: str = "both"
    prop: str | None = None
    placement: str | None = None
    position: str | None = None
    tempo: str | None = None
    rpe: int | None = None
    pain: int = 0
    notes: str = ""


def _in_range(name: str, value: int | None, low: int, high: int) -> None:
    if value is not None and not low <= value <= high:
        raise LogInputError(f"{name} must be between {low} and {high} (got {value})")


def _choose(what: str, value: str | None, allowed: list[str], exercise: str) -> str:
    if value is None:
        return allowed[0]
    if value not in allowed:
        raise LogInputError(f"{exercise} is not done with {what} {value!r}; use one of: {', '.join(allowed)}")
    return value


def parse_date(text: str | None, today: dt.date | None = None) -> dt.date:
    """A YYYY-MM-DD date, today when not given."""
    if text is None:
        return today or dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise LogInputError(f"the date must be YYYY-MM-DD (got {text!r})") from None


def make_sets(catalog: Catalog, given: SetInput, first_number: int = 1) -> list[SetRecord]:
    """The set records for ``given``, numbered from ``first_number``; every id checked."""
    ex = find_exercise(catalog, given.exercise)
    if given.side not in SIDES:
        raise LogInputError(f"--side must be one of {', '.join(SIDES)} (got {given.side!r})")
    if ex.laterality == "bilateral" and given.side != "both":
        raise LogInputError(f"{ex.id} works both legs at once: its side is 'both' (got {given.side!r})")
    _in_range("sets", given.sets, 1, 20)
    _in_range("reps", given.reps, 0, 500)
    _in_range("RPE", given.rpe, 1, 10)
    _in_range("pain", given.pain, 0, 10)
    if given.tempo is not None and not TEMPO.match(given.tempo):
        raise LogInputError(f"tempo is squeeze-hold-release seconds, e.g. 2-2-3 (got {given.tempo!r})")
    prop = _choose("prop", given.prop, [p.prop for p in ex.props], ex.id)
    placements = next(p.placements for p in ex.props if p.prop == prop)
    placement = _choose("placement", given.placement, placements, f"{ex.id} with {prop}")
    position = given.position or ex.default_position
    _choose("leg position", position, ex.positions, ex.id)
    tempo = given.tempo or "-".join(
        f"{t:g}" for t in (ex.tempo.squeeze_s, ex.tempo.hold_s, ex.tempo.release_s)
    )
    side = given.side
    sides: tuple[Side, ...] = (
        ("left", "right") if ex.laterality == "unilateral" and side == "both" else (side,)
    )
    out = []
    for number in range(first_number, first_number + (given.sets or ex.default_sets)):
        for side in sides:
            out.append(
                SetRecord(
                    exercise=ex.id,
                    set_number=number,
                    side=side,
                    reps=ex.default_reps if given.reps is None else given.reps,
                    prop=prop,
                    placement=placement,
                    position=position,
                    tempo=tempo,
                    rpe=given.rpe,
                    pain=given.pain,
                    notes=given.notes,
                )
            )
    return out


def next_set_number(session: SessionRecord | None, exercise: str) -> int:
    """The number the next set of ``exercise`` gets in ``session`` (sets continue, not restart)."""
    if session is None:
        return 1
    return max((s.set_number for s in session.sets if s.exercise == exercise), default=0) + 1


def planned_sets(plan: dict[str, Any], week: int, session: int) -> list[SetRecord]:
    """The sets a stored plan prescribes for week ``week``, session ``session`` (1-based), as done."""
    try:
        weeks = plan["weeks"]
        w = next(x for x in weeks if x["index"] == week)
    except (KeyError, TypeError, StopIteration):
        raise LogInputError(f"the plan has no week {week} (it has {len(plan.get('weeks', []))})") from None
    s = next((x for x in w["sessions"] if x["index"] == session), None)
    if s is None:
        raise LogInputError(f"week {week} of the plan has no session {session} (it has {len(w['sessions'])})")
    out: list[SetRecord] = []
    for item in s["exercises"]:
        t = item["tempo"]
        tempo = "-".join(f"{t[k]:g}" for k in ("squeeze_s", "hold_s", "release_s"))
        sides: tuple[Side, ...] = ("both",) if item["side"] == "both" else ("left", "right")
        for number in range(1, item["sets"] + 1):
            for side in sides:
                out.append(
                    SetRecord(
                        exercise=item["exercise"],
                        set_number=number,
                        side=side,
                        reps=item["reps"],
                        prop=item["prop"],
                        placement=item["placement"],
                        position=item["position"],
                        tempo=tempo,
                    )
                )
    return out
