"""``midline demo``: the README's main command prints a programme, analyses the bundled clip and keeps
both for the web app's demo account, once however often it runs."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

import midline.cli.demo_cmd  # noqa: F401  (registers the command on the app)
from midline.analysis import AnalyzeOptions, analyze_landmarks
from midline.cli.app import app
from midline.cli.demo_cmd import DEMO_PASSWORD, DEMO_USER, store_demo
from midline.planner import build_plan, make_profile
from midline.samples import SAMPLE_EXERCISE, sample_video
from midline.storage import open_repository
from midline.web import Settings, create_app


def test_the_sample_clip_ships_inside_the_package() -> None:
    assert sample_video().is_file() and sample_video().stat().st_size > 10_000


def test_demo_prints_the_programme_analyses_the_sample_and_keeps_it_for_the_web_app(tmp_path: Path) -> None:
    out, db, web = tmp_path / "demo", tmp_path / "midline.db", tmp_path / "web"
    args = ["demo", "--out", str(out), "--no-video", "--db", str(db), "--data-dir", str(web)]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    assert "Week 4 - deload" in res.stdout and "Session 3, Friday" in res.stdout
    report = json.loads((out / "report.json").read_text())
    # The sample was rendered with the knees together and the ankles apart, two reps.
    assert report["summary"]["rep_count"] == 2
    assert "legs-loose-below" in {c["code"] for c in report["cues"]}
    assert (out / "report.html").is_file()
    assert f"user {DEMO_USER}, password {DEMO_PASSWORD}" in " ".join(res.stdout.split())

    # A re-run (here: storing the same result again, without a second pose pass) keeps one of each.
    repo = open_repository(str(db))
    user = repo.user(DEMO_USER)
    assert user is not None
    [first] = repo.analyses(user.id)
    profile = make_profile(props="ring,ball")
    result = analyze_landmarks(out / "landmarks.json", SAMPLE_EXERCISE, tmp_path / "again", AnalyzeOptions())
    again = store_demo(repo, web, profile, build_plan(profile), result)
    [kept] = repo.analyses(user.id)
    assert kept.uid == again.analysis.uid != first.uid
    assert len(repo.plans(user.id)) == 1 and len(repo.profiles(user.id)) == 1
    assert [p.name for p in (web / "reports" / str(user.id)).iterdir()] == [
        Path(kept.files["report"]).parent.name
    ]

    # The web app on the same database and folder: the demo account signs in and sees the report.
    client = TestClient(create_app(Settings(db=str(db), data_dir=web)))
    r = client.post("/api/login", json={"username": DEMO_USER, "password": DEMO_PASSWORD})
    assert r.status_code == 200, r.text
    assert [a["uid"] for a in client.get("/api/analyses").json()] == [kept.uid]
    page = client.get(f"/analyses/{kept.uid}")
    assert page.status_code == 200 and "Standing squeeze" in page.text
    assert "ankles" in page.text.lower()  # the sample's cue: the ankles drift apart
    assert client.get(f"/analyses/{kept.uid}/report.html").status_code == 200
    assert len(client.get("/api/plans").json()) == 1
