"""The plan as an iCalendar file (RFC 5545): one all-day event per session on spread weekdays."""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar, Event

from midline.planner.export_markdown import prop_words, sets_reps
from midline.planner.plan import Plan


def next_monday(today: dt.date) -> dt.date:
    """The first Monday after ``today`` (a week later when today is a Monday)."""
    return today + dt.timedelta(days=7 - today.weekday())


def session_date(start: dt.date, week: int, weekday: int) -> dt.date:
    """Week 1 begins on ``start``; ``weekday`` counts days from the start of its week."""
    return start + dt.timedelta(days=7 * (week - 1) + weekday)


def plan_ics(plan: Plan, start: dt.date, stamp: dt.datetime | None = None) -> bytes:
    """The calendar as bytes; ``stamp`` (UTC) is the DTSTAMP, now by default."""
    stamp = stamp or dt.datetime.now(dt.timezone.utc)  # noqa: UP017 (3.10 has no dt.UTC)
    cal = Calendar()
    cal.add("prodid", "-//midline//planner//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "midline programme")
    for week in plan.weeks:
        for session in week.sessions:
            day = session_date(start, week.index, session.weekday)
            lines = [f"Week {week.index}{' (deload)' if week.deload else ''}: {week.change}."]
            lines += [
                f"- {i.name}: {sets_reps(i)}, {i.side}, tempo {i.tempo}, {i.position}, {prop_words(i)}"
                for i in session.exercises
            ]
            lines += ["", plan.note]
            event = Event()
            event.add("uid", f"midline-{start.isoformat()}-w{week.index}-s{session.index}@midline")
            event.add("dtstamp", stamp)
            event.add("dtstart", day)
            event.add("dtend", day + dt.timedelta(days=1))
            event.add(
                "summary",
                f"Inner thighs: week {week.index} session {session.index} ({session.seconds / 60:.0f} min)",
            )
            event.add("description", "\n".join(lines))
            cal.add_component(event)
    return bytes(cal.to_ical())
