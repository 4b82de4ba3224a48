"""Pose estimation behind a small interface, with MediaPipe BlazePose as the implementation.

The rest of midline sees only :class:`PoseBackend`: an RGB frame and its time in, 33 image
landmarks (x, y normalised, z, visibility) and 33 world landmarks (metres) out.
"""

from __future__ import annotations

import os
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
PoseResult = tuple[FloatArray, FloatArray]  # (33, 4) image, (33, 3) world
Person = tuple[
    float, float, float
]  # hip centre x, y (pixels) and the radius of a circle around the body (pixels)


class PoseBackend(Protocol):
    def process(self, rgb: NDArray[np.uint8], t: float) -> PoseResult | None:
        """Landmarks of the person in ``rgb`` (shown at ``t`` s), or None when no person is found."""
        ...

    def close(self) -> None: ...


@contextmanager
def _quiet_native_stderr() -> Iterator[None]:
    """Silence MediaPipe's C++ start-up chatter (TFLite/absl logs written straight to fd 2)."""
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # no real stderr (e.g. captured): nothing to do
        yield
        return
    sys.stderr.flush()
    saved = os.dup(fd)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
        yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)
        os.close(devnull)


_BLANK = np.zeros((64, 64, 3), np.uint8)
_WHOLE_BODY = [11, 12, 23, 24, 25, 26, 27, 28]  # shoulders, hips, knees, ankles: in view to re-anchor


class _Unloaded(types.ModuleType):
    """Stands in for matplotlib while mediapipe is imported; any use says why it is missing."""

    def __getattr__(self, name: str) -> Any:
        raise ImportError(
            f"matplotlib.{name}: matplotlib was left out of mediapipe's import by midline "
            "(only mediapipe's landmark plotting uses it)"
        )


def _import_mediapipe() -> Any:
    """``import mediapipe``, without the matplotlib.pyplot it imports for a plotting helper.

    ``mediapipe.solutions`` imports ``drawing_utils``, which imports matplotlib.pyplot at the top
    for ``plot_landmarks`` (never used here): about 1 s of every worker process's start-up on a
    small machine. Stand-ins are put in its place for that import only and then taken out, so a
    later ``import matplotlib`` anywhere in the process loads the real one.
    """
    if "mediapipe" in sys.modules or "matplotlib" in sys.modules:
        import mediapipe

        return mediapipe
    stub, pyplot = _Unloaded("matplotlib"), _Unloaded("matplotlib.pyplot")
    stub.__dict__["pyplot"] = pyplot
    sys.modules["matplotlib"], sys.modules["matplotlib.pyplot"] = stub, pyplot
    try:
        import mediapipe
    finally:
        for name, module in (("matplotlib", stub), ("matplotlib.pyplot", pyplot)):
            if sys.modules.get(name) is module:
                del sys.modules[name]
    return mediapipe


@dataclass(frozen=True)
class PoseSettings:
    """How the pose model follows a person from frame to frame.

    In tracking mode MediaPipe places each frame's crop from the previous frame's two auxiliary
    landmarks, smoothed by a heavy One Euro filter (on even with landmark smoothing off): the crop
    trails a moving body and the landmarks read from it trail too, by up to 0.2 s at the start and
    end of a squeeze on the rendered clips (docs/accuracy.md). ``crop_filter=False`` places the
    crop from the unsmoothed landmarks; ``reanchor_every`` = k >= 1 runs the person detector on
    every k-th frame to place it afresh (1: on every frame). The default is plain tracking, the
    fastest; :data:`PRECISE_TIMING` trades about a third more CPU a frame for the timing.
    """

    reanchor_every: int = 0
    crop_filter: bool = True

    def __post_init__(self) -> None:
        if self.reanchor_every < 0:
            raise ValueError(f"reanchor_every must be 0 (never) or a frame count, got {self.reanchor_every}")

    @property
    def plain(self) -> bool:
        """MediaPipe's own tracking graph, unchanged."""
        return self.reanchor_every == 0 and self.crop_filter


TRACKING = PoseSettings()
PRECISE_TIMING = PoseSettings(reanchor_every=2, crop_filter=False)
"""Detector on every 2nd frame, crop unfiltered: rendered clips timed within 0.2 s 18 of 20 against
14 of 20 (`midline analyze`), at x1.36 the CPU a 640x480 pose frame (docs/accuracy.md)."""

# mediapipe 0.10.21's expanded pose graph: the names a changed graph is built from (pinned with
# mediapipe in pyproject.toml; tests/test_pose_settings.py fails loudly if they move)
_CROP_FILTER_NODE = "poselandmarkfiltering__LandmarksSmoothingCalculator"
_PREV_GATE_PACKET = "ALLOW:use_prev_landmarks"
_GRAPH_PREV_PACKET = "USE_PREV_LANDMARKS:use_prev_landmarks"
_DETECTION_THRESHOLD = "posedetectioncpu__TensorsToDetectionsCalculator.min_score_thresh"
_TRACKING_THRESHOLD = (
    "poselandmarkbyroicpu__tensorstoposelandmarksandsegmentation__ThresholdingCalculator.threshold"
)


def _pose_graph(mp: Any, settings: PoseSettings) -> Any:
    """The pose graph as MediaPipe ships it, changed as ``settings`` ask (see :class:`PoseSettings`)."""
    from mediapipe.calculators.util import landmarks_smoothing_calculator_pb2
    from mediapipe.framework import calculator_pb2
    from mediapipe.python._framework_bindings import validated_graph_config
    from mediapipe.python.solutions import pose as mp_pose

    root = os.path.dirname(os.path.dirname(mp.__file__))
    expanded = validated_graph_config.ValidatedGraphConfig()
    expanded.initialize(binary_graph_path=os.path.join(root, mp_pose._BINARYPB_FILE_PATH))
    config = calculator_pb2.CalculatorGraphConfig()
    config.ParseFromString(expanded.binary_config)
    if not settings.crop_filter:
        (node,) = [n for n in config.node if n.name == _CROP_FILTER_NODE]
        smoothing = landmarks_smoothing_calculator_pb2.LandmarksSmoothingCalculatorOptions
        options = node.options.Extensions[smoothing.ext]
        options.Clear()
        options.no_filter.SetInParent()
    if settings.reanchor_every:
        # the gate that feeds the previous frame's landmarks back as the next crop: per frame
        gates = [n for n in config.node if n.calculator == "GateCalculator"]
        (gate,) = [n for n in gates if _PREV_GATE_PACKET in n.input_side_packet]
        gate.input_side_packet.remove(_PREV_GATE_PACKET)
        gate.input_stream.append("ALLOW:use_prev")
        config.input_stream.append("USE_PREV:use_prev")
        config.input_side_packet.remove(_GRAPH_PREV_PACKET)
    return config


class MediaPipePose:
    """BlazePose (``model_complexity=1``, the model shipped inside the mediapipe 0.10.21 wheel).

    Complexities 0 and 2 download their model at first use, which fails offline, so they are never
    used. Create one per worker process and reuse it: its tracking between frames is what makes
    video fast and steady. ``tracking=False`` runs detection on every frame; ``settings`` change
    how tracking places each frame's crop (:class:`PoseSettings`).

    MediaPipe's own landmark smoothing stays off unless ``smooth``: it is a causal One Euro filter
    whose cut-off drops at low speed, so a slow move shows up 0.1-0.2 s late and then catches up.
    That bent the phase boundaries of the rendered clips by up to 0.29 s (0.15 s without it, see
    docs/accuracy.md); the core smooths without shifting time (zero-phase) instead.
    """

    def __init__(
        self,
        tracking: bool = True,
        min_detection_confidence: float = 0.5,
        smooth: bool = False,
        settings: PoseSettings = TRACKING,
    ) -> None:
        self._reanchor = settings.reanchor_every if tracking else 0
        self._frame = 0
        self._whole_body = True  # the last frame's body lay wholly in the picture
        with _quiet_native_stderr():
            mp = _import_mediapipe()  # imported here: loading it takes a second and is not always needed

            if settings.plain or not tracking:
                self._pose: Any = mp.solutions.pose.Pose(
                    static_image_mode=not tracking,
                    model_complexity=1,
                    smooth_landmarks=tracking and smooth,
                    enable_segmentation=False,
                    min_detection_confidence=min_detection_confidence,
                    min_tracking_confidence=0.5,
                )
            else:
                from mediapipe.python.solution_base import PacketDataType, SolutionBase

                side = {
                    "model_complexity": 1,
                    "smooth_landmarks": smooth,
                    "enable_segmentation": False,
                    "smooth_segmentation": False,
                }
                if not self._reanchor:
                    side["use_prev_landmarks"] = True
                self._pose = SolutionBase(
                    graph_config=_pose_graph(mp, settings),
                    side_inputs=side,
                    calculator_params={
                        _DETECTION_THRESHOLD: min_detection_confidence,
                        _TRACKING_THRESHOLD: 0.5,
                    },
                    outputs=["pose_landmarks", "pose_world_landmarks"],
                    stream_type_hints={"use_prev": PacketDataType.BOOL} if self._reanchor else None,
                )
            # The graph starts its models (and logs about it, from its own threads) on its first
            # frame: do that here, quietly, on a blank frame (nobody in it, no tracking state left).
            self._pose.process(self._inputs(_BLANK))
        self._frame = 0  # the blank frame does not count: the first real frame runs the detector
        self._quiet_frames = 2  # the first frames with a person log a warning of their own

    def _inputs(self, rgb: NDArray[np.uint8]) -> Any:
        """The graph's inputs for the next frame (whether to reuse the last crop, when re-anchoring).

        The detector is trained on whole bodies: re-anchoring on it while the tracked body is
        partly out of the picture would lose frames it cannot find a person in (legs cut off by
        the framing: 12 % of the frames), so the crop is then kept from the last frame.
        """
        if not self._reanchor:
            return rgb
        use_prev = self._frame % self._reanchor != 0 or not self._whole_body
        self._frame += 1
        return {"image": rgb, "use_prev": use_prev}

    def process(self, rgb: NDArray[np.uint8], t: float) -> PoseResult | None:
        if self._quiet_frames > 0:
            with _quiet_native_stderr():
                result = self._pose.process(self._inputs(rgb))
            if result.pose_landmarks is not None:
                self._quiet_frames -= 1
        else:
            result = self._pose.process(self._inputs(rgb))
        if result.pose_landmarks is None:
            self._whole_body = True  # nobody tracked: the detector runs anyway
            return None
        image = np.array(
            [(p.x, p.y, p.z, p.visibility) for p in result.pose_landmarks.landmark], dtype=np.float64
        )
        legs = image[_WHOLE_BODY, :2]
        self._whole_body = bool(((legs > 0.0) & (legs < 1.0)).all())
        if result.pose_world_landmarks is not None:
            world = np.array(
                [(p.x, p.y, p.z) for p in result.pose_world_landmarks.landmark], dtype=np.float64
            )
        else:
            world = np.full((33, 3), np.nan)
        return image, world

    def reset(self) -> None:
        """Forget the tracked person (the next frame runs the detector again)."""
        with _quiet_native_stderr():
            self._pose.reset()
            self._pose.process(self._inputs(_BLANK))
        self._frame = 0
        self._whole_body = True
        self._quiet_frames = 2

    def close(self) -> None:
        self._pose.close()


# BlazePose's own person detector (the first stage of the pose graph, from the same wheel), on its
# own: the pose graph keeps only its best detection, this one returns every person found.
_DETECTOR_GRAPH = """
input_stream: "image"
output_stream: "detections"
node { calculator: "PoseDetectionCpu" input_stream: "IMAGE:image" output_stream: "DETECTIONS:detections" }
"""


class MediaPipePersonDetector:
    """Every person in a frame, as BlazePose's detector sees them (about as costly as a pose frame)."""

    def __init__(self) -> None:
        with _quiet_native_stderr():
            _import_mediapipe()
            from google.protobuf import text_format
            from mediapipe.framework import calculator_pb2
            from mediapipe.python.solution_base import SolutionBase

            config = text_format.Parse(_DETECTOR_GRAPH, calculator_pb2.CalculatorGraphConfig())
            self._graph: Any = SolutionBase(graph_config=config, outputs=["detections"])
            self._graph.process({"image": _BLANK})

    def detect(self, rgb: NDArray[np.uint8]) -> list[Person]:
        """Each person's hip centre and body radius in pixels (the detector's two body keypoints).

        The detector sees the frame squeezed into 224 x 224 pixels, where people in a wide frame
        are small and often missed; it also runs on two overlapping halves (left and right, or top
        and bottom), and detections of the same person are merged.
        """
        h, w = rgb.shape[:2]
        if w >= h:
            tiles = [(0, 0, w, h), (0, 0, round(0.6 * w), h), (round(0.4 * w), 0, w, h)]
        else:
            tiles = [(0, 0, w, h), (0, 0, w, round(0.6 * h)), (0, round(0.4 * h), w, h)]
        found: list[tuple[float, Person]] = []
        for x0, y0, x1, y1 in tiles:
            result = self._graph.process({"image": np.ascontiguousarray(rgb[y0:y1, x0:x1])})
            for detection in result.detections or []:
                hip, top = detection.location_data.relative_keypoints[:2]
                cx, cy = x0 + hip.x * (x1 - x0), y0 + hip.y * (y1 - y0)
                radius = float(np.hypot(x0 + top.x * (x1 - x0) - cx, y0 + top.y * (y1 - y0) - cy))
                found.append((float(detection.score[0]), (cx, cy, radius)))
        people: list[Person] = []
        for _, p in sorted(found, key=lambda f: -f[0]):
            if all(np.hypot(p[0] - q[0], p[1] - q[1]) > 0.5 * max(p[2], q[2]) for q in people):
                people.append(p)
        return people

    def close(self) -> None:
        self._graph.close()
