"""Decode a video into display-oriented RGB frames with their presentation times.

Times come from each frame's pts x time_base (phones record at a variable frame rate, so frame
counts would drift); rotation metadata (the display matrix a phone writes for portrait video) is
applied to the pixels so that landmarks are in the orientation a person sees.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from dataclasses import dataclass

import av
import cv2
import numpy as np
from av.video.reformatter import VideoReformatter
from numpy.typing import NDArray

from midline.errors import InputError
from midline.video.previews import preview_size, recorder
from midline.video.probe import CorruptVideoError, open_container

RGBFrame = NDArray[np.uint8]


@dataclass(frozen=True)
class DecodedFrame:
    index: int
    t: float
    rgb: RGBFrame


def rotate_to_display(rgb: RGBFrame, rotation: int) -> RGBFrame:
    """Apply a display rotation (degrees counter-clockwise, as FFmpeg's display matrix states it)."""
    k = (rotation // 90) % 4
    return rgb if k == 0 else np.ascontiguousarray(np.rot90(rgb, k=k))


def iter_frames(
    path: str | os.PathLike[str],
    start_s: float = 0.0,
    end_s: float | None = None,
    max_width: int | None = None,
    sample_fps: float | None = None,
    preview: bool = False,
    threads: int = 0,
) -> Iterator[DecodedFrame]:
    """Frames with ``start_s <= t < end_s`` (t from the stream's first pts), RGB, rotation applied.

    ``max_width`` scales frames down (aspect kept) in the decoder's pixel conversion, which is much
    cheaper than decoding full size and resizing afterwards. ``index`` counts decoded frames from
    the start of the video only when ``start_s`` is 0; otherwise it counts from the seek point.
    ``sample_fps`` keeps at most one frame per 1/sample_fps bin of a grid anchored at t = 0, so
    that segments decoded separately sample the same frames; skipped frames are decoded (the codec
    needs them) but not converted.
    ``preview`` (frames for the annotated video, at most 720 px) trades a little fidelity for
    CPU: the decoder skips H.264's deblocking filter (a fifth of decoding; its blocks vanish in
    the downscale), and frames are scaled in the decoder's YUV and converted with OpenCV (a third
    of the CPU of scaling to RGB in one step; colours equal to within a level). Pose gets the
    full decode and FFmpeg's one-step conversion, so its input never changes. ``threads`` 0:
    FFmpeg's choice (frame threads, which overlap decoding with the caller's work); 1 where every
    core already has a process of its own (a tenth less CPU).
    A damaged stream raises :class:`CorruptVideoError` after the frames that could be read.
    Where this process keeps ``path``'s frames for the annotated video
    (:func:`midline.video.previews.keep_previews`), the frames yielded are kept, small, as well.
    """
    container, p = open_container(path)
    try:
        if not container.streams.video:
            raise InputError(f"{p}: the file has no video stream")
        stream = container.streams.video[0]
        if threads:
            stream.codec_context.thread_count = threads
        else:
            stream.thread_type = "AUTO"
        if preview:
            stream.codec_context.options = {"skip_loop_filter": "all"}
        tb = float(stream.time_base) if stream.time_base else 1.0
        origin = stream.start_time if stream.start_time is not None else None
        if start_s > 0:
            first = 0 if origin is None else origin
            container.seek(first + int(start_s / tb), stream=stream, backward=True, any_frame=False)
        index = 0
        decoded = 0
        last_bin = -1
        # One converter for the whole stream: a frame's own (frame.to_ndarray) sets FFmpeg's
        # scaler up afresh for every frame, which costs as much as a small frame's conversion.
        convert = VideoReformatter()
        keep = None if preview else recorder(p, start_s, sample_fps)
        try:
            for frame in container.decode(stream):
                decoded += 1
                if frame.pts is None:
                    continue
                if origin is None:
                    origin = frame.pts
                t = (frame.pts - origin) * tb
                if t < start_s - 1e-6:
                    continue
                if end_s is not None and t >= end_s - 1e-6:
                    if keep is not None:
                        keep.finish(end_s)
                    break
                if sample_fps is not None:
                    sample_bin = int(np.floor(t * sample_fps + 1e-6))
                    if sample_bin == last_bin:
                        continue
                    last_bin = sample_bin
                rotation = round(frame.rotation / 90.0) * 90 % 360
                w, h = preview_size(frame.width, frame.height, rotation, max_width)
                if (w, h) == (frame.width, frame.height):
                    rgb = convert.reformat(frame, format="rgb24").to_ndarray()
                elif preview:
                    small = convert.reformat(frame, width=w, height=h, format="yuv420p", interpolation="AREA")
                    rgb = np.asarray(cv2.cvtColor(small.to_ndarray(), cv2.COLOR_YUV2RGB_I420), np.uint8)
                else:
                    rgb = convert.reformat(
                        frame, width=w, height=h, format="rgb24", interpolation="AREA"
                    ).to_ndarray()
                if keep is not None:
                    keep.add(
                        float(t),
                        frame,
                        rotation,
                        preview_size(frame.width, frame.height, rotation, keep.store.max_width),
                    )
                yield DecodedFrame(index, float(t), rotate_to_display(np.asarray(rgb, np.uint8), rotation))
                index += 1
            else:
                if keep is not None:
                    keep.finish(math.inf)  # the end of the file
        except av.FFmpegError as exc:
            if decoded == 0:
                raise CorruptVideoError(
                    f"{p}: no frame could be decoded ({exc}); the video is damaged or incomplete"
                ) from exc
            raise CorruptVideoError(
                f"{p}: the video stops being readable after {index} frames ({exc}); "
                "it is probably truncated: copy or export it again"
            ) from exc
    finally:
        container.close()
