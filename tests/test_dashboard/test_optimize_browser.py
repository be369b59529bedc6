"""The Optimize tab, and an optimization's ``report.html``, in a real headless Chromium.

A dashboard on a folder of studies: the tab lists them (one without its front says so),
draws the chosen study's front and its playbooks, and a click on a front point opens
that point's scenario on the Explore tab, where it runs. Screenshots of the tab and of
the report's front go to ``docs/screenshots`` under ``make screenshots``.
"""

from __future__ import annotations

import logging
import threading

import pandas as pd
import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from test_dashboard_browser import (
    choose,
    figure,
    open_dashboard,
    run,
    select_tab,
    severe,
    text_of,
    wait_for,
)


@pytest.fixture(scope="module")
def viewer(chrome, studies_dir, tmp_path_factory):
    """A browser on a dashboard served on the studies folder."""
    from werkzeug.serving import make_server

    from sim.dashboard import create_app

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app = create_app(runs_dir=studies_dir, work_dir=tmp_path_factory.mktemp("opt-dashboard"))
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    driver = chrome()
    open_dashboard(driver, f"http://127.0.0.1:{server.server_port}/")
    yield driver
    server.shutdown()
    thread.join(timeout=10)


def front_trace(driver) -> dict | None:
    traces = (figure(driver, "opt-front") or {"traces": []})["traces"]
    return next((t for t in traces if t["name"] == "front (fresh runs)"), None)


def test_the_tab_shows_the_front_and_a_clicked_point_opens_in_explore(
        viewer, studies_dir, screenshot_dir, full_page_screenshot):
    front = pd.read_parquet(studies_dir / "tiny-study" / "front.parquet")
    select_tab(viewer, "Optimize")
    viewer.find_element(By.CSS_SELECTOR, "#opt-choice").click()
    labels = wait_for(viewer, lambda d: [o.text for o in d.find_elements(
        By.CSS_SELECTOR, ".dash-dropdown-content .dash-dropdown-option")])
    assert "unfinished-study (tiny search) - no front.parquet yet" in labels
    viewer.find_element(By.CSS_SELECTOR, "#opt-choice").send_keys(Keys.ESCAPE)
    choose(viewer, "opt-choice", "tiny-study (tiny search)")
    shown = wait_for(viewer, front_trace)
    assert shown["x"] == pytest.approx(front["members_final"].tolist())
    assert shown["y"] == pytest.approx(front["active_share_last_28d"].tolist())
    rows = wait_for(viewer, lambda d: d.find_elements(By.CSS_SELECTOR, "#opt-points tbody tr"))
    assert len(rows) == len(front)
    assert front["playbook"].iloc[0] in rows[0].text
    bars = wait_for(viewer, lambda d: (figure(d, "opt-importance") or {"traces": []})["traces"])
    assert {t["type"] for t in bars} == {"bar"}
    assert severe(viewer) == []
    assert full_page_screenshot(viewer, screenshot_dir / "dashboard-optimize.png") > 20_000

    # the grey trials put aside (as a click on their legend does): the click finds the point
    viewer.execute_script("Plotly.restyle(document.querySelector('#opt-front .js-plotly-plot'),"
                          " {visible: 'legendonly'}, [0, 1])")
    dots = viewer.find_elements(By.CSS_SELECTOR,
                                "#opt-front .scatterlayer .trace:last-child .point")
    assert len(dots) == len(front)
    viewer.execute_script("arguments[0].scrollIntoView({block: 'center'})", dots[-1])
    ActionChains(viewer).move_to_element(dots[-1]).pause(0.5).click().perform()
    point = int(front["point"].iloc[-1])
    name = f"tiny search - front point {point}"
    wait_for(viewer, lambda d: name in text_of(d, "scenario-about"))
    selected = viewer.find_element(By.CSS_SELECTOR, "#tabs .tab.selected").text
    assert selected == "Explore"
    assert f"Front point {point} of the study tiny search loaded" in text_of(viewer,
                                                                             "upload-status")
    run(viewer)
    assert name in text_of(viewer, "run-header")
    assert severe(viewer) == []


def test_the_report_shows_the_front(viewer, studies_dir, screenshot_dir):
    viewer.get((studies_dir / "tiny-study" / "report.html").resolve().as_uri())
    plots = wait_for(viewer, lambda d: d.find_elements(
        By.CSS_SELECTOR, ".js-plotly-plot .scatterlayer .trace"))
    assert plots
    viewer.set_window_size(1280, 1000)
    bottom = viewer.execute_script(
        "const r = document.querySelector('.js-plotly-plot').getBoundingClientRect();"
        "return r.bottom + window.scrollY;")
    viewer.set_window_size(1280, int(bottom) + 150)  # the heading and the first scatter
    wait_for(viewer, lambda d: d.find_elements(By.CSS_SELECTOR, ".js-plotly-plot .point"))
    path = screenshot_dir / "optimize-front.png"
    viewer.save_screenshot(str(path))
    viewer.set_window_size(1280, 1000)
    assert path.stat().st_size > 20_000
    assert severe(viewer) == []
