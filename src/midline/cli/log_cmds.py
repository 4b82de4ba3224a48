"""``midline log``, ``history``, ``export``, ``import``: the training log on the command line.

Commands parse options and print; what they do lives in :mod:`midline.log.service` (shared with the
web app) on the repository :func:`midline.storage.open_repository` returns.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from midline.catalog import load_catalog
from midline.catalog.query import find_exercise
from midline.cli.app import app, reported
from midline.log.entry import LogInputError, SetInput, parse_date
from midline.log.history import SET_METRICS, metric_series, sparkline
from midline.log.pain import progression_hold, progression_holds
from midline.log.records import AnalysisRecord, PlanRecord, SessionRecord, UserRecord
from midline.log.repository import LogRepository
from midline.log.service import export_user, import_bundle, log_sets, mark_planned_done, store_plan
from midline.log.transfer import ImportFileError, parse_document, sets_csv
from midline.storage import open_repository

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL (sqlite:///FILE, postgresql://USER@HOST/DB) or a SQLite file path."
        " Default: $MIDLINE_DB, else midline.db in your user data folder.",
        show_default=False,
    ),
]
UserOption = Annotated[
    str | None,
    typer.Option(
        "--user", envvar="MIDLINE_USER", help="Whose log (on a shared database). Default: the local user."
    ),
]


def _console() -> Console:
    """Piped output (no terminal, no COLUMNS) gets a wide line so the table is not folded to 80."""
    if not sys.stdout.isatty() and "COLUMNS" not in os.environ:
        return Console(width=160, highlight=False)
    return Console(highlight=False)


def _open(db: str | None, user: str | None) -> tuple[LogRepository, UserRecord]:
    repo = open_repository(db)
    if user is None:
        return repo, repo.local_user()
    found = repo.user(user)
    if found is None:
        raise LogInputError(f"no user {user!r} in this database")
    return repo, found


def _plan(repo: LogRepository, owner: int, plan: str) -> PlanRecord:
    """A stored plan by uid, or a `midline plan --json` file (stored on first use)."""
    stored = repo.plan(owner, plan)
    if stored is not None:
        return stored
    path = Path(plan)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise LogInputError(
            f"--plan {plan}: no stored plan has this id and the file cannot be read ({exc.strerror})"
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise LogInputError(f"--plan {plan}: not JSON; give the file `midline plan --json` wrote") from None
    if not isinstance(data, dict):
        raise LogInputError(f"--plan {plan}: not a midline plan")
    return store_plan(repo, owner, data)


@app.command("log")
@reported
def log(
    exercise: Annotated[
        str | None, typer.Option("--exercise", "-e", help="Exercise id (see `midline exercises`).")
    ] = None,
    sets: Annotated[int | None, typer.Option(help="Sets done (default: the exercise's).")] = None,
    reps: Annotated[int | None, typer.Option(help="Reps per set (default: the exercise's).")] = None,
    side: Annotated[
        str, typer.Option(help="both, left or right. A one-leg exercise with 'both' logs each side.")
    ] = "both",
    prop: Annotated[str | None, typer.Option(help="Prop id (default: the exercise's first).")] = None,
    placement: Annotated[
        str | None, typer.Option(help="Where the prop sat, e.g. above-knees, above-ankles.")
    ] = None,
    position: Annotated[
        str | None, typer.Option(help="Leg position: parallel, pilates-stance, internal.")
    ] = None,
    tempo: Annotated[str | None, typer.Option(help="Squeeze-hold-release seconds, e.g. 2-2-3.")] = None,
    rpe: Annotated[int | None, typer.Option(help="How hard it felt, 1-10.")] = None,
    pain: Annotated[int, typer.Option(help="Pain felt, 0 (none) to 10; any pain holds progression.")] = 0,
    notes: Annotated[str, typer.Option(help="Free text.")] = "",
    date: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default: today).")] = None,
    plan: Annotated[
        str | None,
        typer.Option(help="Mark a planned session done: a `midline plan --json` file or a stored plan id."),
    ] = None,
    week: Annotated[int | None, typer.Option(help="With --plan: the week (1-based).")] = None,
    session: Annotated[
        int | None, typer.Option(help="With --plan: the session of the week (1-based).")
    ] = None,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Record sets of an exercise, or mark a planned session done."""
    day = parse_date(date)
    if (exercise is None) == (plan is None):
        raise LogInputError("give --exercise ID to log sets, or --plan FILE --week N --session N")
    out = _console()
    repo, me = _open(db, user)
    if plan is not None:
        if week is None or session is None:
            raise LogInputError("--plan needs --week and --session")
        stored = _plan(repo, me.id, plan)
        done = mark_planned_done(repo, me.id, stored, week, session, day, rpe=rpe, pain=pain, notes=notes)
        names = sorted({s.exercise for s in done.sets})
        out.print(f"week {week} session {session} done on {day}: {len(done.sets)} sets of {', '.join(names)}")
        exercises = names
    else:
        assert exercise is not None
        given = SetInput(exercise, sets, reps, side, prop, placement, position, tempo, rpe, pain, notes)
        _, added = log_sets(repo, me.id, load_catalog(), given, day)
        sides = sorted({s.side for s in added})
        out.print(f"logged {len(added)} sets of {added[0].exercise} ({', '.join(sides)}) on {day}")
        exercises = [added[0].exercise]
    history = repo.sessions(me.id)
    for ex in exercises:
        reason = progression_hold(history, ex)
        if reason:
            out.print(f"[yellow]{reason}[/]")


def _sets_table(me: UserRecord, sessions: list[SessionRecord], exercise: str | None) -> Table:
    table = Table(title=escape(f"{me.display_name}'s log" + (f": {exercise}" if exercise else "")))
    for column in (
        "date",
        "exercise",
        "set",
        "side",
        "reps",
        "prop",
        "placement",
        "position",
        "tempo",
        "RPE",
        "pain",
        "notes",
    ):
        table.add_column(column, overflow="fold")
    for s in sessions:
        for x in s.sets:
            if exercise is None or x.exercise == exercise:
                table.add_row(
                    s.date.isoformat(),
                    x.exercise,
                    str(x.set_number),
                    x.side,
                    str(x.reps),
                    x.prop,
                    x.placement,
                    x.position,
                    x.tempo or "",
                    "" if x.rpe is None else str(x.rpe),
                    f"[red]{x.pain}[/]" if x.pain else "0",
                    escape(x.notes),
                )
    return table


def _analyses_table(me: UserRecord, analyses: list[AnalysisRecord], metric: str) -> Table:
    table = Table(title=escape(f"{me.display_name}'s video analyses: {metric}"))
    for column in ("date", "exercise", metric, "reps", "analysis version"):
        table.add_column(column, overflow="fold")
    for a in analyses:
        value = a.metrics.get(metric)
        reps = a.metrics.get("rep_count")
        table.add_row(
            a.created_at.date().isoformat(),
            a.exercise,
            "" if value is None else f"{value:g}",
            "" if reps is None else f"{reps:g}",
            a.analysis_version,
        )
    return table


@app.command("history")
@reported
def history(
    exercise: Annotated[str | None, typer.Option("--exercise", "-e", help="Only this exercise.")] = None,
    metric: Annotated[
        str,
        typer.Option(
            help="reps, volume, rpe, pain, or a video metric"
            " (e.g. ankle_gap_at_squeeze, mean_eccentric_ratio)."
        ),
    ] = "volume",
    weeks: Annotated[int, typer.Option(help="How many weeks back (0 = all).", min=0)] = 12,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """The sets you logged as a table, and a sparkline of one metric over time."""
    if exercise is not None:
        find_exercise(load_catalog(), exercise)
    repo, me = _open(db, user)
    since = dt.date.today() - dt.timedelta(weeks=weeks) if weeks else None
    sessions = repo.sessions(me.id, since=since)
    analyses = [a for a in repo.analyses(me.id, exercise) if since is None or a.created_at.date() >= since]
    out = _console()
    if metric in SET_METRICS:
        table = _sets_table(me, sessions, exercise)
    else:
        table = _analyses_table(me, analyses, metric)
    if table.row_count:
        out.print(table)
    else:
        out.print("nothing logged" + (f" for {exercise}" if exercise else "") + " in this period")
    points = metric_series(sessions, analyses, metric, exercise)
    label = SET_METRICS.get(metric, metric)
    if points:
        values = [p.value for p in points]
        out.print(
            f"{label}: {sparkline(values)}  {values[0]:g} → {values[-1]:g}"
            f"  ({len(points)} points, {points[0].date} to {points[-1].date})"
        )
    else:
        out.print(f"{label}: no data in this period")
    for reason in progression_holds(repo.sessions(me.id)).values():
        if exercise is None or reason.endswith(f" {exercise}"):
            out.print(f"[yellow]{reason}[/]")


@app.command("export")
@reported
def export(
    csv_path: Annotated[Path | None, typer.Option("--csv", help="Write one row per set here.")] = None,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Write everything you own here (lossless, re-importable).")
    ] = None,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Export your log: CSV of the sets, JSON of everything (profiles, plans, sessions, analyses)."""
    if csv_path is None and json_path is None:
        raise LogInputError("give --csv PATH and/or --json PATH")
    repo, me = _open(db, user)
    files: list[tuple[Path, str]] = []
    if csv_path is not None:
        files.append((csv_path, sets_csv(repo.sessions(me.id))))
    if json_path is not None:
        files.append((json_path, json.dumps(export_user(repo, me), indent=2, ensure_ascii=False) + "\n"))
    for path, content in files:
        try:
            path.write_text(content, encoding="utf-8")
        except OSError as exc:
            raise LogInputError(f"cannot write {path}: {exc.strerror}") from None
        _console().print(f"wrote {path}")


@app.command("import")
@reported
def import_(
    path: Annotated[Path, typer.Argument(help="A JSON file written by `midline export --json`.")],
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Import a JSON export into your log; rows you already have are skipped, not duplicated."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ImportFileError(f"cannot read {path}: {exc.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ImportFileError(f"{path} is not JSON: {exc}") from None
    bundle = parse_document(doc)
    repo, me = _open(db, user)
    counts = import_bundle(repo, me.id, bundle)
    added = ", ".join(f"{n} {kind}" for kind, n in counts.added.items())
    skipped = sum(counts.skipped.values())
    _console().print(f"imported {added}" + (f"; {skipped} already there, skipped" if skipped else ""))
