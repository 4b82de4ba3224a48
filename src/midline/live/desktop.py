"""``midline live`` on the desktop: a camera (or a video played as if it were one) -> LiveCoach.

Frames reach the coach through a one-frame mailbox filled by a reader thread: the camera, or a
video file whose frames are released at real-time speed (paced by their timestamps). When the
analysis is still busy with one frame as the next arrives, the waiting frame is replaced and
counted as dropped: latency stays at one frame's analysis, and no queue grows.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from midline.core.phases import PHASE_CODE
from midline.core.pipeline import Analysis
from midline.core.spec import AnalysisSpec
from midline.core.streaming import LiveUpdate, StreamSettings, TargetTempo
from midline.errors import InputError
from midline.live.coach import LiveCoach

RGB = NDArray[np.uint8]
WINDOW_TITLE = "midline live (q or Esc to stop)"


class CameraError(InputError):
    """The camera could not be opened or stopped giving frames."""


@dataclass
class _Mailbox:
    """The newest frame not yet taken; a frame replaced before it was taken counts as dropped."""

    cond: threading.Condition = field(default_factory=threading.Condition)
    frame: tuple[float, RGB] | None = None
    done: bool = False
    error: BaseException | None = None
    delivered: int = 0
    dropped: int = 0

    def put(self, t: float, rgb: RGB) -> None:
        with self.cond:
            if self.frame is not None:
                self.dropped += 1
            self.frame = (t, rgb)
            self.delivered += 1
            self.cond.notify()

    def close(self, error: BaseException | None = None) -> None:
        with self.cond:
            self.done = True
            self.error = error
            self.cond.notify()

    def take(self, timeout: float = 0.5) -> tuple[float, RGB] | None:
        """The newest frame; None at the end (or, with a timeout, when nothing came yet)."""
        with self.cond:
            while self.frame is None and not self.done:
                if not self.cond.wait(timeout):
                    return None
            item, self.frame = self.frame, None
            return item


@dataclass(frozen=True)
class LiveSource:
    """Where frames come from: ``camera`` index, or a ``video`` file played in real time."""

    camera: int | None = None
    video: Path | None = None
    max_seconds: float | None = None
    max_width: int = 640

    def __post_init__(self) -> None:
        if (self.camera is None) == (self.video is None):
            raise InputError("give either a camera (--camera N) or a video file (--video FILE)")


def _video_frames(path: Path, max_width: int) -> tuple[Iterator[tuple[float, RGB]], int, int, float]:
    """A video's frames (t, rgb) and its size and rate; errors for a bad file surface here."""
    from midline.video.decode import iter_frames
    from midline.video.probe import probe

    info = probe(path)
    scale = min(1.0, max_width / info.width) if info.width > 0 else 1.0
    frames = ((f.t, f.rgb) for f in iter_frames(path, max_width=max_width))
    w, h = max(2, round(info.width * scale)), max(2, round(info.height * scale))
    return frames, w, h, float(info.fps)


def _play_video(
    frames: Iterator[tuple[float, RGB]], box: _Mailbox, stop: threading.Event, limit: float | None
) -> None:
    """Release each frame at its own time after the start (real-time speed)."""
    try:
        start = time.monotonic()
        for t, rgb in frames:
            if stop.is_set() or (limit is not None and t > limit):
                break
            wait = start + t - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            box.put(t, rgb)
        box.close()
    except BaseException as exc:  # reported by the consumer, in its thread
        box.close(exc)


def _open_camera(index: int) -> tuple[object, int, int, float]:
    import cv2

    cap = cv2.VideoCapture(index)
    if not cap.isOpened():
        cap.release()
        raise CameraError(
            f"cannot open camera {index}: check that it is connected and not in use by another "
            "program, that this user may use it (on Linux, the 'video' group), or try another "
            "--camera number; to try midline without a camera use --video FILE"
        )
    ok, frame = cap.read()
    if not ok or frame is None:
        cap.release()
        raise CameraError(f"camera {index} opened but gave no picture: check it is not covered or in use")
    h, w = frame.shape[:2]
    fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
    return cap, int(w), int(h), fps if 1.0 <= fps <= 240.0 else 30.0


def _read_camera(cap: object, box: _Mailbox, stop: threading.Event, limit: float | None) -> None:
    import cv2

    try:
        start = time.monotonic()
        misses = 0
        while not stop.is_set():
            ok, frame = cap.read()  # type: ignore[attr-defined]
            t = time.monotonic() - start
            if limit is not None and t > limit:
                break
            if not ok or frame is None:
                misses += 1
                if misses > 30:
                    raise CameraError(
                        "the camera stopped giving pictures (unplugged, or taken by another program)"
                    )
                time.sleep(0.01)
                continue
            misses = 0
            # a selfie view: shown mirrored, as people expect to see themselves
            box.put(t, np.ascontiguousarray(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)[:, ::-1]))
        box.close()
    except BaseException as exc:
        box.close(exc)
    finally:
        cap.release()  # type: ignore[attr-defined]


@dataclass(frozen=True)
class LiveResult:
    """A live set: the whole set's analysis and what the live loop did."""

    analysis: Analysis
    live_rep_count: int
    shown_cues: list[str]
    frames_delivered: int
    frames_analysed: int
    frames_dropped: int
    seconds: float


Listener = Callable[[LiveUpdate], None]


def _draw(rgb: RGB, update: LiveUpdate, landmarks: NDArray[np.float64] | None, reps_total: int) -> RGB:
    import cv2

    from midline.video.annotate import FrameOverlay, draw_overlay

    rep = update.rep_count + 1 if update.phase != "rest" else 0
    ov = FrameOverlay(
        landmarks=landmarks,
        gaps={k: (v if v is not None else float("nan")) for k, v in update.gaps.items()},
        rep=rep,
        reps_done=update.rep_count,
        reps_total=max(reps_total, rep, update.rep_count),
        phase=PHASE_CODE.get(update.phase, 0),
        cue=update.cue.message if update.cue is not None else "",
    )
    img = draw_overlay(rgb, ov)
    h, w = img.shape[:2]
    notes = [x for x in (update.count, update.quality) if x]
    if notes:
        scale = max(h, w) / 720.0
        org = (int(w - 260 * scale), int(40 * scale))
        cv2.putText(
            img, "  ".join(notes), org, cv2.FONT_HERSHEY_SIMPLEX, 0.8 * scale, (0, 0, 0), 4, cv2.LINE_AA
        )
        cv2.putText(
            img, "  ".join(notes), org, cv2.FONT_HERSHEY_SIMPLEX, 0.8 * scale, (255, 220, 120), 2, cv2.LINE_AA
        )
    return img


def run_live(
    spec: AnalysisSpec,
    source: LiveSource,
    *,
    asked_position: str | None = None,
    height_cm: float | None = None,
    tempo: TargetTempo | None = None,
    reps_target: int = 0,
    show_window: bool = True,
    settings: StreamSettings | None = None,
    listener: Listener | None = None,
) -> LiveResult:
    """Coach one set live until the video ends, the window is closed (q/Esc) or Ctrl-C."""
    from midline.pose.backend import MediaPipePose

    stop = threading.Event()
    box = _Mailbox()
    if source.video is not None:
        if not source.video.is_file():
            raise InputError(f"{source.video}: no such video file")
        frames, w, h, fps = _video_frames(source.video, source.max_width)
        mirrored = False
        reader = threading.Thread(
            target=_play_video, args=(frames, box, stop, source.max_seconds), daemon=True
        )
    else:
        assert source.camera is not None
        cap, w, h, fps = _open_camera(source.camera)
        mirrored = True
        reader = threading.Thread(target=_read_camera, args=(cap, box, stop, source.max_seconds), daemon=True)
    coach = LiveCoach(
        spec,
        MediaPipePose(),
        width=w,
        height=h,
        fps=fps,
        asked_position=asked_position,
        height_cm=height_cm,
        tempo=tempo,
        settings=settings,
    )
    window = False
    started = time.monotonic()
    try:
        reader.start()
        while True:
            item = box.take()
            if item is None:
                if box.done:
                    break
                continue
            t, rgb = item
            update, landmarks = coach.frame(rgb, t, mirrored=mirrored)
            if listener is not None:
                listener(update)
            if show_window:
                import cv2

                img = _draw(rgb, update, landmarks, reps_target)
                cv2.imshow(WINDOW_TITLE, cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
                window = True
                if cv2.waitKey(1) & 0xFF in (ord("q"), 27):
                    break
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        reader.join(timeout=5.0)
        coach.close()
        if window:
            import cv2

            cv2.destroyAllWindows()
    if box.error is not None and not isinstance(box.error, KeyboardInterrupt):
        raise box.error
    if coach.frames == 0:
        raise InputError("no frame was analysed: the source gave no pictures")
    return LiveResult(
        analysis=coach.finish(),
        live_rep_count=coach.stream.rep_count,
        shown_cues=list(coach.stream.gate.shown_codes),
        frames_delivered=box.delivered,
        frames_analysed=coach.frames,
        frames_dropped=box.dropped,
        seconds=time.monotonic() - started,
    )
