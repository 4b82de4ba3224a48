"""Exercise library pages and the plan flow: build, view week by week, mark done, re-plan."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from midline.catalog import load_catalog
from midline.log.entry import planned_sets
from midline.planner import build_plan, make_profile
from midline.storage import open_repository
from midline.web import planning
from midline.web.body import body_svg
from midline.web.replan import ReplanError, calendar_week, plan_progress, replan_from
from web_app import Api, Browser, make_app

SMALL = {"weeks": 6, "days": 2, "minutes": 15}


def test_body_diagram_shades_primary_and_secondary_regions() -> None:
    svg = body_svg(["adductor-longus", "vastus-medialis"], ["hamstrings"])
    by_region = {r: c for c, r in re.findall(r'<g class="region (\w+)" data-region="([\w-]+)"', svg)}
    assert by_region["adductors"] == "primary"
    assert by_region["vastus-medialis"] == "primary"
    assert by_region["hamstrings"] == "secondary"
    assert by_region["abductors"] == "idle"
    assert "<title" in svg and 'role="img"' in svg


def test_every_catalog_muscle_is_drawn_somewhere() -> None:
    from midline.web.body import MUSCLE_REGIONS, REGIONS

    for muscle in load_catalog().muscles:
        assert muscle in MUSCLE_REGIONS, muscle
        assert all(r in REGIONS for r in MUSCLE_REGIONS[muscle])


def test_library_lists_filters_and_details(tmp_path: Path) -> None:
    b = Browser(make_app(tmp_path))
    everything = b.get("/exercises")
    assert everything.status_code == 200
    catalog = load_catalog()
    assert all(f"/exercises/{ex}" in everything.text for ex in catalog.exercises)
    ring = b.get("/exercises?prop=ring")
    with_ring = [e.id for e in catalog.exercises.values() if "ring" in {u.prop for u in e.props}]
    assert with_ring and all(f'/exercises/{ex}"' in ring.text for ex in with_ring)
    assert '/exercises/walking"' not in ring.text
    bad = b.get("/exercises?muscle=adductorz")
    assert bad.status_code == 400 and "Did you mean" in bad.text
    ex = catalog.exercises["seated-squeeze"]
    page = b.get("/exercises/seated-squeeze").text
    assert ex.name in page and ex.cues[0] in page and ex.camera.advice in page
    assert 'class="region primary" data-region="adductors"' in page
    assert catalog.positions[ex.default_position].name in page
    assert b.get("/exercises/no-such").status_code == 404


def test_api_library(tmp_path: Path) -> None:
    api = Api(make_app(tmp_path))
    listed = api.get("/api/exercises?level=beginner").json()
    assert listed and all(e["level"] == "beginner" for e in listed)
    assert api.get("/api/exercises?position=sideways").status_code == 400
    assert api.get("/api/exercises/clamshell").json()["id"] == "clamshell"
    assert api.get("/api/exercises/nope").status_code == 404


def test_calendar_week_counts_from_the_start_day() -> None:
    start = dt.date(2026, 11, 2)
    assert calendar_week(start, dt.date(2026, 11, 1)) == 0
    assert calendar_week(start, start) == 1
    assert calendar_week(start, dt.date(2026, 11, 8)) == 1
    assert calendar_week(start, dt.date(2026, 11, 9)) == 2


@pytest.fixture(scope="module")
def plan6() -> dict:
    return build_plan(make_profile(**SMALL)).to_dict()


def test_progress_resumes_after_the_last_week_with_anything_done(plan6: dict) -> None:
    start = dt.date(2026, 11, 2)
    on_time = plan_progress(plan6, start, {(1, 1), (1, 2)}, dt.date(2026, 11, 10))
    assert (on_time.resume_week, on_time.missed, on_time.needs_replan) == (2, (), False)
    late = plan_progress(plan6, start, {(1, 1)}, dt.date(2026, 11, 24))  # calendar week 4
    assert late.resume_week == 2 and late.missed == (2, 3) and late.needs_replan
    nothing = plan_progress(plan6, start, set(), dt.date(2026, 11, 9))
    assert nothing.missed == (1,) and nothing.needs_replan
    done = plan_progress(plan6, start, {(6, 1)}, dt.date(2027, 3, 1))
    assert done.finished and not done.needs_replan


def test_replan_keeps_the_doses_from_the_resume_week_on(plan6: dict) -> None:
    new = replan_from(plan6, 3, dt.date(2026, 11, 24), "old-uid")
    assert [w["index"] for w in new["weeks"]] == [1, 2, 3, 4]
    for fresh, old in zip(new["weeks"], plan6["weeks"][2:], strict=True):
        assert fresh["sessions"] == old["sessions"]
        assert fresh["progression"] == old["progression"] and fresh["deload"] == old["deload"]
    assert new["coverage_matrix"]["weeks"] == [1, 2, 3, 4]
    for muscle, row in new["coverage_matrix"]["muscles"].items():
        assert row == plan6["coverage_matrix"]["muscles"][muscle][2:]
    assert new["profile"]["weeks"] == 4
    assert new["replanned_from"] == {"plan": "old-uid", "week": 3, "on": "2026-11-24"}
    # the log's reading of the new plan: its week 1 prescribes the old week 3
    assert planned_sets(new, 1, 1) == planned_sets(plan6, 3, 1)
    with pytest.raises(ReplanError, match="no week 9"):
        replan_from(plan6, 9, dt.date(2026, 11, 24), "old-uid")


def test_replan_through_the_repository(tmp_path: Path, plan6: dict) -> None:
    repo = open_repository(str(tmp_path / "r.db"))
    me = repo.create_user("ada", "Ada", "client", "x")
    start = dt.date(2026, 11, 2)
    plan = planning.create_plan(repo, me.id, load_catalog(), SMALL, start)
    planning.mark_done(repo, me.id, plan, 1, 1, start, None, 0, "")
    with pytest.raises(ReplanError, match="no week missed"):
        planning.replan(repo, me.id, plan, dt.date(2026, 11, 10))
    later = dt.date(2026, 11, 25)  # calendar week 4; weeks 2 and 3 went by
    new = planning.replan(repo, me.id, plan, later)
    assert new.start_date == later and len(new.data["weeks"]) == 5
    assert new.data["weeks"][0]["sessions"] == plan.data["weeks"][1]["sessions"]
    assert planning.progress(repo, me.id, new, later).resume_week == 1
    # the session done stays logged against the old plan
    assert list(planning.done_sessions(repo, me.id, plan.uid)) == [(1, 1)]


def test_plan_pages_build_view_and_mark_done(tmp_path: Path) -> None:
    b = Browser(make_app(tmp_path))
    b.signup("ada")
    r = b.post("/plans", {**SMALL, "props": ["ring", "ball"], "level": "beginner"}, page="/plans")
    assert r.status_code == 303
    url = r.headers["location"]
    page = b.get(url).text
    for week in range(1, 7):
        assert f'id="week-{week}"' in page
    assert "Coverage" in page and "adductor-magnus" in page
    # the title is the plan's name alone; the coverage table stands once, in the page's body
    title, heading = (re.search(f"<{tag}>(.*?)</{tag}>", page, re.S) for tag in ("title", "h1"))
    assert title is not None and heading is not None and title.group(1) == f"{heading.group(1)} · midline"
    assert page.count('<section id="coverage">') == 1
    done = b.follow(b.post(f"{url}/weeks/1/sessions/2/done", {"rpe": "6", "pain": "0"}, page=url))
    assert "week 1 session 2 done" in done.text and "Done on" in done.text
    twice = b.follow(b.post(f"{url}/weeks/1/sessions/2/done", {}, page=url))
    assert "already marked done" in twice.text
    repo = open_repository(str(tmp_path / "web.db"))
    user = repo.user("ada")
    assert user is not None
    [session] = repo.sessions(user.id)
    assert (session.plan_week, session.plan_session) == (1, 2)
    assert all(s.rpe == 6 for s in session.sets)
    log = b.get("/log").text
    assert session.date.isoformat() in log


def test_plan_form_errors_are_messages(tmp_path: Path) -> None:
    b = Browser(make_app(tmp_path))
    b.signup("ada")
    r = b.post("/plans", {"weeks": 2, "days": 2, "minutes": 15, "prefer": "no-such-thing"}, page="/plans")
    assert r.status_code == 400 and "cannot prefer" in r.text


def test_api_plan_flow(tmp_path: Path) -> None:
    api = Api(make_app(tmp_path))
    api.signup("ada")
    made = api.post("/api/plans", json=SMALL)
    assert made.status_code == 201
    uid = made.json()["uid"]
    assert [p["uid"] for p in api.get("/api/plans").json()] == [uid]
    assert len(api.get(f"/api/plans/{uid}").json()["plan"]["weeks"]) == 6
    done = api.post(f"/api/plans/{uid}/weeks/1/sessions/1/done", json={"rpe": 5})
    assert done.status_code == 201 and done.json()["plan_week"] == 1
    assert api.post(f"/api/plans/{uid}/weeks/9/sessions/1/done", json={}).status_code == 400
    progress = api.get(f"/api/plans/{uid}/progress").json()
    assert progress["done"] == [[1, 1]] and progress["resume_week"] == 2 and not progress["needs_replan"]
    assert api.post(f"/api/plans/{uid}/replan").status_code == 400  # nothing missed yet
    assert api.post("/api/plans", json={"days": 9}).status_code == 422
    sessions = api.get("/api/sessions").json()
    assert len(sessions) == 1 and sessions[0]["sets"]


def test_a_missed_week_offers_a_replan_on_the_page_and_the_api(tmp_path: Path) -> None:
    day = [dt.date(2026, 11, 2)]
    app = make_app(tmp_path, today=lambda: day[0])
    b = Browser(app)
    b.signup("ada")
    url = b.post("/plans", SMALL, page="/plans").headers["location"]
    b.post(f"{url}/weeks/1/sessions/1/done", {}, page=url)
    assert "Re-plan the remaining weeks" not in b.get(url).text
    day[0] = dt.date(2026, 11, 17)  # calendar week 3: week 2 went by with nothing done
    page = b.get(url).text
    assert "Week 2 went by with nothing done" in page and "Re-plan the remaining weeks" in page
    new_url = b.post(f"{url}/replan", page=url).headers["location"]
    assert new_url != url
    new = b.get(new_url).text
    assert "re-planned" in new and 'id="week-5"' in new and 'id="week-6"' not in new
    # the API agrees on the new plan: nothing done, nothing missed, starts today
    api = Api(app)
    api.client.cookies = b.client.cookies
    listed = api.get("/api/plans").json()
    assert sorted(p["start_date"] for p in listed) == ["2026-11-02", "2026-11-17"]
    assert listed[-1]["uid"] == new_url.rsplit("/", 1)[1]  # newest last, even within one second
    progress = api.get(f"/api/plans/{listed[-1]['uid']}/progress").json()
    assert progress == {
        "weeks": 5, "done": [], "calendar_week": 1, "resume_week": 1, "missed": [],
        "needs_replan": False, "finished": False,
    }  # fmt: skip


def test_the_latest_profile_is_the_one_saved_last_even_within_a_second(tmp_path: Path) -> None:
    repo = open_repository(str(tmp_path / "p.db"))
    me = repo.create_user("ada", "Ada", "client", "x")
    for days in (2, 5, 3, 4, 1):
        planning.save_profile(repo, me.id, {"days": days})
    assert planning.latest_profile(repo, me.id).days == 1


def test_a_form_with_a_value_of_the_wrong_type_answers_a_page(tmp_path: Path) -> None:
    b = Browser(make_app(tmp_path))
    b.signup("ada")
    r = b.post("/plans", {"days": "three"}, page="/plans")
    assert r.status_code == 400 and "<html" in r.text and "days" in r.text
    api = Api(make_app(tmp_path / "api"))
    api.signup("bob")
    assert api.post("/api/plans", json={"days": "three"}).status_code == 422
