"""The typed analysis report; :meth:`Report.to_dict` gives the report.json document."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Severity = Literal["info", "warning", "fault"]


@dataclass(frozen=True)
class VideoInfo:
    fps: float
    frames: int
    duration_s: float
    width: int
    height: int


@dataclass(frozen=True)
class Quality:
    detected_fraction: float
    view: str | None
    warnings: list[str]
    view_score: float | None = None
    legs_out_of_frame_fraction: float = 0.0
    leg_length_px: float | None = None


@dataclass(frozen=True)
class Phase:
    name: str
    start_s: float
    end_s: float


@dataclass(frozen=True)
class Rep:
    """One rep. Gaps are surface gaps in leg lengths at the squeeze (None = legs not reliable)."""

    index: int
    start_s: float
    end_s: float
    phases: list[Phase]
    concentric_s: float
    hold_s: float
    eccentric_s: float
    eccentric_ratio: float | None
    thigh_gap_min: float | None
    knee_gap_min: float | None
    ankle_gap_min: float | None
    rom: float
    knee_alignment_deg: dict[str, float | None] = field(default_factory=dict)
    leg_range: dict[str, float | None] = field(default_factory=dict)
    peak_value: float | None = None
    thigh_gap_cm: float | None = None
    knee_gap_cm: float | None = None
    ankle_gap_cm: float | None = None
    confidence: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    """One walking step: a stance of one foot, its foot progression angle (+ = toes out) and
    its knee alignment (shank tilt, + = knee medial of the ankle) over the stance."""

    foot: str
    start_s: float
    end_s: float
    foot_angle_deg: float
    knee_alignment_deg: float | None = None


@dataclass(frozen=True)
class Summary:
    rep_count: int
    mean_concentric_s: float | None
    mean_eccentric_s: float | None
    mean_hold_s: float | None
    mean_eccentric_ratio: float | None
    time_under_tension_s: float
    knee_gap_at_squeeze: float | None
    ankle_gap_at_squeeze: float | None
    thigh_gap_at_squeeze: float | None
    leg_position: dict[str, str | None]
    foot_angle_deg: dict[str, float | None]
    knee_alignment_deg: dict[str, float | None]
    symmetry: float | None
    confidence: dict[str, float]
    primary_signal: dict[str, Any]
    knee_gap_at_squeeze_cm: float | None = None
    ankle_gap_at_squeeze_cm: float | None = None
    thigh_gap_at_squeeze_cm: float | None = None
    steps: list[Step] = field(default_factory=list)
    support_leg: str | None = None
    """Side-lying: the bent top leg the body rests on; its position is not judged (null)."""


@dataclass(frozen=True)
class Cue:
    code: str
    severity: Severity
    message: str
    reps: list[int]


@dataclass(frozen=True)
class Report:
    exercise: str
    asked_position: str
    video: VideoInfo
    quality: Quality
    reps: list[Rep]
    summary: Summary
    cues: list[Cue]
    leg_length_cm: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (the report.json contract)."""
        out: dict[str, Any] = _clean(asdict(self))
        return out

    def cue_codes(self) -> list[str]:
        return [c.code for c in self.cues]


def _clean(obj: Any) -> Any:
    """NaN/inf -> None (JSON has neither), floats rounded to 4 decimals."""
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if isinstance(obj, float):
        if obj != obj or obj in (float("inf"), float("-inf")):
            return None
        return round(obj, 4)
    return obj
