"""Stay on one person when several are in view.

BlazePose follows one person, but when its tracking is lost (the subject turns, is occluded, or
someone walks past nearer the camera) it re-detects and may lock onto someone else: the
landmarks then jump to another place and size. :class:`SubjectTracker` keeps the subject's
bounding box; a skeleton that jumps away from it is not accepted as is: the frame is re-run on a
crop around the tracked subject and, if that fails too, dropped. A subject not seen for
``lost_after_s`` is forgotten and a new one is chosen.

Who the subject is, when several people are in view, is decided when one is (re)acquired: the
largest, most central person the detector finds (:func:`choose_person`), not whoever the pose
model happened to lock onto first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from midline.pose.backend import Person, PoseBackend, PoseResult

# Landmarks that outline the body (shoulders to feet): the face and hands move too freely.
_BODY = np.array([11, 12, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32])


@dataclass(frozen=True)
class Box:
    """A body's bounding box in normalised image coordinates (centre and size)."""

    cx: float
    cy: float
    w: float
    h: float

    @property
    def size(self) -> float:
        return max(self.w, self.h, 1e-3)


def body_box(image: NDArray[np.float64], min_visibility: float = 0.3) -> Box | None:
    """The box around the visible body landmarks of one (33, 4) frame, or None if too few are seen."""
    pts = image[_BODY]
    seen = pts[:, 3] >= min_visibility
    if seen.sum() < 4:
        seen = np.ones(len(pts), dtype=bool)
    xy = pts[seen, :2]
    if not np.isfinite(xy).all():
        return None
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    return Box(
        float((lo[0] + hi[0]) / 2), float((lo[1] + hi[1]) / 2), float(hi[0] - lo[0]), float(hi[1] - lo[1])
    )


def same_subject(prev: Box, new: Box, dt: float, max_shift: float = 0.35, max_scale: float = 1.6) -> bool:
    """Whether ``new`` can be the same body as ``prev`` ``dt`` seconds later.

    The centre may move ``max_shift`` body sizes (plus one body size per second of gap) and the
    size may change by ``max_scale``; a jump to another person breaks one of these.
    """
    allowed = (max_shift + max(dt, 0.0)) * prev.size
    shift = float(np.hypot(new.cx - prev.cx, new.cy - prev.cy))
    ratio = new.size / prev.size
    return shift <= allowed and 1 / max_scale <= ratio <= max_scale


def crop_window(box: Box, width: int, height: int, margin: float = 1.8) -> tuple[int, int, int, int]:
    """Pixel window (x0, y0, x1, y1) around ``box``, enlarged by ``margin`` and clipped to the image."""
    side_w = box.w * margin * width
    side_h = box.h * margin * height
    side = max(side_w, side_h, 64.0)
    cx, cy = box.cx * width, box.cy * height
    x0 = int(max(0, cx - side / 2))
    y0 = int(max(0, cy - side / 2))
    x1 = int(min(width, cx + side / 2))
    y1 = int(min(height, cy + side / 2))
    return x0, y0, x1, y1


def uncrop(result: PoseResult, window: tuple[int, int, int, int], width: int, height: int) -> PoseResult:
    """Map landmarks found in a crop back to the full image's normalised coordinates."""
    image, world = result
    x0, y0, x1, y1 = window
    out = image.copy()
    out[:, 0] = (image[:, 0] * (x1 - x0) + x0) / width
    out[:, 1] = (image[:, 1] * (y1 - y0) + y0) / height
    out[:, 2] = image[:, 2] * (x1 - x0) / width  # z is in x's scale
    return out, world


class PersonDetector(Protocol):
    def detect(self, rgb: NDArray[np.uint8]) -> list[Person]:
        """Every person in the frame: hip centre (x, y) and body radius, in pixels."""
        ...

    def close(self) -> None: ...


def choose_person(people: list[Person], width: int, height: int) -> Person:
    """The largest, most central person: body area (radius squared) times nearness to the image
    centre (1 at the centre, 0 in a corner). Someone filming a set stands in the middle, near the
    camera; people behind or at the edge are smaller, off-centre or both."""
    half_diagonal = float(np.hypot(width, height)) / 2

    def score(p: Person) -> float:
        off = float(np.hypot(p[0] - width / 2, p[1] - height / 2)) / half_diagonal
        return p[2] ** 2 * max(0.0, 1.0 - off)

    return max(people, key=score)


def is_person(image: NDArray[np.float64], person: Person, width: int, height: int) -> bool:
    """Whether the landmarks ``image`` (normalised) are of ``person``: their hip centres agree."""
    hips = image[[23, 24], :2].mean(axis=0) * (width, height)
    if not np.isfinite(hips).all():
        return False
    return float(np.hypot(hips[0] - person[0], hips[1] - person[1])) <= 0.5 * person[2]


def person_window(person: Person, width: int, height: int, margin: float = 1.3) -> tuple[int, int, int, int]:
    """Pixel window around a detected person (the square the pose model itself would crop)."""
    half = max(person[2] * margin, 32.0)
    x0, y0 = int(max(0, person[0] - half)), int(max(0, person[1] - half))
    x1, y1 = int(min(width, person[0] + half)), int(min(height, person[1] + half))
    return x0, y0, x1, y1


class SubjectTracker:
    """Filters a tracking backend's results so they stay on one person.

    Normally the whole frame goes to ``backend``. When its skeleton jumps to someone else, the
    frame is re-run on a crop around the tracked subject with ``crop_backend`` (also tracking), and
    while that keeps finding the subject the following frames are run on the crop only (one pose
    inference a frame either way). When the crop loses the subject, whole frames are used again.
    Without a ``crop_backend`` (or a ``crop_factory`` that makes one when first needed) the frames
    of the other person are dropped. Nothing is ever reset (restarting a MediaPipe graph costs
    about 0.1 s): a tracking backend that loses its person detects afresh by itself.
    """

    def __init__(
        self,
        backend: PoseBackend,
        crop_backend: PoseBackend | None = None,
        lost_after_s: float = 1.0,
        crop_retry_s: float = 0.25,
        crop_factory: Callable[[], PoseBackend] | None = None,
        detector: PersonDetector | None = None,
    ) -> None:
        self.backend = backend
        self._crop = crop_backend
        self._crop_factory = crop_factory
        self.lost_after_s = lost_after_s
        self.crop_retry_s = crop_retry_s
        self._last_crop_failure = -np.inf
        self.box: Box | None = None
        self.last_t = -np.inf
        self.window: tuple[int, int, int, int] | None = None  # set while following on a crop
        self.detector = detector
        self.jumps = 0
        self.recovered = 0
        self.chosen = 0  # acquisitions where the chosen person was not the pose model's own pick

    def process(self, rgb: NDArray[np.uint8], t: float) -> PoseResult | None:
        if self.box is not None and t - self.last_t > self.lost_after_s:
            self.box, self.window = None, None  # the subject has gone: take whoever comes next
        if self.window is not None:
            found = self._on_crop(rgb, t)
            if found is not None:
                return found
            self.window = None
        result = self.backend.process(rgb, t)
        if result is None:
            return None
        box = body_box(result[0])
        if box is None:
            return None
        if self.box is None:
            return self._acquire(rgb, t, result, box)
        if same_subject(self.box, box, t - self.last_t):
            return self._accept(result, box, t)
        self.jumps += 1
        if self.crop_backend is None or t - self._last_crop_failure < self.crop_retry_s:
            return None  # the other person's frame is dropped
        height, width = rgb.shape[:2]
        self.window = crop_window(self.box, width, height)
        found = self._on_crop(rgb, t)
        if found is None:
            self.window = None
            self._last_crop_failure = t
        else:
            self.recovered += 1
        return found

    def _acquire(self, rgb: NDArray[np.uint8], t: float, result: PoseResult, box: Box) -> PoseResult:
        """Start following someone: the largest, most central person in view.

        The pose model locks onto its detector's most confident person; when the detector sees
        several and that is not the one :func:`choose_person` picks, the chosen person is run on
        a crop around them and followed there (as after a jump to someone else).
        """
        if self.detector is not None:
            height, width = rgb.shape[:2]
            people = self.detector.detect(rgb)
            if len(people) > 1:
                best = choose_person(people, width, height)
                if not is_person(result[0], best, width, height) and self.crop_backend is not None:
                    window = person_window(best, width, height)
                    x0, y0, x1, y1 = window
                    found = self.crop_backend.process(np.ascontiguousarray(rgb[y0:y1, x0:x1]), t)
                    if found is not None:
                        mapped = uncrop(found, window, width, height)
                        chosen_box = body_box(mapped[0])
                        if chosen_box is not None and is_person(mapped[0], best, width, height):
                            self.window = window
                            self.chosen += 1
                            return self._accept(mapped, chosen_box, t)
        return self._accept(result, box, t)

    @property
    def crop_backend(self) -> PoseBackend | None:
        """The crop backend, created on first use when a factory was given (most videos never need it)."""
        if self._crop is None and self._crop_factory is not None:
            self._crop = self._crop_factory()
        return self._crop

    def _on_crop(self, rgb: NDArray[np.uint8], t: float) -> PoseResult | None:
        assert self.window is not None and self.box is not None and self.crop_backend is not None
        height, width = rgb.shape[:2]
        x0, y0, x1, y1 = self.window
        found = self.crop_backend.process(np.ascontiguousarray(rgb[y0:y1, x0:x1]), t)
        if found is None:
            return None
        mapped = uncrop(found, self.window, width, height)
        box = body_box(mapped[0])
        if box is None or not same_subject(self.box, box, t - self.last_t):
            return None
        # Move the window only when the subject nears its edge: a still window keeps tracking steady.
        wx0, wy0, wx1, wy1 = (v / d for v, d in zip(self.window, (width, height, width, height), strict=True))
        inner = 0.15
        if not (
            wx0 + inner * (wx1 - wx0) <= box.cx - box.w / 2
            and box.cx + box.w / 2 <= wx1 - inner * (wx1 - wx0)
            and wy0 + inner * (wy1 - wy0) <= box.cy - box.h / 2
            and box.cy + box.h / 2 <= wy1 - inner * (wy1 - wy0)
        ):
            self.window = crop_window(box, width, height)
        return self._accept(mapped, box, t)

    def _accept(self, result: PoseResult, box: Box, t: float) -> PoseResult:
        self.box = box
        self.last_t = t
        return result

    def close(self) -> None:
        self.backend.close()
        if self._crop is not None:
            self._crop.close()
        if self.detector is not None:
            self.detector.close()
