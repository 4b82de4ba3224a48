"""The annotated video drawn in parallel parts matches the analysis frame for frame."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from make_videos import write_video
from midline.analysis.overlay import OverlayTimeline
from midline.analysis.render import render_annotated
from midline.catalog import load_catalog
from midline.catalog.spec import analysis_spec
from midline.core.pipeline import analyse
from midline.parallel import Workers
from midline.pose.landmarks_file import read_landmarks
from midline.video.decode import DecodedFrame, iter_frames
from midline.video.probe import probe

SYNTH = Path(__file__).parent / "data" / "synthetic"


def test_two_worker_render_covers_every_analysed_frame_once(tmp_path: Path) -> None:
    series = read_landmarks(SYNTH / "d05_standing-squeeze_fast-release.landmarks.json")
    analysis = analyse(series, analysis_spec(load_catalog(), "standing-squeeze"))
    # A plain video of the same length and rate stands in for the recording.
    clip = write_video(tmp_path / "set.mp4", list(series.t), width=320, height=180)
    out = tmp_path / "annotated.mp4"
    progress: list[tuple[str, int, int]] = []
    with Workers(2) as workers:
        render_annotated(
            clip, analysis, out, probe(clip), progress=lambda *a: progress.append(a), workers=workers
        )
    frames = list(iter_frames(out))
    np.testing.assert_allclose([f.t for f in frames], series.t, atol=0.002)
    assert progress[-1] == ("video", series.frames, series.frames)
    # During a rep the phase label and rep counter are drawn (the frame differs from the source).
    timeline = OverlayTimeline(analysis)
    squeezing = [i for i, t in enumerate(series.t) if timeline.at(float(t)).phase == 1]
    assert squeezing
    source = {round(f.t, 3): f.rgb for f in iter_frames(clip)}
    i = squeezing[len(squeezing) // 2]
    drawn = frames[i].rgb.astype(int)
    plain = source[round(float(series.t[i]), 3)].astype(int)
    assert np.abs(drawn - plain).mean() > 5


def test_report_page_embeds_the_video_and_links_one_too_big_to_embed(tmp_path: Path) -> None:
    from midline.report.html import render_html

    series = read_landmarks(SYNTH / "d05_standing-squeeze_fast-release.landmarks.json")
    analysis = analyse(series, analysis_spec(load_catalog(), "standing-squeeze"))
    video = write_video(tmp_path / "annotated.mp4", [i / 30 for i in range(30)])
    page = render_html(analysis, video)
    assert 'src="data:video/mp4;base64,' in page
    assert "<script src=" not in page and "<link" not in page  # nothing fetched from anywhere
    assert page.count("Plotly.newPlot(") == 2  # the signals and the tempo figures
    linked = render_html(analysis, video, max_embed_bytes=100)
    assert 'src="annotated.mp4"' in linked and "data:video/mp4" not in linked


def test_a_long_cue_is_wrapped_to_the_frame_width_not_cut_off() -> None:
    from midline.video.annotate import _wrap

    cue = "Your knees meet but your ankles drift about 19 cm apart: squeeze all the way down to the ankles."
    lines = _wrap(cue, 600, 0.44)
    assert len(lines) == 2 and " ".join(lines) == cue
    assert _wrap("short", 600, 0.44) == ["short"]


def _render_after_pose_pass(
    tmp_path: Path, name: str, budget_frames: int | None, monkeypatch: pytest.MonkeyPatch
) -> tuple[list[DecodedFrame], list[float]]:
    """Render the annotated video the way a run does: a pose-like pass (sampled at 20 frames/s)
    over the source first, keeping its frames when ``budget_frames`` is given. Returns the
    video's frames and the start of every decode of the source the render made."""
    import midline.analysis.render as render
    from midline.video.previews import drop_previews

    series = read_landmarks(SYNTH / "d05_standing-squeeze_fast-release.landmarks.json")
    analysis = analyse(series, analysis_spec(load_catalog(), "standing-squeeze"))
    clip = tmp_path / "set.mp4"
    if not clip.exists():
        write_video(clip, [i / 30 for i in range(int(series.t[-1] * 30) + 2)], width=320, height=180)
    info = probe(clip)
    if budget_frames is not None:
        keep = render.video_keep(clip, info, max_side=720, sample_fps=20)
        render.start_keeping(replace(keep, budget_bytes=budget_frames * 320 * 180 * 3 // 2))
    starts: list[float] = []

    def counting(*args: Any, **kwargs: Any) -> Iterator[DecodedFrame]:
        starts.append(kwargs["start_s"])
        return iter_frames(*args, **kwargs)

    try:
        for _ in iter_frames(clip, sample_fps=20):  # the pose pass
            pass
        monkeypatch.setattr(render, "iter_frames", counting)
        out = tmp_path / f"{name}.mp4"
        render_annotated(clip, analysis, out, info, pose_sample_fps=20)
        monkeypatch.undo()
    finally:
        drop_previews(clip)
    return list(iter_frames(out)), starts


def test_the_video_takes_the_pose_pass_frames_instead_of_decoding_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    decoded, decodes = _render_after_pose_pass(tmp_path, "decoded", None, monkeypatch)
    kept, kept_decodes = _render_after_pose_pass(tmp_path, "kept", 10_000, monkeypatch)
    assert decodes == [0.0] and kept_decodes == []  # the source was not decoded a second time
    assert [f.t for f in kept] == [f.t for f in decoded]
    assert np.mean(np.diff([f.t for f in kept])) == pytest.approx(0.05, abs=0.001)  # 20 of 30 frames/s
    for a, b in zip(kept, decoded, strict=True):  # the same pictures, overlays included
        assert np.abs(a.rgb.astype(int) - b.rgb.astype(int)).mean() < 2


def test_a_long_video_takes_the_kept_frames_and_decodes_only_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    decoded, _ = _render_after_pose_pass(tmp_path, "decoded", None, monkeypatch)
    partly, decodes = _render_after_pose_pass(tmp_path, "partly", 25, monkeypatch)
    # 25 frames kept (0 to 1.2 s at 20 frames/s): decoding goes on at the next one, 1.25 s.
    assert decodes == [pytest.approx(1.25)]
    assert [f.t for f in partly] == [f.t for f in decoded]
    for a, b in zip(partly, decoded, strict=True):
        assert np.abs(a.rgb.astype(int) - b.rgb.astype(int)).mean() < 2
