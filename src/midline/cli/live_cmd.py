"""``midline live``: coach a set live from a camera, or from a video played as if it were one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from midline.cli.app import app, reported
from midline.cli.options import ExerciseOption, HeightOption, PositionOption


@app.command("live")
@reported
def live(
    exercise: ExerciseOption,
    camera: Annotated[
        int | None, typer.Option("--camera", help="Camera number to coach from (0 = the first camera).")
    ] = None,
    video: Annotated[
        Path | None,
        typer.Option(
            "--video", help="Play this video at real-time speed as if it were the camera (demos, tests)."
        ),
    ] = None,
    position: PositionOption = None,
    height_cm: HeightOption = None,
    no_window: Annotated[
        bool, typer.Option("--no-window", help="No window: print the summary only.")
    ] = False,
    seconds: Annotated[
        float | None,
        typer.Option("--seconds", min=1, help="Stop after this many seconds (default: Ctrl-C / q)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the set's report.json into this folder.")
    ] = None,
) -> None:
    """Live coaching: skeleton, leg-gap bars, rep count, phase and one cue at a time, in a window."""
    from midline.live.session import live_session

    if (camera is None) == (video is None):
        raise typer.BadParameter("give either --camera N or --video FILE")
    console = Console()
    result = live_session(
        exercise,
        camera=camera,
        video=video,
        position=position,
        height_cm=height_cm,
        show_window=not no_window,
        max_seconds=seconds,
    )
    report = result.analysis.report.to_dict()
    from midline.report.terminal import print_summary

    print_summary(report, console)
    rate = result.frames_analysed / result.seconds if result.seconds > 0 else 0.0
    console.print(
        f"live: {result.live_rep_count} reps counted; cues shown: {', '.join(result.shown_cues) or 'none'}; "
        f"{result.frames_analysed} frames analysed ({rate:.1f}/s), {result.frames_dropped} of "
        f"{result.frames_delivered} dropped while the analysis was busy",
        highlight=False,
    )
    if out is not None:
        from midline.atomic import write_text

        out.mkdir(parents=True, exist_ok=True)
        write_text(out / "report.json", json.dumps(report, indent=2))
        console.print(f"[dim]report:[/] {out / 'report.json'}")
