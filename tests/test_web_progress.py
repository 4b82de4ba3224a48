"""The progress page: weekly volume per muscle group from the log, video metrics per analysis."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import replace
from pathlib import Path

from midline.catalog import load_catalog
from midline.log.entry import SetInput
from midline.log.service import log_sets, store_analysis
from midline.storage import open_repository
from midline.web.progress import weekly_log
from web_app import Api, Browser, make_app


def test_weekly_log_sums_reps_per_week_and_muscle_group(tmp_path: Path) -> None:
    catalog = load_catalog()
    repo = open_repository(str(tmp_path / "p.db"))
    me = repo.create_user("ada", "Ada", "client", "x")
    wed, fri, next_tue = dt.date(2026, 11, 4), dt.date(2026, 11, 6), dt.date(2026, 11, 10)
    log_sets(repo, me.id, catalog, SetInput("seated-squeeze", sets=2, reps=10), wed)
    log_sets(repo, me.id, catalog, SetInput("clamshell", sets=1, reps=8), fri)  # left + right
    log_sets(repo, me.id, catalog, SetInput("seated-squeeze", sets=3, reps=12), next_tue)
    trend = weekly_log(repo.sessions(me.id), catalog)
    assert trend["weeks"] == ["2026-11-02", "2026-11-09"]
    assert trend["reps"] == [2 * 10 + 2 * 8, 3 * 12]
    assert trend["sets"] == [4, 3]
    assert trend["groups"] == {
        "abductors": [16, 0],
        "adductors": [20, 36],
        "deep-hip-rotators": [16, 0],
    }


def test_progress_page_embeds_the_trends_and_loads_plotly_locally(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    b = Browser(app)
    b.signup("ada")
    assert "Nothing logged yet" in b.get("/progress").text
    repo = open_repository(str(tmp_path / "web.db"))
    me = repo.user("ada")
    assert me is not None
    log_sets(repo, me.id, load_catalog(), SetInput("seated-squeeze", sets=2, reps=10), dt.date(2026, 11, 4))
    for day, gap, ratio in ((5, 0.08, 1.1), (12, 0.05, 1.6)):
        report = {
            "exercise": "seated-squeeze",
            "summary": {"ankle_gap_at_squeeze": gap, "mean_eccentric_ratio": ratio, "symmetry": 0.9,
                        "knee_alignment_deg": {"left": 4.0, "right": 9.0}},
        }  # fmt: skip
        stored = store_analysis(repo, me.id, report, {}, landmarks=None)
        # the same analysis as if made on that day (created_at is set when stored)
        repo.delete_analysis(me.id, stored.uid)
        when = dt.datetime(2026, 11, day, 9, 0, tzinfo=dt.UTC)
        repo.add_analysis(me.id, replace(stored, created_at=when))
    page = b.get("/progress").text
    assert '<script src="/static/plotly.min.js">' in page and "/static/progress.js" in page
    embedded = json.loads(re.search(r'id="progress-data">(.*?)</script>', page, re.S).group(1))
    assert embedded["log"]["groups"] == {"adductors": [20]}
    assert embedded["video"]["ankle_gap_at_squeeze"]["values"] == [0.08, 0.05]
    assert embedded["video"]["knee_alignment_deg.right"]["values"] == [9.0, 9.0]
    assert "chart-knee_alignment_deg-left" in page
    api = Api(app)
    api.client.cookies = b.client.cookies
    assert api.get("/api/progress").json() == embedded
    assert b.get("/static/progress.js").status_code == 200
