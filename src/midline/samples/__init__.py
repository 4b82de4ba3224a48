"""Sample material shipped with midline, so `midline demo` works on a fresh install."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

SAMPLE_EXERCISE = "standing-squeeze"


def sample_video() -> Path:
    """A short rendered clip of a standing squeeze with a fault to find (see NOTICE beside it)."""
    return Path(str(resources.files("midline.samples") / "standing-squeeze.mp4"))
