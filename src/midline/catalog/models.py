"""Typed models of the exercise catalog.

The catalog is data (YAML files under ``catalog/data``); these models are its schema. Every entry
says where its content comes from (``source``) so a reader can tell the teacher's method apart from
general anatomy. Cross-references between files are checked by :class:`Catalog`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

KEBAB = r"^[a-z0-9]+(-[a-z0-9]+)*$"

Source = Literal["method", "anatomy", "general"]
"""``method``: the Pilates teacher's teaching midline implements; ``anatomy``: textbook anatomy;
``general``: general exercise science (e.g. balance work added for a complete programme)."""

Level = Literal["beginner", "intermediate", "advanced"]
LEVELS: tuple[Level, ...] = ("beginner", "intermediate", "advanced")

MuscleGroup = Literal[
    "adductors", "quadriceps", "deep-hip-rotators", "abductors", "hamstrings", "hip-flexors"
]
ProgressionAxis = Literal["reps", "tempo", "lever", "resistance", "range", "pulses"]
PhaseName = Literal["concentric", "hold", "eccentric"]
View = Literal["front", "side"]
Body = Literal["standing", "seated", "side-lying", "supine", "walking"]
PrimarySignal = Literal[
    "knee_gap", "bottom_leg_floor_angle", "hip_flexion", "knee_extension", "foot_progression"
]


class Entry(BaseModel):
    """Common fields: a kebab-case id, a display name and where the content comes from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=KEBAB)
    name: str = Field(min_length=1)
    source: Source


class Action(Entry):
    """A joint action, e.g. hip adduction."""

    description: str = Field(min_length=1)


class Muscle(Entry):
    """A muscle (or a functional group treated as one, e.g. the deep six hip rotators)."""

    group: MuscleGroup
    actions: list[str] = Field(min_length=1)
    description: str = Field(min_length=1, description="One plain-language line.")


class AngleRange(BaseModel):
    """A closed range of foot angles in degrees (+ = toes out)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_deg: float
    max_deg: float

    @model_validator(mode="after")
    def _ordered(self) -> AngleRange:
        if self.min_deg > self.max_deg:
            raise ValueError(f"min_deg {self.min_deg} is above max_deg {self.max_deg}")
        return self

    def contains(self, angle_deg: float) -> bool:
        return self.min_deg <= angle_deg <= self.max_deg


class LegPosition(Entry):
    """How the legs are rotated at the hip: parallel, Pilates stance, slight internal rotation.

    ``typical`` is the band a person set up this way shows; ``classify`` the wider band the analysis
    uses to name the position it sees (the bands of the positions tile the angle axis).
    """

    setup: str
    feel: str
    typical: AngleRange
    classify: AngleRange


class Placement(Entry):
    """Where a prop sits. A longer lever (further from the hip) is harder."""

    lever: int = Field(ge=0, description="0 = no lever; higher = further from the hip, harder.")
    description: str


class Prop(Entry):
    """A piece of equipment and the placements it can be used in."""

    description: str
    placements: list[str] = Field(min_length=1)
    resistance: bool = Field(description="Whether the prop adds resistance to squeeze or lift.")


class PropUse(BaseModel):
    """A prop an exercise can be done with, and where the prop can sit."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    prop: str
    placements: list[str] = Field(min_length=1)


class Tempo(BaseModel):
    """Seconds for each phase of a rep. The release is slower than the squeeze (eccentric control)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    squeeze_s: float = Field(gt=0)
    hold_s: float = Field(ge=0)
    release_s: float = Field(gt=0)

    @model_validator(mode="after")
    def _release_slower(self) -> Tempo:
        if self.release_s <= self.squeeze_s:
            raise ValueError(
                f"release_s ({self.release_s}) must be longer than squeeze_s ({self.squeeze_s}):"
                " the method controls the release"
            )
        return self

    @property
    def rep_s(self) -> float:
        return self.squeeze_s + self.hold_s + self.release_s


class Camera(BaseModel):
    """How to film the exercise for analysis."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    view: View
    advice: str


class Thresholds(BaseModel):
    """Cue thresholds. Gaps are surface gaps in leg lengths; angles in degrees."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    knees_meet_gap: float = 0.04
    ankles_apart_gap: float = 0.06
    fast_release_ratio: float = 0.6
    knee_offset_deg: float = 8.0
    asymmetry: float = 0.25
    partial_range: float = 0.7
    no_person_fraction: float = 0.2
    legs_out_of_frame_fraction: float = 0.3
    min_rom: float = Field(
        default=0.0, ge=0, description="Smallest primary-signal range that counts as a rep."
    )


class AnalysisTemplate(BaseModel):
    """What the video analysis measures for an exercise: a data change adds an analysable one."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    view: View
    body: Body
    primary_signal: PrimarySignal
    unit: Literal["leg_length", "deg"]
    squeeze_direction: Literal["decreasing", "increasing"]
    phase_order: list[PhaseName] = Field(min_length=3, max_length=3)
    check_position: bool = Field(
        description="Whether a leg position other than the asked one raises position-mismatch."
    )
    thresholds: Thresholds = Thresholds()

    @field_validator("phase_order")
    @classmethod
    def _each_phase_once(cls, v: list[PhaseName]) -> list[PhaseName]:
        if sorted(v) != ["concentric", "eccentric", "hold"]:
            raise ValueError(f"phase_order must name concentric, hold and eccentric once each: {v}")
        return v

    @model_validator(mode="after")
    def _reps_have_a_smallest_range(self) -> AnalysisTemplate:
        # frames without noise (a steady camera, a paused clip) leave no noise floor: without a
        # smallest range, a still body's pose settling by a millimetre would count as a rep
        if self.body != "walking" and self.thresholds.min_rom <= 0:
            raise ValueError(
                f"thresholds.min_rom must be set (> 0, in {self.unit}) for an exercise counted in reps"
            )
        return self


class Exercise(Entry):
    """One exercise (``kind: exercise``) or everyday habit (``kind: habit``) of the method."""

    kind: Literal["exercise", "habit"] = "exercise"
    summary: str
    setup: list[str] = Field(min_length=1)
    steps: list[str] = Field(min_length=1)
    cues: list[str] = Field(min_length=1)
    mistakes: list[str] = Field(min_length=1)
    primary_muscles: list[str] = Field(min_length=1)
    secondary_muscles: list[str] = []
    actions: list[str] = Field(min_length=1)
    positions: list[str] = Field(min_length=1)
    default_position: str
    props: list[PropUse] = Field(min_length=1)
    laterality: Literal["unilateral", "bilateral"]
    tempo: Tempo
    default_sets: int = Field(ge=1, le=6)
    default_reps: int = Field(ge=1, le=100)
    setup_s: float = Field(ge=0, description="Seconds to get into position and place the prop.")
    level: Level
    contraindications: list[str] = []
    progressions: list[ProgressionAxis] = []
    variations: list[str] = []
    camera: Camera
    analysis: AnalysisTemplate | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Exercise:
        if self.default_position not in self.positions:
            raise ValueError(
                f"default_position {self.default_position!r} is not among positions {self.positions}"
            )
        if self.analysis is not None and self.analysis.view != self.camera.view:
            raise ValueError(
                f"analysis.view {self.analysis.view!r} differs from camera.view {self.camera.view!r}"
            )
        overlap = set(self.primary_muscles) & set(self.secondary_muscles)
        if overlap:
            raise ValueError(f"muscles listed as both primary and secondary: {sorted(overlap)}")
        return self

    @property
    def muscles(self) -> list[str]:
        return [*self.primary_muscles, *self.secondary_muscles]
