"""The analysis core in streaming form: one frame in, the live state out (reps, phase, gaps, cue).

A live coach needs an answer per frame, while the offline core (:func:`analyse`) fits whole reps
to whole recordings. Rather than a second, different analysis, the stream re-runs the offline
core on a bounded trailing window (``window_s`` seconds) every ``stride_s`` (every
``fast_stride_s`` while a rep may be finishing) and keeps the reps it finds complete there:

- the count only grows: a rep found complete in a window is counted once its return to rest is
  confirmed (by the live phase tracker or by the next window) and stays counted whatever later
  windows find; its timing and numbers are refreshed by every later window that still sees it
  whole, and frozen when the window's start reaches it;
- a rep starting within ``edge_s`` of a window's cut-off start is left to the earlier windows
  that saw it whole (its rest before it is clipped there).

So the reps, their phases and their numbers come from the same fit as offline, each rep seen
whole with its rests, and the work per frame is bounded by the window, never by the length of
the set. Between windows a small causal state machine on the newest frames gives the phase
under way (rest / concentric / hold / eccentric) for the display and the tempo count.

A window analysis (tens of ms) runs inside :meth:`~StreamingAnalysis.push` by default; with
``background=True`` it is handed out as a pure :class:`WindowJob` to run on another thread, its
result folded in later with :meth:`~StreamingAnalysis.apply_window` (what ``LiveCoach`` does).

Cues: the offline cue rules run over the reps counted so far and the window's position, view
and symmetry, and over the last ``quality_s`` seconds for the framing (no person, legs out of
the picture). What is shown passes a :class:`CueGate`: a cue must hold ``cue_on_s`` before it
shows, stays at least ``cue_min_s``, yields to another waiting cue after ``cue_max_s``, and is
not shown again within ``cue_cooldown_s`` of being hidden: one cue at a time, no flicker.

:meth:`StreamingAnalysis.finish` analyses the whole set with :func:`analyse` (once, at the end):
the saved report of a live set is the same as the offline report of the same frames.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from midline.core import geometry as geo
from midline.core.cues import ONE_SIDED_SIGNALS, Findings, build_cues, set_findings
from midline.core.landmarks import BODY_LANDMARKS, LM, N_LANDMARKS, B, LandmarkSeries
from midline.core.metrics import LEG_SETS, symmetry
from midline.core.phases import ENTER, rep_floor
from midline.core.pipeline import Analysis, analyse
from midline.core.report import Cue, Rep
from midline.core.signals import (
    LEG_PER_HEIGHT,
    MIN_VISIBILITY,
    MotionModel,
    fit_motion,
    motion_features,
    primary_signal,
    smooth,
    smoothed_noise_var,
)
from midline.core.spec import AnalysisSpec

FloatArray = NDArray[np.float64]
LivePhase = Literal["rest", "concentric", "hold", "eccentric"]
LEVELS = ("thigh", "knee", "ankle")
SEVERITY_RANK = {"fault": 0, "warning": 1, "info": 2}
_LEG_IDX = [LM.LEFT_KNEE, LM.RIGHT_KNEE, LM.LEFT_ANKLE, LM.RIGHT_ANKLE]
_BODY = list(BODY_LANDMARKS)


@dataclass(frozen=True)
class StreamSettings:
    """How the stream re-analyses (seconds of stream time) and how cues are gated."""

    window_s: float = 15.0
    stride_s: float = 1.0
    fast_stride_s: float = 0.1
    edge_s: float = 1.0
    quality_s: float = 3.0
    min_window_s: float = 1.0
    cue_on_s: float = 1.0
    cue_min_s: float = 3.0
    cue_max_s: float = 8.0
    cue_cooldown_s: float = 2.0


@dataclass(frozen=True)
class TargetTempo:
    """The exercise's target seconds per phase (the catalog's tempo), for counting aloud."""

    squeeze_s: float
    hold_s: float
    release_s: float


@dataclass(frozen=True)
class LiveCue:
    code: str
    severity: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "severity": self.severity, "message": self.message}


@dataclass(frozen=True)
class LiveUpdate:
    """The live state after one frame.

    ``rep_count``: reps completed so far; ``phase``: the phase under way; ``cue``: the one cue to
    show (None = none); ``gaps``: the newest frame's surface gaps between the legs at the thigh,
    knee and ankle, in leg lengths (None = not seen); ``quality``: a framing problem on this frame
    ("no-person", "legs-out-of-frame") or None; ``count``: the tempo count to say now
    ("squeeze", "2", "hold", "release 3", ...) or None.
    """

    t: float
    rep_count: int
    phase: str
    cue: LiveCue | None
    gaps: dict[str, float | None]
    quality: str | None
    count: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (no NaN)."""
        return {
            "t": round(self.t, 4),
            "rep_count": self.rep_count,
            "phase": self.phase,
            "cue": self.cue.to_dict() if self.cue is not None else None,
            "gaps": {k: (round(v, 4) if v is not None else None) for k, v in self.gaps.items()},
            "quality": self.quality,
            "count": self.count,
        }


def tempo_count(phase: str, elapsed_s: float, tempo: TargetTempo | None) -> str | None:
    """What a teacher says ``elapsed_s`` into a phase: "squeeze", "2", ... / "hold" / "release 3", "2", "1".

    The squeeze counts up one per second; the release counts down from its target seconds, so
    the count itself paces a slow, controlled release. None at rest or without a target tempo.
    """
    if tempo is None or phase == "rest" or not math.isfinite(elapsed_s):
        return None
    k = int(max(elapsed_s, 0.0)) + 1  # the second under way, 1-based
    if phase == "concentric":
        return "squeeze" if k == 1 else str(k)
    if phase == "hold":
        return "hold"
    n = max(1, round(tempo.release_s))
    if k == 1:
        return f"release {n}"
    left = n - k + 1
    return str(left) if left >= 1 else None


class CueGate:
    """At most one cue on show, without flicker (timings in :class:`StreamSettings`).

    ``update`` is called with the cues that hold now; a cue shows once it has held ``cue_on_s``,
    stays ``cue_min_s`` at least (even if it stops holding), gives way to another waiting cue
    after ``cue_max_s``, and waits ``cue_cooldown_s`` after being hidden before it can return.
    Faults come before warnings before information; among equals, the one shown least recently.
    """

    def __init__(self, settings: StreamSettings | None = None) -> None:
        self.s = settings or StreamSettings()
        self._since: dict[str, float] = {}
        self._hidden_at: dict[str, float] = {}
        self._shown: LiveCue | None = None
        self._shown_at = 0.0
        self.shown_codes: list[str] = []

    @property
    def shown(self) -> LiveCue | None:
        return self._shown

    def update(self, t: float, cues: list[Cue]) -> LiveCue | None:
        present = {c.code: c for c in cues}
        self._since = {code: self._since.get(code, t) for code in present}
        s = self.s
        eligible = [
            c
            for c in cues
            if t - self._since[c.code] >= s.cue_on_s
            and t - self._hidden_at.get(c.code, -math.inf) >= s.cue_cooldown_s
        ]
        eligible.sort(
            key=lambda c: (SEVERITY_RANK.get(c.severity, 3), self._hidden_at.get(c.code, -math.inf))
        )
        cur = self._shown
        if cur is not None:
            shown_for = t - self._shown_at
            others = [c for c in eligible if c.code != cur.code]
            if cur.code not in present and shown_for >= s.cue_min_s:
                self._hide(t)
            elif shown_for >= s.cue_max_s and others:
                self._hide(t)
                self._show(t, others[0])
            return self._shown
        if eligible:
            self._show(t, eligible[0])
        return self._shown

    def _hide(self, t: float) -> None:
        if self._shown is not None:
            self._hidden_at[self._shown.code] = t
        self._shown = None

    def _show(self, t: float, cue: Cue) -> None:
        self._shown = LiveCue(cue.code, cue.severity, cue.message)
        self._shown_at = t
        self.shown_codes.append(cue.code)


@dataclass
class PhaseTracker:
    """The phase under way from the newest frames (causal): the oriented timing signal,
    normalised to the set's rest (0) and squeeze (1) levels, and its slope over ``fit_s``.

    Levels and speeds are in the set's range (per second); the state moves rest -> first
    movement -> hold -> return -> rest, each step needing both a level and a speed, so noise
    on a still body does not move it.
    """

    phase_order: tuple[str, str, str]
    fit_s: float = 0.4
    speed: float = 0.25  # range per second that counts as moving
    onset_u: float = 0.12  # leaving rest: above this and moving up (or above ENTER)
    hold_u: float = 0.6  # the hold: above this and nearly still
    reverse_drop: float = 0.2  # a movement reversed before any hold: this far below its peak
    hold_drop: float = 0.15  # the hold left: this far below its peak (or moving down)
    rest_u: float = 0.12  # back at rest: below this and still
    again_rise: float = 0.2  # a new squeeze before reaching rest: this far above the lowest point
    state: int = 0  # 0 rest, 1 first movement, 2 hold, 3 return
    since: float = 0.0
    peak_u: float = 0.0
    low_u: float = 1.0
    lo: float | None = None
    amp: float | None = None

    @property
    def phase(self) -> str:
        return "rest" if self.state == 0 else self.phase_order[self.state - 1]

    def levels(self, lo: float, amp: float) -> None:
        self.lo, self.amp = lo, amp

    def update(self, t: float, ts: FloatArray, ys: FloatArray) -> None:
        """``ts``/``ys``: the last few frames' times and oriented timing values (NaN = unseen)."""
        if self.lo is None or self.amp is None:
            return
        ok = np.isfinite(ys) & (ts >= t - self.fit_s - 1e-9)
        if ok.sum() < 3:
            if not np.isfinite(ys[-1:]).any() and self.state != 0:
                self._go(0, t)  # nobody in view: nothing is under way
            return
        tt, yy = ts[ok] - t, (ys[ok] - self.lo) / self.amp
        slope, level = np.polyfit(tt, yy, 1)
        u, v = float(level), float(slope)
        st = self.state
        if st == 0:
            if u > ENTER or (u > self.onset_u and v > self.speed):
                self._go(1, t)
                self.peak_u = u
        elif st == 1:
            self.peak_u = max(self.peak_u, u)
            if v < -self.speed and u < self.peak_u - self.reverse_drop:
                self._go(3, t)
                self.low_u = u
            elif u > self.hold_u and v < 0.6 * self.speed:
                self._go(2, t)
        elif st == 2:
            self.peak_u = max(self.peak_u, u)
            if v < -self.speed or u < self.peak_u - self.hold_drop:
                self._go(3, t)
                self.low_u = u
        else:
            self.low_u = min(self.low_u, u)
            if u < self.rest_u and abs(v) < self.speed:
                self._go(0, t)
            elif v > self.speed and u > self.low_u + self.again_rise:
                self._go(1, t)
                self.peak_u = u

    def _go(self, state: int, t: float) -> None:
        self.state, self.since = state, t


class _Frames:
    """Every pushed frame in arrays that grow by doubling (amortised O(1) per push)."""

    def __init__(self) -> None:
        self.n = 0
        cap = 256
        self.t = np.empty(cap)
        self.image = np.empty((cap, N_LANDMARKS, 4))
        self.world = np.empty((cap, N_LANDMARKS, 3))
        self.prim = np.empty(cap)  # the oriented primary signal per frame (live estimate)
        self.any_world = False

    def append(self, t: float, image: FloatArray | None, world: FloatArray | None) -> None:
        if self.n == len(self.t):
            cap = 2 * len(self.t)
            for name in ("t", "image", "world", "prim"):
                old = getattr(self, name)
                new = np.empty((cap, *old.shape[1:]))
                new[: self.n] = old[: self.n]
                setattr(self, name, new)
        i = self.n
        self.t[i] = t
        self.image[i] = np.nan if image is None else image
        self.world[i] = np.nan if world is None else world
        self.prim[i] = np.nan
        self.any_world |= world is not None
        self.n += 1

    def series(self, start: int, width: int, height: int, fps: float) -> LandmarkSeries:
        sl = slice(start, self.n)
        return LandmarkSeries(
            t=self.t[sl].copy(),
            image=self.image[sl].copy(),
            world=self.world[sl].copy() if self.any_world else None,
            width=width,
            height=height,
            fps=fps,
        )


@dataclass
class StreamStats:
    """What the stream has done (the per-frame cost is bounded by ``max_window_frames``)."""

    pushes: int = 0
    analyses: int = 0
    frames_analysed: int = 0
    max_window_frames: int = 0


@dataclass
class _Counted:
    rep: Rep
    frozen: bool = False


@dataclass
class _Window:
    """What the last window analysis left for the live state."""

    cues: list[Cue] = field(default_factory=list)
    leg_px: float = float("nan")


@dataclass(frozen=True)
class WindowResult:
    """A window's analysis, ready to fold into the live state (:meth:`StreamingAnalysis.apply_window`)."""

    analysis: Analysis
    model: MotionModel | None
    levels: tuple[float, float] | None  # the timing signal's rest level and squeeze range
    cut_at: float  # the window's first frame time (-inf when it holds the whole set)
    frames: int


@dataclass(frozen=True)
class WindowJob:
    """One window's re-analysis: copies of the frames it needs, so :meth:`run` is pure and may
    run on another thread while frames keep arriving (numpy and scipy release the GIL)."""

    spec: AnalysisSpec
    series: LandmarkSeries
    prim: FloatArray  # the window's per-frame primary signal (the fallback timing signal)
    cut_at: float
    asked_position: str | None
    height_cm: float | None

    def run(self) -> WindowResult:
        a = analyse(self.series, self.spec, asked_position=self.asked_position, height_cm=self.height_cm)
        model, levels = _levels(self.spec, a, self.prim)
        return WindowResult(a, model, levels, self.cut_at, self.series.frames)


def _levels(
    spec: AnalysisSpec, a: Analysis, prim: FloatArray
) -> tuple[MotionModel | None, tuple[float, float] | None]:
    """The window's motion model (the offline timing signal's denoiser, kept to apply to each new
    frame) and the rest level and squeeze range of the timing signal, for the phase tracker."""
    c = a.traces.cleaned
    sign = 1.0 if spec.squeeze_direction == "increasing" else -1.0
    y_smooth = sign * a.traces.primary
    if not np.isfinite(y_smooth).any():
        return None, None
    x = motion_features(c.xyz_raw, c.world_raw)
    fps = a.report.video.fps
    own = smoothed_noise_var(prim, fps)
    model = fit_motion(y_smooth, x, uses_world=c.world_raw is not None, signal_noise_var=own)
    if model is not None:
        y = model.apply(x)
        y_smooth = smooth(y, fps)
    else:
        y = prim
    ok = np.isfinite(y_smooth)
    if ok.sum() < 8:
        return model, None
    lo = float(np.percentile(y_smooth[ok], 10))
    hi = float(np.percentile(y_smooth[ok], 98))
    floor = rep_floor(a.traces.t, y, spec.min_rom)
    return model, ((lo, hi - lo) if hi - lo > floor else None)


def _overlap(a: Rep, b: Rep) -> float:
    return min(a.end_s, b.end_s) - max(a.start_s, b.start_s)


def _same_rep(a: Rep, b: Rep) -> bool:
    """Two views of one rep: they share more than half of the shorter one (neighbouring reps'
    fitted ends may overlap a little, and must not hide each other)."""
    return _overlap(a, b) > 0.5 * min(a.end_s - a.start_s, b.end_s - b.start_s)


class StreamingAnalysis:
    """The analysis of one set, fed one frame at a time (see the module's docstring)."""

    def __init__(
        self,
        spec: AnalysisSpec,
        *,
        width: int,
        height: int,
        fps: float,
        asked_position: str | None = None,
        height_cm: float | None = None,
        tempo: TargetTempo | None = None,
        settings: StreamSettings | None = None,
        background: bool = False,
    ) -> None:
        if width <= 0 or height <= 0 or not fps > 0:
            raise ValueError("width, height and fps must be positive")
        self.spec = spec
        self.width, self.height, self.fps = int(width), int(height), float(fps)
        self.asked_position = asked_position
        self.asked = asked_position or spec.default_position
        self.height_cm = height_cm
        self.cm_per_leg = None if height_cm is None else LEG_PER_HEIGHT * height_cm
        self.tempo = tempo
        self.settings = settings or StreamSettings()
        self.stats = StreamStats()
        self.gate = CueGate(self.settings)
        self.tracker = PhaseTracker(spec.phase_order)
        self._frames = _Frames()
        self._counted: list[_Counted] = []
        self._window = _Window()
        self._model: MotionModel | None = None
        self._last_analysis = -math.inf
        self.background = background
        self._job: WindowJob | None = None
        self._in_flight = False
        self._candidates: list[Rep] = []  # complete in the last window, not yet confirmed
        self._pending_since: float | None = None
        self._armed = False
        self._recent: deque[tuple[float, bool, bool]] = deque()  # (t, person, legs out)
        self._recent_person = 0
        self._recent_out = 0
        self._sign = 1.0 if spec.squeeze_direction == "increasing" else -1.0
        self._scale = np.array([self.width, self.height, self.width], dtype=np.float64)

    # -- the live state --------------------------------------------------------------------

    @property
    def reps(self) -> list[Rep]:
        """The reps counted so far (numbered from 1), as the offline report records them."""
        return [replace(c.rep, index=i + 1) for i, c in enumerate(self._counted)]

    @property
    def rep_count(self) -> int:
        return len(self._counted)

    @property
    def cue_codes(self) -> list[str]:
        """The cue codes that hold now (before the gate)."""
        return [c.code for c in self._window.cues]

    def push(self, t: float, image: FloatArray | None, world: FloatArray | None) -> LiveUpdate:
        """One frame: ``image`` (33, 4) normalised x, y, z, visibility (None = no person),
        ``world`` (33, 3) metres or None; ``t`` seconds, increasing."""
        t = float(t)
        fr = self._frames
        if not math.isfinite(t) or (fr.n and t <= fr.t[fr.n - 1]):
            last = fr.t[fr.n - 1] if fr.n else float("nan")
            raise ValueError(f"frame times must increase: got {t} after {last}")
        img = self._checked(image, 4, "image")
        wld = self._checked(world, 3, "world")
        if img is not None and not np.isfinite(img[:, 0]).any():
            img = wld = None
        fr.append(t, img, wld)
        self.stats.pushes += 1
        person, legs_out = self._framing(t, img)
        gaps, prim = self._frame_signals(img)
        fr.prim[fr.n - 1] = prim
        k = max(3, math.ceil(self.tracker.fit_s * self._rate()) + 1)
        self.tracker.update(t, fr.t[max(0, fr.n - k) : fr.n], self._timing(max(0, fr.n - k), fr.n))
        self._note_pending(t)
        if not self._in_flight and self._due(t):
            self._request_window(t)
        cue = self.gate.update(t, self._window.cues)
        phase = self.tracker.phase
        quality = "no-person" if not person else ("legs-out-of-frame" if legs_out else None)
        count = tempo_count(phase, t - self.tracker.since, self.tempo)
        return LiveUpdate(t, len(self._counted), phase, cue, gaps, quality, count)

    def finish(self) -> Analysis:
        """The whole set analysed offline (:func:`analyse` on every frame pushed)."""
        fr = self._frames
        series = fr.series(0, self.width, self.height, self.fps)
        return analyse(series, self.spec, asked_position=self.asked_position, height_cm=self.height_cm)

    # -- per frame (O(1)) ------------------------------------------------------------------

    @staticmethod
    def _checked(arr: FloatArray | None, cols: int, name: str) -> FloatArray | None:
        if arr is None:
            return None
        out = np.asarray(arr, dtype=np.float64)
        if out.shape != (N_LANDMARKS, cols):
            raise ValueError(f"{name} landmarks must be (33, {cols}), got {out.shape}")
        return out

    def _framing(self, t: float, img: FloatArray | None) -> tuple[bool, bool]:
        """This frame's person / legs-out flags, and the running counts over ``quality_s``."""
        person = img is not None
        legs_out = False
        if img is not None:
            xy = img[_LEG_IDX, :2]
            with np.errstate(invalid="ignore"):
                legs_out = not bool(((xy >= 0) & (xy <= 1)).all())
        self._recent.append((t, person, legs_out))
        self._recent_person += person
        self._recent_out += person and legs_out
        while self._recent and self._recent[0][0] < t - self.settings.quality_s:
            _, p, o = self._recent.popleft()
            self._recent_person -= p
            self._recent_out -= p and o
        return person, legs_out

    def _leg_px(self, xyz: FloatArray) -> float:
        """The window's leg length, or (before the first window) this frame's longer leg."""
        if math.isfinite(self._window.leg_px):
            return self._window.leg_px
        best = float("nan")
        for hip, knee, ankle in (
            (B.LEFT_HIP, B.LEFT_KNEE, B.LEFT_ANKLE),
            (B.RIGHT_HIP, B.RIGHT_KNEE, B.RIGHT_ANKLE),
        ):
            d = np.linalg.norm(xyz[hip, :2] - xyz[knee, :2]) + np.linalg.norm(xyz[knee, :2] - xyz[ankle, :2])
            if np.isfinite(d) and not d <= best:
                best = float(d)
        return best

    def _frame_signals(self, img: FloatArray | None) -> tuple[dict[str, float | None], float]:
        """The newest frame's surface gaps (leg lengths) and oriented primary signal."""
        none: dict[str, float | None] = {lv: None for lv in LEVELS}
        if img is None:
            return none, float("nan")
        body = img[_BODY]
        xyz = (body[:, :3] * self._scale)[None]
        leg_px = self._leg_px(xyz[0])
        if not (math.isfinite(leg_px) and leg_px > 0):
            return none, float("nan")
        seen = body[:, 3] >= MIN_VISIBILITY
        side = self.spec.view == "side"
        gaps: dict[str, float | None] = {}
        knee = geo.surface_gap(xyz, "knee", leg_px, side)
        need = {
            "thigh": (B.LEFT_HIP, B.RIGHT_HIP, B.LEFT_KNEE, B.RIGHT_KNEE),
            "knee": (B.LEFT_KNEE, B.RIGHT_KNEE),
        }
        need["ankle"] = (B.LEFT_ANKLE, B.RIGHT_ANKLE)
        for lv in LEVELS:
            g = float(knee[0]) if lv == "knee" else float(geo.surface_gap(xyz, lv, leg_px, side)[0])
            gaps[lv] = g if math.isfinite(g) and bool(seen[list(need[lv])].all()) else None
        with np.errstate(invalid="ignore", divide="ignore"):
            prim = float(primary_signal(self.spec, xyz, knee)[0])
        return gaps, self._sign * prim if math.isfinite(prim) else float("nan")

    def _note_pending(self, t: float) -> None:
        """A rep may be finishing once its return nears rest: analyse often until it is counted
        (or for 3 s at most), so the count follows the rep's end within a frame or few."""
        tr = self.tracker
        if tr.state in (1, 2):
            self._armed = True
            self._pending_since = None
        elif self._armed and tr.state == 3 and tr.low_u < ENTER:
            self._armed = False
            self._pending_since = t
        elif self._pending_since is not None and t - self._pending_since > 3.0:
            self._pending_since = None

    def _due(self, t: float) -> bool:
        fr = self._frames
        if t - fr.t[0] < self.settings.min_window_s:
            return False
        gap = t - self._last_analysis
        if self._pending_since is not None:
            return gap >= self.settings.fast_stride_s - 1e-9
        if self.tracker.amp is None:  # no movement seen yet: look again soon, to follow the first rep
            return gap >= min(self.settings.stride_s, 0.25) - 1e-9
        return gap >= self.settings.stride_s - 1e-9

    def _rate(self) -> float:
        """The frames' own rate when it differs from the stated one (a live stream drops frames)."""
        fr = self._frames
        if fr.n < 8:
            return self.fps
        dt = float(np.median(np.diff(fr.t[max(0, fr.n - 64) : fr.n])))
        measured = 1.0 / dt if dt > 0 else self.fps
        return self.fps if abs(measured / self.fps - 1.0) < 0.15 else measured

    # -- per window (bounded by window_s) ---------------------------------------------------

    @property
    def window_in_flight(self) -> bool:
        """A window analysis was handed out (:meth:`take_window`) and not yet applied."""
        return self._in_flight

    def take_window(self) -> WindowJob | None:
        """The window analysis that came due on the last push, for another thread to run
        (``background=True``); None when none is due. Apply its result with :meth:`apply_window`."""
        job, self._job = self._job, None
        return job

    def apply_window(self, result: WindowResult) -> None:
        """Fold a window's analysis into the live state (count, levels, cues); the next pushes
        see it. Called on the pushing thread; the result may be a few frames old."""
        self._in_flight = False
        a = result.analysis
        st = self.stats
        st.analyses += 1
        st.frames_analysed += result.frames
        st.max_window_frames = max(st.max_window_frames, result.frames)
        leg_px = a.report.quality.leg_length_px
        if leg_px is not None and math.isfinite(leg_px) and leg_px > 0:
            self._window.leg_px = float(leg_px)
        self._model = result.model
        if result.levels is not None:
            self.tracker.levels(*result.levels)
        if self._count(a.report.reps, result.cut_at):
            self._pending_since = None
        self._window.cues = self._cues(a)

    def _request_window(self, t: float) -> None:
        s = self.settings
        fr = self._frames
        start = int(np.searchsorted(fr.t[: fr.n], t - s.window_s, side="left"))
        series = fr.series(start, self.width, self.height, self._rate())
        cut_at = float(fr.t[start]) if start > 0 else -math.inf  # a cut window may clip its first reps
        job = WindowJob(
            self.spec, series, fr.prim[start : fr.n].copy(), cut_at, self.asked_position, self.height_cm
        )
        self._last_analysis = t
        self._in_flight = True
        if self.background:
            self._job = job
        else:
            self.apply_window(job.run())

    def _timing(self, i0: int, i1: int) -> FloatArray:
        """The oriented timing signal of frames i0..i1 from their raw landmarks: the window's
        motion model where there is one (many coordinates averaged), else the primary signal."""
        fr = self._frames
        model = self._model
        if model is None:
            return fr.prim[i0:i1]
        xyz = fr.image[i0:i1][:, _BODY, :3] * self._scale
        world = fr.world[i0:i1][:, _BODY] if model.uses_world else None
        return model.apply(motion_features(xyz, world))

    def _count(self, found: list[Rep], cut_at: float) -> int:
        """Merge the window's complete reps into the count; returns how many were added.

        The count only grows: a counted rep stays counted even if a later window no longer finds
        it. To keep false counts rare, a rep found complete is counted once its return to rest is
        confirmed: by the live phase tracker, back at rest since the rep began, or else by the
        next window finding it complete too (a window ending mid-movement, before the tracker
        knows the set's levels, can fit a rep to noise that the next, longer view does not
        repeat). A counted rep is refreshed by each later window that sees it whole
        (with the rest before it), and kept for good once the window's start reaches it.
        """
        edge = cut_at + self.settings.edge_s
        counted = self._counted
        for c in counted:
            if c.rep.start_s < edge:
                c.frozen = True
        whole = [r for r in found if r.start_s >= edge]  # else its rest was clipped: seen earlier
        new: list[Rep] = []
        for r in whole:
            match = max(counted, key=lambda c: _overlap(r, c.rep), default=None)
            if match is not None and _same_rep(r, match.rep):
                if not match.frozen:
                    match.rep = r
            elif self._rested_since(r.start_s) or any(_same_rep(r, p) for p in self._candidates):
                counted.append(_Counted(r))
                new.append(r)
        self._candidates = [r for r in whole if not any(_same_rep(r, c.rep) for c in counted)]
        counted.sort(key=lambda c: c.rep.start_s)
        return len(new)

    def _rested_since(self, t: float) -> bool:
        tr = self.tracker
        return tr.amp is not None and tr.state == 0 and tr.since > t

    def _cues(self, a: Analysis) -> list[Cue]:
        """The cue rules over the reps counted so far and the window's set-level findings."""
        spec = self.spec
        n_recent = len(self._recent)
        person = self._recent_person / n_recent if n_recent else 0.0
        legs_out = self._recent_out / self._recent_person if self._recent_person else 0.0
        if person < spec.no_person_fraction:
            return build_cues(
                spec, self.asked, Findings(detected_fraction=person, cm_per_leg=self.cm_per_leg)
            )
        reps = self.reps
        summary = a.report.summary
        if spec.primary_signal in ONE_SIDED_SIGNALS:
            sym = None
        else:
            ranges = {
                side: [v for r in reps if (v := r.leg_range.get(side)) is not None] for side in LEG_SETS
            }
            sym = symmetry(ranges)
        findings = set_findings(
            spec,
            reps,
            summary.leg_position,
            summary.foot_angle_deg,
            sym,
            person,
            legs_out,
            a.report.quality.view,
            self.cm_per_leg,
        )
        cues = build_cues(spec, self.asked, findings)
        cues.sort(key=lambda c: SEVERITY_RANK.get(c.severity, 3))
        return cues
