"""One clip's scenario file (YAML): body, camera, exercise, leg position, reps, tempo, faults, output."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

Fault = Literal["loose-below", "valgus", "fast-release", "partial", "asymmetry"]
POSITIONS_DEG = {"parallel": 0.0, "pilates-stance": 35.0, "internal": -15.0}


class Camera(BaseModel):
    model_config = ConfigDict(extra="forbid")
    position: tuple[float, float, float]  # metres; the person stands at the origin facing -y
    look_at: tuple[float, float, float]
    focal_mm: float = Field(30.0, gt=5, lt=200)  # 36 mm sensor width


class Tempo(BaseModel):
    model_config = ConfigDict(extra="forbid")
    squeeze_s: float | None = None
    hold_s: float | None = None
    release_s: float | None = None


class RepSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amplitude: float = Field(1.0, gt=0, le=1.2)
    tempo: Tempo = Tempo()
    rest_after_s: float = Field(0.5, ge=0)


class Scenario(BaseModel):
    """Everything that makes one clip; all defaults are the clean, catalog-tempo version."""

    model_config = ConfigDict(extra="forbid")
    name: str
    exercise: str
    body: str  # a target in assets/makehuman/targets (without .target.gz)
    skin_rgb: tuple[float, float, float] = (0.80, 0.60, 0.50)
    camera: Camera
    # a class (parallel, pilates-stance, internal) or a foot angle in degrees (+ = toes out)
    leg_position: dict[Literal["l", "r"], str | float] = {"l": "parallel", "r": "parallel"}
    working_side: Literal["l", "r"] = "l"  # the bottom leg when side-lying
    faults: list[Fault] = []
    asymmetry_scale: float = Field(0.55, gt=0, le=1)  # range of the weaker (right) leg
    reps: list[RepSpec]
    lead_in_s: float = Field(0.5, ge=0)
    fps: float = Field(15.0, gt=0, le=60)
    resolution: tuple[int, int] = (640, 480)
    samples: int = Field(8, ge=1, le=256)
    tail_s: float = Field(0.3, ge=0)

    def foot_angle(self, side: Literal["l", "r"]) -> float:
        pos = self.leg_position[side]
        return POSITIONS_DEG[pos] if isinstance(pos, str) and pos in POSITIONS_DEG else float(pos)


def load_scenario(path: Path) -> Scenario:
    return Scenario.model_validate(yaml.safe_load(path.read_text()))
