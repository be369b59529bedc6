"""Sweeps: designs, validation, streaming results, resume, workers, Dask, sensitivity."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.analysis.sweep_report import finish_sweep
from sim.formats.experiment import parse_experiment
from sim.formats.scenario import ScenarioError
from sim.running.sweeps import plan_tasks, sweep

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"

TINY = f"""
name: tiny sweep
scenario: {SCENARIOS / "baseline.yaml"}
replicates: 2
seed: 5
days: 25
constants:
  group.initial_members: 0  # the baseline's founders only: 376 would not fit in 300
  population.size: 300
"""


def study_of(text: str):
    """TINY plus ``text``; a ``replicates:`` line in ``text`` replaces TINY's (a key
    written twice in one file is an error)."""
    head = TINY.replace("replicates: 2\n", "") if "\nreplicates:" in text else TINY
    return parse_experiment(head + text, source="exp.yaml", base_dir=ROOT)


# ---------------------------------------------------------------- designs


def test_grid_is_the_full_product_of_levels():
    s = study_of("""
design: {kind: grid}
levers:
  strategies.content.posts_per_day: {values: [1, 2, 3]}
  strategies.content.schedule: {choices: [regular, irregular]}
uncertainties:
  population.traits.fit_mean: {range: [0.3, 0.7], levels: 3}
""")
    assert len(s.points) == 3 * 2 * 3
    fits = sorted({p["population.traits.fit_mean"] for p in s.points})
    assert fits == pytest.approx([0.3, 0.5, 0.7])


@pytest.mark.parametrize(("kind", "samples", "expected"), [
    ("random", 7, 7), ("latin_hypercube", 8, 8), ("sobol", 8, 8),
    ("saltelli", 4, 4 * (2 + 2)), ("morris", 3, 3 * (2 + 1)),
])
def test_sampled_designs_have_the_documented_size(kind, samples, expected):
    s = study_of(f"""
design: {{kind: {kind}, samples: {samples}}}
levers:
  strategies.content.quality: {{range: [0.2, 0.9]}}
uncertainties:
  dynamics.leave_rate: {{range: [0.01, 0.1]}}
""")
    assert len(s.points) == expected
    for p in s.points:
        assert 0.2 <= p["strategies.content.quality"] <= 0.9
        assert 0.01 <= p["dynamics.leave_rate"] <= 0.1


def test_latin_hypercube_puts_one_point_in_every_slice():
    s = study_of("""
design: {kind: latin_hypercube, samples: 10}
levers:
  strategies.content.quality: {range: [0.0, 1.0]}
  dynamics.leave_rate: {range: [0.0, 0.1]}
""")
    q = np.array([p["strategies.content.quality"] for p in s.points])
    assert sorted((q * 10).astype(int).tolist()) == list(range(10))


def test_integer_parameters_are_sampled_as_integers():
    s = study_of("""
design: {kind: random, samples: 5}
levers:
  dynamics.lurk_after: {range: [10, 40]}
  strategies.content.quality: {range: [0.2, 0.9]}
""")
    for p in s.points:
        scenario = s.scenario(p)
        assert isinstance(scenario.dynamics.lurk_after, int)


def test_distributions_are_sampled_by_quantiles():
    s = study_of("""
design: {kind: latin_hypercube, samples: 200}
uncertainties:
  population.traits.fit_mean: {distribution: {kind: normal, mean: 0.5, sd: 0.05}}
  dynamics.leave_rate: {distribution: {kind: triangular, low: 0.01, mode: 0.02, high: 0.08}}
""")
    fit = np.array([p["population.traits.fit_mean"] for p in s.points])
    assert abs(fit.mean() - 0.5) < 0.01 and abs(fit.std() - 0.05) < 0.01
    leave = np.array([p["dynamics.leave_rate"] for p in s.points])
    assert leave.min() >= 0.01 and leave.max() <= 0.08


# ------------------------------------------------------------- bad input


def problems_of(text: str) -> list:
    with pytest.raises(ScenarioError) as info:
        study_of(text)
    return info.value.problems


def test_unknown_key_path_gets_the_nearest_valid_name():
    (p,) = problems_of("levers:\n  strategies.content.post_per_day: {values: [1, 2]}\n")
    assert p.path == "levers.strategies.content.post_per_day"
    assert p.suggestion == "strategies.content.posts_per_day"
    assert p.line == 11  # the levers line, after TINY


def test_unknown_section_and_strategy_are_named():
    found = {p.path: p.suggestion for p in problems_of(
        "uncertainties:\n  populaton.size: {values: [100]}\n"
        "levers:\n  strategies.contnet.quality: {values: [0.5]}\n")}
    assert found == {"uncertainties.populaton.size": "population",
                     "levers.strategies.contnet.quality": "strategies.content"}


def test_value_outside_the_scenario_range_is_reported_at_the_factor():
    (p,) = problems_of("levers:\n  strategies.content.quality: {range: [0.5, 1.5]}\n")
    assert p.path == "levers.strategies.content.quality"
    assert p.line == 11  # the levers line, after TINY
    assert "<= 1" in p.message


def test_whole_number_keys_refuse_fractions_and_repeated_grid_levels():
    (p,) = problems_of("levers:\n  group.capacity: {values: [100.2, 100]}\n")
    assert p.path == "levers.group.capacity.values"
    assert p.message == "expected whole numbers (got 100.2)"
    (p,) = problems_of("levers:\n  group.founders.seed_user: {range: [0, 3], levels: 5}\n")
    assert p.message == ("5 levels over [0, 3] give repeated whole numbers (0, 1, 2, 3, 3); "
                         "use at most 4 levels")
    assert study_of("levers:\n  group.founders.seed_user: {range: [0, 3], levels: 4}\n")


def test_sensitivity_designs_need_continuous_factors():
    paths = {p.path for p in problems_of(
        "design: {kind: saltelli, samples: 4}\n"
        "levers:\n  strategies.content.schedule: {choices: [regular, irregular]}\n"
        "  strategies.content.quality: {range: [0.2, 0.8]}\n")}
    assert "levers.strategies.content.schedule" in paths


def test_unknown_outcome_and_missing_base_scenario():
    (p,) = problems_of("outcomes: {members_finale: maximize}\n")
    assert p.suggestion == "members_final"
    with pytest.raises(ScenarioError, match="base scenario not found"):
        parse_experiment("scenario: nowhere.yaml\n", "exp.yaml", base_dir=ROOT)


def test_every_shipped_experiment_validates():
    from sim.cli.common import is_optimization

    # optimization files live beside the experiments (tests/test_optimize checks them)
    files = [p for p in sorted((ROOT / "experiments").rglob("*.yaml"))
             if not is_optimization(p)]
    assert files
    for path in files:
        study = sim.load_experiment(path)
        assert len(study.points) >= 1


# --------------------------------------------------------------- running

SMALL = """
design: {kind: grid}
levers:
  strategies.content.posts_per_day: {values: [1, 4]}
uncertainties:
  population.traits.fit_mean: {values: [0.3, 0.6]}
"""


@pytest.fixture(scope="module")
def small_study():
    return study_of(SMALL)


@pytest.fixture(scope="module")
def serial(small_study, tmp_path_factory):
    out = tmp_path_factory.mktemp("serial")
    return sweep(small_study, out=out, workers=1, finish=finish_sweep), out


def test_runs_table_has_one_row_per_run_with_parameters_and_outcomes(small_study, serial):
    table, out = serial
    assert len(table) == 4 * 2
    assert table["run_id"].is_unique
    for column in ("run_id", "point_id", "replicate", "seed",
                   "strategies.content.posts_per_day", "population.traits.fit_mean",
                   "members_final", "active_share_last_28d", "dead_day"):
        assert column in table.columns
    stored = pd.read_parquet(out / "runs.parquet")
    pd.testing.assert_frame_equal(stored, table)
    # outcomes are numbers, also one that is missing where it never happened
    for outcome in ("members_final", "roi", "dead_day"):
        assert pd.api.types.is_float_dtype(table[outcome]) or pd.api.types.is_integer_dtype(
            table[outcome]), outcome
    mixed = sim.running.sweeps._frame_for_parquet(pd.DataFrame({"dead_day": [None, 45, None]}))
    assert mixed["dead_day"].tolist()[1] == 45 and mixed["dead_day"].isna().sum() == 2
    # common random numbers: the same replicate seeds at every point
    assert table.groupby("replicate")["seed"].nunique().eq(1).all()
    assert (out / "points.parquet").exists() and (out / "experiment.resolved.yaml").exists()


def test_sweep_report_is_one_offline_file_with_every_view(serial):
    _, out = serial
    page = (out / "report.html").read_text(encoding="utf-8")
    for heading in ("members_final against strategies.content.posts_per_day",
                    "over strategies.content.posts_per_day and population.traits.fit_mean",
                    "Parallel coordinates"):
        assert heading in page
    assert 'src="http' not in page and page.count("plotly.js v") >= 1


def test_one_run_can_be_repeated_alone_from_its_row(small_study, serial):
    table, _ = serial
    row = table.iloc[5]
    point = small_study.points[int(row["point_id"])]
    model = sim.CommunityModel(small_study.scenario(point), seed=int(row["seed"]))
    model.run_model()
    assert int(model.recorder.data["members"][-1]) == row["members_final"]


def test_commsim_run_repeats_one_point_of_a_sweep(small_study, serial, tmp_path):
    from typer.testing import CliRunner

    from sim.cli.app import app

    table, _ = serial
    experiment = tmp_path / "exp.yaml"
    experiment.write_text(TINY + SMALL, encoding="utf-8")
    out = tmp_path / "point"
    result = CliRunner().invoke(app, ["run", str(experiment), "--point", "3", "--out",
                                      str(out), "--quiet", "--no-report", "--workers", "1"])
    assert result.exit_code == 0, result.output
    summary = pd.read_parquet(out / "summary.parquet")
    swept = table[table["point_id"] == 3].sort_values("replicate")
    assert summary["seed"].tolist() == swept["seed"].tolist()
    assert summary["members_final"].tolist() == swept["members_final"].tolist()
    assert summary["messages_total"].tolist() == swept["messages_total"].tolist()
    missing = CliRunner().invoke(app, ["run", str(experiment), "--point", "99"])
    assert missing.exit_code == 2 and "no point 99" in missing.output


def test_two_workers_give_the_same_table(small_study, serial, tmp_path):
    table, _ = serial
    parallel = sweep(small_study, out=tmp_path / "par", workers=2, finish=finish_sweep)
    pd.testing.assert_frame_equal(parallel, table)


def test_the_sweeping_process_helps_while_the_pool_starts(tmp_path, monkeypatch):
    from sim.running import sweeps

    study = study_of("""
design: {kind: grid}
levers:
  strategies.content.posts_per_day: {values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]}
""")
    serial = sweep(study, out=tmp_path / "serial", workers=1, finish=finish_sweep)
    here = []  # runs whose tables were made in this process (workers have their own module)
    tables = sweeps.run_tables
    monkeypatch.setattr(sweeps, "run_tables", lambda model, run_id, replicate: here.append(
        run_id) or tables(model, run_id, replicate))
    pooled = sweep(study, out=tmp_path / "pool", workers=2, finish=finish_sweep)
    assert 1 <= len(here) <= len(serial) - 2 * 4  # the window the pool was given stays there
    pd.testing.assert_frame_equal(pooled, serial)


def test_worlds_are_built_once_for_the_pool_when_few(small_study):
    from sim.running.sweeps import WORLD_CACHE, _task_scenario, _world_for, _worlds, shared_worlds

    tasks = plan_tasks(small_study)
    worlds = shared_worlds(tasks, str(ROOT))
    assert len(worlds) == 2 * 2  # fit_mean values x replicate seeds
    _worlds.clear()
    for task in tasks:  # what a worker would have built is what it is handed
        built = _world_for(_task_scenario(task, str(ROOT)), task.seed)
        shared = next(w for k, w in worlds.items() if _worlds.get(k) is built)
        assert np.array_equal(shared.fit, built.fit)
        assert (shared.adjacency != built.adjacency).nnz == 0
    many = study_of("""
design: {kind: grid}
uncertainties:
  population.traits.fit_mean: {values: [0.3, 0.4, 0.5, 0.6, 0.7]}
""")
    assert len(plan_tasks(many)) > WORLD_CACHE
    assert shared_worlds(plan_tasks(many), str(ROOT)) == {}


def test_interrupted_sweep_resumes_without_losing_or_repeating_runs(small_study, serial,
                                                                     tmp_path, monkeypatch):
    table, _ = serial
    out = tmp_path / "resume"
    monkeypatch.setattr("sim.running.sweeps.FLUSH_EVERY", 1)
    finished = []

    def stop_after_three(k):
        finished.append(k)
        if len(finished) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sweep(small_study, out=out, workers=1, on_done=stop_after_three, finish=finish_sweep)
    assert not (out / "runs.parquet").exists()
    saved = pd.concat(pd.read_parquet(p) for p in (out / "parts").glob("*.parquet"))
    assert len(saved) == 3
    started = []
    resumed = sweep(small_study, out=out, workers=1,
                    on_start=lambda total, done: started.append((total, done)))
    assert started == [(8, 3)]
    pd.testing.assert_frame_equal(resumed, table)
    again = sweep(small_study, out=out, workers=1, finish=finish_sweep)  # nothing left to do
    pd.testing.assert_frame_equal(again, table)


def test_a_folder_of_another_experiment_is_refused(small_study, serial):
    _, out = serial
    other = study_of(SMALL.replace("[1, 4]", "[2, 4]"))
    with pytest.raises(ValueError, match="different experiment"):
        sweep(other, out=out, workers=1, finish=finish_sweep)


def test_a_new_name_or_outcome_list_resumes_without_running_again(small_study, serial):
    """Name, description and outcomes change no run: the folder's runs are reused."""
    _, out = serial
    text = (TINY.replace("name: tiny sweep", "name: renamed\ndescription: other words")
            + "outcomes: {spam_share: minimize}\n" + SMALL)
    renamed = parse_experiment(text, source="exp.yaml", base_dir=ROOT)
    started = []
    sweep(renamed, out=out, workers=1, on_start=lambda total, done: started.append(done),
          finish=finish_sweep)
    assert started == [8]


def test_editing_the_base_scenario_starts_the_sweep_afresh(tmp_path):
    """Resuming must never mix runs of an older base scenario into the table."""
    base = tmp_path / "base.yaml"
    base.write_text((SCENARIOS / "baseline.yaml").read_text())
    text = TINY.replace(str(SCENARIOS / "baseline.yaml"), "base.yaml") + SMALL
    out = tmp_path / "sweep"
    first = sweep(parse_experiment(text, "exp.yaml", base_dir=tmp_path), out=str(out),
                  finish=finish_sweep)
    base.write_text(base.read_text().replace("posts_per_day: 3", "posts_per_day: 6")
                    .replace("quality: 0.6", "quality: 0.9"))
    edited = parse_experiment(text, "exp.yaml", base_dir=tmp_path)
    with pytest.raises(ValueError, match="different experiment or base scenario"):
        sweep(edited, out=out, finish=finish_sweep)
    fresh = sweep(edited, out=tmp_path / "fresh", finish=finish_sweep)
    assert not fresh["messages_total"].equals(first["messages_total"])


def test_the_horizon_can_be_swept_and_the_seed_cannot(tmp_path):
    s = study_of("design: {kind: grid}\nlevers:\n  days: {values: [5, 9]}\n")
    table = sweep(s, out=tmp_path / "days", finish=finish_sweep)
    assert table.groupby("point_id")["days"].first().tolist() == [5, 9]
    assert list(table.columns).count("days") == 1
    found = {p.path: p.message for p in problems_of(
        "levers:\n  seed: {values: [1, 2]}\n  weeks: {values: [1, 2]}\n")}
    assert "the sweep gives every run its seed" in found["levers.seed"]
    assert "vary days instead" in found["levers.weeks"]


def test_every_point_must_seat_its_founders(tmp_path):
    """Factors valid one at a time can combine into a group too small for its founders."""
    (p,) = problems_of("levers:\n  group.capacity: {values: [500, 20]}\n"
                       "  group.founders.seed_user: {values: [5, 30]}\n")
    assert p.path == "levers.group.capacity" and p.line == 11
    assert "at point 3 (group.capacity=20, group.founders.seed_user=30)" in p.message
    assert "36 founders" in p.message


def test_an_unreachable_scheduler_is_one_clear_error(small_study, tmp_path, monkeypatch):
    monkeypatch.setattr("sim.running.sweeps.SCHEDULER_TIMEOUT", "1s")
    with pytest.raises(ValueError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:1"):
        sweep(small_study, out=tmp_path / "x", cluster="tcp://127.0.0.1:1", finish=finish_sweep)


def test_daily_tables_are_kept_only_when_asked(tmp_path):
    s = study_of(SMALL + "timeseries: true\n")
    sweep(s, out=tmp_path / "ts", workers=1, finish=finish_sweep)
    daily = pd.read_parquet(tmp_path / "ts" / "timeseries")
    assert len(daily) == 8 * 25 and {"run_id", "point_id", "day"} <= set(daily.columns)


@pytest.mark.parametrize("kind", ["saltelli", "morris"])
def test_sensitivity_indices_are_written(kind, tmp_path):
    s = study_of(f"""
design: {{kind: {kind}, samples: 4}}
replicates: 1
levers:
  strategies.content.posts_per_day: {{range: [0.0, 6.0]}}
uncertainties:
  dynamics.leave_rate: {{range: [0.01, 0.1]}}
outcomes: {{messages_total: maximize, gini_messages: minimize}}
""")
    sweep(s, out=tmp_path / kind, workers=1, finish=finish_sweep)
    table = pd.read_parquet(tmp_path / kind / "sensitivity.parquet")
    assert set(table["parameter"]) == set(s.names)
    assert set(table["outcome"]) == {"messages_total", "gini_messages"}
    wanted = ["S1", "S1_conf", "ST", "ST_conf"] if kind == "saltelli" else [
        "mu_star", "mu_star_conf", "sigma"]
    assert table[wanted].notna().all().all()
    assert set(table["method"]) == {"sobol" if kind == "saltelli" else "morris"}
    if kind == "saltelli":  # an impossible estimate (from 4 base samples) is flagged
        impossible = ((table["S1"] + table["S1_conf"] < 0)
                      | (table["S1"] - table["S1_conf"] > table["ST"])
                      | (table["S1"] - table["S1_conf"] > 1)
                      | (table["ST"] - table["ST_conf"] > 1))
        flagged = table["note"].notna() if "note" in table else impossible & False
        assert (impossible == flagged).all()
    assert "Sensitivity of" in (tmp_path / kind / "report.html").read_text()


# ------------------------------------------------------------------- Dask


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(args: list[str]) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", *args], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


@pytest.fixture
def dask_cluster():
    pytest.importorskip("distributed")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs = [_start(["distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port",
                     str(port), "--dashboard-address", ":0", "--no-show"])]
    time.sleep(2)
    workers = [_start(["distributed.cli.dask_worker", address, "--nthreads", "1",
                       "--nworkers", "1", "--host", "127.0.0.1", "--no-dashboard"])
               for _ in range(2)]
    procs += workers
    from distributed import Client

    with Client(address, timeout=60) as client:
        client.wait_for_workers(2, timeout=60)
    yield address, workers
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def test_dask_cluster_gives_the_same_table_even_when_a_worker_dies(small_study, serial,
                                                                   dask_cluster, tmp_path):
    table, _ = serial
    address, workers = dask_cluster
    done = []

    def kill_one_worker_midway(k):
        done.append(k)
        if len(done) == 2:
            os.killpg(workers[0].pid, signal.SIGKILL)

    result = sweep(small_study, out=tmp_path / "dask", cluster=address,
                   on_done=kill_one_worker_midway, finish=finish_sweep)
    assert workers[0].poll() is not None  # the worker really died
    assert result["run_id"].is_unique and len(result) == len(plan_tasks(small_study))
    pd.testing.assert_frame_equal(result, table)


def test_sobol_designs_need_a_power_of_two_samples():
    (p,) = problems_of("design: {kind: saltelli, samples: 12}\nlevers:\n"
                       "  strategies.content.quality: {range: [0.2, 0.8]}\n"
                       "  dynamics.leave_rate: {range: [0.01, 0.1]}\n")
    assert p.path == "design.samples"
    assert "power of 2" in p.message and "use 8 or 16" in p.message


def test_misspelt_keys_inside_an_experiment_get_the_valid_ones_and_a_suggestion():
    found = {p.path: (p.message, p.suggestion) for p in problems_of(
        "design: {kind: grid, level: 3}\nlevers:\n"
        "  strategies.content.posts_per_day: {valuse: [1, 2]}\n")}
    message, suggestion = found["design.level"]
    assert "expected one of: kind, samples, levels" in message and suggestion == "levels"
    message, suggestion = found["levers.strategies.content.posts_per_day.valuse"]
    assert "values, range" in message and suggestion == "values"


def test_a_normal_distribution_on_a_bounded_key_is_truncated_when_asked():
    found = problems_of("levers:\n  population.traits.fit_mean: "
                        "{distribution: {kind: normal, mean: 0.5, sd: 0.3}}\n")
    assert len(found) == 2  # both tails
    assert all("give the distribution low and high to truncate it" in p.message for p in found)
    study = study_of("design: {kind: latin_hypercube, samples: 64}\nlevers:\n"
                     "  population.traits.fit_mean: {distribution: {kind: normal, mean: 0.5, "
                     "sd: 0.3, low: 0.05, high: 0.95}}\n")
    values = np.array([point["population.traits.fit_mean"] for point in study.points])
    assert values.min() >= 0.05 and values.max() <= 0.95
    assert abs(np.median(values) - 0.5) < 0.05  # still centred where it was


def test_constants_are_checked_like_varied_values():
    # TINY ends with its constants: these lines add to them
    found = {p.path: p.message for p in problems_of("  seed: 5\n  group.capacity: 20\n")}
    assert "cannot be set by an experiment" in found["constants.seed"]
    found = {p.path: p.message for p in problems_of("  group.capacity: 20\n")}
    assert "26 founders (owner included) do not fit in a group of capacity 20" in found[
        "constants.group.capacity"]


def test_an_experiment_cannot_name_or_switch_to_an_edge_list():
    found = {p.path: p.message for p in problems_of("  population.network.path: friends.csv\n")}
    assert "name the edge-list file in the base scenario" in found[
        "constants.population.network.path"]
    found = {p.path: p.message for p in problems_of(
        "levers:\n  population.network.kind: {choices: [random, edgelist]}\n")}
    assert "needs a base scenario that names its edge-list file" in found[
        "levers.population.network.kind"]


def test_a_truncated_distribution_must_keep_some_weight():
    found = problems_of("levers:\n  dynamics.leave_rate: {distribution: {kind: normal, "
                        "mean: 5, sd: 0.01, low: 0, high: 1}}\n")
    assert any("no weight between low and high" in p.message for p in found)


def test_run_and_sweep_folders_are_kept_apart(small_study, serial, tmp_path):
    from typer.testing import CliRunner

    from sim.cli.app import app

    _, sweep_folder = serial
    before = sorted(os.listdir(sweep_folder))
    scenario = SCENARIOS / "baseline.yaml"
    refused = CliRunner().invoke(app, ["run", str(scenario), "--out", str(sweep_folder),
                                       "--days", "3", "--replicates", "1", "-q"])
    assert refused.exit_code == 2 and "holds a sweep's results" in refused.output
    assert sorted(os.listdir(sweep_folder)) == before
    run_folder = tmp_path / "run"
    assert CliRunner().invoke(app, ["run", str(scenario), "--out", str(run_folder), "--days",
                                    "3", "--replicates", "1", "-q"]).exit_code == 0
    experiment = tmp_path / "exp.yaml"
    experiment.write_text(TINY + SMALL)
    refused = CliRunner().invoke(app, ["sweep", str(experiment), "--out", str(run_folder)])
    assert refused.exit_code == 2 and "holds the results of a run" in " ".join(
        refused.output.split())
    report = (run_folder / "report.html").read_bytes()
    with pytest.raises(ValueError, match="holds the results of a run"):
        sweep(small_study, out=run_folder, workers=1, finish=finish_sweep)  # from Python too
    assert (run_folder / "report.html").read_bytes() == report


def test_a_sweep_never_overwrites_files_it_did_not_write(small_study, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "report.html").write_text("my own notes")
    with pytest.raises(ValueError, match="already holds report.html, which a sweep would"):
        sweep(small_study, out=mine, workers=1, finish=finish_sweep)
    assert (mine / "report.html").read_text() == "my own notes"
    a_file = tmp_path / "README.md"
    a_file.write_text("text")
    with pytest.raises(ValueError, match="exists and is not a folder"):
        sweep(small_study, out=a_file, workers=1, finish=finish_sweep)


def test_a_sweep_begun_with_other_package_versions_is_not_resumed(small_study, tmp_path):
    out = tmp_path / "sweep"
    sweep(small_study, out=out, workers=1, finish=finish_sweep)
    marker = out / "experiment.resolved.yaml"
    marker.write_text(marker.read_text().replace("numpy: ", "numpy: 0.0.1-was-"))
    with pytest.raises(ValueError, match="holds runs made with numpy 0.0.1-was-"):
        sweep(small_study, out=out, workers=1, finish=finish_sweep)
    assert "numpy: 0.0.1-was-" in marker.read_text()  # the record is kept


def test_check_takes_the_validation_experiments_too():
    from typer.testing import CliRunner

    from sim.cli.app import app

    files = sorted((ROOT / "experiments" / "validation").glob("t*.yaml"))
    assert files
    result = CliRunner().invoke(app, ["check", *map(str, files)])
    assert result.exit_code == 0, result.output
    assert result.output.count("ok: ") == len(files)


def test_a_server_that_is_not_a_scheduler_is_given_up(small_study, tmp_path, monkeypatch):
    """Some other program listening on the address: Dask would wait for ever."""
    monkeypatch.setattr("sim.running.sweeps.SCHEDULER_SILENCE", 2.0)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        address = f"tcp://127.0.0.1:{silent.getsockname()[1]}"
        with pytest.raises(ValueError, match="did not answer as a Dask scheduler"):
            sweep(small_study, out=tmp_path / "x", cluster=address, finish=finish_sweep)
