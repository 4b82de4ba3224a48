"""Typer options that several commands take, defined once so their flags, limits and help agree."""

from __future__ import annotations

from typing import Annotated

import typer

ExerciseOption = Annotated[
    str, typer.Option("--exercise", "-e", help="The exercise's id (see `midline exercises`).")
]
PositionOption = Annotated[
    str | None,
    typer.Option(
        help="The leg position the set was meant to be in: parallel, pilates-stance, internal"
        " (default: the exercise's)."
    ),
]
HeightOption = Annotated[
    float | None, typer.Option("--height-cm", min=80, max=250, help="Your height, to give gaps in cm.")
]
