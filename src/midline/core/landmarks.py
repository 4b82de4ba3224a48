"""The landmark sequence every analysis starts from (BlazePose's 33 landmarks per frame)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


class LM(IntEnum):
    """BlazePose landmark indices (MediaPipe Pose order). LEFT = the person's left."""

    NOSE = 0
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32


N_LANDMARKS = 33

BODY_LANDMARKS = (
    LM.LEFT_SHOULDER,
    LM.RIGHT_SHOULDER,
    LM.LEFT_HIP,
    LM.RIGHT_HIP,
    LM.LEFT_KNEE,
    LM.RIGHT_KNEE,
    LM.LEFT_ANKLE,
    LM.RIGHT_ANKLE,
    LM.LEFT_HEEL,
    LM.RIGHT_HEEL,
    LM.LEFT_FOOT_INDEX,
    LM.RIGHT_FOOT_INDEX,
)
"""The landmarks the analysis reads (shoulders, hips and legs); the core keeps only these."""


class B(IntEnum):
    """Positions of :data:`BODY_LANDMARKS` in the core's compact (T, 12, ...) arrays."""

    LEFT_SHOULDER = 0
    RIGHT_SHOULDER = 1
    LEFT_HIP = 2
    RIGHT_HIP = 3
    LEFT_KNEE = 4
    RIGHT_KNEE = 5
    LEFT_ANKLE = 6
    RIGHT_ANKLE = 7
    LEFT_HEEL = 8
    RIGHT_HEEL = 9
    LEFT_FOOT_INDEX = 10
    RIGHT_FOOT_INDEX = 11


@dataclass(frozen=True)
class LandmarkSeries:
    """A whole recording's landmarks.

    ``image``: (T, 33, 4) = x, y normalised to the image (0..1, y down), z (depth relative to the hip
    midpoint in x's scale, smaller = nearer), visibility 0..1; NaN rows where no person was found.
    ``world``: (T, 33, 3) metres (origin hip midpoint, x image-right, y down, z away from the
    camera), or None when the source has no world landmarks; NaN rows where no person was found.
    ``t``: (T,) seconds of each frame from the start (from timestamps, not frame counts).
    """

    t: FloatArray
    image: FloatArray
    world: FloatArray | None
    width: int
    height: int
    fps: float

    def __post_init__(self) -> None:
        n = self.t.shape[0]
        if self.image.shape != (n, N_LANDMARKS, 4):
            raise ValueError(f"image landmarks must be ({n}, 33, 4), got {self.image.shape}")
        if self.world is not None and self.world.shape != (n, N_LANDMARKS, 3):
            raise ValueError(f"world landmarks must be ({n}, 33, 3), got {self.world.shape}")

    @property
    def frames(self) -> int:
        return int(self.t.shape[0])

    @property
    def duration_s(self) -> float:
        if self.frames == 0:
            return 0.0
        return float(self.t[-1] - self.t[0]) + 1.0 / self.fps

    @property
    def detected(self) -> NDArray[np.bool_]:
        """Frames where a person was found."""
        out: NDArray[np.bool_] = np.isfinite(self.image[:, :, 0]).any(axis=1)
        return out
