"""Decoding: times from timestamps (variable frame rate), rotation applied, H.264 .mp4 and HEVC .mov."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from make_videos import has_encoder, write_video
from midline.video.decode import iter_frames
from midline.video.probe import CorruptVideoError

REAL = Path(__file__).parent / "data" / "real"


def test_variable_frame_rate_times_come_from_timestamps(tmp_path: Path) -> None:
    times = [0.0, 0.033, 0.066, 0.2, 0.25, 0.7, 0.733, 1.5]
    clip = write_video(tmp_path / "vfr.mp4", times)
    got = [f.t for f in iter_frames(clip)]
    np.testing.assert_allclose(got, times, atol=0.002)


def test_rotation_metadata_turns_frames_upright(tmp_path: Path) -> None:
    # Stored 64x48 with the left half white; the display matrix says turn 90 degrees counter-clockwise,
    # so the displayed frame is 48 wide, 64 tall, with the white half at the bottom.
    clip = write_video(tmp_path / "phone.mp4", [i / 30 for i in range(3)], rotation=90)
    frame = next(iter(iter_frames(clip)))
    assert frame.rgb.shape == (64, 48, 3)
    assert frame.rgb[-20:, :, :].mean() > 200
    assert frame.rgb[:20, :, :].mean() < 60


@pytest.mark.skipif(not has_encoder("libx265"), reason="this FFmpeg build has no HEVC encoder (libx265)")
def test_hevc_mov_decodes(tmp_path: Path) -> None:
    times = [i / 30 for i in range(12)]
    clip = write_video(tmp_path / "iphone.mov", times, codec="libx265", fmt="mov")
    frames = list(iter_frames(clip))
    assert len(frames) == 12
    assert frames[0].rgb.shape == (48, 64, 3)
    assert frames[0].rgb[:, :20].mean() > 200


def test_segment_and_sampling_select_frames_on_a_global_grid() -> None:
    clip = REAL / "pose2sim_single_cam01.mp4"  # 60 fps, 100 frames
    whole = [f.t for f in iter_frames(clip, sample_fps=15)]
    assert len(whole) == 25
    np.testing.assert_allclose(np.diff(whole), 1 / 15, atol=1e-6)
    tail = [f.t for f in iter_frames(clip, start_s=0.8, sample_fps=15)]
    np.testing.assert_allclose(tail, [t for t in whole if t >= 0.8 - 1e-6])


def test_max_width_scales_frames_down() -> None:
    frame = next(iter(iter_frames(REAL / "pose2sim_single_cam01.mp4", max_width=540)))
    assert frame.rgb.shape == (960, 540, 3)


def test_damaged_stream_raises_a_specific_error(tmp_path: Path) -> None:
    # Keep the header (moov at the start after faststart is not guaranteed), corrupt the picture data.
    data = bytearray((REAL / "pose2sim_single_cam01.mp4").read_bytes())
    start = data.find(b"mdat") + 8
    data[start:] = bytes(len(data) - start)
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(bytes(data))
    with pytest.raises(CorruptVideoError):
        list(iter_frames(broken))


@pytest.mark.parametrize(
    ("name", "codec"), [("set.mkv", "libx264"), ("set.webm", "libvpx-vp9"), ("set.avi", "mpeg4")]
)
def test_matroska_webm_and_avi_containers_decode(tmp_path: Path, name: str, codec: str) -> None:
    if not has_encoder(codec):
        pytest.skip(f"this FFmpeg build has no {codec} encoder")
    times = [i / 25 for i in range(10)]
    clip = write_video(tmp_path / name, times, codec=codec)
    frames = list(iter_frames(clip))
    assert len(frames) == 10
    np.testing.assert_allclose([f.t for f in frames], times, atol=0.002)
