"""How fast the planner builds a programme: 1, 4, 12 and 52 weeks against a 2 s target for 52.

    .venv/bin/python benchmarks/plan_speed.py [--repeat 3] [--days 3] [--minutes 20] [--props ring,ball]

Each run is a cold ``build_plan`` (no cache is shared between runs; the catalog is loaded once,
before timing). Prints a table of the best of ``--repeat`` runs per length, the MILP solves each
needed, and the ratio to the target.
"""

from __future__ import annotations

import argparse
import time

from midline.catalog import load_catalog
from midline.planner import build as build_module
from midline.planner import build_plan, make_profile

TARGET_S = 2.0
"""The issue's target for 52 weeks; shorter plans are compared with the same figure."""
WEEKS = (1, 4, 12, 52)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--level", default="beginner")
    ap.add_argument("--days", type=int, default=3)
    ap.add_argument("--minutes", type=int, default=20)
    ap.add_argument("--props", default="ring,ball")
    args = ap.parse_args()
    catalog = load_catalog()
    solves = 0
    original = build_module.solve_pattern

    def counted(*a, **k):  # type: ignore[no-untyped-def]
        nonlocal solves
        solves += 1
        return original(*a, **k)

    build_module.solve_pattern = counted  # count the MILPs each plan needs
    print(f"profile: {args.level}, {args.days} days x {args.minutes} min, props {args.props}")
    print(f"{'weeks':>6} {'best s':>8} {'MILPs':>6} {'x target':>9}")
    for weeks in WEEKS:
        profile = make_profile(
            level=args.level, days=args.days, minutes=args.minutes, weeks=weeks, props=args.props
        )
        times = []
        for _ in range(args.repeat):
            solves = 0
            t0 = time.perf_counter()
            build_plan(profile, catalog)
            times.append(time.perf_counter() - t0)
        best = min(times)
        print(f"{weeks:>6} {best:>8.3f} {solves:>6} {best / TARGET_S:>9.2f}")
    print(f"target: 52 weeks in < {TARGET_S:g} s")


if __name__ == "__main__":
    main()
