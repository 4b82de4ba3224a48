"""Tiny real videos for the video and analysis tests, written with PyAV (a real encoder and muxer)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np


def pattern(width: int, height: int, i: int = 0) -> np.ndarray:
    """A frame whose left half is white and right half black, with a moving grey bar (for motion)."""
    rgb = np.zeros((height, width, 3), np.uint8)
    rgb[:, : width // 2] = 255
    x = (i * 3) % max(1, width)
    rgb[: height // 4, x : x + 4] = 128
    return rgb


def write_frames(path: Path, frames: list[np.ndarray], times: list[float], rotation: int = 0) -> Path:
    """Given RGB frames as stored (H.264, millisecond timestamps), with an optional display rotation."""
    tb = Fraction(1, 1000)
    height, width = frames[0].shape[:2]
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("libx264", rate=30)
        stream.width, stream.height = width, height
        stream.pix_fmt = "yuv420p"
        stream.time_base = tb
        stream.codec_context.time_base = tb
        if rotation:
            stream.set_display_rotation(rotation)
        for rgb, t in zip(frames, times, strict=True):
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
            frame.pts = round(t * 1000)
            frame.time_base = tb
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def write_video(
    path: Path,
    times: list[float] | np.ndarray,
    width: int = 64,
    height: int = 48,
    codec: str = "libx264",
    rotation: int = 0,
    fmt: str | None = None,
) -> Path:
    """Frames shown at ``times`` (seconds; any spacing, so variable frame rate is possible)."""
    tb = Fraction(1, 1000)
    with av.open(str(path), mode="w", format=fmt) as container:
        stream = container.add_stream(codec, rate=30)
        stream.width, stream.height = width, height
        stream.pix_fmt = "yuv420p"
        stream.time_base = tb
        stream.codec_context.time_base = tb
        if codec == "libx265":
            stream.options = {"x265-params": "log-level=none"}
        if rotation:
            stream.set_display_rotation(rotation)
        for i, t in enumerate(times):
            frame = av.VideoFrame.from_ndarray(pattern(width, height, i), format="rgb24")
            frame.pts = round(t * 1000)
            frame.time_base = tb
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def has_encoder(name: str) -> bool:
    return name in av.codecs_available
