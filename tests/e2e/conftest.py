"""End-to-end fixtures: ``live_server`` (the real app, ``midline serve`` on a free loopback port, its
own SQLite file and data folder; session-scoped, yields the base URL), ``driver`` (Debian's headless
Chromium through Selenium) and ``screenshot`` (saves into ``$MIDLINE_SCREENSHOTS`` when set).
Helpers to start another browser (e.g. with a fake camera) are in ``e2e_browser``."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from e2e_browser import (
    SCREENSHOTS_ENV,
    SERVER_START_S,
    UPLOAD_LIMIT_MB,
    Screenshots,
    free_port,
    require_browser,
    start_chromium,
    wait_until_serving,
)

SERVER_LOGS: list[Path] = []


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """On a failed browser test, report where the browser was, what it showed, and the server's log."""
    report = yield
    drv = getattr(item, "funcargs", {}).get("driver")
    if report.when == "call" and report.failed and drv is not None:
        try:
            page = f"{drv.current_url}\n{drv.find_element('tag name', 'body').text[:3000]}"
        except Exception as exc:  # the browser itself may be what failed
            page = f"(no page: {exc})"
        logs = "\n".join(p.read_text(errors="replace")[-3000:] for p in SERVER_LOGS if p.is_file())
        report.sections.append(("browser page", page))
        report.sections.append(("server log", logs))
    return report


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real app as a user runs it (``midline serve``, a subprocess) on a free loopback port, with
    its own SQLite file and data folder; yields the base URL (no trailing slash)."""
    root = tmp_path_factory.mktemp("live-server")
    port = free_port()
    log = root / "server.log"
    cmd = [
        sys.executable, "-c", "from midline.cli.app import main; main()", "serve",
        "--host", "127.0.0.1", "--port", str(port),
        "--db", str(root / "web.db"), "--data-dir", str(root / "data"),
        "--upload-limit-mb", str(UPLOAD_LIMIT_MB),
    ]  # fmt: skip
    env = {**os.environ, "MIDLINE_DB": str(root / "web.db")}
    with log.open("wb") as out:
        process = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(url, process, log, SERVER_START_S)
        SERVER_LOGS.append(log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    require_browser()
    drv = start_chromium()
    try:
        yield drv
    finally:
        drv.quit()


@pytest.fixture(scope="session")
def screenshot() -> Screenshots:
    return Screenshots(os.environ.get(SCREENSHOTS_ENV))
