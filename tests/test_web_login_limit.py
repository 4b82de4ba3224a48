"""The login rate limit is kept in the database: two server processes on one database (SQLite file or
PostgreSQL) count the same failed logins, and a restarted server still knows them."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from midline.storage import open_repository
from midline.storage.orm import LoginFailure
from midline.web import Settings, accounts, create_app
from midline.web.security import LoginLimiter
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


BURST = 12  # concurrent wrong-password attempts, more than twice the limit of 5


def test_a_burst_of_concurrent_attempts_gets_the_limit_of_password_checks_and_no_more(
    start: Callable[[], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An attacker firing attempts in parallel at two server processes gets no more password checks
    than one trying them in turn: 5 in the window, the rest answer 429 without a check."""
    servers = [start(), start()]
    Api(servers[0]).signup("ada")
    now = [1_000_000.0]
    for app in servers:
        app.state.web.limiter.clock = lambda: now[0]
    checks: list[str] = []
    lock = threading.Lock()
    real_verify = accounts.verify_password

    def slow_verify(stored: str | None, password: str) -> bool:
        # a loaded server's argon2: every attempt of the burst arrives while the first is checked
        with lock:
            checks.append(password)
        time.sleep(0.3)
        return real_verify(stored, password)

    monkeypatch.setattr(accounts, "verify_password", slow_verify)
    clients = [TestClient(servers[i % 2]) for i in range(BURST)]
    go = threading.Barrier(BURST)
    codes: list[int] = []

    def attempt(client: TestClient) -> None:
        go.wait()
        code = client.post("/api/login", json=WRONG).status_code
        with lock:
            codes.append(code)

    threads = [threading.Thread(target=attempt, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(codes) == BURST
    assert len(checks) == 5, f"{len(checks)} password checks ran for {BURST} concurrent attempts"
    assert sorted(codes) == [401] * 5 + [429] * (BURST - 5)
    with servers[0].state.web.repo.engine.connect() as conn:  # a refusal leaves no trace
        assert conn.scalar(select(func.count()).select_from(LoginFailure)) == 5
    now[0] += 301  # the window has passed: the right password works again, on either server
    assert TestClient(servers[1]).post("/api/login", json=RIGHT).status_code == 200


@pytest.fixture
def limiter(url: str) -> Iterator[tuple[LoginLimiter, list[float]]]:
    """A limit of 3 in 60 s on a fresh database, on a clock the test moves."""
    now = [1000.0]
    engine = open_repository(url).engine
    yield LoginLimiter(engine, failures=3, window_s=60, clock=lambda: now[0]), now
    engine.dispose()


def _rows(limiter: LoginLimiter) -> int:
    with limiter.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(LoginFailure)) or 0)


def test_reserved_attempts_count_as_failures_and_a_refusal_leaves_no_trace(
    limiter: tuple[LoginLimiter, list[float]],
) -> None:
    limit, now = limiter
    for t in (1000.0, 1010.0, 1020.0):  # three checks claimed and failed: the limit
        now[0] = t
        assert limit.reserve("ada", "1.2.3.4") is None
    now[0] = 1030.0
    for _ in range(10):  # hammering the locked key neither gets a check nor moves the lock-out
        assert limit.reserve("ADA", "1.2.3.4") == 30  # the first failure leaves the window at 1060
    assert _rows(limit) == 3 and limit.blocked("ada", "1.2.3.4") == 30
    assert limit.reserve("ada", "5.6.7.8") is None  # another address is another key
    now[0] = 1061.0
    assert limit.reserve("ada", "1.2.3.4") is None  # one slot back after the first one left
    assert limit.reserve("ada", "1.2.3.4") == 9
    limit.succeeded("ada", "1.2.3.4")  # the right password: a fresh count
    assert limit.blocked("ada", "1.2.3.4") is None and _rows(limit) == 1


def test_concurrent_reservations_admit_exactly_the_limit(limiter: tuple[LoginLimiter, list[float]]) -> None:
    """16 threads reserve at the same instant (a barrier): exactly 3 get a password check, and only
    theirs stay counted; once the window has passed the key gets its checks again."""
    limit, now = limiter
    go = threading.Barrier(16)
    admitted: list[bool] = []

    def attempt() -> None:
        go.wait()
        admitted.append(limit.reserve("ada", "1.2.3.4") is None)

    threads = [threading.Thread(target=attempt) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(admitted) == 16
    assert sum(admitted) == 3 and _rows(limit) == 3  # exactly the limit: never more, nor fewer
    now[0] += 61
    assert [limit.reserve("ada", "1.2.3.4") for _ in range(4)] == [None, None, None, 60]
    assert _rows(limit) == 3  # the expired rows went, the fourth (refused) left none
