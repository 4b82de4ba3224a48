"""Where a user stands in a plan, and the rule that re-plans the rest after a missed week.

The rule: progression follows what was done, not the calendar. The plan resumes at the week after
the last week in which any session was done (week 1 when none was). When the calendar has moved
past that week (at least one whole week went by without its sessions), the remaining weeks are
re-planned: weeks ``resume..N`` of the old plan, same doses, same deload rhythm, become weeks
``1..N-resume+1`` of a new plan starting on the Monday of the current week. Nothing is skipped (a
missed week never jumps the user to a harder dose) and nothing done is lost (the sessions stay
logged against the old plan).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from midline.errors import MidlineError


class ReplanError(MidlineError):
    """The plan cannot be re-planned from the asked week (nothing left, or no such week)."""


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def calendar_week(start: dt.date, today: dt.date) -> int:
    """1 in the first seven days from ``start``, 2 in the next seven, ...; 0 before the start."""
    if today < start:
        return 0
    return (today - start).days // 7 + 1


@dataclass(frozen=True)
class PlanProgress:
    weeks: int
    done: frozenset[tuple[int, int]]
    """(week, session) pairs marked done."""
    calendar_week: int
    resume_week: int
    """The week to do next: after the last week with any session done."""
    missed: tuple[int, ...]
    """Calendar weeks that went by, from ``resume_week`` on, with nothing done."""

    @property
    def finished(self) -> bool:
        return self.resume_week > self.weeks

    @property
    def needs_replan(self) -> bool:
        return bool(self.missed) and not self.finished


def plan_progress(
    data: dict[str, Any], start: dt.date, done: Iterable[tuple[int, int]], today: dt.date
) -> PlanProgress:
    weeks = len(data["weeks"])
    marked = frozenset(done)
    last_active = max((w for w, _ in marked), default=0)
    resume = last_active + 1
    now = calendar_week(start, today)
    missed = tuple(range(resume, min(now, weeks + 1)))
    return PlanProgress(weeks, marked, now, resume, missed)


def replan_from(data: dict[str, Any], week: int, today: dt.date, from_uid: str) -> dict[str, Any]:
    """A new plan document: weeks ``week..N`` of ``data`` renumbered from 1, coverage sliced to match."""
    old = data["weeks"]
    indices = [w["index"] for w in old]
    if week not in indices:
        raise ReplanError(f"the plan has no week {week} (it has weeks 1-{len(old)}); nothing to re-plan")
    keep = indices.index(week)
    new = copy.deepcopy(data)
    new["weeks"] = [dict(w, index=i + 1) for i, w in enumerate(copy.deepcopy(old[keep:]))]
    matrix = new.get("coverage_matrix")
    if isinstance(matrix, dict):
        matrix["weeks"] = [w["index"] for w in new["weeks"]]
        for part in ("muscles", "positions", "targets"):
            for name, row in matrix.get(part, {}).items():
                matrix[part][name] = row[keep:]
    new["profile"] = dict(new["profile"], weeks=len(new["weeks"]))
    new["notes"] = [
        *new.get("notes", []),
        f"re-planned on {today.isoformat()}: resumes at week {week} of the previous plan"
        " (a missed week repeats nothing done and skips nothing to do)",
    ]
    new["replanned_from"] = {"plan": from_uid, "week": week, "on": today.isoformat()}
    return new
