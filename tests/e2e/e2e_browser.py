"""End-to-end helpers: the real app served by ``midline serve`` on a free loopback port, and Debian's
headless Chromium driven by Selenium through /usr/bin/chromedriver.

Nothing is downloaded: Selenium Manager is kept offline (``SE_OFFLINE``) and both binaries are given
by path. Without them (``scripts/ci-browser.sh`` installs them as root) the browser tests skip with
a loud reason, or fail when ``CI=true``: a CI run must not pass without its browser.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--window-size=1280,900",
)
SCREENSHOTS_ENV = "MIDLINE_SCREENSHOTS"
"""When set (e.g. ``docs/screenshots``), the flow saves its screenshots there; CI leaves it unset."""
UPLOAD_LIMIT_MB = 20
SERVER_START_S = 60.0

os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager: never fetch a driver or a browser


def browser_missing() -> str | None:
    """Why no browser test can run here, or None."""
    if not CHROMIUM.is_file() or not CHROMEDRIVER.is_file():
        return (
            f"{CHROMIUM} and {CHROMEDRIVER} are needed (Debian packages chromium and chromium-driver;"
            " scripts/ci-browser.sh installs them as root)"
        )
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    return None


def require_browser() -> None:
    reason = browser_missing()
    if reason is None:
        return
    message = f"!!! END-TO-END BROWSER TESTS CANNOT RUN: {reason}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_serving(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if process.poll() is not None:
            raise RuntimeError(f"midline serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url + "/login", timeout=2) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(f"midline serve did not answer within {timeout:.0f} s:\n{log.read_text()}")


def chromium_options(*extra: str) -> Any:
    from selenium.webdriver.chrome.options import Options

    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in (*CHROMIUM_FLAGS, *extra):
        options.add_argument(flag)
    return options


def start_chromium(*extra_flags: str) -> Any:
    """Debian's headless Chromium through /usr/bin/chromedriver (given by path: nothing is fetched)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    driver = webdriver.Chrome(
        options=chromium_options(*extra_flags), service=Service(executable_path=str(CHROMEDRIVER))
    )
    driver.set_page_load_timeout(60)
    return driver


class Screenshots:
    """Saves named screenshots into ``$MIDLINE_SCREENSHOTS`` when it is set; otherwise does nothing.

    The viewport is stretched to the page's height (up to ``max_height`` pixels) for the shot, so a
    screenshot shows the charts below the fold, then put back."""

    def __init__(self, folder: str | None) -> None:
        self.folder = Path(folder) if folder else None
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)

    def __call__(self, driver: Any, name: str, max_height: int = 900) -> None:
        if self.folder is None:
            return
        target = self.folder / f"{name}.png"
        height = min(int(driver.execute_script("return document.documentElement.scrollHeight")), max_height)
        metrics = {"width": 1280, "height": max(height, 600), "deviceScaleFactor": 1, "mobile": False}
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
        try:
            time.sleep(0.5)  # responsive charts redraw for the new viewport
            assert driver.save_screenshot(str(target)), f"no screenshot written to {target}"
        finally:
            driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        shrink_png(target)


def shrink_png(path: Path) -> None:
    """256 colours, optimised: a page with a video frame drops from ~400 KB to ~150 KB (docs stay light)."""
    try:
        from PIL import Image
    except ImportError:  # Pillow comes with matplotlib (a mediapipe dependency); without it, keep the PNG
        return
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(path, optimize=True)


def left_page(old: Any) -> Any:
    """A wait condition: the element ``old`` (e.g. the page's <html>) is gone, the next page loaded.

    Selenium's ``staleness_of`` expects a StaleElementReferenceException, but Chromium answers a
    node that vanished mid-navigation with a plain "Node with given id does not belong to the
    document" error: any WebDriverException on the old node means it is gone.
    """
    from selenium.common.exceptions import WebDriverException

    def gone(_driver: Any) -> bool:
        try:
            old.is_enabled()
        except WebDriverException:
            return True
        return False

    return gone
