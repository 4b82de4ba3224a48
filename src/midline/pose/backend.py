"""Pose estimation behind a small interface, with MediaPipe BlazePose as the implementation.

The rest of midline sees only :class:`PoseBackend`: an RGB frame and its time in, 33 image
landmarks (x, y normalised, z, visibility) and 33 world landmarks (metres) out.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
PoseResult = tuple[FloatArray, FloatArray]  # (33, 4) image, (33, 3) world


class PoseBackend(Protocol):
    def process(self, rgb: NDArray[np.uint8], t: float) -> PoseResult | None:
        """Landmarks of the person in ``rgb`` (shown at ``t`` s), or None when no person is found."""
        ...

    def close(self) -> None: ...


class MediaPipePose:
    """BlazePose (``model_complexity=1``, the model shipped inside the mediapipe 0.10.21 wheel).

    Complexities 0 and 2 download their model at first use, which fails offline, so they are never
    used. Create one per worker process and reuse it: its tracking between frames is what makes
    video fast and steady. ``tracking=False`` runs detection on every frame (for crops).
    """

    def __init__(self, tracking: bool = True, min_detection_confidence: float = 0.5) -> None:
        import mediapipe as mp  # imported here: loading it takes a second and is not always needed

        self._pose: Any = mp.solutions.pose.Pose(
            static_image_mode=not tracking,
            model_complexity=1,
            smooth_landmarks=tracking,
            enable_segmentation=False,
            min_detection_confidence=min_detection_confidence,
            min_tracking_confidence=0.5,
        )

    def process(self, rgb: NDArray[np.uint8], t: float) -> PoseResult | None:
        result = self._pose.process(rgb)
        if result.pose_landmarks is None:
            return None
        image = np.array(
            [(p.x, p.y, p.z, p.visibility) for p in result.pose_landmarks.landmark], dtype=np.float64
        )
        if result.pose_world_landmarks is not None:
            world = np.array(
                [(p.x, p.y, p.z) for p in result.pose_world_landmarks.landmark], dtype=np.float64
            )
        else:
            world = np.full((33, 3), np.nan)
        return image, world

    def reset(self) -> None:
        """Forget the tracked person (the next frame runs the detector again)."""
        self._pose.reset()

    def close(self) -> None:
        self._pose.close()
