"""The ``midline`` Typer application: registers each command group and turns errors into messages."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from midline.errors import MidlineError

app = typer.Typer(
    name="midline",
    help="A local-first Pilates coach for the inner thighs: catalog, planner and video form analysis.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

err_console = Console(stderr=True)


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
        catalog_cmds,  # noqa: F401
        demo_cmd,  # noqa: F401
        log_cmds,  # noqa: F401
        plan_cmd,  # noqa: F401
        serve_cmd,  # noqa: F401
    )
