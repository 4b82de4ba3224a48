"""``midline exercises``, ``exercises show``, ``muscles``, ``positions``, ``props``: browse the catalog.

Commands only print; the filtering and look-ups live in :mod:`midline.catalog.query`.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import typer
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from midline.catalog import Catalog, load_catalog
from midline.catalog.models import Exercise
from midline.catalog.query import (
    ExerciseFilter,
    exercises_with_position,
    exercises_with_prop,
    filter_exercises,
    find_exercise,
    muscle_usage,
)
from midline.cli.app import app, reported


def _console(piped_width: int = 160) -> Console:
    """Rich console for stdout; piped output (no terminal, no COLUMNS) gets a wide line, not 80."""
    if not sys.stdout.isatty() and "COLUMNS" not in os.environ:
        return Console(width=piped_width)
    return Console()


exercises_app = typer.Typer(
    help="The exercise catalog: list and filter exercises, or show one in full.",
    no_args_is_help=False,
    invoke_without_command=True,
)
app.add_typer(exercises_app, name="exercises")


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _names(cat: Catalog, ids: list[str], table: str) -> str:
    entries = getattr(cat, table)
    return ", ".join(entries[i].name if i in entries else i for i in ids)


@exercises_app.callback()
@reported
def exercises(
    ctx: typer.Context,
    muscle: str | None = typer.Option(
        None, "--muscle", "-m", help="Muscle id or group (e.g. gracilis, adductors)."
    ),
    position: str | None = typer.Option(
        None, "--position", "-p", help="Leg position: parallel, pilates-stance, internal."
    ),
    prop: str | None = typer.Option(None, "--prop", help="Prop id (none, ring, ball, band ...)."),
    level: str | None = typer.Option(None, "--level", "-l", help="beginner, intermediate or advanced."),
    primary: bool = typer.Option(False, "--primary", help="Match --muscle only as a primary mover."),
    kind: str | None = typer.Option(None, "--kind", help="exercise or habit."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """List the exercises, filtered by muscle, leg position, prop and level."""
    if ctx.invoked_subcommand is not None:
        return
    cat = load_catalog()
    out = _console()
    found = filter_exercises(
        cat,
        ExerciseFilter(
            muscle=muscle, position=position, prop=prop, level=level, primary_only=primary, kind=kind
        ),
    )
    if as_json:
        _print_json([ex.model_dump(mode="json") for ex in found])
        return
    table = Table(title=f"{len(found)} of {len(cat.exercises)} exercises", show_lines=True)
    table.add_column("id", style="bold cyan", no_wrap=True)
    table.add_column("name", overflow="fold")
    table.add_column("level", overflow="fold")
    table.add_column("primary muscles", overflow="fold")
    table.add_column("positions", overflow="fold")
    table.add_column("props", overflow="fold")
    table.add_column("sides", overflow="fold")
    table.add_column("video", overflow="fold")
    for ex in found:
        table.add_row(
            ex.id,
            ex.name + (" (habit)" if ex.kind == "habit" else ""),
            ex.level,
            "\n".join(ex.primary_muscles),
            "\n".join(ex.positions),
            "\n".join(u.prop for u in ex.props),
            "each" if ex.laterality == "unilateral" else "both",
            "yes" if ex.analysis is not None else "-",
        )
    out.print(table)
    if not found:
        out.print("No exercise matches every filter; drop one to see more.")


def _bullets(items: list[str], numbered: bool = False) -> Text:
    lines = [f"{i}. {s}" if numbered else f"• {s}" for i, s in enumerate(items, 1)]
    return Text("\n".join(lines))


def _facts(cat: Catalog, ex: Exercise) -> Table:
    t = Table.grid(padding=(0, 2))
    t.add_column(style="bold")
    t.add_column()
    t.add_row("kind / level", f"{ex.kind}, {ex.level}")
    t.add_row("source", ex.source)
    t.add_row("primary muscles", _names(cat, ex.primary_muscles, "muscles"))
    if ex.secondary_muscles:
        t.add_row("secondary muscles", _names(cat, ex.secondary_muscles, "muscles"))
    t.add_row("actions", _names(cat, ex.actions, "actions"))
    t.add_row(
        "leg positions",
        ", ".join(f"{p} (default)" if p == ex.default_position else p for p in ex.positions),
    )
    props = []
    for use in ex.props:
        places = ", ".join(
            f"{pl} (lever {cat.placements[pl].lever})" if pl in cat.placements else pl
            for pl in use.placements
        )
        props.append(f"{use.prop}: {places}")
    t.add_row("props", "\n".join(props))
    t.add_row("sides", "each side in turn" if ex.laterality == "unilateral" else "both legs together")
    tp = ex.tempo
    t.add_row(
        "tempo",
        f"squeeze {tp.squeeze_s:g} s, hold {tp.hold_s:g} s, release {tp.release_s:g} s"
        f" ({tp.rep_s:g} s a rep)",
    )
    t.add_row("dose", f"{ex.default_sets} x {ex.default_reps}, {ex.setup_s:g} s to set up")
    if ex.progressions:
        t.add_row("progress by", ", ".join(ex.progressions))
    if ex.variations:
        t.add_row("variations", "\n".join(ex.variations))
    return t


def _video(ex: Exercise) -> Text:
    lines = [f"View: {ex.camera.view}. {ex.camera.advice}"]
    if ex.analysis is None:
        lines.append("Not analysable from video yet (no analysis template).")
    else:
        a = ex.analysis
        lines.append(
            f"Analysable: measures {a.primary_signal} ({a.unit}), body {a.body},"
            f" phases {' -> '.join(a.phase_order)}."
        )
    return Text("\n".join(lines))


@exercises_app.command("show")
@reported
def show(
    exercise_id: str = typer.Argument(..., metavar="ID", help="Exercise id, e.g. standing-squeeze."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of panels."),
) -> None:
    """Everything about one exercise: how to teach it, what it trains, how to dose and film it."""
    cat = load_catalog()
    out = _console(piped_width=100)
    ex = find_exercise(cat, exercise_id)
    if as_json:
        _print_json(ex.model_dump(mode="json"))
        return
    out.print(Panel(Text(ex.summary), title=f"[bold]{ex.name}[/] ({ex.id})", title_align="left"))
    out.print(Panel(_facts(cat, ex), title="What it trains and how to dose it", title_align="left"))
    out.print(
        Panel(
            Group(
                Text("Set-up", style="bold"),
                _bullets(ex.setup),
                Text("Steps", style="bold"),
                _bullets(ex.steps, numbered=True),
            ),
            title="How to do it",
            title_align="left",
        )
    )
    out.print(Panel(_bullets(ex.cues), title="Cues", title_align="left"))
    out.print(Panel(_bullets(ex.mistakes), title="Common mistakes", title_align="left"))
    if ex.contraindications:
        out.print(
            Panel(
                _bullets(ex.contraindications),
                title="Skip or adapt it with",
                title_align="left",
                border_style="red",
            )
        )
    out.print(Panel(_video(ex), title="Filming", title_align="left"))


@app.command("muscles")
@reported
def muscles(as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table.")) -> None:
    """The muscles the catalog trains, their actions, and the exercises that work each one."""
    cat = load_catalog()
    out = _console()
    uses = muscle_usage(cat)
    if as_json:
        _print_json(
            [
                {
                    **u.muscle.model_dump(mode="json"),
                    "primary_in": u.primary_in,
                    "secondary_in": u.secondary_in,
                }
                for u in uses
            ]
        )
        return
    table = Table(title="Muscles", show_lines=True)
    table.add_column("id", style="bold cyan", no_wrap=True)
    table.add_column("group")
    table.add_column("actions")
    table.add_column("description")
    table.add_column("primary in")
    table.add_column("secondary in")
    for u in uses:
        m = u.muscle
        table.add_row(
            m.id,
            m.group,
            "\n".join(m.actions),
            m.description,
            "\n".join(u.primary_in) or "-",
            "\n".join(u.secondary_in) or "-",
        )
    out.print(table)


@app.command("positions")
@reported
def positions(as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table.")) -> None:
    """The leg positions the method trains in, how to set them up, and which exercises allow each."""
    cat = load_catalog()
    out = _console()
    if as_json:
        _print_json(
            [
                {**p.model_dump(mode="json"), "exercises": exercises_with_position(cat, p.id)}
                for p in cat.positions.values()
            ]
        )
        return
    table = Table(title="Leg positions", show_lines=True)
    table.add_column("id", style="bold cyan", no_wrap=True)
    table.add_column("set-up")
    table.add_column("feel")
    table.add_column("foot angle")
    table.add_column("exercises")
    for p in cat.positions.values():
        table.add_row(
            p.id,
            p.setup,
            p.feel,
            f"{p.typical.min_deg:g} to {p.typical.max_deg:g} deg",
            "\n".join(exercises_with_position(cat, p.id)),
        )
    out.print(table)


@app.command("props")
@reported
def props(as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table.")) -> None:
    """The props, where each can sit (a longer lever is harder) and which exercises use it."""
    cat = load_catalog()
    out = _console()
    if as_json:
        _print_json(
            [
                {**p.model_dump(mode="json"), "exercises": exercises_with_prop(cat, p.id)}
                for p in cat.props.values()
            ]
        )
        return
    table = Table(title="Props", show_lines=True)
    table.add_column("id", style="bold cyan", no_wrap=True)
    table.add_column("description")
    table.add_column("placements (lever)")
    table.add_column("exercises")
    for p in cat.props.values():
        table.add_row(
            p.id,
            p.description,
            "\n".join(f"{pl} ({cat.placements[pl].lever})" for pl in p.placements),
            "\n".join(exercises_with_prop(cat, p.id)) or "-",
        )
    out.print(table)
