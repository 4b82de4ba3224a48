"""``midline batch``: analyse every video under some folders, locally or on Ray, resumably."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from midline.batch import BatchSettings, run_batch
from midline.batch.display import ProgressDisplay, summary_table
from midline.batch.engines import make_engine
from midline.cli.app import app, reported
from midline.cli.options import ExerciseOption, HeightOption, PositionOption
from midline.pose.backend import PRECISE_TIMING, TRACKING
from midline.pose.extract import ExtractOptions


@app.command("batch")
@reported
def batch(
    paths: Annotated[list[Path], typer.Argument(help="Video files or folders (searched recursively).")],
    exercise: ExerciseOption,
    engine: Annotated[
        str,
        typer.Option(
            help="local: a pool of processes on this machine; ray: Ray, here or on a cluster "
            "(needs `pip install 'midline\\[ray]'`)."
        ),
    ] = "local",
    address: Annotated[
        str | None,
        typer.Option(
            help="With --engine ray: the cluster to join, run on one of its nodes ('auto', or HEAD-IP:6379)."
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(help="Videos analysed at once (default: one per core; on Ray, the cluster's CPUs)."),
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", help="Where the report folders, batch.csv and batch.json go.")
    ] = Path("midline-batch"),
    position: PositionOption = None,
    height_cm: HeightOption = None,
    no_video: Annotated[
        bool, typer.Option("--no-video", help="Skip the annotated videos (about half the time).")
    ] = False,
    precise_timing: Annotated[
        bool,
        typer.Option(
            "--precise-timing",
            help="Re-anchor the pose model every 2nd frame so phase times do not trail the movement "
            "(slower: up to a third more time finding the body).",
        ),
    ] = False,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="MIDLINE_DB",
            help="Also store each analysis in this training log (sqlite:///FILE, postgresql://...).",
            show_default=False,
        ),
    ] = None,
    user: Annotated[
        str | None,
        typer.Option("--user", envvar="MIDLINE_USER", help="Whose log the analyses go to (default: yours)."),
    ] = None,
) -> None:
    """Analyse every video under PATHS: one report folder each, batch.csv and batch.json.

    Run it again to resume: videos already analysed (same content, settings and analysis version)
    are skipped. A video that cannot be analysed fails alone, with its reason in the summary.
    """
    from midline.batch.store import AnalysisStore

    console = Console(stderr=True)
    extract = ExtractOptions(workers=1, pose=PRECISE_TIMING if precise_timing else TRACKING)
    settings = BatchSettings(exercise, position, height_cm, make_video=not no_video, extract=extract)
    chosen = make_engine(engine, workers, address)
    store = AnalysisStore(db, user) if db is not None or user is not None else None
    with ProgressDisplay(console) as display:
        result = run_batch(paths, settings, out, chosen, store, display)
    wide = not sys.stdout.isatty() and "COLUMNS" not in os.environ  # piped: do not fold to 80
    Console(width=200 if wide else None).print(summary_table(result.rows))
    c = result.counts
    console.print(
        f"{c['ok']} analysed, {c['skipped']} skipped, {c['failed']} failed in {result.seconds:.0f} s "
        f"({chosen.name}, {chosen.workers} workers); summary: {result.files[0]}, {result.files[1]}",
        highlight=False,
    )
    if c["failed"]:
        raise typer.Exit(1)
