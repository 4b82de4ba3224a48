"""Helpers for the web app tests: an app on a fresh SQLite file, and a browser-like client that
reads the CSRF token out of the page it was served, as a real browser's form would carry it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient

from midline.web import Settings, create_app

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def make_app(tmp_path: Path, **settings: Any) -> Any:
    return create_app(Settings(db=str(tmp_path / "web.db"), data_dir=tmp_path / "data", **settings))


class Browser:
    """Pages through a TestClient: forms post the token found on the page they came from."""

    def __init__(self, app: Any) -> None:
        self.client = TestClient(app, follow_redirects=False)

    def token(self, page: str = "/login") -> str:
        found = TOKEN.search(self.client.get(page).text)
        assert found, f"no CSRF token on {page}"
        return found.group(1)

    def get(self, url: str) -> httpx.Response:
        return self.client.get(url)

    def post(self, url: str, data: dict[str, Any] | None = None, page: str = "/login") -> httpx.Response:
        return self.client.post(url, data={**(data or {}), "csrf_token": self.token(page)})

    def signup(self, username: str, role: str = "client", password: str = "correct horse") -> None:
        r = self.post("/signup", {"username": username, "password": password, "role": role}, page="/signup")
        assert r.status_code == 303, r.text

    def follow(self, r: httpx.Response) -> httpx.Response:
        assert r.status_code == 303, r.text
        return self.client.get(r.headers["location"])


class Api:
    """The JSON API as a script would use it: log in, then echo the CSRF token on changes."""

    def __init__(self, app: Any) -> None:
        self.client = TestClient(app)
        self.csrf = ""

    def signup(self, username: str, role: str = "client", password: str = "correct horse") -> dict[str, Any]:
        r = self.client.post("/api/signup", json={"username": username, "password": password, "role": role})
        assert r.status_code == 201, r.text
        self.csrf = r.json()["csrf_token"]
        return dict(r.json())

    def request(
        self, method: str, url: str, headers: dict[str, str] | None = None, **kw: Any
    ) -> httpx.Response:
        return self.client.request(method, url, headers={**(headers or {}), "X-CSRF-Token": self.csrf}, **kw)

    def get(self, url: str) -> httpx.Response:
        return self.client.get(url)

    def post(self, url: str, json: Any = None) -> httpx.Response:
        return self.request("POST", url, json=json)

    def delete(self, url: str) -> httpx.Response:
        return self.request("DELETE", url)
