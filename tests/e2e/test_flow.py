"""A new user's whole journey in a real headless Chromium against the real server (``midline serve``):
sign up, set the profile, build a plan from it, upload a rendered clip and watch the live progress
bar, read the report with its charts drawn by Plotly, mark a planned session done, see it on the
progress page, log out; then a second user is refused the first user's report and analyses the
bundled sample with one click, and the login rate limit holds on the real server.
With ``MIDLINE_SCREENSHOTS=docs/screenshots`` the pages are saved."""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Any

import pytest
from e2e_browser import Screenshots, left_page
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

CLIP = Path(__file__).parents[1] / "data" / "rendered" / "r01_standing-squeeze_clean_caucasian-female.mp4"
"""The shortest rendered clip (3.9 s, one clean rep of a standing squeeze)."""
PASSWORD = "pilates ring 42"
ANALYSIS_TIMEOUT_S = 180


def wait(driver: WebDriver, seconds: float = 20) -> WebDriverWait[WebDriver]:
    return WebDriverWait(driver, seconds, poll_frequency=0.1)


def h1(driver: WebDriver) -> str:
    return str(driver.find_element(By.TAG_NAME, "h1").text)


def flash(driver: WebDriver) -> str:
    return str(driver.find_element(By.CSS_SELECTOR, "p.flash").text)


def submit(driver: WebDriver, form: Any) -> None:
    """Click the form's button and wait for the page it leads to."""
    old = driver.find_element(By.TAG_NAME, "html")
    form.find_element(By.TAG_NAME, "button").click()
    wait(driver).until(left_page(old))


def sign_up(driver: WebDriver, base: str, username: str, display_name: str) -> None:
    driver.get(base + "/signup")
    form = driver.find_element(By.CSS_SELECTOR, "form[action='/signup']")
    form.find_element(By.NAME, "username").send_keys(username)
    form.find_element(By.NAME, "display_name").send_keys(display_name)
    form.find_element(By.NAME, "password").send_keys(PASSWORD)
    submit(driver, form)


def log_in(driver: WebDriver, base: str, username: str, password: str) -> None:
    driver.get(base + "/login")
    form = driver.find_element(By.CSS_SELECTOR, "form[action='/login']")
    form.find_element(By.NAME, "username").send_keys(username)
    form.find_element(By.NAME, "password").send_keys(password)
    submit(driver, form)


def log_out(driver: WebDriver) -> None:
    submit(driver, driver.find_element(By.CSS_SELECTOR, "form[action='/logout']"))


def plotly_drawn(driver: WebDriver, chart_id: str, seconds: float = 20) -> None:
    """Plotly has rendered its SVG into the chart's div (the chart is drawn, not just a placeholder)."""
    wait(driver, seconds).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, f"#{chart_id} svg.main-svg"))
    )
    bars_or_lines = driver.find_elements(
        By.CSS_SELECTOR, f"#{chart_id} g.trace path, #{chart_id} g.point path, #{chart_id} path.js-line"
    )
    assert bars_or_lines, f"chart {chart_id} has axes but no data drawn"


@pytest.mark.slow  # two real analyses (pose estimation) in the server: about a minute
def test_a_new_user_plans_analyses_logs_and_sees_progress(
    driver: WebDriver, live_server: str, screenshot: Screenshots
) -> None:
    base = live_server
    me = f"ada-{secrets.token_hex(3)}"

    # Sign up: a new account lands on its profile.
    sign_up(driver, base, me, "Ada")
    assert driver.current_url == base + "/profile"
    assert "welcome" in flash(driver)

    # The profile the planner reads: 3 sessions of 20 minutes for 4 weeks, with a ring and a ball.
    form = driver.find_element(By.CSS_SELECTOR, "form[action='/profile']")
    Select(form.find_element(By.NAME, "level")).select_by_visible_text("beginner")
    for prop in ("ring", "ball"):
        box = form.find_element(By.CSS_SELECTOR, f"input[name='props'][value='{prop}']")
        if not box.is_selected():
            box.click()
    submit(driver, form)
    assert flash(driver) == "profile saved"

    # Build a plan from it: the plans page's form starts from the saved profile.
    driver.get(base + "/plans")
    form = driver.find_element(By.CSS_SELECTOR, "form[action='/plans']")
    assert form.find_element(By.CSS_SELECTOR, "input[name='props'][value='ring']").is_selected()
    submit(driver, form)
    assert re.fullmatch(re.escape(base) + r"/plans/[0-9a-f-]{36}", driver.current_url)
    plan_url = driver.current_url
    assert flash(driver) == "plan built"
    weeks = driver.find_elements(By.CSS_SELECTOR, "section.week h2")
    assert [w.text.split()[:2] for w in weeks] == [["Week", str(i)] for i in range(1, 5)]
    assert "deload" in weeks[3].text
    assert driver.find_element(By.CSS_SELECTOR, "table.matrix caption").text.startswith("Exercises per week")
    screenshot(driver, "plan", 1400)

    # Upload a clip: the live progress bar moves, then the report page opens by itself.
    driver.get(base + "/analyse")
    form = driver.find_element(By.ID, "upload")
    Select(form.find_element(By.NAME, "exercise")).select_by_value("standing-squeeze")
    form.find_element(By.NAME, "precise_timing").click()  # the job runs pose as --precise-timing
    form.find_element(By.NAME, "video").send_keys(str(CLIP))
    form.find_element(By.TAG_NAME, "button").click()
    bar, stage = driver.find_element(By.ID, "bar"), driver.find_element(By.ID, "stage")

    def job_running(_: WebDriver) -> bool:  # past "Uploading": the job's stage and a moving bar
        return bool(re.search(r"\(\d+%\)$", stage.text)) and 0 < float(bar.get_attribute("value") or 0) < 1

    wait(driver, 60).until(job_running)
    assert driver.find_element(By.ID, "status").is_displayed()
    screenshot(driver, "analyse-progress")
    wait(driver, ANALYSIS_TIMEOUT_S).until(ec.url_matches(r"/analyses/[0-9a-f-]{36}$"))
    report_url = driver.current_url

    # The report: the exercise, one clean rep, charts drawn by Plotly, the annotated video.
    assert h1(driver).startswith("Standing squeeze")
    figures = driver.find_element(By.CSS_SELECTOR, "ul.figures").text
    assert "1 rep" in figures
    assert "No faults found" in driver.find_element(By.CSS_SELECTOR, "p.ok").text
    plotly_drawn(driver, "chart-tempo")
    plotly_drawn(driver, "chart-gaps")
    video = driver.find_element(By.CSS_SELECTOR, "video.annotated")
    wait(driver).until(lambda d: d.execute_script("return arguments[0].readyState", video) >= 1)
    assert driver.execute_script("return arguments[0].duration", video) > 3
    screenshot(driver, "analysis", 1250)

    # The full self-contained report (sandboxed) draws its gap profile over time.
    driver.get(report_url + "/report.html")
    plotly_drawn(driver, "signals", 30)
    screenshot(driver, "report", 1500)

    # Log a session: mark week 1 session 1 of the plan done.
    driver.get(plan_url)
    first = driver.find_element(By.CSS_SELECTOR, "#week-1 article.session form")
    rpe = first.find_element(By.NAME, "rpe")
    rpe.clear()
    rpe.send_keys("6")
    submit(driver, first)
    assert flash(driver) == "week 1 session 1 done"
    assert driver.find_elements(By.CSS_SELECTOR, "#week-1 article.session.done p.ok")

    # Progress: this week's volume from the session, and the analysis's ankle gap.
    driver.get(base + "/progress")
    plotly_drawn(driver, "chart-groups")
    reps_row = driver.find_element(By.XPATH, "//table[contains(@class,'matrix')]//tr[th='all reps']")
    assert int(reps_row.find_elements(By.TAG_NAME, "td")[-1].text) > 0
    plotly_drawn(driver, "chart-ankle_gap_at_squeeze")
    screenshot(driver, "progress", 1500)

    # Log out: the pages ask for a login again.
    log_out(driver)
    assert driver.find_element(By.LINK_TEXT, "Log in").is_displayed()
    driver.get(base + "/plans")
    assert driver.current_url == base + "/login"

    # A second user cannot see the first user's report, its video or its full report.
    sign_up(driver, base, f"bea-{secrets.token_hex(3)}", "Bea")
    for url in (report_url, report_url + "/report.html", report_url + "/annotated.mp4", plan_url):
        driver.get(url)
        assert h1(driver) == "Not found", url

    # ... and, new, she can try midline on the bundled sample with one click: two reps, ankles apart.
    driver.get(base + "/analyse")
    submit(driver, driver.find_element(By.CSS_SELECTOR, "form[action='/analyse/sample']"))
    assert driver.find_element(By.ID, "status").is_displayed()
    wait(driver, ANALYSIS_TIMEOUT_S).until(ec.url_matches(r"/analyses/[0-9a-f-]{36}$"))
    assert driver.current_url != report_url
    assert "2 reps" in driver.find_element(By.CSS_SELECTOR, "ul.figures").text
    cues = driver.find_element(By.CSS_SELECTOR, "ul.cues").text.lower()
    assert "ankles" in cues
    plotly_drawn(driver, "chart-gaps")
    screenshot(driver, "sample-analysis", 1250)
    log_out(driver)

    # The first user logs back in and still has it all.
    log_in(driver, base, me, PASSWORD)
    driver.get(report_url)
    assert h1(driver).startswith("Standing squeeze")
    log_out(driver)


def test_the_real_server_limits_failed_logins_per_account(driver: WebDriver, live_server: str) -> None:
    base = live_server
    name = f"cal-{secrets.token_hex(3)}"
    sign_up(driver, base, name, "Cal")
    log_out(driver)
    for _ in range(5):
        log_in(driver, base, name, "not my password")
        assert driver.find_element(By.CSS_SELECTOR, "p.error").text == "wrong username or password"
    # the sixth try is refused even with the right password; another account is not affected
    log_in(driver, base, name, PASSWORD)
    assert driver.find_element(By.CSS_SELECTOR, "p.error").text.startswith("too many failed logins")
    assert driver.current_url == base + "/login"
    other = f"dee-{secrets.token_hex(3)}"
    sign_up(driver, base, other, "Dee")
    log_out(driver)
    log_in(driver, base, other, PASSWORD)
    assert driver.current_url == base + "/plans"
    log_out(driver)


@pytest.fixture(autouse=True)
def _fresh_cookies(driver: WebDriver) -> None:
    driver.delete_all_cookies()
