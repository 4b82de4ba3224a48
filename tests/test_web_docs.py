"""The API is documented (OpenAPI) and every asset is served locally: no page names another host."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from web_app import Browser, make_app

EXTERNAL = re.compile(r"""(?:src|href)=["'](?:https?:)?//""")


def test_openapi_lists_the_api_and_docs_load_swagger_locally(tmp_path: Path) -> None:
    client = TestClient(make_app(tmp_path))
    spec = client.get("/openapi.json").json()
    paths = set(spec["paths"])
    for path in ("/api/login", "/api/plans", "/api/plans/{uid}/replan", "/api/exercises", "/api/clients"):
        assert path in paths
    assert all(p.startswith("/api/") for p in paths)  # pages are not in the API schema
    docs = client.get("/docs").text
    assert not EXTERNAL.search(docs), "the docs page must not load anything from another host"
    assets = re.findall(r"""(?:src|href)=["'](/docs-assets/[^"']+)""", docs)
    assert "/docs-assets/swagger-ui-bundle.js" in assets and "/docs-assets/swagger-ui.css" in assets
    for asset in assets:
        r = client.get(asset)
        assert r.status_code == 200 and len(r.content) > 500, asset
    assert client.get("/docs-assets/index.html").status_code == 404  # only the files the page needs


def test_plotly_is_served_from_the_installed_package(tmp_path: Path) -> None:
    r = TestClient(make_app(tmp_path)).get("/static/plotly.min.js")
    assert r.status_code == 200 and len(r.content) > 1_000_000
    assert r.headers["content-type"].startswith("text/javascript")


def test_pages_name_no_other_host_and_send_safety_headers(tmp_path: Path) -> None:
    b = Browser(make_app(tmp_path))
    b.signup("ada")
    b.post("/plans", {"weeks": 1, "days": 1, "minutes": 15}, page="/plans")
    for url in ("/", "/exercises", "/exercises/clamshell", "/plans", "/profile", "/log", "/clients"):
        r = b.get(url)
        assert r.status_code == 200, url
        assert not EXTERNAL.search(r.text), url
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        csp = r.headers["content-security-policy"]
        assert "script-src 'self';" in csp and "frame-ancestors 'none'" in csp
        assert "<script>" not in r.text  # no inline script for the policy to allow
    assert b.get("/static/style.css").status_code == 200


def test_unknown_page_is_an_html_404_and_unknown_api_is_json(tmp_path: Path) -> None:
    client = TestClient(make_app(tmp_path))
    page = client.get("/nowhere")
    assert page.status_code == 404 and "<html" in page.text
    api = client.get("/api/nowhere")
    assert api.status_code == 404 and api.json() == {"detail": "Not Found"}
