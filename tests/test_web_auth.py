"""Sign up, log in, log out, sessions, CSRF and the login rate limit: pages and API."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from midline.storage import open_repository
from midline.storage.orm import LoginFailure
from midline.web.security import LoginLimiter, hash_password, verify_password
from midline.web.settings import load_secret
from web_app import Api, Browser, make_app


def test_password_hash_is_argon2_and_verifies_only_the_password() -> None:
    stored = hash_password("correct horse")
    assert stored.startswith("$argon2")
    assert verify_password(stored, "correct horse")
    assert not verify_password(stored, "correct horsE")
    assert not verify_password(None, "")  # the password-less local user cannot log in on the web


def test_secret_key_is_generated_once_private_and_reused(tmp_path: Path) -> None:
    key = load_secret(tmp_path)
    assert len(key) >= 48
    assert stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode) == 0o600
    assert load_secret(tmp_path) == key


def test_signup_logs_in_with_an_httponly_samesite_cookie_and_stores_the_hash(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    b = Browser(app)
    token = b.token("/signup")
    r = b.client.post(
        "/signup",
        data={"username": "Ada", "password": "correct horse", "display_name": "Ada L", "csrf_token": token},
    )
    assert r.status_code == 303
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert "Ada L" in b.get("/profile").text
    user = open_repository(str(tmp_path / "web.db")).user("ada")
    assert user is not None and user.password_hash is not None
    assert user.password_hash.startswith("$argon2") and "correct horse" not in user.password_hash


def test_pages_need_a_login_and_logout_ends_the_session(tmp_path: Path) -> None:
    b = Browser(make_app(tmp_path))
    assert b.get("/plans").headers["location"] == "/login"
    b.signup("ada")
    assert b.get("/plans").status_code == 200
    assert b.post("/logout", page="/plans").status_code == 303
    assert b.get("/plans").headers["location"] == "/login"


def test_login_checks_the_password(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    Browser(app).signup("ada")
    b = Browser(app)
    bad = b.post("/login", {"username": "ada", "password": "wrong password"})
    assert bad.status_code == 400 and "wrong username or password" in bad.text
    good = b.post("/login", {"username": "ada", "password": "correct horse"})
    assert good.status_code == 303 and b.get("/profile").status_code == 200


def test_a_form_without_the_session_token_is_refused(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    b = Browser(app)
    b.signup("ada")
    forged = b.client.post("/logout", data={"csrf_token": "guessed"})
    assert forged.status_code == 403
    missing = b.client.post("/plans", data={"weeks": 2})
    assert missing.status_code == 403
    assert b.get("/plans").status_code == 200  # still logged in


def test_signup_refuses_a_taken_name_and_a_short_password(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    Browser(app).signup("ada")
    b = Browser(app)
    taken = b.post("/signup", {"username": "ada", "password": "another password"}, page="/signup")
    assert taken.status_code == 400 and "taken" in taken.text
    short = b.post("/signup", {"username": "bob", "password": "short"}, page="/signup")
    assert short.status_code == 400 and "at least 8" in short.text


def test_five_failed_logins_lock_that_name_from_that_address(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    Browser(app).signup("ada")
    b = Browser(app)
    for _ in range(5):
        assert b.post("/login", {"username": "ada", "password": "nope nope"}).status_code == 400
    locked = b.post("/login", {"username": "ada", "password": "correct horse"})
    assert locked.status_code == 429 and "too many failed logins" in locked.text
    api = TestClient(app)
    assert api.post("/api/login", json={"username": "ada", "password": "correct horse"}).status_code == 429
    # another account from the same address is not locked
    Browser(app).signup("bob")
    assert b.post("/login", {"username": "bob", "password": "correct horse"}).status_code == 303


def _limiter(tmp_path: Path, now: list[float], name: str = "limit.db") -> LoginLimiter:
    return LoginLimiter(
        open_repository(str(tmp_path / name)).engine, failures=2, window_s=60, clock=lambda: now[0]
    )


def test_limiter_window_slides(tmp_path: Path) -> None:
    now = [1000.0]
    limiter = _limiter(tmp_path, now)
    limiter.failed("ada", "1.2.3.4")
    now[0] = 1010.0
    limiter.failed("ADA", "1.2.3.4")
    assert limiter.blocked("ada", "1.2.3.4") == 50  # the first failure leaves the window at 1060
    assert limiter.blocked("ada", "5.6.7.8") is None
    now[0] = 1061.0
    assert limiter.blocked("ada", "1.2.3.4") is None
    limiter.failed("ada", "1.2.3.4")  # one in the window again (1010) plus this one: blocked
    assert limiter.blocked("ada", "1.2.3.4") == 9
    limiter.succeeded("ada", "1.2.3.4")
    assert limiter.blocked("ada", "1.2.3.4") is None


def test_limiter_forgets_expired_failures_so_new_usernames_cannot_grow_it_forever(tmp_path: Path) -> None:
    now = [1000.0]
    limiter = _limiter(tmp_path, now)
    for i in range(100):
        limiter.failed(f"guess{i}", "1.2.3.4")
    now[0] = 1061.0  # the guesses have expired; ada's two failures come within her window
    limiter.failed("ada", "9.9.9.9")
    limiter.failed("ada", "9.9.9.9")
    with limiter.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(LoginFailure)) == 2
    assert limiter.blocked("ada", "9.9.9.9") == 60


def test_api_login_me_and_csrf_header(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    api = Api(app)
    me = api.signup("ada")
    assert me["username"] == "ada" and me["role"] == "client"
    assert api.get("/api/me").json()["csrf_token"] == me["csrf_token"]
    no_header = api.client.put("/api/profile", json={"days": 2})
    assert no_header.status_code == 403
    assert api.request("PUT", "/api/profile", json={"days": 2}).json()["days"] == 2
    assert api.post("/api/logout").status_code == 204
    assert api.get("/api/me").status_code == 401
    assert api.get("/api/plans").status_code == 401
    again = TestClient(app).post("/api/login", json={"username": "ada", "password": "correct horse"})
    assert again.status_code == 200


def test_deleting_the_account_removes_it_and_everything_it_owns(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    api = Api(app)
    api.signup("ada")
    assert api.post("/api/plans", json={"weeks": 2, "days": 2, "minutes": 15}).status_code == 201
    assert api.delete("/api/me").status_code == 204
    repo = open_repository(str(tmp_path / "web.db"))
    assert repo.user("ada") is None
    login = TestClient(app).post("/api/login", json={"username": "ada", "password": "correct horse"})
    assert login.status_code == 401


def test_account_delete_page_needs_the_username_typed(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    b = Browser(app)
    b.signup("ada")
    kept = b.follow(b.post("/account/delete", {"confirm": "nope"}, page="/profile"))
    assert "type your username" in kept.text
    gone = b.post("/account/delete", {"confirm": "ada"}, page="/profile")
    assert gone.status_code == 303
    assert open_repository(str(tmp_path / "web.db")).user("ada") is None


def test_a_cookie_copied_before_logout_stops_working_even_after_a_restart(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    api = Api(app)
    api.signup("ada")
    stolen = dict(api.client.cookies)
    assert api.post("/api/logout").status_code == 204
    thief = TestClient(app, cookies=stolen)
    assert thief.get("/api/me").status_code == 401
    assert thief.get("/plans", follow_redirects=False).headers["location"] == "/login"
    restarted = TestClient(make_app(tmp_path), cookies=stolen)
    assert restarted.get("/api/me").status_code == 401
    # logging in again gives a new session that works
    again = TestClient(app)
    assert again.post("/api/login", json={"username": "ada", "password": "correct horse"}).status_code == 200
    assert again.get("/api/me").status_code == 200
