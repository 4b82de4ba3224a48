"""``LiveCoach``: one camera frame in -> pose -> :class:`StreamingAnalysis` -> the live update out.

One coach per live session: it owns one pose model (created once; MediaPipe's tracking between
frames is what keeps it fast and steady) and one streaming analysis. A selfie preview is a
mirror image: pose on it would call the person's left leg their right, so with ``mirrored=True``
the landmarks are un-mirrored (x flipped, left and right swapped) before the analysis sees them,
while the landmarks returned for drawing stay in the frame's own (mirrored) coordinates.

The streaming core's window re-analysis (20-60 ms, about one frame in five) runs on a worker
thread (``background=True``, the default): the frame that brings it due is answered at once, and
the result is folded in on the first frame after it is ready, so no frame waits for it.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
from numpy.typing import NDArray

from midline.catalog.loader import Catalog
from midline.core.landmarks import N_LANDMARKS
from midline.core.pipeline import Analysis
from midline.core.spec import AnalysisSpec
from midline.core.streaming import (
    LiveUpdate,
    StreamingAnalysis,
    StreamSettings,
    TargetTempo,
    WindowResult,
)
from midline.errors import InputError
from midline.pose.backend import PoseBackend

FloatArray = NDArray[np.float64]


def _mirror_order() -> NDArray[np.int64]:
    """BlazePose index permutation that swaps every left landmark with its right counterpart."""
    order = np.arange(N_LANDMARKS)
    pairs = [(1, 4), (2, 5), (3, 6), (7, 8), (9, 10)] + [(i, i + 1) for i in range(11, 33, 2)]
    for a, b in pairs:
        order[a], order[b] = b, a
    return order


MIRROR = _mirror_order()


def unmirror(image: FloatArray, world: FloatArray | None) -> tuple[FloatArray, FloatArray | None]:
    """Landmarks found on a horizontally mirrored frame, as they are on the real (unmirrored) scene."""
    img = image[MIRROR].copy()
    img[:, 0] = 1.0 - img[:, 0]
    if world is None:
        return img, None
    wld = world[MIRROR].copy()
    wld[:, 0] = -wld[:, 0]
    return img, wld


class FrameOrderError(InputError):
    """A live frame's time is not after the previous frame's."""


def target_tempo(catalog: Catalog, exercise_id: str) -> TargetTempo | None:
    """The exercise's target tempo from the catalog (for counting aloud), None if it has none."""
    ex = catalog.exercises.get(exercise_id)
    if ex is None:
        return None
    tp = ex.tempo
    return TargetTempo(tp.squeeze_s, tp.hold_s, tp.release_s)


class LiveCoach:
    """Pose estimation plus the streaming analysis of one set (see the module's docstring).

    ``width``/``height``: the frames' size (frames of another size with the same aspect ratio,
    e.g. downscaled by a browser, are fine: landmarks are normalised). ``fps``: the nominal rate;
    the analysis uses the frames' own times.
    """

    def __init__(
        self,
        spec: AnalysisSpec,
        backend: PoseBackend,
        *,
        width: int,
        height: int,
        fps: float = 30.0,
        asked_position: str | None = None,
        height_cm: float | None = None,
        tempo: TargetTempo | None = None,
        settings: StreamSettings | None = None,
        background: bool = True,
    ) -> None:
        self.backend = backend
        self.stream = StreamingAnalysis(
            spec,
            width=width,
            height=height,
            fps=fps,
            asked_position=asked_position,
            height_cm=height_cm,
            tempo=tempo,
            settings=settings,
            background=background,
        )
        self._worker = ThreadPoolExecutor(1, thread_name_prefix="live-window") if background else None
        self._window: Future[WindowResult] | None = None
        self.frames = 0
        self.last_update: LiveUpdate | None = None

    def frame(
        self, rgb: NDArray[np.uint8], t: float, mirrored: bool = False
    ) -> tuple[LiveUpdate, FloatArray | None]:
        """Analyse one RGB frame shown at ``t`` seconds; returns the update and the (33, 4)
        landmarks in the frame's own coordinates (for drawing), None when nobody was found."""
        last = self.last_update
        if last is not None and not t > last.t:
            raise FrameOrderError(f"frame at {t:.3f} s arrived after the frame at {last.t:.3f} s")
        if rgb.ndim != 3 or rgb.shape[2] != 3:
            raise InputError(f"a live frame must be an RGB image (H, W, 3), got shape {rgb.shape}")
        self._fold(wait=False)
        found = self.backend.process(rgb, t)
        world: FloatArray | None
        if found is None:
            update = self.stream.push(t, None, None)
            drawn = None
        else:
            drawn = found[0]
            image, world = drawn, found[1]
            if mirrored:
                image, world = unmirror(drawn, world)
            if world is not None and not np.isfinite(world).any():
                world = None
            update = self.stream.push(t, image, world)
        job = self.stream.take_window()
        if job is not None and self._worker is not None:
            self._window = self._worker.submit(job.run)
        self.frames += 1
        self.last_update = update
        return update, drawn

    def finish(self) -> Analysis:
        """The whole set's analysis (the same as the offline analysis of the frames seen)."""
        self._fold(wait=True)
        return self.stream.finish()

    def _fold(self, wait: bool) -> None:
        """Apply the worker's window analysis once it is ready (or, with ``wait``, when it is)."""
        fut = self._window
        if fut is not None and (wait or fut.done()):
            self._window = None
            self.stream.apply_window(fut.result())

    def close(self) -> None:
        if self._worker is not None:
            self._worker.shutdown(wait=True)
        self.backend.close()
