"""Open a video safely and learn its duration, size and streams before any frame is decoded.

A media file can ask FFmpeg to open other files or URLs (HLS playlists, concat lists, reference
movies). midline only ever reads the one local file it was given: the path must be a regular file,
its first bytes must be a known container (ISO-BMFF, Matroska/WebM, AVI), the demuxer is forced
to that container and the I/O protocols are restricted to ``file``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import av

from midline.errors import InputError


class NotAVideoError(InputError):
    """The file is not a video midline can read (wrong type, empty, or no video stream)."""


class UnsafeMediaError(InputError):
    """The input is not a plain local video file (a URL, a device, a playlist or concat list)."""


class CorruptVideoError(InputError):
    """The container is recognised but cannot be read (truncated, damaged)."""


class VideoTooLargeError(InputError):
    """The video is longer or bigger than the configured limits."""


@dataclass(frozen=True)
class VideoLimits:
    """What midline agrees to analyse; checked from the container header, before decoding."""

    max_duration_s: float = 30 * 60.0
    max_bytes: int = 2 * 1024**3
    max_pixels: int = 3840 * 2160


@dataclass(frozen=True)
class VideoInfo:
    """What the container says about the first video stream. Sizes are as displayed (rotation applied)."""

    path: Path
    format_name: str
    codec: str
    width: int
    height: int
    rotation: int
    duration_s: float
    fps: float
    frames: int
    size_bytes: int


# Container families midline reads, keyed by the FFmpeg demuxer that is forced for each.
ALLOWED_FORMATS = ("mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "avi")
_DEMUXER = {"mov": "mov,mp4,m4a,3gp,3g2,mj2", "matroska": "matroska,webm", "avi": "avi"}
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")
_OPEN_OPTIONS = {"protocol_whitelist": "file"}


def sniff_container(head: bytes) -> str | None:
    """The container family from a file's first bytes, or None when it is not one midline reads."""
    if len(head) >= 12 and head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"):
        return "mov"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "matroska"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "avi"
    return None


def check_local_file(path: str | os.PathLike[str]) -> tuple[Path, str]:
    """A regular local file with a known container header; returns the path and its container family."""
    text = os.fspath(path)
    if _URL.match(text) and not Path(text).exists():
        raise UnsafeMediaError(f"{text}: only local video files can be analysed, not URLs")
    p = Path(text)
    if not p.exists():
        raise InputError(f"{p}: no such file")
    if not p.is_file():
        raise UnsafeMediaError(f"{p}: not a regular file (a folder, device or pipe); give a video file")
    size = p.stat().st_size
    if size == 0:
        raise NotAVideoError(f"{p}: the file is empty (0 bytes); record or copy the video again")
    try:
        with p.open("rb") as fh:
            head = fh.read(64)
    except OSError as exc:
        raise InputError(f"{p}: cannot be read ({exc.strerror}); check its permissions") from exc
    family = sniff_container(head)
    if family is None:
        stripped = head.lstrip()
        if stripped.startswith((b"#EXTM3U", b"ffconcat", b"#EXT", b"file ")):
            raise UnsafeMediaError(
                f"{p}: a playlist or concat list that points at other files; give the video file itself"
            )
        raise NotAVideoError(
            f"{p}: not a video midline can read; use an .mp4/.mov (H.264 or HEVC), .mkv/.webm or .avi file"
        )
    return p, family


def open_container(path: str | os.PathLike[str]) -> tuple[av.container.InputContainer, Path]:
    """Open a checked local file with its demuxer forced and only the ``file`` protocol allowed."""
    p, family = check_local_file(path)
    try:
        options = dict(_OPEN_OPTIONS)
        if family == "mov":
            options["enable_drefs"] = "0"  # never follow a QuickTime data reference to another file
        container = av.open(str(p), mode="r", format=_DEMUXER[family], options=options)
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise CorruptVideoError(
            f"{p}: the video cannot be opened ({exc}); it may be damaged or incomplete"
        ) from exc
    if container.format.name not in ALLOWED_FORMATS:
        container.close()
        raise UnsafeMediaError(f"{p}: container {container.format.name!r} is not allowed")
    return container, p


def _rotation(container: av.container.InputContainer) -> int:
    """Display rotation (degrees counter-clockwise, multiple of 90) from the first frame's display matrix."""
    stream = container.streams.video[0]
    try:
        for frame in container.decode(stream):
            return round(frame.rotation / 90.0) * 90 % 360
    except av.FFmpegError:
        return 0
    return 0


def probe(path: str | os.PathLike[str], limits: VideoLimits | None = None) -> VideoInfo:
    """Check a video against ``limits`` from its header; raises an :class:`InputError` subclass."""
    limits = limits or VideoLimits()
    container, p = open_container(path)
    try:
        size = p.stat().st_size
        if size > limits.max_bytes:
            raise VideoTooLargeError(
                f"{p}: {size / 1024**3:.1f} GB is over the {limits.max_bytes / 1024**3:.1f} GB limit; "
                "trim the video to the set you want analysed"
            )
        if not container.streams.video:
            raise NotAVideoError(f"{p}: the file has no video stream (audio only?)")
        stream = container.streams.video[0]
        duration_s = 0.0
        if stream.duration is not None and stream.time_base is not None:
            duration_s = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration_s = container.duration / 1_000_000
        if duration_s > limits.max_duration_s:
            raise VideoTooLargeError(
                f"{p}: {duration_s / 60:.0f} min is over the {limits.max_duration_s / 60:.0f} min limit; "
                "trim the video to the set you want analysed"
            )
        width, height = stream.codec_context.width, stream.codec_context.height
        if width <= 0 or height <= 0:
            raise CorruptVideoError(f"{p}: the video stream has no picture size; it may be damaged")
        if width * height > limits.max_pixels:
            raise VideoTooLargeError(f"{p}: {width}x{height} is above 4K; export it at 1080p or lower")
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate
        fps = float(rate) if rate else 30.0
        codec = stream.codec_context.name
        format_name = container.format.name
        frames = int(stream.frames or round(duration_s * fps))
        rotation = _rotation(container)
    finally:
        container.close()
    if rotation in (90, 270):
        width, height = height, width
    return VideoInfo(p, format_name, codec, width, height, rotation, duration_s, fps, frames, size)
