"""``report.html`` in a real headless Chromium: no console errors, every chart has data.

Uses Debian's ``chromium`` and ``chromium-driver`` (``make test`` installs them when
missing). Without them the test fails when it could install them (running as root)
and is skipped, with the reason, only for a user who cannot.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

from sim.report import SECTIONS

CHROMEDRIVER = "/usr/bin/chromedriver"
CHROME_ARGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", "--window-size=1280,1000")
INSTALL = "apt-get update && apt-get install -y chromium chromium-driver"

CHARTS_JS = """
return Array.from(document.querySelectorAll('.js-plotly-plot')).map(el => ({
    id: el.id,
    traces: (el.data || []).length,
    points: (el._fullData || []).reduce((n, t) => n + (t.x ? t.x.length : 0), 0),
    finite: (el._fullData || []).some(t => ['x', 'y'].some(
        axis => t[axis] && Array.from(t[axis]).some(Number.isFinite))),
    drawn: el.querySelectorAll('.scatterlayer .trace, .barlayer .trace').length,
}));
"""


def _browser_available() -> bool:
    return bool(shutil.which("chromium")) and Path(CHROMEDRIVER).exists()


@pytest.fixture(scope="module")
def driver():
    if not _browser_available():
        if os.geteuid() == 0:
            pytest.fail(f"chromium or chromedriver is missing; `make test` installs them "
                        f"(or run: {INSTALL})")
        pytest.skip(f"chromium is missing and we are not root to install it (run: sudo "
                    f"{INSTALL})")
    options = Options()
    for arg in CHROME_ARGS:
        options.add_argument(arg)
    options.binary_location = shutil.which("chromium")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    browser.set_page_load_timeout(60)
    yield browser
    browser.quit()


@pytest.fixture(scope="module")
def opened(driver, tiny_report):
    driver.get(tiny_report.resolve().as_uri())
    expected = sum(1 for s in SECTIONS if s.key != "outcomes")
    deadline = time.monotonic() + 30
    charts = []
    while time.monotonic() < deadline:
        charts = driver.execute_script(CHARTS_JS)
        if len(charts) == expected and all(c["drawn"] for c in charts):
            break
        time.sleep(0.2)
    return charts, driver.get_log("browser")


def test_report_opens_without_console_errors(opened):
    _, log = opened
    errors = [entry for entry in log if entry["level"] == "SEVERE"]
    assert errors == []


def test_every_chart_is_drawn_with_data(opened):
    charts, _ = opened
    assert [c["id"] for c in charts] == [f"chart-{s.key}" for s in SECTIONS
                                         if s.key != "outcomes"]
    for chart in charts:
        assert chart["traces"] > 0, chart
        assert chart["points"] > 0, chart
        assert chart["finite"], chart
        assert chart["drawn"] > 0, chart


def test_every_section_title_is_shown(opened, driver):
    titles = driver.execute_script(
        "return Array.from(document.querySelectorAll('section h2')).map(h => h.textContent)")
    assert titles == [s.title for s in SECTIONS]
    rows = driver.execute_script("return document.querySelectorAll('table.outcomes tbody tr')"
                                 ".length")
    assert rows >= 6


def test_screenshot_of_the_report(opened, driver, tmp_path):
    shot = tmp_path / "report.png"
    assert driver.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
