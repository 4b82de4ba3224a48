"""Words the reports (HTML and terminal) share for the summary's values."""

from __future__ import annotations

from typing import Any


def leg_label(summary: dict[str, Any], side: str) -> str | None:
    """A leg's position, "support leg" for the side-lying lift's bent top leg (whose position is
    not judged), or None when it is unknown."""
    if summary.get("support_leg") == side:
        return "support leg"
    position: str | None = summary["leg_position"].get(side)
    return position
