"""/live in a real headless Chromium whose camera is a rendered clip (Chromium's fake capture device,
fed a .y4m made from the clip with PyAV): the page streams the camera to the real server, draws the
skeleton and counts the reps the clip holds; Finish saves the set and links to its report."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import pytest
from e2e_browser import Screenshots, left_page, require_browser, start_chromium
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

CLIP = (
    Path(__file__).parents[1] / "data" / "rendered" / "r05_standing-squeeze_fast-release_caucasian-female.mp4"
)
"""Two reps of a standing squeeze in 5.3 s (15 fps), with a fast release."""
LEAD_S = 2.0
"""The first frame held before the clip: the page starts streaming while the body stands still."""
SLOW = 3
"""Each frame shown three times: the set at a third of its speed (a calm tempo, 7.5 s a rep), so that a busy
machine analysing only a few frames a second still sees every phase of every rep."""
TAIL_S = 14.0
"""The last frame held after it (a rest), before Chromium loops the file and the reps start again."""
SIZE = (320, 240)
"""The camera's frame size (the clip downscaled: a smaller file; the page sends it as it is)."""
COUNT_TIMEOUT_S = 60


def clip_to_y4m(clip: Path, target: Path, lead_s: float, tail_s: float, slow: int = 1) -> int:
    """The clip as a raw .y4m (what Chromium's fake camera plays), each frame shown ``slow`` times,
    its first frame held ``lead_s`` and its last ``tail_s``; returns the number of frames written."""
    with av.open(str(clip)) as source:
        stream = source.streams.video[0]
        fps = Fraction(stream.average_rate or 15)
        frames = [f.reformat(width=SIZE[0], height=SIZE[1], format="yuv420p") for f in source.decode(stream)]
    slowed = [f for f in frames for _ in range(slow)]
    held = [frames[0]] * round(lead_s * fps) + slowed + [frames[-1]] * round(tail_s * fps)
    with av.open(str(target), "w", format="yuv4mpegpipe") as out:
        video = out.add_stream("rawvideo", rate=fps)
        video.width, video.height, video.pix_fmt = SIZE[0], SIZE[1], "yuv420p"
        for i, frame in enumerate(held):
            copy = av.VideoFrame.from_ndarray(frame.to_ndarray(), format="yuv420p")
            copy.pts = i
            for packet in video.encode(copy):
                out.mux(packet)
        for packet in video.encode():
            out.mux(packet)
    return len(held)


@pytest.fixture(scope="module")
def camera_driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Headless Chromium whose camera plays the clip, the camera permission granted."""
    require_browser()
    y4m = tmp_path_factory.mktemp("camera") / "clip.y4m"
    clip_to_y4m(CLIP, y4m, LEAD_S, TAIL_S, SLOW)
    driver = start_chromium(
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={y4m}",
        "--autoplay-policy=no-user-gesture-required",
    )
    try:
        yield driver
    finally:
        driver.quit()


def wait(driver: WebDriver, seconds: float = 20) -> WebDriverWait[WebDriver]:
    return WebDriverWait(driver, seconds, poll_frequency=0.1)


SKELETON_PIXELS = """
const c = document.getElementById('live-skeleton');
if (!c.width || !c.height) { return 0; }
const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
let n = 0;
for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) { n++; } }
return n;
"""


def test_the_live_page_draws_the_skeleton_counts_the_reps_and_saves_the_set(
    camera_driver: WebDriver, live_server: str, screenshot: Screenshots
) -> None:
    driver, base = camera_driver, live_server
    expected = json.loads(CLIP.with_suffix(".truth.json").read_text())["rep_count"]

    driver.get(base + "/signup")
    form = driver.find_element(By.CSS_SELECTOR, "form[action='/signup']")
    form.find_element(By.NAME, "username").send_keys(f"cam-{secrets.token_hex(3)}")
    form.find_element(By.NAME, "password").send_keys("pilates ring 42")
    old = driver.find_element(By.TAG_NAME, "html")
    form.find_element(By.TAG_NAME, "button").click()
    wait(driver).until(left_page(old))

    driver.find_element(By.LINK_TEXT, "Live").click()  # the nav leads there
    wait(driver).until(ec.presence_of_element_located((By.ID, "live-setup")))
    setup = driver.find_element(By.ID, "live-setup")
    Select(setup.find_element(By.NAME, "exercise")).select_by_value("standing-squeeze")
    setup.find_element(By.NAME, "mute").click()
    setup.find_element(By.ID, "start").click()

    count = driver.find_element(By.ID, "live-count")
    wait(driver, COUNT_TIMEOUT_S).until(lambda d: count.get_attribute("data-count") == str(expected))
    assert not setup.is_displayed()  # the set-up form gives way to the video while streaming
    video = driver.find_element(By.ID, "live-video")
    assert video.value_of_css_property("transform").startswith("matrix(-1")  # a mirror, by CSS only
    pixels = driver.execute_script(SKELETON_PIXELS)
    assert pixels > 500, "no skeleton drawn over the video"
    fps = float(driver.find_element(By.ID, "live-fps").text)
    assert fps > 0, "no frame analysed"
    print(f"live page: {fps} frames/s analysed")
    screenshot(driver, "live", max_height=1400)
    # the clip holds still now: the count stays (no rep counted twice, none out of nothing)
    for _ in range(20):
        assert count.get_attribute("data-count") == str(expected)
        time.sleep(0.1)
    assert driver.find_element(By.ID, "live-phase").text in {"rest", "squeeze", "hold", "release"}

    driver.find_element(By.ID, "live-finish").click()
    wait(driver, 60).until(ec.visibility_of_element_located((By.ID, "live-saved")))
    assert f"Saved: {expected} reps" in driver.find_element(By.ID, "live-status").text
    driver.find_element(By.ID, "live-report").click()
    wait(driver).until(ec.url_contains("/analyses/"))
    heading = driver.find_element(By.TAG_NAME, "h1").text.lower().replace("-", " ")
    assert "standing squeeze" in heading
    assert driver.find_elements(By.CSS_SELECTOR, "a[href$='/report.html']")  # the stored report
