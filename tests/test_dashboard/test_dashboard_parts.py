"""The dashboard's pieces without a browser: levers, folders, uploads, jobs, the command."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

import sim
from sim.cli.app import app as cli
from sim.dashboard.context import Context
from sim.dashboard.folders import list_folders, new_session_id, session_dir
from sim.dashboard.jobs import point_series, run_scenario, scenario_from_upload
from sim.dashboard.levers import all_levers, control, scenario_from_levers
from sim.engine.strategies import REGISTRY
from sim.formats.scenario import ScenarioError
from sim.params import Param


def _values(scenario) -> dict:
    """What an untouched page sends: every lever at the value it shows."""
    from sim.dashboard.levers import initial_value

    resolved = scenario.resolved()
    values = {}
    for lever in all_levers():
        parts = lever.path.split(".")
        if parts[0] == "strategies":
            settings = resolved["strategies"].get(parts[1]) or {}
            values[lever.path] = settings.get(parts[2], lever.param.default)
        else:
            values[lever.path] = initial_value(lever, resolved)
    return values


@pytest.mark.parametrize("name", ["showcase", "baseline", "sales-group-with-coupons"])
def test_untouched_levers_give_back_the_same_scenario(name):
    scenario = sim.load_scenario(f"scenarios/{name}.yaml")
    again = scenario_from_levers(scenario, _values(scenario),
                                 set(scenario.strategies_for("baseline")), list(scenario.arms))
    assert again.digest() == scenario.digest()


def test_a_lever_out_of_range_is_reported_like_a_scenario_file():
    scenario = sim.load_scenario("scenarios/baseline.yaml")
    values = _values(scenario) | {"strategies.content.quality": 1.5, "days": 0}
    with pytest.raises(ScenarioError) as caught:
        scenario_from_levers(scenario, values, {"content"}, [])
    shown = [str(p) for p in caught.value.problems]
    assert shown == ["levers: days: value 0 is out of range; expected a number >= 1",
                     "levers: strategies.content.quality: value 1.5 is out of range; expected "
                     "a number <= 1.0"]


def test_a_number_box_left_invalid_is_reported_never_replaced_by_a_default():
    """A browser's number box sends nothing when what is typed is out of range."""
    scenario = sim.load_scenario("scenarios/baseline.yaml")
    values = _values(scenario) | {"days": None, "replicates": None}
    with pytest.raises(ScenarioError) as caught:
        scenario_from_levers(scenario, values, {"content"}, [])
    shown = [str(p) for p in caught.value.problems]
    assert shown == ["levers: days: the box holds no valid value; enter a whole number from "
                     "1 to 3,650",
                     "levers: replicates: the box holds no valid value; enter a whole number "
                     "from 1 to 100,000"]


def test_every_strategy_parameter_has_one_control_with_its_declared_default():
    levers = {lever.path: lever.param for lever in all_levers()}
    for key, cls in REGISTRY.items():
        for param in cls.params:
            assert levers[f"strategies.{key}.{param.name}"] is param
    assert "population.network.path" not in levers  # a page must not name server files


def test_switching_a_strategy_on_uses_its_declared_defaults():
    scenario = sim.load_scenario("scenarios/baseline.yaml")
    values = {k: v for k, v in _values(scenario).items()
              if not k.startswith("strategies.red_envelope.")}
    on = scenario_from_levers(scenario, values, {"welcome", "content", "red_envelope"}, [])
    assert on.strategies_for("baseline")["red_envelope"] == REGISTRY["red_envelope"].Settings()


@pytest.mark.parametrize(("param", "widget"), [
    (Param("x", 0.5, "a share", "share 0-1", 0.0, 1.0), "Slider"),
    (Param("x", 5000, "people", "people", 10, 5_000_000), "Input"),
    (Param("x", True, "a switch"), "Checklist"),
    (Param("x", "a", "a choice", choices=("a", "b")), "Dropdown"),
])
def test_controls_follow_the_kind_and_range_of_the_parameter(param, widget):
    from sim.dashboard.levers import Lever

    drawn = control(Lever("x", param), param.default)
    assert type(drawn.children[1]).__name__ == widget


def test_uploads_are_checked_like_files_and_may_not_read_server_files():
    with pytest.raises(ScenarioError) as caught:
        scenario_from_upload("strategies:\n  welcom: {}\n", "mine.yaml")
    assert str(caught.value.problems[0]).startswith("mine.yaml:2: strategies.welcom: unknown")
    with pytest.raises(ScenarioError, match="cannot read an edge-list file"):
        scenario_from_upload("population:\n  network: {kind: edgelist, path: /etc/hosts}\n",
                             "edges.yaml")


def test_levers_cannot_switch_to_an_edge_list_named_in_an_upload():
    with pytest.raises(ScenarioError, match="only read when kind is edgelist") as caught:
        scenario_from_upload("population:\n  network: {path: /etc/hosts}\n", "up.yaml")
    assert "localhost" not in str(caught.value)
    scenario = scenario_from_upload("population: {size: 300}\n", "up.yaml")
    values = _values(scenario) | {"population.network.kind": "edgelist"}
    with pytest.raises(ScenarioError, match="edge-list network can only come from"):
        scenario_from_levers(scenario, values, set(), [])


def test_sessions_cannot_name_other_folders(tmp_path, runs_dir):
    ctx = Context(runs_dir=runs_dir, work_dir=tmp_path, scenarios_dir=tmp_path)
    with pytest.raises(ValueError):
        session_dir(tmp_path, "../../etc", ctx.secret)
    mine, theirs = new_session_id(ctx.secret), new_session_id(ctx.secret)
    scenario = sim.parse_scenario("days: 5\nreplicates: 1\npopulation: {size: 100}\n")
    folder = run_scenario(scenario, session_dir(tmp_path, mine, ctx.secret))
    assert ctx.run_folder(mine, {"source": "session", "name": folder.name}) == folder
    assert ctx.run_folder(theirs, {"source": "session", "name": folder.name}) is None
    assert ctx.run_folder(mine, {"source": "runs", "name": "../small-run"}) is None
    assert ctx.run_folder(mine, {"source": "runs", "name": "small-run"}) == runs_dir / "small-run"
    assert {(f.name, f.kind) for f in list_folders(runs_dir)} == {("small-run", "run"),
                                                                  ("small-sweep", "sweep")}


def test_a_run_reports_progress_and_writes_a_run_folder(tmp_path):
    scenario = sim.parse_scenario("days: 5\nreplicates: 2\npopulation: {size: 100}\n"
                                  "arms: {b: {welcome: {}}}\n")
    seen = []
    folder = run_scenario(scenario, tmp_path, progress=lambda done, total: seen.append(
        (done, total)))
    assert seen == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]
    assert set(pd.read_parquet(folder / "summary.parquet")["arm"]) == {"baseline", "b"}


def test_a_sweep_point_without_daily_tables_is_run_again_with_the_same_numbers(runs_dir):
    runs = pd.read_parquet(runs_dir / "small-sweep" / "runs.parquet")
    for point in (0, 3):
        ts, source = point_series(runs_dir / "small-sweep", point)
        assert "repeated from their seeds" in source
        last = ts[ts["day"] == ts["day"].max()].sort_values("replicate")
        recorded = runs[runs["point_id"] == point].sort_values("replicate")
        assert last["members"].tolist() == recorded["members_final"].tolist()


def test_dashboard_command_binds_to_loopback_and_warns_beyond_it(monkeypatch, tmp_path):
    served = []

    class Fake:
        def run(self, **kwargs):
            served.append(kwargs)

    monkeypatch.setattr("sim.dashboard.create_app", lambda **kwargs: Fake())
    quiet = CliRunner().invoke(cli, ["dashboard", "--runs", str(tmp_path)])
    assert quiet.exit_code == 0 and "warning" not in quiet.stderr
    assert served[-1]["host"] == "127.0.0.1" and served[-1]["port"] == 8050
    loud = CliRunner().invoke(cli, ["dashboard", "--host", "0.0.0.0", "--port", "9000"])
    assert loud.exit_code == 0
    assert "warning: serving on 0.0.0.0" in loud.stderr
    assert served[-1] == {"host": "0.0.0.0", "port": 9000, "debug": False}


def test_runs_of_a_page_that_was_closed_stop(tmp_path):
    """A reloaded or closed page can no longer see or cancel its run: the run stops.

    The page renews a sign every few seconds; a run checks it after each replicate.
    """
    from sim.dashboard.folders import PAGE_GONE_AFTER, PAGE_SIGN, page_gone, page_is_open

    assert not page_gone(tmp_path)  # no sign yet: a page just opened
    page_is_open(tmp_path)
    signed = (tmp_path / PAGE_SIGN).stat().st_mtime
    assert not page_gone(tmp_path, now=signed + 60)  # a tab in the background beats slowly
    assert page_gone(tmp_path, now=signed + PAGE_GONE_AFTER + 1)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("ending", ["SIGTERM", "SIGHUP"])
def test_the_dashboard_cleans_up_when_killed_or_its_terminal_closes(tmp_path, ending):
    import os
    import signal
    import subprocess
    import sys
    import time
    import urllib.request

    port = _free_port()
    command = [os.path.join(os.path.dirname(sys.executable), "commsim"), "dashboard",
               "--port", str(port), "--runs", str(tmp_path)]
    server = subprocess.Popen(command, env={**os.environ, "TMPDIR": str(tmp_path)},
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except OSError:
                time.sleep(0.25)
        assert list(tmp_path.glob("commsim-dashboard-*")), "no work folder while serving"
        server.send_signal(getattr(signal, ending))
        server.wait(timeout=20)
    finally:
        if server.poll() is None:
            server.kill()
    assert list(tmp_path.glob("commsim-dashboard-*")) == []
    assert "Traceback" not in server.stderr.read()


def test_a_port_in_use_is_refused_before_the_server_says_it_runs(tmp_path):
    import socket

    from typer.testing import CliRunner

    from sim.cli.app import app

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(app, ["dashboard", "--port", str(port),
                                          "--runs", str(tmp_path)])
    assert result.exit_code == 2
    assert "cannot serve on 127.0.0.1" in result.output and "running" not in result.output


def test_the_off_topic_policy_is_everywhere_a_strategist_looks():
    """Issue 18: the rules' off-topic policy is a lever of the dashboard (a choice of
    three), in the strategy catalogue and in the scenario schema."""
    import json

    lever = next(lv for lv in all_levers() if lv.path == "strategies.rules.off_topic")
    assert lever.param.choices == ("allowed", "discouraged", "banned")
    assert "banned" in str(control(lever, "banned"))
    catalogue = CliRunner().invoke(cli, ["strategies"], terminal_width=200).output
    assert "off_topic" in catalogue and "discouraged" in catalogue
    schema = json.dumps(json.loads(CliRunner().invoke(cli, ["schema"]).output))
    assert '"discouraged"' in schema and "off_topic_minutes" in schema


def test_a_job_that_ends_while_it_is_being_ended_is_no_error(tmp_path, monkeypatch):
    """A short run's process can exit between Dash's lookup of it and the listing of its
    children; its result must still reach the page (this raised NoSuchProcess in a
    callback, and the page waited for ever)."""
    import subprocess

    import diskcache
    import psutil

    from sim.dashboard.app import _ForkServerJobs

    def gone(self, recursive=False):
        raise psutil.NoSuchProcess(self.pid)

    job = subprocess.Popen(["sleep", "30"])
    try:
        monkeypatch.setattr(psutil.Process, "children", gone)
        jobs = _ForkServerJobs.__new__(_ForkServerJobs)  # no fork server needed for this
        jobs.handle = diskcache.Cache(str(tmp_path / "cache"))
        with pytest.raises(psutil.NoSuchProcess):
            psutil.Process(job.pid).children()  # the race, as Dash meets it ...
        jobs.terminate_job(job.pid)  # ... is absorbed
    finally:
        job.kill()
        job.wait()
