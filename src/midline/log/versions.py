"""Which code made an analysis, so a stored result can be told apart from one a later version makes."""

from __future__ import annotations

import importlib

from midline import __version__


def midline_version() -> str:
    return __version__


def analysis_version() -> str:
    """``midline.core.ANALYSIS_VERSION`` when the core declares one, else the midline version."""
    core = importlib.import_module("midline.core")
    declared = getattr(core, "ANALYSIS_VERSION", None)
    return f"core-{declared}" if declared is not None else __version__
