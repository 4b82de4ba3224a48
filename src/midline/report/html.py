"""One self-contained ``report.html``: no network at all.

plotly.js is inlined from the installed plotly package and the annotated video is embedded as a
base64 data URI, so the file can be mailed or opened offline and shows everything.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path
from string import Template
from typing import Any

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs
from plotly.subplots import make_subplots

from midline.core.pipeline import Analysis

PHASE_COLOURS = {
    "concentric": "rgba(46,204,64,0.18)",
    "hold": "rgba(255,176,0,0.20)",
    "eccentric": "rgba(0,116,217,0.16)",
}
PHASE_WORD = {"concentric": "squeeze", "hold": "hold", "eccentric": "release"}
GAP_COLOURS = {"thigh": "#7f3fbf", "knee": "#e8590c", "ankle": "#1c7ed6"}

_PAGE = Template("""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>midline: $title</title>
<style>
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0 auto;max-width:1100px;
  padding:1rem;color:#222}
h1{font-size:1.5rem;margin-bottom:.2rem} h2{font-size:1.15rem;margin-top:1.6rem}
.muted{color:#666} table{border-collapse:collapse}
td,th{padding:.25rem .7rem;border-bottom:1px solid #ddd;text-align:left}
.cue{padding:.5rem .8rem;margin:.4rem 0;border-left:4px solid #999;background:#f7f7f7}
.cue.fault{border-color:#e03131}.cue.warning{border-color:#f08c00}.cue.info{border-color:#1c7ed6}
video{max-width:100%;max-height:70vh;background:#000}
</style>
<script>$plotlyjs</script>
</head><body>
<h1>$title</h1>
<p class="muted">$subtitle</p>
<h2>What to work on</h2>
$cues
<h2>Summary</h2>
$summary
$video
<h2>Leg gaps and movement over time</h2>
<p class="muted">Surface gaps between the legs in leg lengths (0 = touching). Shading: green squeeze,
amber hold, blue release.</p>
$signals
<h2>Tempo per rep</h2>
<p class="muted">The release should be slower than the squeeze (control the way back).</p>
$tempo
<p class="muted">Made by midline from pose landmarks. It measures form, not fat loss: no exercise
slims one area; the inner thighs get stronger and more controlled.</p>
</body></html>
""")


def _fmt(v: Any, unit: str = "", digits: int = 2) -> str:
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "–"
    if isinstance(v, float):
        return f"{v:.{digits}f}{unit}"
    return f"{html.escape(str(v))}{unit}"


def _cues(report: dict[str, Any]) -> str:
    if not report["cues"]:
        return "<p>No faults found: well done.</p>"
    items = []
    for cue in report["cues"]:
        reps = f" (reps {', '.join(str(r) for r in cue['reps'])})" if cue["reps"] else ""
        items.append(
            f'<div class="cue {html.escape(cue["severity"])}"><b>{html.escape(cue["message"])}</b>'
            f'<span class="muted">{html.escape(reps)} · {html.escape(cue["code"])}</span></div>'
        )
    return "\n".join(items)


def _summary(report: dict[str, Any]) -> str:
    s, q = report["summary"], report["quality"]
    rows = [
        ("Reps", s["rep_count"]),
        ("Squeeze (mean)", _fmt(s["mean_concentric_s"], " s")),
        ("Release (mean)", _fmt(s["mean_eccentric_s"], " s")),
        ("Release / squeeze", _fmt(s["mean_eccentric_ratio"])),
        ("Knee gap at the squeeze", _fmt(s["knee_gap_at_squeeze"], " leg lengths", 3)),
        ("Ankle gap at the squeeze", _fmt(s["ankle_gap_at_squeeze"], " leg lengths", 3)),
        (
            "Leg position (left / right)",
            f"{_fmt(s['leg_position'].get('left'))} / {_fmt(s['leg_position'].get('right'))}",
        ),
        ("Asked position", _fmt(report["asked_position"])),
        ("Symmetry", _fmt(s["symmetry"])),
        ("Person found in", _fmt(100 * q["detected_fraction"], " % of frames", 0)),
        ("View", _fmt(q["view"])),
    ]
    body = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{v if isinstance(v, str) else _fmt(v)}</td></tr>" for k, v in rows
    )
    return f"<table>{body}</table>"


def _shade(fig: go.Figure, report: dict[str, Any], rows: int) -> None:
    for rep in report["reps"]:
        for ph in rep["phases"]:
            for r in range(1, rows + 1):
                fig.add_vrect(
                    x0=ph["start_s"], x1=ph["end_s"],
                    fillcolor=PHASE_COLOURS.get(ph["name"], "rgba(0,0,0,0.05)"),
                    line_width=0, layer="below", row=r, col=1,
                )  # fmt: skip
        fig.add_annotation(
            x=(rep["start_s"] + rep["end_s"]) / 2, y=1.0, yref="paper", text=f"rep {rep['index']}",
            showarrow=False, font={"size": 11},
        )  # fmt: skip


def _series(values: Any) -> list[float | None]:
    arr = np.asarray(values, dtype=np.float64)
    return [None if not np.isfinite(v) else round(float(v), 4) for v in arr]


def signals_figure(analysis: Analysis) -> go.Figure:
    tr, report = analysis.traces, analysis.report.to_dict()
    unit = report["summary"]["primary_signal"].get("unit", "")
    name = report["summary"]["primary_signal"].get("name", "primary")
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        subplot_titles=("Leg gaps (leg lengths)", f"{name} ({unit})"))  # fmt: skip
    t = _series(tr.t)
    for level in ("thigh", "knee", "ankle"):
        fig.add_trace(go.Scatter(x=t, y=_series(getattr(tr, f"{level}_gap")), name=f"{level} gap",
                                 line={"color": GAP_COLOURS[level]}), row=1, col=1)  # fmt: skip
    fig.add_trace(go.Scatter(x=t, y=_series(tr.primary), name=name, line={"color": "#222"}), row=2, col=1)
    _shade(fig, report, 2)
    fig.update_xaxes(title_text="time (s)", row=2, col=1)
    fig.update_layout(height=560, margin={"l": 50, "r": 20, "t": 50, "b": 40}, legend={"orientation": "h"})
    return fig


def tempo_figure(analysis: Analysis) -> go.Figure:
    reps = analysis.report.to_dict()["reps"]
    labels = [f"rep {r['index']}" for r in reps]
    fig = go.Figure()
    for key, word, colour in (
        ("concentric_s", "squeeze", "#2ecc40"),
        ("hold_s", "hold", "#ffb000"),
        ("eccentric_s", "release", "#0074d9"),
    ):
        fig.add_trace(
            go.Bar(y=labels, x=[r[key] for r in reps], name=word, orientation="h", marker_color=colour)
        )
    fig.update_layout(
        barmode="stack", height=120 + 32 * max(1, len(reps)), xaxis_title="seconds",
        yaxis={"autorange": "reversed"}, margin={"l": 60, "r": 20, "t": 20, "b": 40},
    )  # fmt: skip
    return fig


def _div(fig: go.Figure) -> str:
    return str(pio.to_html(fig, include_plotlyjs=False, full_html=False, config={"displaylogo": False}))


def render_html(analysis: Analysis, video: Path | None = None) -> str:
    """The report page; ``video`` (an .mp4) is embedded when given."""
    report = analysis.report.to_dict()
    v = report["video"]
    video_html = ""
    if video is not None and video.is_file():
        data = base64.b64encode(video.read_bytes()).decode("ascii")
        video_html = (
            '<h2>Annotated video</h2><video controls playsinline preload="metadata" '
            f'src="data:video/mp4;base64,{data}"></video>'
        )
    tempo = _div(tempo_figure(analysis)) if report["reps"] else "<p>No complete rep was found.</p>"
    return _PAGE.substitute(
        title=html.escape(report["exercise"]),
        subtitle=html.escape(
            f"{v['duration_s']:.1f} s · {v['width']}x{v['height']} · analysed at {v['fps']:.0f} frames/s"
        ),
        plotlyjs=get_plotlyjs(),
        cues=_cues(report),
        summary=_summary(report),
        video=video_html,
        signals=_div(signals_figure(analysis)),
        tempo=tempo,
    )
