"""A metric over time from the log: per-day set figures or per-analysis video metrics, and a sparkline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from midline.errors import MidlineError
from midline.log.records import AnalysisRecord, SessionRecord

SET_METRICS: dict[str, str] = {
    "reps": "mean reps per set",
    "volume": "total reps (every set, both sides)",
    "rpe": "highest RPE",
    "pain": "highest pain (0-10)",
}
BARS = "▁▂▃▄▅▆▇█"


class UnknownMetricError(MidlineError):
    """A metric name that is neither a set metric nor a metric any stored analysis has."""


@dataclass(frozen=True)
class Point:
    date: dt.date
    value: float


def set_metric_series(
    sessions: Iterable[SessionRecord], metric: str, exercise: str | None = None
) -> list[Point]:
    """One point per day with sets (of ``exercise`` when given); days without the figure are skipped."""
    by_day: dict[dt.date, list[Any]] = {}
    for session in sessions:
        sets = [s for s in session.sets if exercise is None or s.exercise == exercise]
        by_day.setdefault(session.date, []).extend(sets)
    out = []
    for day in sorted(by_day):
        sets = by_day[day]
        if not sets:
            continue
        if metric == "reps":
            value: float | None = sum(s.reps for s in sets) / len(sets)
        elif metric == "volume":
            value = float(sum(s.reps for s in sets))
        elif metric == "rpe":
            rated = [s.rpe for s in sets if s.rpe is not None]
            value = float(max(rated)) if rated else None
        elif metric == "pain":
            value = float(max(s.pain for s in sets))
        else:
            raise UnknownMetricError(f"unknown set metric {metric!r}; known: {', '.join(SET_METRICS)}")
        if value is not None:
            out.append(Point(day, value))
    return out


def analysis_metric_series(
    analyses: Iterable[AnalysisRecord], metric: str, exercise: str | None = None
) -> list[Point]:
    """One point per analysis that has ``metric``, oldest first."""
    pool = sorted(
        (a for a in analyses if exercise is None or a.exercise == exercise), key=lambda a: a.created_at
    )
    known = sorted({k for a in pool for k in a.metrics})
    if metric not in known:
        hint = f"; the stored analyses have: {', '.join(known)}" if known else "; no analysis is stored yet"
        raise UnknownMetricError(
            f"unknown metric {metric!r}: the set metrics are {', '.join(SET_METRICS)}{hint}"
        )
    return [Point(a.created_at.date(), a.metrics[metric]) for a in pool if metric in a.metrics]


def metric_series(
    sessions: Iterable[SessionRecord],
    analyses: Iterable[AnalysisRecord],
    metric: str,
    exercise: str | None = None,
) -> list[Point]:
    if metric in SET_METRICS:
        return set_metric_series(sessions, metric, exercise)
    return analysis_metric_series(analyses, metric, exercise)


def sparkline(values: Sequence[float]) -> str:
    """Unicode bars scaled between the smallest and largest value; flat data draws a flat middle line."""
    if not values:
        return ""
    low, high = min(values), max(values)
    if high == low:
        return BARS[3] * len(values)
    top = len(BARS) - 1
    return "".join(BARS[round((v - low) / (high - low) * top)] for v in values)


def metrics_from_report(report: Mapping[str, Any]) -> dict[str, float]:
    """The numbers of a report.json summary: scalars by name, per-side dicts as ``name.side``."""
    out: dict[str, float] = {}
    for key, value in dict(report.get("summary") or {}).items():
        if isinstance(value, bool):
            continue
        if isinstance(value, int | float):
            out[key] = float(value)
        elif isinstance(value, dict):
            for sub, v in value.items():
                if isinstance(v, int | float) and not isinstance(v, bool):
                    out[f"{key}.{sub}"] = float(v)
    return out
