"""The dashboard in a real headless Chromium (Debian's), driven by selenium.

One page goes through what a viewer does: it loads without console errors, runs a
scenario, changes levers and runs again, uploads a broken and then a good file,
compares arms, opens a sweep and a run from the runs folder. A second browser checks
that two viewers do not see each other's work. Screenshots of each tab go to
``docs/screenshots`` under ``make screenshots``.
"""

from __future__ import annotations

import math
import re
import time

import pandas as pd
import pytest
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait
from typer.testing import CliRunner

from sim.cli.app import app as cli
from sim.dashboard.levers import all_levers

WAIT = 90
FIGURE_JS = """
const el = document.querySelector(arguments[0] + ' .js-plotly-plot');
if (!el || !el._fullData) { return null; }
const plain = v => v ? Array.from(v, x => (Array.isArray(x) || ArrayBuffer.isView(x))
                                         ? Array.from(x) : x) : null;
return {title: el.layout && el.layout.title ? el.layout.title.text : null,
        traces: el._fullData.map(t => ({name: t.name, type: t.type, x: plain(t.x), y: plain(t.y),
                                   z: plain(t.z)}))};
"""
BROKEN = "name: broken\ndays: 30\nstrategies:\n  welcom: {}\nreplicates: 0\n"
MINE = "name: my own group\ndays: 20\npopulation: {size: 200}\nstrategies: {welcome: {}}\n"


# ------------------------------------------------------------------ helpers


def wait_for(driver, condition, timeout: float = WAIT):
    """What ``condition(driver)`` gives once it is truthy.

    Dash redraws components as callbacks return: an element found a moment ago may
    be gone when it is read, and the condition is then simply tried again.
    """
    return WebDriverWait(driver, timeout, poll_frequency=0.1,
                         ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: condition(d) or None)


def settled(driver, observe, expected, timeout: float = 30):
    """What ``observe(driver)`` gives once it equals ``expected`` (or at the timeout).

    Charts are drawn a moment after the data reach the page; tests assert on the
    returned value, so a wrong value fails with what was seen.
    """
    seen = []

    def check(d):
        try:
            seen.append(observe(d))
        except (TypeError, ValueError, KeyError, StaleElementReferenceException):
            return False  # not drawn yet, or redrawn while it was read
        return seen[-1] == expected

    try:
        wait_for(driver, check, timeout)
    except TimeoutException:
        pass
    return seen[-1] if seen else None


def figure(driver, ident: str):
    return driver.execute_script(FIGURE_JS, f"#{ident}")


def chart_title(driver, ident: str) -> str | None:
    return driver.execute_script(
        "const el = document.querySelector(arguments[0] + ' .js-plotly-plot');"
        "return el && el.layout && el.layout.title ? el.layout.title.text : null;", f"#{ident}")


def text_of(driver, ident: str, attempts: int = 50) -> str:
    """The visible text of element ``ident``, read again if Dash redraws it meanwhile."""
    for _ in range(attempts - 1):
        try:
            return driver.find_element(By.ID, ident).text
        except StaleElementReferenceException:
            time.sleep(0.05)
    return driver.find_element(By.ID, ident).text


def press(driver, element) -> None:
    """Click ``element`` once it is scrolled to the middle of the view.

    The Explore sidebar scrolls on its own, beside the page; a control low in it may be
    below the window, where a click would land on something else.
    """
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def open_dashboard(driver, url: str) -> None:
    """Load the page and wait until its controls are drawn.

    Dropdowns are Dash's lazily loaded components: under load they appear after the
    number boxes, so both are waited for.
    """
    driver.get(url)
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, 'div[data-path="days"] input'))
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#scenario-choice"))


def choose(driver, dropdown: str, label: str) -> None:
    """Pick ``label`` in a Dash dropdown (found by id or CSS selector)."""
    selector = dropdown if dropdown.startswith(("#", "[", "div")) else f"#{dropdown}"
    driver.find_element(By.CSS_SELECTOR, selector).click()
    option = wait_for(driver, lambda d: [o for o in d.find_elements(
        By.CSS_SELECTOR, ".dash-dropdown-content .dash-dropdown-option") if o.text == label])
    driver.execute_script("arguments[0].click()", option[0])  # the search box covers it
    wait_for(driver, lambda d: not d.find_elements(By.CSS_SELECTOR, ".dash-dropdown-content"))


def set_number(driver, path: str, value) -> None:
    box = driver.find_element(By.CSS_SELECTOR, f'div[data-path="{path}"] input')
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(str(value), Keys.TAB)
    wait_for(driver, lambda d: d.find_element(
        By.CSS_SELECTOR, f'div[data-path="{path}"] input').get_attribute("value") == str(value))


def pick_scenario(driver, name: str, days: int, replicates: int = 2, size: int = 600) -> None:
    """Choose a shipped scenario (another than the one on show) and set its run levers
    (a town of at least 400: the shipped groups start with 376 members)."""
    before = text_of(driver, "scenario-about")
    choose(driver, "scenario-choice", name)
    wait_for(driver, lambda d: text_of(d, "scenario-about") not in ("", before))
    set_number(driver, "days", days)
    set_number(driver, "replicates", replicates)
    set_number(driver, "population.size", size)


def enabled(driver, ident: str) -> bool:
    return driver.find_element(By.ID, ident).get_attribute("disabled") is None


def start_run(driver) -> None:
    """Press Run once the page allows it; return once the run is going (Cancel enabled).

    Run is enabled again a moment after the previous run's result is on show.
    """
    wait_for(driver, lambda d: enabled(d, "run-button"))
    driver.find_element(By.ID, "run-button").click()
    wait_for(driver, lambda d: enabled(d, "cancel-button"))


def run(driver) -> str:
    """Press Run, wait until the run is done and on show; return the status line."""
    before = text_of(driver, "run-status")
    wait_for(driver, lambda d: enabled(d, "run-button"))
    driver.find_element(By.ID, "run-button").click()
    status = wait_for(driver, lambda d: (lambda t: t if t.startswith("Done") and t != before
                                         else None)(text_of(d, "run-status")))
    folder = re.search(r"\(([^()]+)\)\.$", status).group(1)
    wait_for(driver, lambda d: folder in text_of(d, "run-header"))
    return status


def last_day(driver, ident: str) -> float:
    data = figure(driver, ident)
    return max(max(x for x in t["x"] if isinstance(x, (int, float)))
               for t in data["traces"] if t["x"])


def most_spent(driver) -> float:
    """Largest cumulative money spent on the Explore money chart (its 'spent' lines)."""
    lines = [t for t in figure(driver, "explore-money")["traces"]
             if (t["name"] or "").endswith(": spent")]
    assert lines
    return max(max(t["y"]) for t in lines)


def select_tab(driver, label: str) -> None:
    tab = [t for t in driver.find_elements(By.CSS_SELECTOR, "#tabs .tab") if t.text == label]
    tab[0].click()


def severe(driver) -> list:
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


# ------------------------------------------------------------------ the page


@pytest.fixture(scope="module")
def page(chrome, dashboard):
    url, _ = dashboard
    driver = chrome()
    open_dashboard(driver, url)
    return driver


def test_app_loads_without_console_errors(page):
    assert page.title == "commsim dashboard"
    tabs = [t.text for t in page.find_elements(By.CSS_SELECTOR, "#tabs .tab")]
    assert tabs == ["Explore", "Compare arms", "Sweeps", "Optimize", "Runs folder"]
    assert severe(page) == []


def test_every_lever_is_drawn_from_the_parameter_specs(page):
    drawn = [e.get_attribute("data-path") for e in page.find_elements(By.CSS_SELECTOR,
                                                                      "div.lever")]
    assert drawn == [lever.path for lever in all_levers()]
    amount = page.find_element(By.CSS_SELECTOR,
                               'div[data-path="strategies.red_envelope.amount"]')
    assert "[0.01 to 200]" in amount.get_attribute("textContent")


@pytest.fixture(scope="module")
def first_run(page):
    pick_scenario(page, "baseline", days=40)
    status = run(page)
    return status


def test_run_shows_the_group_day_by_day(first_run, page):
    assert "baseline" in first_run
    assert settled(page, lambda d: last_day(d, "explore-members"), 39) == 39
    for chart in ("explore-posters", "explore-messages", "explore-spam", "explore-money"):
        assert figure(page, chart)["traces"], chart
    assert most_spent(page) == 0  # the baseline hands out no operator money
    assert "1 arm(s) x 2 replicate(s), 40 days, population 600" in text_of(page, "run-header")


def test_changed_levers_change_the_charts(first_run, page, screenshot_dir,
                                          full_page_screenshot):
    set_number(page, "days", 30)
    envelopes = 'details[data-key="red_envelope"]'
    press(page, page.find_element(By.CSS_SELECTOR, f"{envelopes} summary input[type=checkbox]"))
    press(page, page.find_element(By.CSS_SELECTOR, f"{envelopes} summary"))  # open its levers
    choose(page, 'div[data-path="strategies.red_envelope.every"] .dash-dropdown', "daily")
    run(page)
    assert settled(page, lambda d: last_day(d, "explore-members"), 29) == 29
    assert most_spent(page) > 0  # daily envelopes cost money
    assert severe(page) == []
    assert full_page_screenshot(page, screenshot_dir / "dashboard-explore.png") > 20_000


def test_social_graph_replays_the_days(first_run, page):
    title = wait_for(page, lambda d: chart_title(d, "explore-graph"))
    assert "day 29" in title
    members_at_end = int(re.search(r"(\d+) members", title).group(1))
    page.find_element(By.ID, "graph-play").click()
    seen = []  # (day, members on that day) as the replay goes

    def replaying(d):
        title = chart_title(d, "explore-graph")
        seen.append((int(re.search(r"day (\d+),", title).group(1)),
                     int(re.search(r"(\d+) members", title).group(1))))
        return len({day for day, _ in seen} - {29}) >= 3

    wait_for(page, replaying, timeout=30)
    page.find_element(By.ID, "graph-play").click()  # pause
    wait_for(page, lambda d: d.find_element(By.ID, "graph-play").text == "Play")
    early = [day for day in dict.fromkeys(day for day, _ in seen) if day != 29]
    assert early == sorted(early) and early[0] < 10, seen
    assert any(members != members_at_end for day, members in seen if day < 10), seen
    [label] = [e for e in page.find_elements(By.CSS_SELECTOR, "#graph-colour label")
               if e.text == "activity"]
    label.click()
    wait_for(page, lambda d: "messages written" in d.find_element(By.ID, "explore-graph").text,
             timeout=20)


def test_malformed_upload_shows_the_same_error_as_the_command_line(first_run, page, tmp_path,
                                                                   monkeypatch):
    broken = tmp_path / "broken.yaml"
    broken.write_text(BROKEN)
    monkeypatch.chdir(tmp_path)
    checked = CliRunner().invoke(cli, ["check", "broken.yaml"])
    cli_lines = [line for line in checked.stderr.splitlines() if line.startswith("error: ")]
    assert checked.exit_code == 2 and len(cli_lines) == 2
    page.find_element(By.CSS_SELECTOR, "#scenario-upload input[type=file]").send_keys(
        str(broken))
    shown = wait_for(page, lambda d: (lambda t: t if "error" in t else None)(
        text_of(d, "upload-status")))
    page_lines = [line for line in shown.splitlines() if line.startswith("error: ")]
    assert page_lines == cli_lines
    assert "strategies.welcom" in shown and "did you mean 'welcome'" in shown
    assert "replicates" in shown and ">= 1" in shown
    # nothing else broke: the scenario on show, its levers and the last run stay
    assert text_of(page, "scenario-choice") == "baseline"
    assert len(page.find_elements(By.CSS_SELECTOR, "div.lever")) == len(all_levers())
    assert last_day(page, "explore-members") == 29
    mine = tmp_path / "mine.yaml"
    mine.write_text(MINE)
    page.find_element(By.CSS_SELECTOR, "#scenario-upload input[type=file]").send_keys(str(mine))
    wait_for(page, lambda d: text_of(d, "scenario-choice") == "uploaded: mine.yaml")
    wait_for(page, lambda d: "my own group" in text_of(d, "scenario-about"))
    assert severe(page) == []


def test_compare_tab_shows_the_arms_like_the_report(first_run, page, screenshot_dir,
                                                    full_page_screenshot):
    pick_scenario(page, "showcase", days=30)
    page.find_element(By.CSS_SELECTOR, "#arm-choice input[value=cleanup_every_90_days]").click()
    assert "3 arm(s) x 2 replicate(s)" in (run(page) and text_of(page, "run-header"))
    select_tab(page, "Compare arms")
    heads = ["outcome", "baseline", "weekly_red_envelopes", "paid_entry"]
    assert settled(page, lambda d: [h.text for h in d.find_elements(
        By.CSS_SELECTOR, "#compare-table th")], heads) == heads
    assert len(page.find_elements(By.CSS_SELECTOR, "#compare-table table.outcomes tr")) >= 7
    differences = figure(page, "compare-differences")
    assert {y for t in differences["traces"] for y in t["y"]} == {"weekly_red_envelopes",
                                                                  "paid_entry"}
    for key in ("members", "survival", "participation", "money", "cost"):
        assert figure(page, f"compare-{key}")["traces"], key
    assert severe(page) == []
    assert full_page_screenshot(page, screenshot_dir / "dashboard-compare.png") > 20_000


def test_sweep_folder_shows_heatmap_brushing_and_a_clicked_point(first_run, page, runs_dir,
                                                                 screenshot_dir,
                                                                 full_page_screenshot):
    select_tab(page, "Sweeps")
    choose(page, "sweep-choice", "small-sweep (small sweep of content)")
    heat = wait_for(page, lambda d: (figure(d, "sweep-heatmap") or {"traces": []})["traces"])
    assert heat[0]["type"] == "heatmap"
    cells = [v for row in heat[0]["z"] for v in row]
    assert len(cells) == 4 and all(math.isfinite(v) for v in cells)
    assert figure(page, "sweep-parcoords")["traces"][0]["type"] == "parcoords"
    # brushing: keep the low half of the first axis (posts per day 0.5 of 0.5 and 4.0)
    page.execute_script("Plotly.restyle(document.querySelector('#sweep-parcoords "
                        ".js-plotly-plot'), {'dimensions[0].constraintrange': [[0, 1]]})")
    wait_for(page, lambda d: "2 of 4 points kept" in text_of(d, "sweep-brush"))
    # clicking a point of the outcome chart shows that point's runs, run again from seeds
    dots = page.find_elements(By.CSS_SELECTOR, "#sweep-scatter .scatterlayer .point")
    assert len(dots) == 4
    ActionChains(page).move_to_element(dots[-1]).pause(0.5).click().perform()
    about = wait_for(page, lambda d: (lambda t: t if "repeated from their seeds" in t
                                      else None)(text_of(d, "sweep-point-about")))
    point = int(re.search(r"Point (\d+)", about).group(1))
    assert point == 3  # the last dot: posts per day 4.0, fit 0.7 (points in grid order)
    runs = pd.read_parquet(runs_dir / "small-sweep" / "runs.parquet")
    expected = runs.loc[runs["point_id"] == point, "members_final"].mean()
    line = [t for t in figure(page, "sweep-point-members")["traces"] if t["name"] == "baseline"]
    assert line[0]["y"][-1] == pytest.approx(expected)
    assert severe(page) == []
    assert full_page_screenshot(page, screenshot_dir / "dashboard-sweeps.png") > 20_000


def test_runs_folder_lists_runs_and_sweeps_and_opens_them(first_run, page, screenshot_dir,
                                                          full_page_screenshot):
    select_tab(page, "Runs folder")
    folders = {"small-run", "small-sweep"}
    assert settled(page, lambda d: {e.text for e in d.find_elements(
        By.CSS_SELECTOR, "#folders-table td.folder-name")}, folders) == folders
    assert settled(page, lambda d: len(d.find_elements(
        By.CSS_SELECTOR, "#session-table td.folder-name")), 3) == 3
    assert full_page_screenshot(page, screenshot_dir / "dashboard-runs.png") > 10_000
    page.find_element(By.XPATH, "//div[@id='folders-table']//tr[td[@class='folder-name' and "
                                "text()='small-run']]//button").click()
    wait_for(page, lambda d: "small run with an arm" in text_of(d, "run-header"))
    assert settled(page, lambda d: last_day(d, "explore-members"), 29) == 29
    assert severe(page) == []


@pytest.fixture(scope="module")
def other(chrome, dashboard):
    """A second viewer, in a browser of its own."""
    driver = chrome()
    open_dashboard(driver, dashboard[0])
    return driver


def test_two_viewers_do_not_see_each_others_runs_or_uploads(first_run, page, other):
    other.find_element(By.CSS_SELECTOR, "#scenario-choice").click()
    options = wait_for(other, lambda d: d.find_elements(By.CSS_SELECTOR,
                                                        ".dash-dropdown-option"))
    assert not [o for o in options if o.text.startswith("uploaded:")]
    other.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)
    select_tab(other, "Runs folder")
    wait_for(other, lambda d: "No runs on this page yet" in text_of(d, "session-table"))
    # the other viewer runs something; the first one's list does not grow
    select_tab(other, "Explore")
    pick_scenario(other, "neglected", days=15, replicates=1, size=600)
    run(other)
    select_tab(other, "Runs folder")
    wait_for(other, lambda d: len(d.find_elements(By.CSS_SELECTOR,
                                                  "#session-table td.folder-name")) == 1)
    select_tab(page, "Runs folder")
    page.find_element(By.ID, "folders-refresh").click()
    wait_for(page, lambda d: len(d.find_elements(By.CSS_SELECTOR,
                                                 "#session-table td.folder-name")) == 3)
    assert "neglected" not in text_of(page, "session-table")
    assert severe(other) == []


def test_a_run_shows_progress_while_the_page_responds_and_can_be_cancelled(other):
    viewer = other
    select_tab(viewer, "Explore")

    def progress(d):
        text = text_of(d, "run-progress-label")
        return text if re.fullmatch(r"\d+ of 12 runs done", text) else None

    pick_scenario(viewer, "baseline", days=120, replicates=12, size=1500)
    start_run(viewer)
    wait_for(viewer, progress)
    assert viewer.find_element(By.ID, "run-button").get_attribute("disabled")
    select_tab(viewer, "Runs folder")  # other callbacks answer while the run goes on
    wait_for(viewer, lambda d: "small-sweep" in text_of(d, "folders-table"))
    select_tab(viewer, "Explore")
    wait_for(viewer, lambda d: text_of(d, "run-status").startswith("Done"))
    # a much longer run (about half a minute here), cancelled once it has started, after
    # a look at another tab; a 365-day run could finish before Cancel was pressed
    set_number(viewer, "days", 3650)
    start_run(viewer)
    label = wait_for(viewer, progress)
    select_tab(viewer, "Compare arms")
    select_tab(viewer, "Explore")
    assert enabled(viewer, "cancel-button")  # the run still goes on, and can be stopped
    viewer.find_element(By.ID, "cancel-button").click()
    wait_for(viewer, lambda d: enabled(d, "run-button"))
    status = text_of(viewer, "run-status")
    assert status == "Run cancelled; nothing was written." and "3650 days" not in text_of(
        viewer, "run-header"), (label, status)


def test_levers_at_their_maxima_are_refused_with_a_message(other, dashboard):
    """Issue 23: 3,650 days x 100,000 replicates x 5,000,000 people used to start, and the
    server grew by gigabytes with no replicate done. Now the page says why not, at once."""
    viewer = other
    select_tab(viewer, "Explore")
    pick_scenario(viewer, "neglected", days=3650, replicates=100000, size=5000000)
    work_dir = dashboard[1].commsim_context.work_dir
    before = sorted(work_dir.rglob("scenario.resolved.yaml"))
    start = time.time()
    wait_for(viewer, lambda d: enabled(d, "run-button"))
    viewer.find_element(By.ID, "run-button").click()
    status = wait_for(viewer, lambda d: (lambda t: t if t.startswith("Nothing was run")
                                         else None)(text_of(d, "run-status")))
    assert "person-days" in status and "budget" in status
    assert time.time() - start < 20
    wait_for(viewer, lambda d: enabled(d, "run-button"))
    assert sorted(work_dir.rglob("scenario.resolved.yaml")) == before  # nothing written


def test_a_run_that_cannot_be_written_says_so_and_leaves_nothing(other, dashboard):
    """Issue 22: a full disk under the sessions' folder (a 64 KB file system mounted over
    it) costs the run, said in one message; nothing half-written stays behind."""
    import subprocess

    from sim.dashboard.folders import SESSIONS

    sessions = dashboard[1].commsim_context.work_dir / SESSIONS
    sessions.mkdir(parents=True, exist_ok=True)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(sessions)],
                      capture_output=True).returncode != 0:
        pytest.skip("needs a small real file system; mounting is not allowed here")
    try:
        viewer = other
        select_tab(viewer, "Explore")
        pick_scenario(viewer, "baseline", days=30, replicates=2, size=3000)
        wait_for(viewer, lambda d: enabled(d, "run-button"))
        viewer.find_element(By.ID, "run-button").click()
        status = wait_for(viewer, lambda d: (lambda t: t if t.startswith("The run finished")
                                             else None)(text_of(d, "run-status")))
        assert re.fullmatch(r"The run finished but cannot write \S+: no space left on device; "
                            r"nothing was written\. Free space on the server and run it "
                            r"again\.", status), status
        wait_for(viewer, lambda d: enabled(d, "run-button"))
        assert not list(sessions.rglob("*.parquet")) and not list(sessions.rglob("*.partial"))
        assert not list(sessions.rglob("scenario.resolved.yaml"))
    finally:
        subprocess.run(["umount", "-l", str(sessions)], check=False)
