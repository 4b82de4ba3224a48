"""The login rate limit is kept in the database: two server processes on one database (SQLite file or
PostgreSQL) count the same failed logins, and a restarted server still knows them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from midline.web import Settings, create_app
from storage_db import BACKENDS, database_url
from web_app import Api, Browser

WRONG = {"username": "ada", "password": "not her password"}
RIGHT = {"username": "ada", "password": "correct horse"}


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from database_url(request.param, tmp_path)


@pytest.fixture
def start(url: str, tmp_path: Path) -> Iterator[Callable[[], Any]]:
    """Starts one more server on the same database (its own engine and data folder)."""
    started: list[Any] = []

    def start_server() -> Any:
        app = create_app(Settings(db=url, data_dir=tmp_path / f"data{len(started)}", secret_key="k"))
        started.append(app)
        return app

    yield start_server
    for app in started:
        app.state.web.repo.engine.dispose()


def test_two_servers_on_one_database_share_the_limit_and_a_restart_keeps_it(start: Callable[[], Any]) -> None:
    first, second = start(), start()
    Api(first).signup("ada")
    api, form = TestClient(first), Browser(second)
    for i in range(5):  # the attacker alternates between the processes: 5 tries in all, not 5 each
        if i % 2 == 0:
            assert api.post("/api/login", json=WRONG).status_code == 401
        else:
            assert form.post("/login", WRONG).status_code == 400
    assert api.post("/api/login", json=RIGHT).status_code == 429
    locked = form.post("/login", RIGHT)
    assert locked.status_code == 429 and "too many failed logins" in locked.text
    restarted = TestClient(start())
    assert restarted.post("/api/login", json=RIGHT).status_code == 429
    # another account from the same address is not locked, on any of them
    Api(second).signup("bob")
    assert restarted.post("/api/login", json={**RIGHT, "username": "bob"}).status_code == 200


def test_a_success_clears_the_count_for_every_server(start: Callable[[], Any]) -> None:
    first, second = start(), start()
    Api(first).signup("ada")
    one, two = TestClient(first), TestClient(second)
    for _ in range(4):
        assert one.post("/api/login", json=WRONG).status_code == 401
    assert two.post("/api/login", json=RIGHT).status_code == 200
    for _ in range(4):  # a fresh count of 5 after the success, seen by the other server too
        assert two.post("/api/login", json=WRONG).status_code == 401
    assert one.post("/api/login", json=WRONG).status_code == 401
    assert one.post("/api/login", json=RIGHT).status_code == 429
