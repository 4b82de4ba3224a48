"""One self-contained ``report.html``: no network at all.

plotly.js is inlined from the installed plotly package and the annotated video is embedded as a
base64 data URI (up to 64 MB; a longer one is linked as the file beside the page), so the page can
be mailed or opened offline and shows everything.
"""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from string import Template
from typing import Any

import numpy as np
from plotly.offline import get_plotlyjs

from midline.core.pipeline import Analysis
from midline.report.labels import leg_label

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
            " / ".join(_fmt(leg_label(s, side)) for side in ("left", "right")),
        ),
        ("Asked position", _fmt(report["asked_position"])),
        ("Symmetry (1 = even)", _fmt(s["symmetry"])),
        ("Person found in", _fmt(100 * q["detected_fraction"], " % of frames", 0)),
        ("View", _fmt(q["view"])),
    ]
    body = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{v if isinstance(v, str) else _fmt(v)}</td></tr>" for k, v in rows
    )
    return f"<table>{body}</table>"


def _series(values: Any) -> list[float | None]:
    arr = np.asarray(values, dtype=np.float64)
    return [None if not np.isfinite(v) else round(float(v), 4) for v in arr]


# Figures are plain plotly.js JSON (data + layout): building plotly.graph_objects figures costs a
# second or more of validation for nothing the page needs.
Figure = dict[str, Any]


def _phase_shapes(report: dict[str, Any], yrefs: tuple[str, ...]) -> tuple[list[Any], list[Any]]:
    shapes, notes = [], []
    for rep in report["reps"]:
        for ph in rep["phases"]:
            for yref in yrefs:
                shapes.append(
                    {
                        "type": "rect",
                        "xref": "x",
                        "yref": f"{yref} domain",
                        "x0": ph["start_s"],
                        "x1": ph["end_s"],
                        "y0": 0,
                        "y1": 1,
                        "fillcolor": PHASE_COLOURS.get(ph["name"], "rgba(0,0,0,0.05)"),
                        "line": {"width": 0},
                        "layer": "below",
                    }
                )
        notes.append(
            {
                "x": (rep["start_s"] + rep["end_s"]) / 2,
                "y": 1.0,
                "xref": "x",
                "yref": "paper",
                "yanchor": "bottom",
                "text": f"rep {rep['index']}",
                "showarrow": False,
                "font": {"size": 11},
            }
        )
    return shapes, notes


SIGNAL_LABELS = {
    "knee_gap": "knee gap",
    "bottom_leg_floor_angle": "bottom leg's lift",
    "hip_flexion": "hip flexion",
    "knee_extension": "knee extension",
    "foot_progression": "foot angle",
}
"""How the plots name the core's primary signals (``midline.core.signals.primary_signal``)."""
UNIT_LABELS = {"leg_length": "leg lengths", "deg": "degrees"}


def signals_figure(analysis: Analysis) -> Figure:
    """Leg gaps (top) and the exercise's primary signal (bottom) over time, reps and phases shaded."""
    tr, report = analysis.traces, analysis.report.to_dict()
    unit = report["summary"]["primary_signal"].get("unit", "")
    unit = UNIT_LABELS.get(unit, unit)
    name = report["summary"]["primary_signal"].get("name", "primary")
    name = SIGNAL_LABELS.get(name, name.replace("_", " "))
    t = _series(tr.t)
    data: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "lines",
            "x": t,
            "y": _series(getattr(tr, f"{level}_gap")),
            "name": f"{level} gap",
            "line": {"color": GAP_COLOURS[level]},
            "xaxis": "x",
            "yaxis": "y",
        }
        for level in ("thigh", "knee", "ankle")
    ]
    data.append(
        {
            "type": "scatter",
            "mode": "lines",
            "x": t,
            "y": _series(tr.primary),
            "name": name,
            "line": {"color": "#222"},
            "xaxis": "x2",
            "yaxis": "y2",
        }
    )
    shapes, notes = _phase_shapes(report, ("y", "y2"))
    layout = {
        "height": 560,
        "margin": {"l": 60, "r": 20, "t": 40, "b": 40},
        "legend": {"orientation": "h", "y": -0.12},
        "xaxis": {"anchor": "y", "matches": "x2", "showticklabels": False},
        "yaxis": {"domain": [0.55, 1.0], "title": {"text": "gap (leg lengths)"}},
        "xaxis2": {"anchor": "y2", "title": {"text": "time (s)"}},
        "yaxis2": {"domain": [0.0, 0.45], "title": {"text": f"{name} ({unit})"}},
        "shapes": shapes,
        "annotations": notes,
    }
    return {"data": data, "layout": layout}


def tempo_figure(analysis: Analysis) -> Figure:
    """Per-rep stacked bars: squeeze, hold, release seconds."""
    reps = analysis.report.to_dict()["reps"]
    labels = [f"rep {r['index']}" for r in reps]
    data = [
        {"type": "bar", "orientation": "h", "y": labels, "x": [r[key] for r in reps], "name": word,
         "marker": {"color": colour}}
        for key, word, colour in (
            ("concentric_s", "squeeze", "#2ecc40"),
            ("hold_s", "hold", "#ffb000"),
            ("eccentric_s", "release", "#0074d9"),
        )
    ]  # fmt: skip
    layout = {
        "barmode": "stack",
        "height": 120 + 32 * max(1, len(reps)),
        "xaxis": {"title": {"text": "seconds"}},
        "yaxis": {"autorange": "reversed"},
        "margin": {"l": 60, "r": 20, "t": 20, "b": 40},
    }
    return {"data": data, "layout": layout}


def _div(fig: Figure, div_id: str) -> str:
    payload = json.dumps(fig, separators=(",", ":")).replace("</", "<\\/")
    return (
        f'<div id="{div_id}"></div><script>(function(){{var f={payload};'
        f'Plotly.newPlot("{div_id}",f.data,f.layout,{{displaylogo:false,responsive:true}});}})();</script>'
    )


MAX_EMBED_BYTES = 64 * 1024**2


def _exercise_name(exercise_id: str) -> str:
    """The catalog's name for the page's title ("Standing squeeze with ring", not its id)."""
    from midline.catalog import load_catalog

    found = load_catalog().exercises.get(exercise_id)
    return found.name if found is not None else exercise_id


def render_html(analysis: Analysis, video: Path | None = None, max_embed_bytes: int = MAX_EMBED_BYTES) -> str:
    """The report page; ``video`` (an .mp4 in the same folder) is embedded when given.

    A video over ``max_embed_bytes`` is linked by its file name instead of embedded.
    """
    report = analysis.report.to_dict()
    v = report["video"]
    video_html = ""
    if video is not None and video.is_file():
        if video.stat().st_size <= max_embed_bytes:
            src = "data:video/mp4;base64," + base64.b64encode(video.read_bytes()).decode("ascii")
            note = ""
        else:  # a long set: embedding would make the page too heavy to open; link the file beside it
            src = html.escape(video.name)
            note = f'<p class="muted">The video is the file {html.escape(video.name)} beside this page.</p>'
        video_html = (
            '<h2>Annotated video</h2><video controls playsinline preload="metadata" '
            f'src="{src}"></video>{note}'
        )
    tempo = _div(tempo_figure(analysis), "tempo") if report["reps"] else "<p>No complete rep was found.</p>"
    return _PAGE.substitute(
        title=html.escape(_exercise_name(report["exercise"])),
        subtitle=html.escape(
            f"{v['duration_s']:.1f} s · {v['width']}x{v['height']} · analysed at {v['fps']:.0f} frames/s"
        ),
        plotlyjs=get_plotlyjs(),
        cues=_cues(report),
        summary=_summary(report),
        video=video_html,
        signals=_div(signals_figure(analysis), "signals"),
        tempo=tempo,
    )
