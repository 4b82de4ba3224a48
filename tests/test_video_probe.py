"""Opening a video: only local regular files in known containers, within limits, probed before decoding."""

from __future__ import annotations

import shutil
from pathlib import Path

import av
import numpy as np
import pytest

from make_videos import write_video
from midline.errors import InputError
from midline.video.probe import (
    CorruptVideoError,
    NotAVideoError,
    UnsafeMediaError,
    VideoLimits,
    VideoTooLargeError,
    probe,
)

REAL = Path(__file__).parent / "data" / "real"


def test_probe_reads_size_duration_and_codec_of_a_real_clip() -> None:
    info = probe(REAL / "pose2sim_single_cam01.mp4")
    assert (info.width, info.height) == (1080, 1920)
    assert info.codec == "h264"
    assert info.fps == pytest.approx(60.0)
    assert info.frames == 100
    assert info.duration_s == pytest.approx(100 / 60, abs=0.02)


def test_zero_byte_file_is_reported_as_empty(tmp_path: Path) -> None:
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(NotAVideoError, match="empty"):
        probe(empty)


def test_text_file_named_mp4_is_not_a_video(tmp_path: Path) -> None:
    fake = tmp_path / "notes.mp4"
    fake.write_text("squeeze, hold, release\n" * 20)
    with pytest.raises(NotAVideoError, match="not a video"):
        probe(fake)


def test_missing_file_and_folder_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        probe(tmp_path / "nope.mp4")
    with pytest.raises(UnsafeMediaError, match="not a regular file"):
        probe(tmp_path)


def test_urls_are_refused() -> None:
    for url in ("http://example.com/set.mp4", "https://example.com/a.m3u8", "file:/etc/passwd"):
        with pytest.raises(UnsafeMediaError, match="local video files"):
            probe(url)


def test_hls_playlist_pointing_at_another_file_is_refused(tmp_path: Path) -> None:
    target = write_video(tmp_path / "other.mp4", [i / 30 for i in range(5)])
    playlist = tmp_path / "set.m3u8"
    playlist.write_text(f"#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\n{target}\n#EXT-X-ENDLIST\n")
    disguised = tmp_path / "set.mp4"
    shutil.copy(playlist, disguised)
    for path in (playlist, disguised):
        with pytest.raises(UnsafeMediaError, match="playlist or concat list"):
            probe(path)


def test_ffconcat_list_pointing_at_another_file_is_refused(tmp_path: Path) -> None:
    target = write_video(tmp_path / "other.mp4", [i / 30 for i in range(5)])
    concat = tmp_path / "set.mp4"
    concat.write_text(f"ffconcat version 1.0\nfile '{target}'\n")
    with pytest.raises(UnsafeMediaError, match="playlist or concat list"):
        probe(concat)


def test_truncated_copy_of_a_real_clip_is_reported_as_damaged(tmp_path: Path) -> None:
    data = (REAL / "pose2sim_single_cam01.mp4").read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 3])
    with pytest.raises(CorruptVideoError, match="damaged or incomplete"):
        probe(cut)


def test_two_hour_video_is_refused_before_decoding(tmp_path: Path) -> None:
    # Two frames two hours apart: a tiny file whose header says it lasts two hours.
    long = write_video(tmp_path / "long.mp4", [0.0, 7200.0])
    assert long.stat().st_size < 10_000
    with pytest.raises(VideoTooLargeError, match="over the 30 min limit"):
        probe(long)
    assert probe(long, VideoLimits(max_duration_s=3 * 3600)).duration_s > 7000


def test_size_limit_is_configurable(tmp_path: Path) -> None:
    clip = write_video(tmp_path / "clip.mp4", [i / 30 for i in range(10)])
    with pytest.raises(VideoTooLargeError, match="GB limit"):
        probe(clip, VideoLimits(max_bytes=100))


def test_rotated_phone_video_reports_display_size(tmp_path: Path) -> None:
    clip = write_video(tmp_path / "phone.mp4", [i / 30 for i in range(5)], width=64, height=48, rotation=90)
    info = probe(clip)
    assert info.rotation == 90
    assert (info.width, info.height) == (48, 64)


def test_audio_only_file_has_no_video_stream(tmp_path: Path) -> None:
    voice = tmp_path / "cues.m4a"
    with av.open(str(voice), mode="w", format="mp4") as container:
        stream = container.add_stream("aac", rate=44100)
        samples = np.zeros((1, 1024 * 20), np.float32)
        frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout="mono")
        frame.sample_rate = 44100
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    with pytest.raises(NotAVideoError, match="no video stream"):
        probe(voice)
