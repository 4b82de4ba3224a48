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


def test_kept_previews_are_the_decoded_frames_small_and_contiguous() -> None:
    from midline.video.previews import drop_previews, keep_previews, take_previews

    clip = REAL / "pose2sim_single_cam01.mp4"  # 1080x1920 portrait, 60 fps, 100 frames
    keep_previews(clip, max_width=270, sample_fps=15)
    try:
        decoded = list(iter_frames(clip, start_s=0.2, end_s=1.0, sample_fps=15))
        list(iter_frames(clip, sample_fps=15))  # a second run does not replace the first
        store = take_previews(clip)
    finally:
        drop_previews(clip)
    assert store is not None and store.start_s == 0.2 and store.complete_until == 1.0
    assert [f.t for f in store.frames] == [f.t for f in decoded]
    # I420 at 270 px wide: the luma plane (480 x 270) and the chroma planes below it.
    assert {f.yuv.shape for f in store.frames} == {(480 * 3 // 2, 270)}
    # The same picture as the full decode, scaled (as the annotated video converts it to RGB).
    import cv2

    small = cv2.cvtColor(store.frames[0].yuv, cv2.COLOR_YUV2RGB_I420)
    full = cv2.resize(decoded[0].rgb, (270, 480), interpolation=cv2.INTER_AREA)
    assert np.abs(small.astype(int) - full.astype(int)).mean() < 3
    assert take_previews(clip) is None  # taken: nothing is kept any more


def test_kept_previews_stop_at_their_memory_budget() -> None:
    from midline.video.previews import drop_previews, keep_previews, take_previews

    clip = REAL / "pose2sim_single_cam01.mp4"
    one = 960 * 540 * 3 // 2  # one frame at 540 px wide
    keep_previews(clip, max_width=540, sample_fps=None, budget_bytes=5 * one + 10)
    try:
        decoded = list(iter_frames(clip))
        store = take_previews(clip)
    finally:
        drop_previews(clip)
    assert store is not None and store.used_bytes <= 5 * one + 10
    assert [f.t for f in store.frames] == [f.t for f in decoded[:5]]
    assert store.complete_until < decoded[5].t  # what comes after must be decoded again


def test_previews_are_kept_only_from_a_decode_at_the_kept_rate_and_never_for_the_video() -> None:
    from midline.video.previews import drop_previews, keep_previews, take_previews

    clip = REAL / "pose2sim_single_cam01.mp4"
    keep_previews(clip, max_width=270, sample_fps=15)
    try:
        list(iter_frames(clip, sample_fps=30, end_s=0.5))
        list(iter_frames(clip, sample_fps=15, end_s=0.5, preview=True))
        assert take_previews(clip) is None
    finally:
        drop_previews(clip)
    assert len(list(iter_frames(clip, end_s=0.1))) == 6  # nothing kept when nobody asked


def test_kept_previews_belong_to_the_thread_that_asked_for_them() -> None:
    """Two analyses side by side in one process (the web app's job threads) keep apart."""
    import threading

    from midline.video.previews import drop_previews, keep_previews, take_previews

    clip = REAL / "pose2sim_single_cam01.mp4"
    keep_previews(clip, max_width=270, sample_fps=None)
    try:
        other = threading.Thread(target=lambda: list(iter_frames(clip, end_s=0.2)))
        other.start()
        other.join()
        assert take_previews(clip) is None  # the other thread's decoding kept nothing here
    finally:
        drop_previews(clip)
