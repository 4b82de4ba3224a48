"""landmarks.json <-> LandmarkSeries: round trip, null frames, optional world, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from midline.errors import InputError
from midline.pose.landmarks_file import LandmarksFileError, read_landmarks, write_landmarks

FIXTURES = Path(__file__).parent / "data" / "synthetic"


def _frame(v: float) -> list[list[float]]:
    return [[v, 0.5, -0.1, 0.9]] * 33


def test_null_frames_become_nan_rows_and_times_follow_fps(tmp_path: Path) -> None:
    doc = {"fps": 25, "width": 640, "height": 480, "frames": [_frame(0.1), None, _frame(0.3)]}
    p = tmp_path / "l.json"
    p.write_text(json.dumps(doc))
    s = read_landmarks(p)
    assert s.image.shape == (3, 33, 4)
    assert np.isnan(s.image[1]).all()
    assert s.image[2, 0, 0] == pytest.approx(0.3)
    assert s.t.tolist() == pytest.approx([0.0, 0.04, 0.08])
    assert s.world is None
    assert s.detected.tolist() == [True, False, True]


def test_round_trip_keeps_values_and_world(tmp_path: Path) -> None:
    src = read_landmarks(FIXTURES / "d01_standing-squeeze_clean-world.landmarks.json")
    out = tmp_path / "copy.json"
    write_landmarks(src, out)
    back = read_landmarks(out)
    assert back.world is not None and src.world is not None
    np.testing.assert_allclose(back.image, src.image, atol=1e-5, equal_nan=True)
    np.testing.assert_allclose(back.world, src.world, atol=1e-3, equal_nan=True)
    assert (back.width, back.height, back.fps) == (src.width, src.height, src.fps)


def test_fixture_with_dropouts_reads_null_frames() -> None:
    s = read_landmarks(FIXTURES / "d07_standing-squeeze_noisy-dropouts-half-start.landmarks.json")
    truth = json.loads((FIXTURES / "d07_standing-squeeze_noisy-dropouts-half-start.truth.json").read_text())
    start, length = truth["quality"]["dropouts"][0]
    assert not s.detected[start : start + length].any()


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"fps": 30, "width": 10, "height": 10}, "missing the 'frames' field"),
        ({"fps": 0, "width": 10, "height": 10, "frames": []}, "must be positive"),
        ({"fps": 30, "width": 10, "height": 10, "frames": [[[0.1, 0.2]] * 33]}, "33 landmarks of 4"),
        ({"fps": 30, "width": 10, "height": 10, "frames": {}}, "must be a list"),
        ([1, 2], "expected a JSON object"),
    ],
)
def test_malformed_files_raise_input_errors_that_say_what_is_wrong(
    tmp_path: Path, doc: object, message: str
) -> None:
    p = tmp_path / "bad.json"
    p.write_text(json.dumps(doc))
    with pytest.raises(LandmarksFileError, match=message) as err:
        read_landmarks(p)
    assert isinstance(err.value, InputError)


def test_unreadable_and_invalid_json(tmp_path: Path) -> None:
    with pytest.raises(LandmarksFileError, match="cannot read"):
        read_landmarks(tmp_path / "missing.json")
    p = tmp_path / "x.json"
    p.write_text("{not json")
    with pytest.raises(LandmarksFileError, match="not valid JSON"):
        read_landmarks(p)
