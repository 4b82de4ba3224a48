"""The terminal summary of an analysis (Rich)."""

from __future__ import annotations

from typing import Any

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from midline.report.labels import leg_label

SEVERITY_STYLE = {"fault": "bold red", "warning": "yellow", "info": "cyan"}


def _n(v: Any, fmt: str = "{:.2f}", unit: str = "") -> str:
    return "–" if v is None else fmt.format(v) + unit


def summary_renderable(report: dict[str, Any]) -> Group:
    """A per-rep table, the set's numbers and the cues, from a report.json dict."""
    reps = Table(
        title=f"{report['exercise']}: {report['summary']['rep_count']} reps",
        title_justify="left",
        caption="times in s; ratio = release / squeeze; gaps between the legs in leg lengths (0 = touching)",
        caption_justify="left",
    )
    for col in ("rep", "squeeze", "hold", "release", "ratio", "thigh", "knee", "ankle"):
        reps.add_column(col, justify="right")
    for r in report["reps"]:
        reps.add_row(
            str(r["index"]),
            _n(r["concentric_s"]),
            _n(r["hold_s"]),
            _n(r["eccentric_s"]),
            _n(r["eccentric_ratio"]),
            _n(r["thigh_gap_min"], "{:.3f}"),
            _n(r["knee_gap_min"], "{:.3f}"),
            _n(r["ankle_gap_min"], "{:.3f}"),
        )
    s, q = report["summary"], report["quality"]
    facts = Text.assemble(
        ("person found in ", "dim"),
        f"{100 * q['detected_fraction']:.0f} % of frames",
        ("   view ", "dim"),
        str(q["view"] or "–"),
        ("   legs ", "dim"),
        " / ".join(leg_label(s, side) or "–" for side in ("left", "right")),
        (" (asked ", "dim"),
        str(report["asked_position"]),
        (")", "dim"),
    )
    cues = Text()
    if not report["reps"]:
        cues.append("No complete rep was found in the video.\n", "yellow")
    if not report["cues"] and report["reps"]:
        cues.append("No faults found.", "green")
    for c in report["cues"]:
        reps_txt = f" (reps {', '.join(map(str, c['reps']))})" if c["reps"] else ""
        cues.append(f"• {c['message']}{reps_txt}\n", SEVERITY_STYLE.get(c["severity"], ""))
    return Group(reps, facts, cues)


def print_summary(report: dict[str, Any], console: Console | None = None) -> None:
    (console or Console()).print(summary_renderable(report))
