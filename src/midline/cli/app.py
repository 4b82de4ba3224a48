"""The ``midline`` Typer application: registers each command group and turns errors into messages."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Annotated, ParamSpec, TypeVar

import typer
from rich.console import Console

from midline import __version__
from midline.errors import MidlineError

app = typer.Typer(
    name="midline",
    help="A local-first Pilates coach for the inner thighs: catalog, planner and video form analysis.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

err_console = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")


def reported(fn: Callable[P, R]) -> Callable[P, R]:
    """A MidlineError becomes its message and exit status 2, also when a test runner drives the app."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except MidlineError as exc:
            err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
            raise typer.Exit(2) from None

    return wrapper


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"midline {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """A local-first Pilates coach for the inner thighs: catalog, planner and video form analysis.

    The callback keeps ``midline`` a command group however few commands a process has registered.
    """


def main() -> None:
    """Console-script entry point: a user sees a message they can act on, never a traceback."""
    _register()
    try:
        app()
    except MidlineError as exc:
        err_console.print(f"[bold red]error:[/] {exc}")
        sys.exit(2)


def _register() -> None:
    # Imported here so `midline --help` stays fast and each command module owns its commands.
    from midline.cli import (
        analyze_cmd,  # noqa: F401
        batch_cmd,  # noqa: F401
        catalog_cmds,  # noqa: F401
        demo_cmd,  # noqa: F401
        live_cmd,  # noqa: F401
        log_cmds,  # noqa: F401
        plan_cmd,  # noqa: F401
        serve_cmd,  # noqa: F401
    )
