"""``midline analyze``: analyse a video (or a landmarks.json) of one exercise and write the report."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from midline.analysis import AnalyzeOptions, analyze_landmarks, analyze_video
from midline.cli.app import app, err_console
from midline.pose.backend import PRECISE_TIMING, TRACKING
from midline.pose.extract import ExtractOptions
from midline.report.terminal import print_summary

STAGE_LABEL = {"pose": "finding the body", "video": "drawing the video"}


@app.command("analyze")
def analyze(
    video: Annotated[
        Path | None, typer.Argument(help="The video of one set (.mp4/.mov/.mkv/.webm/.avi).")
    ] = None,
    exercise: Annotated[
        str, typer.Option("--exercise", "-e", help="The exercise's id (see `midline exercises`).")
    ] = "",
    position: Annotated[
        str | None,
        typer.Option(
            help="The leg position the set was meant to be in: parallel, pilates-stance, internal "
            "(default: the exercise's default)."
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Output folder (default: VIDEO.midline/ beside it).")
    ] = None,
    json_path: Annotated[
        str | None, typer.Option("--json", help="Also write report.json here; '-' prints it to stdout.")
    ] = None,
    height_cm: Annotated[
        float | None, typer.Option("--height-cm", min=80, max=250, help="Your height, to give gaps in cm.")
    ] = None,
    no_video: Annotated[bool, typer.Option("--no-video", help="Skip the annotated video (faster).")] = False,
    precise_timing: Annotated[
        bool,
        typer.Option(
            "--precise-timing",
            help="Re-anchor the pose model on the body every 2nd frame so squeeze/hold/release times "
            "do not trail the movement (slower: up to a third more time finding the body).",
        ),
    ] = False,
    landmarks: Annotated[
        Path | None,
        typer.Option(
            "--landmarks",
            help="Re-run from a landmarks.json (no pose estimation); with VIDEO also the annotated video.",
        ),
    ] = None,
) -> None:
    """Count reps, time squeeze/hold/release, measure the leg gaps and give a teacher's cues."""
    if not exercise:
        raise typer.BadParameter("give the exercise with --exercise ID (see `midline exercises`)")
    if video is None and landmarks is None:
        raise typer.BadParameter(
            "give a VIDEO, or --landmarks FILE (with the VIDEO too for the annotated video)"
        )
    quiet = json_path == "-"
    console = Console(stderr=True) if quiet else Console()
    extract = ExtractOptions(pose=PRECISE_TIMING if precise_timing else TRACKING)
    options = AnalyzeOptions(position=position, height_cm=height_cm, make_video=not no_video, extract=extract)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} frames"),
        TimeRemainingColumn(),
        console=err_console if quiet else console,
        transient=True,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(STAGE_LABEL.get(stage, stage), total=total)
            bar.update(tasks[stage], completed=done, total=total)

        if landmarks is not None:
            result = analyze_landmarks(landmarks, exercise, out, options, progress, video_path=video)
        else:
            assert video is not None
            result = analyze_video(video, exercise, out, options, progress)
    text = json.dumps(result.report, indent=2)
    if json_path == "-":
        sys.stdout.write(text + "\n")
    elif json_path:
        from midline.atomic import write_text

        write_text(json_path, text)
    if not quiet:
        print_summary(result.report, console)
        console.print(f"[dim]report:[/] {result.files.get('html', result.files['report'])}")
