"""What the core needs to know about an exercise, as plain values (built from the catalog by an adapter)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

PhaseName = Literal["concentric", "hold", "eccentric"]


@dataclass(frozen=True)
class PositionBand:
    """A leg position and the foot-angle band (degrees, + = toes out) the analysis names it by."""

    id: str
    min_deg: float
    max_deg: float


@dataclass(frozen=True)
class AnalysisSpec:
    """One exercise's analysis template plus the cue thresholds, mirroring the catalog's fields."""

    exercise: str
    view: Literal["front", "side"]
    body: Literal["standing", "seated", "side-lying", "supine", "walking"]
    primary_signal: str
    unit: Literal["leg_length", "deg"]
    squeeze_direction: Literal["decreasing", "increasing"]
    phase_order: tuple[PhaseName, PhaseName, PhaseName]
    check_position: bool
    positions: tuple[PositionBand, ...]
    default_position: str = "parallel"
    knees_meet_gap: float = 0.04
    ankles_apart_gap: float = 0.06
    fast_release_ratio: float = 0.6
    knee_offset_deg: float = 8.0
    asymmetry: float = 0.25
    partial_range: float = 0.7
    no_person_fraction: float = 0.2
    legs_out_of_frame_fraction: float = 0.3
    min_rom: float = 0.0
