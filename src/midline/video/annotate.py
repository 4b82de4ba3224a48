"""Draw the analysis onto video frames: skeleton, leg gaps, rep counter, phase and the live cue.

Everything drawn comes from one :class:`FrameOverlay` (plain values for one instant), so the
drawing has no knowledge of how the analysis was made. Colours follow the method: the legs
"hug the midline" when the gap is green; amber is close; red is apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
from numpy.typing import NDArray

RGB = tuple[int, int, int]
GREEN: RGB = (46, 204, 64)
AMBER: RGB = (255, 176, 0)
RED: RGB = (230, 40, 40)
WHITE: RGB = (255, 255, 255)
PANEL: RGB = (20, 20, 20)

# BlazePose bones drawn (face and hands left out: they are not what the analysis looks at).
BONES = (
    (11, 12), (11, 13), (13, 15), (12, 14), (14, 16), (11, 23), (12, 24), (23, 24),
    (23, 25), (25, 27), (27, 29), (29, 31), (27, 31), (24, 26), (26, 28), (28, 30), (30, 32), (28, 32),
)  # fmt: skip
LEVELS = ("thigh", "knee", "ankle")
PHASE_LABEL = {0: "rest", 1: "squeeze", 2: "hold", 3: "release"}


@dataclass(frozen=True)
class GapColours:
    """Surface gap (leg lengths) up to ``together`` is green, up to ``apart`` amber, beyond red."""

    together: float = 0.02
    apart: float = 0.06

    def colour(self, gap: float) -> RGB:
        if not np.isfinite(gap):
            return (128, 128, 128)
        if gap <= self.together:
            return GREEN
        return AMBER if gap <= self.apart else RED


@dataclass(frozen=True)
class FrameOverlay:
    """What to draw on one frame. ``landmarks`` (33, 4) normalised (NaN = unknown) or None."""

    landmarks: NDArray[np.float64] | None
    gaps: dict[str, float]
    rep: int  # the rep in progress (1-based) or 0
    reps_done: int
    reps_total: int
    phase: int
    cue: str  # the message to show, "" for none


def _pixels(
    lm: NDArray[np.float64], w: int, h: int
) -> tuple[list[tuple[int, int] | None], NDArray[np.float64]]:
    """Every landmark's pixel (None where unknown), and the normalised x, y for in-between points."""
    xy = lm[:, :2]
    seen = np.isfinite(xy).all(axis=1)
    px = np.rint(np.where(seen[:, None], xy, 0.0) * (w, h)).astype(int).tolist()
    return [(p[0], p[1]) if ok else None for p, ok in zip(px, seen.tolist(), strict=True)], xy


def _level_points(
    pts: list[tuple[int, int] | None], xy: NDArray[np.float64], level: str, w: int, h: int
) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """The two legs' points at a level (thigh = 25 % of the way from hip to knee)."""
    if level == "thigh":
        ends = []
        for hip, knee in ((23, 25), (24, 26)):
            p = xy[hip] + 0.25 * (xy[knee] - xy[hip])
            if not np.isfinite(p).all():
                return None
            ends.append((int(np.rint(p[0] * w)), int(np.rint(p[1] * h))))
        return ends[0], ends[1]
    a, b = (pts[i] for i in {"knee": (25, 26), "ankle": (27, 28)}[level])
    return None if a is None or b is None else (a, b)


@lru_cache(maxsize=512)
def _text_patch(
    text: str, scale: float, colour: RGB
) -> tuple[int, int, NDArray[np.uint8], NDArray[np.float32]]:
    """Outlined text drawn once into a small patch: (dx, dy) from the text's origin, colour, alpha.

    Antialiased text is most of the cost of drawing a frame, and the same few labels and numbers
    recur on every frame, so each is drawn once and blended in after that.
    """
    thick = max(1, int(np.rint(scale * 2)))
    (tw, th), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thick + 2)
    pad = thick + 2
    pw, ph = tw + 2 * pad, th + base + 2 * pad
    org = (pad, pad + th)
    rgb = np.zeros((ph, pw, 3), np.uint8)
    alpha = np.zeros((ph, pw), np.uint8)
    cv2.putText(rgb, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), thick + 2, cv2.LINE_AA)
    cv2.putText(rgb, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, colour, thick, cv2.LINE_AA)
    cv2.putText(alpha, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, (255,), thick + 2, cv2.LINE_AA)
    cv2.putText(alpha, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, (255,), thick, cv2.LINE_AA)
    return -org[0], -org[1], rgb, (alpha.astype(np.float32) / 255.0)[:, :, None]


@lru_cache(maxsize=512)
def _text_on(
    text: str, scale: float, colour: RGB, background: RGB
) -> tuple[int, int, NDArray[np.uint8], NDArray[np.bool_]]:
    """:func:`_text_patch` blended onto a plain background once: then it is only copied."""
    dx, dy, rgb, alpha = _text_patch(text, scale, colour)
    ground = np.array(background, np.float32)
    blended = (ground + alpha * (rgb.astype(np.float32) - ground) + 0.5).astype(np.uint8)
    return dx, dy, blended, np.repeat(alpha > 0, 3, axis=2)


def _text(
    img: NDArray[np.uint8],
    text: str,
    org: tuple[int, int],
    scale: float,
    colour: RGB = WHITE,
    background: RGB | None = None,
) -> None:
    """White (or coloured) text with a black outline, readable on any background.

    On a known plain ``background`` (the panels) the text is copied in, blended beforehand.
    """
    key = round(scale, 4)
    if background is None:
        dx, dy, rgb, alpha = _text_patch(text, key, colour)
        mask = None
    else:
        dx, dy, rgb, mask = _text_on(text, key, colour, background)
    h, w = img.shape[:2]
    x0, y0 = org[0] + dx, org[1] + dy
    x1, y1 = x0 + rgb.shape[1], y0 + rgb.shape[0]
    cx0, cy0, cx1, cy1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
    if cx0 >= cx1 or cy0 >= cy1:
        return
    inner = (slice(cy0 - y0, cy1 - y0), slice(cx0 - x0, cx1 - x0))
    dst = img[cy0:cy1, cx0:cx1]
    if mask is not None:
        np.copyto(dst, rgb[inner], where=mask[inner])
        return
    a = alpha[inner]
    dst[:] = (dst + a * (rgb[inner].astype(np.float32) - dst) + 0.5).astype(np.uint8)


@lru_cache(maxsize=64)
def _wrap(text: str, width_px: int, scale: float) -> list[str]:
    """Split a cue into lines that fit the frame's width (the whole message, never cut off)."""
    thick = max(1, int(np.rint(scale * 2)))
    lines: list[str] = []
    for word in text.split():
        trial = f"{lines[-1]} {word}" if lines else word
        fits = cv2.getTextSize(trial, cv2.FONT_HERSHEY_SIMPLEX, scale, thick + 2)[0][0] <= width_px
        if lines and fits:
            lines[-1] = trial
        else:
            lines.append(word)
    return lines


def draw_overlay(
    rgb: NDArray[np.uint8], ov: FrameOverlay, colours: GapColours | None = None
) -> NDArray[np.uint8]:
    """Draw onto a copy of ``rgb`` and return it."""
    colours = colours or GapColours()
    img = rgb.copy()
    h, w = img.shape[:2]
    unit = max(h, w) / 720.0
    line = max(1, int(np.rint(2 * unit)))
    if ov.landmarks is not None:
        pts, xy = _pixels(ov.landmarks, w, h)
        for a, b in BONES:
            pa, pb = pts[a], pts[b]
            if pa is not None and pb is not None:
                cv2.line(img, pa, pb, WHITE, line, cv2.LINE_AA)
        for p in pts[11:33]:
            if p is not None:
                cv2.circle(img, p, line + 1, (0, 160, 255), -1, cv2.LINE_AA)
        for level in LEVELS:
            ends = _level_points(pts, xy, level, w, h)
            if ends is not None:
                cv2.line(
                    img, ends[0], ends[1], colours.colour(ov.gaps.get(level, np.nan)), line * 3, cv2.LINE_AA
                )
    # the gap panel (top left): one bar per level, length = gap
    scale = 0.5 * unit
    pad = int(10 * unit)
    bar_w = int(140 * unit)
    row = int(24 * unit)
    x0, y0 = pad, pad
    cv2.rectangle(img, (x0 - 4, y0 - 4), (x0 + int(110 * unit) + bar_w, y0 + 4 * row), PANEL, -1)
    for k, level in enumerate(LEVELS):
        gap = ov.gaps.get(level, np.nan)
        y = y0 + k * row + int(16 * unit)
        _text(img, level, (x0, y), scale, background=PANEL)
        bx = x0 + int(60 * unit)
        cv2.rectangle(img, (bx, y - int(12 * unit)), (bx + bar_w, y), (70, 70, 70), -1)
        if np.isfinite(gap):
            length = int(bar_w * min(1.0, max(gap, 0.0) / 0.25))
            cv2.rectangle(img, (bx, y - int(12 * unit)), (bx + max(2, length), y), colours.colour(gap), -1)
            _text(img, f"{gap:.2f}", (bx + bar_w + int(4 * unit), y), scale * 0.9, background=PANEL)
    # rep counter and phase
    _text(img, f"rep {ov.reps_done}/{ov.reps_total}" if ov.rep == 0 else f"rep {ov.rep}/{ov.reps_total}",
          (x0, y0 + 3 * row + int(16 * unit)), scale * 1.1, background=PANEL)  # fmt: skip
    _text(img, PHASE_LABEL.get(ov.phase, ""), (x0 + int(120 * unit), y0 + 3 * row + int(16 * unit)),
          scale * 1.1, (255, 220, 120), PANEL)  # fmt: skip
    if ov.cue:
        lines = _wrap(ov.cue.replace("°", " deg"), w - 2 * pad, scale)  # the Hershey fonts are ASCII
        line_h = int(22 * unit)
        band = line_h * len(lines) + int(14 * unit)
        cv2.rectangle(img, (0, h - band), (w, h), PANEL, -1)
        for k, text in enumerate(lines):
            org = (pad, h - band + int(7 * unit) + line_h * (k + 1) - int(6 * unit))
            _text(img, text, org, scale, AMBER, PANEL)
    return img
