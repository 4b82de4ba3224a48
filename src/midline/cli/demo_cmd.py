"""``midline demo``: the main job on the embedded defaults, a programme and an analysed sample clip."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from midline.analysis import AnalyzeOptions, analyze_video
from midline.cli.app import app
from midline.planner import build_plan, make_profile
from midline.planner.export_rich import plan_renderables
from midline.report.terminal import print_summary
from midline.samples import SAMPLE_EXERCISE, sample_video


@app.command("demo")
def demo(
    out: Annotated[
        Path, typer.Option("--out", help="Folder for the sample's report (report.html, annotated.mp4).")
    ] = Path("midline-demo"),
    no_video: Annotated[bool, typer.Option("--no-video", help="Skip the annotated video.")] = False,
) -> None:
    """Print a four-week beginner programme (3 x 20 min, ring and ball) and analyse the bundled clip."""
    console = Console()
    for renderable in plan_renderables(build_plan(make_profile(props="ring,ball"))):
        console.print(renderable)
    console.rule("Video form analysis of the bundled sample: a standing squeeze")
    with console.status("analysing the sample clip (pose estimation on every frame)..."):
        result = analyze_video(sample_video(), SAMPLE_EXERCISE, out, AnalyzeOptions(make_video=not no_video))
    print_summary(result.report, console)
    console.print(f"report: {result.files.get('html', result.out_dir / 'report.json')}")
