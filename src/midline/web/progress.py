"""Trends over weeks for the progress page: weekly volume from the log, video metrics per analysis."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from midline.catalog import Catalog
from midline.log.history import analysis_metric_series
from midline.log.records import AnalysisRecord, SessionRecord
from midline.web.replan import monday

VIDEO_TRENDS: dict[str, str] = {
    "ankle_gap_at_squeeze": "ankle gap at the squeeze (leg lengths)",
    "mean_eccentric_ratio": "release / squeeze time (eccentric ratio)",
    "knee_alignment_deg.left": "knee alignment, left (deg)",
    "knee_alignment_deg.right": "knee alignment, right (deg)",
    "symmetry": "left/right balance (1 = even)",
    "rep_count": "reps per video",
}
"""The video metrics the page charts (report summary names, per-side as ``name.side``)."""


def weekly_log(sessions: Iterable[SessionRecord], catalog: Catalog) -> dict[str, Any]:
    """Per week (by its Monday): total reps, sets, and reps per muscle group worked as a main mover.

    A set counts once for each group among its exercise's primary muscles; an exercise no longer in
    the catalog counts in the totals only.
    """
    reps: dict[dt.date, int] = {}
    sets: dict[dt.date, int] = {}
    groups: dict[str, dict[dt.date, int]] = {}
    for session in sessions:
        week = monday(session.date)
        for s in session.sets:
            reps[week] = reps.get(week, 0) + s.reps
            sets[week] = sets.get(week, 0) + 1
            ex = catalog.exercises.get(s.exercise)
            trained = {catalog.muscles[m].group for m in ex.primary_muscles} if ex else set()
            for g in trained:
                groups.setdefault(g, {})
                groups[g][week] = groups[g].get(week, 0) + s.reps
    weeks = sorted(reps)
    return {
        "weeks": [w.isoformat() for w in weeks],
        "reps": [reps[w] for w in weeks],
        "sets": [sets[w] for w in weeks],
        "groups": {g: [per.get(w, 0) for w in weeks] for g, per in sorted(groups.items())},
    }


def video_trends(analyses: list[AnalysisRecord]) -> dict[str, dict[str, Any]]:
    """Each charted metric some analysis has: dates, values, exercises (one point per analysis)."""
    out: dict[str, dict[str, Any]] = {}
    known = {k for a in analyses for k in a.metrics}
    for metric, label in VIDEO_TRENDS.items():
        if metric not in known:
            continue
        pool = sorted((a for a in analyses if metric in a.metrics), key=lambda a: a.created_at)
        points = analysis_metric_series(pool, metric)
        out[metric] = {
            "label": label,
            "dates": [p.date.isoformat() for p in points],
            "values": [p.value for p in points],
            "exercises": [a.exercise for a in pool],
        }
    return out
