"""Live coaching (``/live``): the browser streams camera frames over a WebSocket, the server answers
each with the landmarks, the rep count, the phase and at most one cue; "Finish" stores the set.

The protocol of ``/live/ws`` (the page's script, ``static/live.js``, is its reference client):

1. The socket is opened by a signed-in page: it carries the session cookie, and its ``Origin`` must
   be this site (a WebSocket is not bound by the same-origin policy, so another site's page could
   otherwise open one with the user's cookie). Anything else is refused before the handshake.
2. The client sends a JSON start message ``{"exercise": ID, "position": ID | null, "side":
   "both" | "left" | "right", "fps": 30, "mirrored": false}``; the server loads one pose model for
   this connection and answers ``{"type": "ready"}`` (or ``{"type": "error", "message": ...}``).
3. Each binary message is one frame: :data:`FRAME_HEADER` (the frame's time in seconds, a
   little-endian float64) then a JPEG or PNG image. Each processed frame is answered with
   ``{"type": "update", ...}`` (:func:`update_message`). The page sends its next frame only when the
   answer to the last one arrived; frames that arrive while the server is busy anyway replace the
   one waiting (the answer counts them in ``dropped``): latency stays low and no queue grows.
4. ``{"type": "finish"}`` analyses the whole set with the same core as an uploaded video, stores it
   in the user's log (the analysis with its metrics and report, and the set with the reps counted)
   and answers ``{"type": "saved", "analysis": UID, "url": "/analyses/UID", ...}``.

Pose estimation and the analysis run on one thread per connection (MediaPipe's graph keeps its
tracking state between frames, so every frame of a connection goes to the same model and thread).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import math
import struct
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, cast
from urllib.parse import urlsplit

import numpy as np
from fastapi import APIRouter, Depends, Request, WebSocket
from fastapi.responses import HTMLResponse, Response
from numpy.typing import NDArray
from starlette.websockets import WebSocketDisconnect

from midline.errors import MidlineError
from midline.log.entry import SetInput
from midline.log.records import UserRecord
from midline.web.deps import WebState, page_user, signed_in
from midline.web.jobs import new_id
from midline.web.pages import render

if TYPE_CHECKING:
    from midline.core.pipeline import Analysis
    from midline.core.streaming import LiveUpdate
    from midline.live.coach import LiveCoach
    from midline.pose.backend import PoseBackend, PoseResult

router = APIRouter(include_in_schema=False)

FRAME_HEADER = struct.Struct("<d")
"""A frame message starts with its time in seconds (little-endian float64), then the image."""
MAX_FRAME_BYTES = 4 * 1024 * 1024
"""A downscaled camera frame is tens of kB; anything this large is not one."""
MAX_SIDE = 1280
"""Frames wider or taller than this are refused: the page sends 480 px; pose needs no more."""
MAX_LIVE = 4
"""Live connections at once (each holds a pose model and a share of the CPU)."""
IDLE_S = 120.0
"""A connection that sends nothing this long is closed (a tab left open keeps no model loaded)."""
SIDES = ("both", "left", "right")


class LiveFrameError(MidlineError):
    """A frame message that cannot be analysed (not an image, no header, wrong size, out of order)."""


class LiveStartError(MidlineError):
    """A start message that names no analysable exercise, or a side the exercise does not have."""


# --- frames ------------------------------------------------------------------------------------------


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a JPEG or PNG read from its header (Pillow, without decoding the pixels);
    None when it is neither."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data), formats=("JPEG", "PNG")) as image:
            width, height = image.size
    except Image.DecompressionBombError as exc:
        raise LiveFrameError(f"the frame declares a huge image; send at most {MAX_SIDE} px") from exc
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    return int(width), int(height)


def decode_frame(data: bytes) -> tuple[float, NDArray[np.uint8]]:
    """(time in s, RGB image) from a frame message; :class:`LiveFrameError` says what is wrong."""
    import cv2

    if len(data) <= FRAME_HEADER.size:
        raise LiveFrameError("a frame is an 8-byte time (float64, little-endian) followed by a JPEG")
    if len(data) > MAX_FRAME_BYTES:
        raise LiveFrameError(f"a frame of {len(data)} bytes is too large; send a downscaled JPEG")
    (t,) = FRAME_HEADER.unpack_from(data)
    if not math.isfinite(t) or t < 0:
        raise LiveFrameError(f"the frame time must be a finite number of seconds >= 0 (got {t})")
    size = image_size(data[FRAME_HEADER.size :])
    if size is None:
        raise LiveFrameError("the frame is not a JPEG or PNG image")
    if max(size) > MAX_SIDE:  # checked before decoding: a small file can declare a huge image
        raise LiveFrameError(f"a {size[0]}x{size[1]} frame is larger than {MAX_SIDE} px: downscale it first")
    image = np.frombuffer(data, np.uint8, offset=FRAME_HEADER.size)
    bgr = cv2.imdecode(image, cv2.IMREAD_COLOR)
    if bgr is None or max(bgr.shape[:2]) > MAX_SIDE:
        raise LiveFrameError("the frame is not a JPEG or PNG image")
    rgb = np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), dtype=np.uint8)
    return float(t), rgb


def _finite(value: Any) -> Any:
    """NaN and infinities -> None, recursively (JSON has neither and browsers refuse them)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def landmarks_message(landmarks: NDArray[np.float64] | None) -> list[list[float | None]] | None:
    """33 rows of [x, y, visibility] (x, y normalised to the frame sent), None where unknown."""
    if landmarks is None:
        return None
    rows = np.round(np.asarray(landmarks, dtype=np.float64)[:, [0, 1, 3]], 4).tolist()
    return cast(list[list[float | None]], _finite(rows))


def update_message(
    update: LiveUpdate, landmarks: NDArray[np.float64] | None, timing: dict[str, float], dropped: int
) -> dict[str, Any]:
    """The answer to one frame: the streaming update, the landmarks to draw, where the time went."""
    body: dict[str, Any] = {"type": "update", **update.to_dict()}
    body["landmarks"] = landmarks_message(landmarks)
    body["timing_ms"] = {k: round(v * 1000, 1) for k, v in timing.items()}
    body["dropped"] = dropped
    return cast(dict[str, Any], _finite(body))


# --- one connection ----------------------------------------------------------------------------------


class _TimedBackend:
    """The pose backend, timed: the answer says how long pose took apart from the analysis."""

    def __init__(self, inner: PoseBackend) -> None:
        self.inner = inner
        self.seconds = 0.0

    def process(self, rgb: NDArray[np.uint8], t: float) -> PoseResult | None:
        start = time.perf_counter()
        try:
            return self.inner.process(rgb, t)
        finally:
            self.seconds = time.perf_counter() - start

    def close(self) -> None:
        self.inner.close()


@dataclass
class Start:
    """What the start message asked for, checked against the catalog."""

    exercise: str
    position: str | None = None
    side: str = "both"
    fps: float = 30.0
    mirrored: bool = False

    @classmethod
    def parse(cls, web: WebState, message: Any) -> Start:
        if not isinstance(message, dict):
            raise LiveStartError('the first message must be JSON: {"exercise": ID, ...}')
        exercise = message.get("exercise")
        analysable = [e.id for e in web.catalog.exercises.values() if e.analysis is not None]
        if exercise not in analysable:
            raise LiveStartError(
                f"unknown or not analysable exercise {exercise!r}; choose one of: {', '.join(analysable)}"
            )
        ex = web.catalog.exercises[exercise]
        position = message.get("position") or None
        if position is not None and position not in ex.positions:
            raise LiveStartError(f"{exercise} is done in {', '.join(ex.positions)} (got {position!r})")
        side = message.get("side") or "both"
        if side not in SIDES:
            raise LiveStartError(f"side: one of {', '.join(SIDES)} (got {side!r})")
        if ex.laterality == "unilateral" and side == "both":
            raise LiveStartError(f"{exercise} works one leg at a time: choose the left or the right side")
        if ex.laterality == "bilateral":
            side = "both"
        fps = message.get("fps")
        fps = float(fps) if isinstance(fps, int | float) and 1 <= fps <= 240 else 30.0
        return cls(exercise, position, side, fps, bool(message.get("mirrored", False)))


@dataclass
class LiveSession:
    """One connection's coach: the pose model is made once, the coach on the first frame (it needs
    the frame size). Every method runs on the connection's own thread."""

    web: WebState
    owner: int
    start: Start
    backend: _TimedBackend | None = None
    coach: LiveCoach | None = None
    size: tuple[int, int] | None = None
    last_t: float = -math.inf
    frames: int = 0

    def open(self) -> None:
        from midline.pose.backend import MediaPipePose

        self.backend = _TimedBackend(MediaPipePose(tracking=True))

    def frame(self, data: bytes, dropped: int) -> dict[str, Any]:
        from midline.catalog.spec import analysis_spec
        from midline.live.coach import LiveCoach, target_tempo

        assert self.backend is not None, "open() first"
        t0 = time.perf_counter()
        t, rgb = decode_frame(data)
        decoded = time.perf_counter()
        if t <= self.last_t:
            raise LiveFrameError(f"frame times must increase (got {t} s after {self.last_t} s)")
        h, w = rgb.shape[:2]
        if self.coach is None:
            self.size = (w, h)
            self.coach = LiveCoach(
                analysis_spec(self.web.catalog, self.start.exercise),
                self.backend,
                width=w,
                height=h,
                fps=self.start.fps,
                asked_position=self.start.position,
                tempo=target_tempo(self.web.catalog, self.start.exercise),
            )
        elif self.size is not None and abs(w / h - self.size[0] / self.size[1]) > 0.01:
            # another size with the same shape is fine (landmarks are normalised); another shape is not
            raise LiveFrameError(
                f"the camera's frame size changed from {self.size[0]}x{self.size[1]} to {w}x{h};"
                " press Finish and start a new set"
            )
        update, landmarks = self.coach.frame(rgb, t, mirrored=self.start.mirrored)
        self.last_t = t
        self.frames += 1
        done = time.perf_counter()
        pose = self.backend.seconds
        timing = {"decode": decoded - t0, "pose": pose, "core": max(done - decoded - pose, 0.0)}
        return update_message(update, landmarks, timing, dropped)

    def finish(self) -> dict[str, Any]:
        """Analyse the whole set and store it; the "saved" message."""
        if self.coach is None or self.frames == 0:
            raise LiveFrameError("no frame was analysed yet: nothing to save")
        analysis = self.coach.finish()
        return save_live_set(self.web, self.owner, self.start, analysis)

    def close(self) -> None:
        if self.coach is not None:
            self.coach.close()  # its window worker, then the pose model
            self.coach = self.backend = None
        if self.backend is not None:
            self.backend.close()
            self.backend = None


def _tempo(summary: dict[str, Any]) -> str | None:
    """The set's measured squeeze-hold-release seconds, as the log writes a tempo, when all known."""
    parts = [summary.get(k) for k in ("mean_concentric_s", "mean_hold_s", "mean_eccentric_s")]
    if any(not isinstance(p, int | float) for p in parts):
        return None
    return "-".join(f"{round(float(cast(float, p)), 1):g}" for p in parts)


def save_live_set(web: WebState, owner: int, start: Start, analysis: Analysis) -> dict[str, Any]:
    """Keep a live set like an uploaded video's analysis: a report folder (landmarks.json,
    report.html, report.json last), the analysis with its metrics, and, when reps were counted, the
    set in today's session of the log (the analysis linked to it)."""
    from midline.analysis.run import LANDMARKS_JSON, REPORT_HTML, REPORT_JSON
    from midline.analysis.timed_landmarks import write_timed_landmarks
    from midline.atomic import write_text
    from midline.log.service import log_sets, store_analysis
    from midline.pose.landmarks_file import series_to_dict
    from midline.report.html import render_html

    folder = web.jobs.report_dir(owner, f"live-{new_id()}")
    folder.mkdir(parents=True, exist_ok=True)
    report = analysis.report.to_dict()
    series = analysis.traces.source
    write_timed_landmarks(series, folder / LANDMARKS_JSON)
    write_text(folder / REPORT_HTML, render_html(analysis, None))
    write_text(folder / REPORT_JSON, json.dumps(report, indent=2))
    files = {
        "landmarks": folder / LANDMARKS_JSON,
        "html": folder / REPORT_HTML,
        "report": folder / REPORT_JSON,
    }
    reps = int(report["summary"]["rep_count"])
    session_uid = None
    logged = 0
    if reps > 0:
        given = SetInput(
            exercise=start.exercise,
            sets=1,
            reps=reps,
            side=start.side,
            position=start.position,
            tempo=_tempo(report["summary"]),
            notes="live",
        )
        session, added = log_sets(web.repo, owner, web.catalog, given, web.settings.today())
        session_uid, logged = session.uid, len(added)
    landmarks = series_to_dict(series)
    landmarks["t"] = np.round(series.t, 4).tolist()
    stored = store_analysis(
        web.repo,
        owner,
        report,
        {k: str(folder / name) for k, name in files.items()},
        landmarks,
        session_uid=session_uid,
    )
    return {
        "type": "saved",
        "analysis": stored.uid,
        "url": f"/analyses/{stored.uid}",
        "reps": reps,
        "sets_logged": logged,
        "cues": [c["message"] for c in report["cues"]],
    }


# --- the page and the socket -------------------------------------------------------------------------


@router.get("/live", response_class=HTMLResponse)
def live_page(request: Request, user: Annotated[UserRecord, Depends(page_user)]) -> Response:
    web: WebState = request.app.state.web
    exercises = [e for e in web.catalog.exercises.values() if e.analysis is not None]
    return render(request, "live.html", user=user, exercises=exercises, positions=web.catalog.positions)


def same_origin(ws: WebSocket) -> bool:
    """The page that opened the socket was served by this host (scheme http or https)."""
    origin = ws.headers.get("origin")
    host = ws.headers.get("host")
    if not origin or not host:
        return False
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and parts.netloc.lower() == host.lower()


def socket_user(ws: WebSocket) -> UserRecord | None:
    """The signed-in user of the socket's session cookie (the same rules as every page)."""
    # signed_in reads only .session and .app, which a WebSocket has like a Request
    return signed_in(cast(Request, ws))


class _Inbox:
    """The newest frame waiting to be analysed (older ones are dropped), and what else arrived."""

    def __init__(self) -> None:
        self.frame: bytes | None = None
        self.dropped = 0
        self.finish = False
        self.closed = False
        self.idle = False
        self.wake = asyncio.Event()


async def _read(ws: WebSocket, inbox: _Inbox) -> None:
    try:
        while not inbox.finish:
            message = await asyncio.wait_for(ws.receive(), IDLE_S)
            if message["type"] == "websocket.disconnect":
                break
            if message.get("bytes") is not None:
                if inbox.frame is not None:
                    inbox.dropped += 1
                inbox.frame = message["bytes"]
            elif message.get("text") is not None:
                with contextlib.suppress(ValueError):
                    inbox.finish = json.loads(message["text"]).get("type") == "finish"
            inbox.wake.set()
    except TimeoutError:
        inbox.idle = True
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        inbox.closed = not inbox.finish
        inbox.wake.set()


async def _error(ws: WebSocket, message: str, code: int = 1000) -> None:
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        await ws.send_json({"type": "error", "message": message})
        await ws.close(code)


@router.websocket("/live/ws")
async def live_socket(ws: WebSocket) -> None:
    user = socket_user(ws)
    if user is None or not same_origin(ws):
        await ws.close(code=1008)  # before accept: the handshake is answered 403
        return
    web: WebState = ws.app.state.web
    await ws.accept()
    running: int = getattr(ws.app.state, "live_running", 0)
    if running >= MAX_LIVE:
        await _error(ws, f"{running} live sessions are running on this server already; try again later", 1013)
        return
    ws.app.state.live_running = running + 1
    thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="midline-live")
    loop = asyncio.get_running_loop()
    session: LiveSession | None = None
    try:
        try:
            start = Start.parse(web, json.loads(await asyncio.wait_for(ws.receive_text(), IDLE_S)))
        except (LiveStartError, ValueError) as exc:
            await _error(ws, str(exc), 1003)
            return
        session = LiveSession(web, user.id, start)
        await loop.run_in_executor(thread, session.open)
        await ws.send_json({"type": "ready", "exercise": start.exercise, "side": start.side})
        await _serve(ws, session, thread)
    except (WebSocketDisconnect, TimeoutError):
        pass
    finally:
        ws.app.state.live_running -= 1
        if session is not None:  # on its own thread, and without awaiting: this task may be cancelled
            thread.submit(session.close)
        thread.shutdown(wait=False)


async def _serve(ws: WebSocket, session: LiveSession, thread: ThreadPoolExecutor) -> None:
    """Answer the newest frame until the client finishes (store the set) or goes away."""
    loop = asyncio.get_running_loop()
    inbox = _Inbox()
    reader = asyncio.create_task(_read(ws, inbox))
    try:
        while True:
            await inbox.wake.wait()
            inbox.wake.clear()
            if inbox.frame is not None:
                data, dropped = inbox.frame, inbox.dropped
                inbox.frame, inbox.dropped = None, 0
                try:
                    answer = await loop.run_in_executor(thread, session.frame, data, dropped)
                except MidlineError as exc:  # one bad frame is answered, the set goes on
                    answer = {"type": "error", "message": str(exc), "dropped": dropped}
                except Exception as exc:  # a bug or a decoder crash fails this frame, not the server
                    message = f"the frame could not be analysed: {exc}"
                    answer = {"type": "error", "message": message, "dropped": dropped}
                await ws.send_json(answer)
                if inbox.frame is not None:
                    inbox.wake.set()
                    continue
            if inbox.finish:
                try:
                    saved = await loop.run_in_executor(thread, session.finish)
                except MidlineError as exc:
                    await _error(ws, str(exc))
                    return
                except Exception as exc:
                    await _error(ws, f"the set could not be saved: {exc}")
                    raise
                await ws.send_json(saved)
                await ws.close()
                return
            if inbox.closed:
                if inbox.idle:
                    await _error(ws, f"no frame for {IDLE_S:g} s: the live session ended (nothing saved)")
                return
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader
