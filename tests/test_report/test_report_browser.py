"""``report.html`` in a real headless Chromium: no console errors, every chart has data.

Uses Debian's ``chromium`` and ``chromium-driver`` (``make test`` installs them when
missing). Without them the test fails when it could install them (running as root)
and is skipped, with the reason, only for a user who cannot.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from sim.analysis.report import SECTIONS

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


@pytest.fixture(scope="module")
def driver(chrome):
    return chrome()


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


def test_screenshot_of_the_report(opened, driver, screenshot_dir, full_page_screenshot):
    """The whole report as one picture (``make screenshots`` shows the showcase's)."""
    shown = os.environ.get("COMMSIM_SCREENSHOT_REPORT")
    if shown:
        driver.get(Path(shown).resolve().as_uri())
        time.sleep(3)
    assert full_page_screenshot(driver, screenshot_dir / "report.png") > 10_000
