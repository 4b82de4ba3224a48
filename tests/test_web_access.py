"""Every look-up is scoped to its owner: another user's ids read as 404 on the API and the pages,
and deletes through them change nothing. An instructor sees granted clients only, until revoked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from midline.log.service import store_analysis
from midline.storage import open_repository
from web_app import Api, Browser, make_app

SMALL = {"weeks": 2, "days": 2, "minutes": 15}
REPORT = {
    "exercise": "seated-squeeze",
    "summary": {"reps": 8, "ankle_gap_at_squeeze": 0.05, "mean_eccentric_ratio": 1.4},
}


@pytest.fixture
def world(tmp_path: Path) -> dict[str, Any]:
    """Ada (client) with a plan, a done session and an analysis; Bob (client); Cleo (instructor)."""
    app = make_app(tmp_path)
    ada, bob, cleo = Api(app), Api(app), Api(app)
    ada.signup("ada")
    bob.signup("bob")
    cleo.signup("cleo", role="instructor")
    plan = ada.post("/api/plans", json=SMALL).json()["uid"]
    session = ada.post(f"/api/plans/{plan}/weeks/1/sessions/1/done", json={}).json()["uid"]
    repo = open_repository(str(tmp_path / "web.db"))
    owner = repo.user("ada")
    assert owner is not None
    analysis = store_analysis(repo, owner.id, REPORT, {}, landmarks=None).uid
    return {
        "app": app, "ada": ada, "bob": bob, "cleo": cleo, "plan": plan, "session": session,
        "analysis": analysis, "repo": repo,
    }  # fmt: skip


def _ada_untouched(w: dict[str, Any]) -> None:
    ada = w["ada"]
    assert ada.get(f"/api/plans/{w['plan']}").status_code == 200
    assert ada.get(f"/api/sessions/{w['session']}").status_code == 200
    assert ada.get(f"/api/analyses/{w['analysis']}").status_code == 200


def test_api_another_users_ids_read_as_not_found(world: dict[str, Any]) -> None:
    w, bob = world, world["bob"]
    for url in (
        f"/api/plans/{w['plan']}",
        f"/api/plans/{w['plan']}/progress",
        f"/api/sessions/{w['session']}",
        f"/api/analyses/{w['analysis']}",
    ):
        assert bob.get(url).status_code == 404, url
    assert bob.post(f"/api/plans/{w['plan']}/weeks/1/sessions/2/done", json={}).status_code == 404
    assert bob.post(f"/api/plans/{w['plan']}/replan").status_code == 404
    assert bob.delete(f"/api/sessions/{w['session']}").status_code == 404
    assert bob.delete(f"/api/analyses/{w['analysis']}").status_code == 404
    assert bob.get("/api/plans").json() == []
    assert bob.get("/api/sessions").json() == []
    assert bob.get("/api/analyses").json() == []
    _ada_untouched(w)


def test_pages_another_users_ids_read_as_not_found(world: dict[str, Any]) -> None:
    w = world
    b = Browser(w["app"])
    b.signup("dora")
    assert b.get(f"/plans/{w['plan']}").status_code == 404
    assert b.get(f"/analyses/{w['analysis']}").status_code == 404
    assert b.post(f"/plans/{w['plan']}/weeks/1/sessions/2/done", {}, page="/plans").status_code == 404
    assert b.post(f"/plans/{w['plan']}/replan", page="/plans").status_code == 404
    assert b.post(f"/sessions/{w['session']}/delete", page="/plans").status_code == 404
    assert b.post(f"/analyses/{w['analysis']}/delete", page="/plans").status_code == 404
    assert b.get("/clients/ada").status_code == 404  # not an instructor
    assert w["plan"] not in b.get("/plans").text and w["analysis"] not in b.get("/log").text
    _ada_untouched(w)


def test_owner_deletes_a_session_and_an_analysis(world: dict[str, Any]) -> None:
    ada = world["ada"]
    assert ada.delete(f"/api/analyses/{world['analysis']}").status_code == 204
    assert ada.get(f"/api/analyses/{world['analysis']}").status_code == 404
    assert ada.delete(f"/api/sessions/{world['session']}").status_code == 204
    assert ada.get("/api/sessions").json() == []


def test_instructor_sees_granted_clients_only_until_revoked(world: dict[str, Any]) -> None:
    w, ada, bob, cleo = world, world["ada"], world["bob"], world["cleo"]
    assert cleo.get("/api/clients").json() == []
    assert cleo.get("/api/clients/ada/plans").status_code == 404
    assert ada.post("/api/instructors", json={"instructor": "cleo"}).status_code == 204
    assert [c["username"] for c in cleo.get("/api/clients").json()] == ["ada"]
    assert [p["uid"] for p in cleo.get("/api/clients/ada/plans").json()] == [w["plan"]]
    assert cleo.get(f"/api/clients/ada/plans/{w['plan']}").status_code == 200
    assert [s["uid"] for s in cleo.get("/api/clients/ada/sessions").json()] == [w["session"]]
    assert [a["uid"] for a in cleo.get("/api/clients/ada/analyses").json()] == [w["analysis"]]
    assert cleo.get(f"/api/clients/ada/analyses/{w['analysis']}").json()["report"] == REPORT
    assert cleo.get(f"/api/clients/bob/analyses/{w['analysis']}").status_code == 404
    # Bob never granted: his data stays closed, and a plan id of Ada's does not open under Bob's name
    assert cleo.get("/api/clients/bob/plans").status_code == 404
    assert cleo.get(f"/api/clients/bob/plans/{w['plan']}").status_code == 404
    # Cleo reads Ada's data under /clients only, never under her own ids
    assert cleo.get(f"/api/plans/{w['plan']}").status_code == 404
    # a client cannot use the instructor views, nor grant to a non-instructor
    assert bob.get("/api/clients/ada/plans").status_code == 404
    assert ada.post("/api/instructors", json={"instructor": "bob"}).status_code == 404
    assert ada.delete("/api/instructors/cleo").status_code == 204
    assert cleo.get("/api/clients").json() == []
    assert cleo.get(f"/api/clients/ada/analyses/{w['analysis']}").status_code == 404
    assert cleo.get("/api/clients/ada/plans").status_code == 404
    assert ada.delete("/api/instructors/cleo").status_code == 404  # nothing left to revoke


def test_instructor_pages_follow_the_grant(world: dict[str, Any]) -> None:
    w = world
    ada = Browser(w["app"])
    assert ada.post("/login", {"username": "ada", "password": "correct horse"}).status_code == 303
    cleo = Browser(w["app"])
    assert cleo.post("/login", {"username": "cleo", "password": "correct horse"}).status_code == 303
    assert cleo.get("/clients/ada").status_code == 404
    flash = ada.follow(ada.post("/profile/instructors", {"instructor": "cleo"}, page="/profile"))
    assert "cleo can now see" in flash.text
    assert "/clients/ada" in cleo.get("/clients").text
    client_page = cleo.get("/clients/ada")
    assert client_page.status_code == 200 and w["plan"] in client_page.text
    plan_page = cleo.get(f"/clients/ada/plans/{w['plan']}")
    assert (
        plan_page.status_code == 200 and "read-only" in plan_page.text and "Mark done" not in plan_page.text
    )
    analysis_page = cleo.get(f"/clients/ada/analyses/{w['analysis']}")
    assert analysis_page.status_code == 200 and "read-only" in analysis_page.text
    assert "/delete" not in analysis_page.text
    ada.post("/profile/instructors", {"instructor": "cleo", "action": "revoke"}, page="/profile")
    assert cleo.get(f"/clients/ada/analyses/{w['analysis']}").status_code == 404
    assert cleo.get("/clients/ada").status_code == 404
    assert cleo.get(f"/clients/ada/plans/{w['plan']}").status_code == 404


def test_export_holds_the_owners_data_only(world: dict[str, Any]) -> None:
    ada = world["ada"].get("/api/export")
    assert ada.status_code == 200 and "attachment" in ada.headers["content-disposition"]
    doc = ada.json()
    assert doc["format"] == "midline-log" and doc["user"]["username"] == "ada"
    assert [p["uid"] for p in doc["plans"]] == [world["plan"]]
    assert [a["uid"] for a in doc["analyses"]] == [world["analysis"]]
    assert "password" not in ada.text
    bob = world["bob"].get("/api/export").json()
    assert bob["user"]["username"] == "bob" and bob["plans"] == [] and bob["analyses"] == []
