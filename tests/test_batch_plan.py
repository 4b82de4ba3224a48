"""The batch's planning, without analysing anything: which files are videos, job keys, the journal."""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from midline.batch import BatchSettings, run_batch
from midline.batch.engines import EngineError, make_engine
from midline.batch.journal import JOURNAL, Entry, Journal
from midline.batch.plan import NoVideosError, find_videos, job_key, report_folder_name, sha256_file
from midline.cli.app import _register, app
from midline.errors import UnknownEntryError
from midline.pose.backend import PRECISE_TIMING, TRACKING

CLIP = Path(__file__).parent / "data" / "rendered" / "r01_standing-squeeze_clean_caucasian-female.mp4"
runner = CliRunner()
_register()  # the commands, as `midline` registers them


def test_videos_are_found_by_name_or_header_and_the_batch_output_is_never_searched(tmp_path: Path) -> None:
    root = tmp_path / "archive"
    (root / "day1").mkdir(parents=True)
    shutil.copy(CLIP, root / "day1" / "set.mp4")
    shutil.copy(CLIP, root / "day1" / "NO_EXTENSION")  # a video saved without a name ending
    (root / "day1" / "notes.txt").write_text("not a video")
    (root / "day1" / "data.bin").write_bytes(b"\x00" * 100)  # unknown ending, not a video header
    (root / "day1" / "broken.mov").write_bytes(b"garbage")  # a video by name: tried, fails with a reason
    (root / ".hidden").mkdir()
    shutil.copy(CLIP, root / ".hidden" / "x.mp4")
    out = root / "out"
    (out / "set-abc").mkdir(parents=True)
    shutil.copy(CLIP, out / "set-abc" / "annotated.mp4")
    report_dir = root / "old.midline"  # a midline analyze report folder
    report_dir.mkdir()
    (report_dir / "report.json").write_text("{}")
    shutil.copy(CLIP, report_dir / "annotated.mp4")

    found = find_videos([root, root / "day1" / "set.mp4"], exclude=[out])

    names = [p.relative_to(root.resolve()).as_posix() for p in found]
    assert names == ["day1/NO_EXTENSION", "day1/broken.mov", "day1/set.mp4"]


def test_a_path_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="no such file or folder"):
        find_videos([tmp_path / "missing"])


def test_a_folder_without_videos_is_an_error_naming_it(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "notes.txt").write_text("x")
    with pytest.raises(NoVideosError, match="no videos under"):
        run_batch(
            [tmp_path / "in"], BatchSettings("standing-squeeze"), tmp_path / "out", make_engine("local", 1)
        )


def test_an_unknown_exercise_fails_before_any_work(tmp_path: Path) -> None:
    with pytest.raises(UnknownEntryError, match="standing-squeeze"):
        run_batch([CLIP], BatchSettings("no-such-exercise"), tmp_path / "out", make_engine("local", 1))
    assert not (tmp_path / "out" / JOURNAL).exists()


def test_bad_engine_arguments_are_errors() -> None:
    with pytest.raises(EngineError, match="unknown engine"):
        make_engine("spark")
    with pytest.raises(EngineError, match="1 or more"):
        make_engine("local", 0)
    with pytest.raises(EngineError, match="--address is for --engine ray"):
        make_engine("local", 1, "auto")


def test_the_content_hash_is_the_files_sha256_streamed(tmp_path: Path) -> None:
    data = bytes(range(256)) * 9000  # over two 1 MiB chunks
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    assert sha256_file(path, chunk=1 << 20) == hashlib.sha256(data).hexdigest()
    assert report_folder_name("/x/My set.mp4", "0123456789abcdef") == "My set-0123456789"


def test_the_job_key_changes_with_the_settings_that_change_a_report() -> None:
    base = BatchSettings("standing-squeeze")
    key = job_key("ab" * 32, base)
    assert job_key("ab" * 32, BatchSettings("standing-squeeze")) == key
    assert job_key("cd" * 32, base) != key
    for other in (
        replace(base, position="parallel"),
        replace(base, height_cm=170.0),
        replace(base, make_video=False),
        replace(base, extract=replace(base.extract, sample_fps=10.0)),
        replace(base, extract=replace(base.extract, pose=PRECISE_TIMING)),
        BatchSettings("seated-squeeze"),
    ):
        assert job_key("ab" * 32, other) != key, other
    assert "analysis_version" in base.describe()
    # plain tracking adds nothing to the key: batches analysed before the option keep their keys
    assert "pose" not in base.describe()


def test_batch_precise_timing_reaches_the_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seen: list[BatchSettings] = []

    def fake_run_batch(paths, settings, out, engine, store, display):  # type: ignore[no-untyped-def]
        seen.append(settings)
        raise NoVideosError("stop here")

    monkeypatch.setattr("midline.cli.batch_cmd.run_batch", fake_run_batch)
    args = ["batch", str(tmp_path), "-e", "standing-squeeze", "--out", str(tmp_path / "o")]
    for flag in ([], ["--precise-timing"]):
        runner.invoke(app, [*args, *flag])
    assert [s.extract.pose for s in seen] == [TRACKING, PRECISE_TIMING]
    assert all(s.extract.workers == 1 for s in seen)  # one process a video, as before


def _entry(key: str, out_dir: str, status: str = "ok") -> Entry:
    return Entry(key, "/v.mp4", "ab" * 32, 10, 123, status, out_dir)  # type: ignore[arg-type]


def test_the_journal_survives_a_line_cut_short_and_needs_the_report_on_disk(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    journal.append(_entry("k1", "v-1"))
    journal.append(_entry("k2", "v-2"))
    journal.append(_entry("k3", "v-3", status="failed"))
    (tmp_path / "v-1").mkdir()
    (tmp_path / "v-1" / "report.json").write_text("{}")
    with (tmp_path / JOURNAL).open("a") as fh:
        fh.write('{"key": "k4", "path": "/w.mp4", "sha')  # the kill came mid-line

    again = Journal(tmp_path)

    assert again.done("k1") is not None
    assert again.done("k2") is None  # journaled, but its report folder is gone: run it again
    assert again.done("k3") is None  # failed before: tried again
    assert again.done("k4") is None
    assert set(again.entries) == {"k1", "k2", "k3"}


def test_the_journal_remembers_hashes_of_unchanged_files(tmp_path: Path) -> None:
    video = tmp_path / "v.mp4"
    video.write_bytes(b"abc")
    st = video.stat()
    journal = Journal(tmp_path)
    journal.append(Entry("k", str(video), "ff" * 32, st.st_size, st.st_mtime_ns, "ok", "v"))
    assert Journal(tmp_path).known_hash(video) == "ff" * 32
    video.write_bytes(b"abcd")  # changed: hashed again
    assert Journal(tmp_path).known_hash(video) is None


def test_a_done_video_is_skipped_only_while_its_report_can_be_read(tmp_path: Path) -> None:
    from midline.batch.run import plan_batch

    settings = BatchSettings("standing-squeeze", make_video=False)
    sha = sha256_file(CLIP)
    folder = report_folder_name(CLIP, sha)
    journal = Journal(tmp_path)
    journal.append(Entry(job_key(sha, settings), str(CLIP), sha, 1, 1, "ok", folder))
    (tmp_path / folder).mkdir()
    report = {
        "summary": {"rep_count": 1, "ankle_gap_at_squeeze": 0.01},
        "quality": {},
        "cues": [{"code": "x"}],
    }
    (tmp_path / folder / "report.json").write_text(json.dumps(report))

    planned = plan_batch([CLIP], settings, tmp_path, journal)
    assert planned.tasks == [] and planned.rows[0] is not None
    assert (planned.rows[0].status, planned.rows[0].reps, planned.rows[0].cues) == ("skipped", 1, "x")

    (tmp_path / folder / "report.json").write_text('{"summary": ')  # damaged since
    planned = plan_batch([CLIP], settings, tmp_path, journal)
    assert planned.rows == [None] and [t.path for t in planned.tasks] == [str(CLIP)]
    assert planned.tasks[0].out_dir == str(tmp_path / folder) and planned.tasks[0].expected_frames == 59
