"""The plan as JSON: the stable structure of :meth:`Plan.to_dict` (see docs/planner.md)."""

from __future__ import annotations

import json

from midline.planner.plan import Plan


def plan_json(plan: Plan) -> str:
    return json.dumps(plan.to_dict(), indent=2, ensure_ascii=False)
