"""``midline plan``: build a programme from a profile and print or export it."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from midline.cli.app import app, err_console
from midline.planner import Plan, build_plan, make_profile
from midline.planner.export_ics import next_monday, plan_ics
from midline.planner.export_json import plan_json
from midline.planner.export_markdown import plan_markdown
from midline.planner.export_rich import plan_renderables
from midline.planner.profile import ProfileError


def _start_date(text: str | None) -> dt.date:
    if text is None:
        return next_monday(dt.date.today())
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ProfileError(f"--start must be a date as YYYY-MM-DD (got {text!r})") from None


def _emit(plan: Plan, as_json: bool, markdown: Path | None, ics: Path | None, start: str | None) -> None:
    notices = err_console if as_json else Console()
    files: list[tuple[Path, bytes]] = []
    if markdown is not None:
        files.append((markdown, plan_markdown(plan).encode("utf-8")))
    if ics is not None:
        files.append((ics, plan_ics(plan, _start_date(start))))
    for path, content in files:
        try:
            path.write_bytes(content)
        except OSError as exc:
            err_console.print(f"[bold red]error:[/] cannot write {path}: {exc.strerror}")
            raise typer.Exit(2) from None
        notices.print(f"wrote {path}")
    if as_json:
        sys.stdout.write(plan_json(plan) + "\n")
    else:
        console = Console()
        for renderable in plan_renderables(plan):
            console.print(renderable)


@app.command("plan")
def plan(
    level: Annotated[str, typer.Option(help="beginner, intermediate or advanced.")] = "beginner",
    days: Annotated[int, typer.Option(help="Sessions per week (1-7).")] = 3,
    minutes: Annotated[int, typer.Option(help="Minutes per session (5-120).")] = 20,
    weeks: Annotated[int, typer.Option(help="Length of the programme in weeks (1-52).")] = 4,
    props: Annotated[
        str, typer.Option(help="Comma-separated props you have, e.g. ring,ball (see `midline props`).")
    ] = "",
    avoid: Annotated[
        str,
        typer.Option(
            help="Comma-separated exercise ids or conditions to avoid, e.g. knee-pain,double-leg-lowers."
        ),
    ] = "",
    prefer: Annotated[
        str, typer.Option(help="Comma-separated exercise ids or leg positions to favour.")
    ] = "",
    as_json: Annotated[bool, typer.Option("--json", help="Print the plan as JSON to stdout.")] = False,
    markdown: Annotated[
        Path | None, typer.Option("--markdown", help="Also write the plan as Markdown here.")
    ] = None,
    ics: Annotated[
        Path | None, typer.Option("--ics", help="Also write the sessions as an iCalendar file here.")
    ] = None,
    start: Annotated[
        str | None, typer.Option(help="First day of week 1 for --ics, YYYY-MM-DD (default: next Monday).")
    ] = None,
) -> None:
    """Build a multi-week programme that trains every inner-thigh muscle in all three leg positions."""
    profile = make_profile(
        level=level, days=days, minutes=minutes, weeks=weeks, props=props, avoid=avoid, prefer=prefer
    )
    _emit(build_plan(profile), as_json, markdown, ics, start)
