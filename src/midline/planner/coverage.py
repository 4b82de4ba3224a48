"""What a week must cover, and what a planned week does cover.

A muscle is *covered* in a week when it is a primary muscle of at least one exercise done that
week (secondary work is shown in the matrix but never counts). The targets: each adductor and the
vastus medialis by name, the deep hip rotators and the abductors as groups (any muscle of the
group), and every leg position of the catalog at least once.
"""

from __future__ import annotations

from dataclasses import dataclass

from midline.catalog import Catalog
from midline.catalog.models import Exercise

NAMED_GROUPS = ("adductors",)
"""Groups whose every muscle is a target of its own."""
NAMED_MUSCLES = ("vastus-medialis",)
BALANCE_GROUPS = ("deep-hip-rotators", "abductors")
"""Groups covered by work on any of their muscles."""


@dataclass(frozen=True)
class Target:
    """One thing every week must train: ``label`` is a muscle id or a group name."""

    label: str
    name: str
    muscles: frozenset[str]

    def trained_by(self, ex: Exercise) -> bool:
        return not self.muscles.isdisjoint(ex.primary_muscles)


def targets(catalog: Catalog) -> tuple[Target, ...]:
    """The weekly muscle targets, in catalog order."""
    out: list[Target] = []
    for group in NAMED_GROUPS:
        out += [Target(m.id, m.name, frozenset({m.id})) for m in catalog.muscles_in_group(group)]
    for muscle_id in NAMED_MUSCLES:
        if muscle_id in catalog.muscles:
            m = catalog.muscles[muscle_id]
            out.append(Target(m.id, m.name, frozenset({m.id})))
    for group in BALANCE_GROUPS:
        members = frozenset(m.id for m in catalog.muscles_in_group(group))
        if members:
            out.append(Target(group, f"the {group.replace('-', ' ')}", members))
    return tuple(out)
