"""Regenerate the README's pictures: the terminal output of `midline plan`, recorded as SVG.

Run: .venv/bin/python tools/readme_images.py
"""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from midline.planner import build_plan, make_profile
from midline.planner.export_rich import week_table

OUT = Path(__file__).resolve().parents[1] / "docs" / "images"


def plan_svg(path: Path) -> None:
    profile = make_profile(level="beginner", days=3, minutes=20, weeks=4, props="ring,ball")
    plan = build_plan(profile)
    console = Console(record=True, width=92, file=io.StringIO())
    console.print(week_table(plan.weeks[0], profile.minutes))
    path.write_text(console.export_svg(title="midline plan --days 3 --minutes 20 --props ring,ball"))


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    plan_svg(OUT / "plan.svg")
    print(f"wrote {OUT / 'plan.svg'}")
