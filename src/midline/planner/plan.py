"""The planner's typed result and its stable JSON structure (documented in docs/planner.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from midline.planner.profile import Profile

JSON_SCHEMA = 1

NOTE = (
    "Toning the inner thighs strengthens and shapes the muscles; it does not burn the fat on top of"
    " them. There is no spot reduction: fat loss is whole-body. What helps: regular whole-body activity"
    " that raises your heart rate, strength work for the whole body, enough sleep, and good nutrition"
    " (enough protein, and a modest energy deficit if fat loss is your goal)."
)

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SPREAD: dict[int, tuple[int, ...]] = {
    1: (0,),
    2: (0, 3),
    3: (0, 2, 4),
    4: (0, 1, 3, 4),
    5: (0, 1, 2, 4, 5),
    6: (0, 1, 2, 3, 4, 5),
    7: (0, 1, 2, 3, 4, 5, 6),
}
"""Weekday indices (Monday = 0) of the sessions for each number of days a week."""


@dataclass(frozen=True)
class PlannedExercise:
    """One exercise in a session, fully prescribed."""

    exercise: str
    name: str
    sets: int
    reps: int
    unilateral: bool
    squeeze_s: float
    hold_s: float
    release_s: float
    pulses: int
    position: str
    prop: str
    placement: str
    lever: int
    seconds: int

    @property
    def side(self) -> str:
        return "left and right" if self.unilateral else "both"

    @property
    def tempo(self) -> str:
        """Squeeze-hold-release seconds, e.g. "2-2-3"."""
        return "-".join(f"{t:g}" for t in (self.squeeze_s, self.hold_s, self.release_s))

    def to_dict(self) -> dict[str, Any]:
        return {
            "exercise": self.exercise,
            "name": self.name,
            "sets": self.sets,
            "reps": self.reps,
            "side": self.side,
            "tempo": {"squeeze_s": self.squeeze_s, "hold_s": self.hold_s, "release_s": self.release_s},
            "pulses": self.pulses,
            "position": self.position,
            "prop": self.prop,
            "placement": self.placement,
            "seconds": self.seconds,
            "minutes": round(self.seconds / 60, 1),
        }


@dataclass(frozen=True)
class Session:
    index: int
    """1-based within the week."""
    weekday: int
    exercises: tuple[PlannedExercise, ...]

    @property
    def day(self) -> str:
        return WEEKDAYS[self.weekday]

    @property
    def seconds(self) -> int:
        return sum(e.seconds for e in self.exercises)

    @property
    def positions(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(e.position for e in self.exercises))

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "day": self.day,
            "seconds": self.seconds,
            "minutes": round(self.seconds / 60, 1),
            "positions": list(self.positions),
            "exercises": [e.to_dict() for e in self.exercises],
        }


@dataclass(frozen=True)
class Coverage:
    """What one week trains: primary / secondary slots per muscle, slots per position, targets met."""

    primary: dict[str, int]
    secondary: dict[str, int]
    positions: dict[str, int]
    targets: dict[str, bool]

    def to_dict(self) -> dict[str, Any]:
        return {
            "muscles": {
                m: {
                    "covered": self.primary[m] > 0,
                    "primary": self.primary[m],
                    "secondary": self.secondary[m],
                }
                for m in self.primary
            },
            "positions": {p: {"covered": n > 0, "count": n} for p, n in self.positions.items()},
            "targets": dict(self.targets),
        }


@dataclass(frozen=True)
class Week:
    index: int
    """1-based."""
    deload: bool
    step: int
    """Progression rungs climbed (see midline.planner.progression.LADDER)."""
    held: bool
    change: str
    sessions: tuple[Session, ...]
    coverage: Coverage

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "deload": self.deload,
            "progression": {"step": self.step, "held": self.held, "change": self.change},
            "coverage": self.coverage.to_dict(),
            "sessions": [s.to_dict() for s in self.sessions],
        }


@dataclass(frozen=True)
class Habit:
    id: str
    name: str
    summary: str


@dataclass(frozen=True)
class Plan:
    profile: Profile
    note: str
    habits: tuple[Habit, ...]
    weeks: tuple[Week, ...]
    notes: tuple[str, ...]
    """Things the user should know about their profile (e.g. an avoid word that matched nothing)."""
    targets: dict[str, str]
    """Target label -> display name."""

    def coverage_matrix(self) -> dict[str, Any]:
        """Muscle x week and position x week: primary slots / position slots per week."""
        first = self.weeks[0].coverage
        return {
            "weeks": [w.index for w in self.weeks],
            "muscles": {m: [w.coverage.primary[m] for w in self.weeks] for m in first.primary},
            "positions": {p: [w.coverage.positions[p] for w in self.weeks] for p in first.positions},
            "targets": {t: [w.coverage.targets[t] for w in self.weeks] for t in first.targets},
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": JSON_SCHEMA,
            "profile": self.profile.model_dump(mode="json"),
            "note": self.note,
            "notes": list(self.notes),
            "habits": [{"id": h.id, "name": h.name, "summary": h.summary} for h in self.habits],
            "targets": dict(self.targets),
            "weeks": [w.to_dict() for w in self.weeks],
            "coverage_matrix": self.coverage_matrix(),
        }
