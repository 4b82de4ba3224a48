"""The ``midline`` command line: Typer commands only; the logic lives in the packages they call."""
