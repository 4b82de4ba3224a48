"""The annotated video: browser-playable H.264 yuv420p, moov first, written atomically."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from midline.video.decode import iter_frames
from midline.video.encode import VideoWriter, concat_mp4


def test_writes_browser_playable_h264_with_real_timing(tmp_path: Path) -> None:
    out = tmp_path / "annotated.mp4"
    times = [0.0, 0.04, 0.1, 0.5, 0.55, 1.0]
    with VideoWriter(out, fps=30) as writer:
        for t in times:
            writer.write(np.full((101, 65, 3), 90, np.uint8), t)  # odd sizes are trimmed to even
    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert stream.codec_context.pix_fmt == "yuv420p"
        assert (stream.codec_context.width, stream.codec_context.height) == (64, 100)
    data = out.read_bytes()
    assert data.find(b"moov") < data.find(b"mdat"), "moov must come first (+faststart)"
    np.testing.assert_allclose([f.t for f in iter_frames(out)], times, atol=0.002)


def test_a_failed_run_leaves_no_file(tmp_path: Path) -> None:
    out = tmp_path / "annotated.mp4"
    with pytest.raises(RuntimeError), VideoWriter(out, fps=30) as writer:
        writer.write(np.zeros((32, 32, 3), np.uint8), 0.0)
        raise RuntimeError("drawing failed")
    assert list(tmp_path.iterdir()) == []


def test_a_failed_run_keeps_the_previous_video(tmp_path: Path) -> None:
    out = tmp_path / "annotated.mp4"
    out.write_bytes(b"previous")
    with pytest.raises(ValueError, match="differs"), VideoWriter(out, fps=30) as writer:
        writer.write(np.zeros((32, 32, 3), np.uint8), 0.0)
        writer.write(np.zeros((16, 16, 3), np.uint8), 0.1)
    assert out.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["annotated.mp4"]


def test_parts_are_joined_without_re_encoding_into_one_playable_video(tmp_path: Path) -> None:
    parts = []
    for k, (a, b) in enumerate(((0, 20), (20, 45))):
        part = tmp_path / f"part{k}.mp4"
        with VideoWriter(part, fps=20) as writer:
            for i in range(a, b):
                writer.write(np.full((64, 96, 3), 5 * i, np.uint8), i / 20)
        parts.append(part)
    out = tmp_path / "joined.mp4"
    concat_mp4(parts, out)
    frames = list(iter_frames(out))
    np.testing.assert_allclose([f.t for f in frames], np.arange(45) / 20, atol=0.002)
    np.testing.assert_allclose([f.rgb.mean() for f in frames], 5 * np.arange(45), atol=3)
    data = out.read_bytes()
    assert data.find(b"moov") < data.find(b"mdat")
