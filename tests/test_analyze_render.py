"""The annotated video drawn in parallel parts matches the analysis frame for frame."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from make_videos import write_video
from midline.analysis.overlay import OverlayTimeline
from midline.analysis.render import render_annotated
from midline.catalog import load_catalog
from midline.catalog.spec import analysis_spec
from midline.core.pipeline import analyse
from midline.parallel import Workers
from midline.pose.landmarks_file import read_landmarks
from midline.video.decode import iter_frames
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
