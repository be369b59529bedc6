"""A fitted scenario is a scenario like any other: it runs, takes strategy arms for a
paired comparison, and loads in the dashboard's Explore page (without a browser)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.analysis.compare import compare
from sim.cli.app import app
from sim.dashboard.folders import shipped_scenarios
from sim.dashboard.jobs import base_scenario, scenario_from_upload
from sim.dashboard.levers import all_levers, initial_value, scenario_from_levers
from sim.formats.scenario import load_scenario
from sim.running.runner import run

runner = CliRunner()
ARMS = "arms:\n  welcomed: {welcome: {}}\n  envelopes: {red_envelope: {every: daily, amount: 20}}\n"


@pytest.fixture(scope="module")
def fitted(tmp_path_factory) -> Path:
    """``fitted/scenario.yaml`` of a tiny fit (60-day demo CSV export, two trials)."""
    folder = tmp_path_factory.mktemp("fitted")
    export = folder / "group.csv"
    made = runner.invoke(app, ["demo-export", "--format", "csv", "--out", str(export),
                               "--seed", "3", "--days", "60"])
    assert made.exit_code == 0, made.output
    result = runner.invoke(app, ["fit", str(export), "--out", str(folder / "fitted"),
                                 "--trials", "2", "--budget", "5", "--workers", "1"])
    assert result.exit_code == 0, result.output
    return folder / "fitted" / "scenario.yaml"


def test_commsim_run_runs_the_fitted_scenario(fitted, tmp_path):
    out = tmp_path / "run"
    result = runner.invoke(app, ["run", str(fitted), "--out", str(out), "-q", "--days", "10",
                                 "--replicates", "1", "--workers", "1"])
    assert result.exit_code == 0, result.output
    summary = pd.read_parquet(out / "summary.parquet")
    assert len(summary) == 1 and summary["messages_total"].iloc[0] > 0


def test_strategy_arms_on_the_fitted_scenario_are_compared_in_pairs(fitted, tmp_path):
    with_arms = tmp_path / "with-arms.yaml"
    with_arms.write_text(fitted.read_text() + ARMS, encoding="utf-8")
    scenario = load_scenario(with_arms).with_changes(days=10, replicates=2)
    result = run(scenario, workers=1)
    summary = result.summary
    assert set(summary["arm"]) == {"baseline", "welcomed", "envelopes"}
    seeds = summary.pivot(index="replicate", columns="arm", values="seed")
    assert (seeds.nunique(axis=1) == 1).all()  # every arm of a replicate: the same seed
    table = compare(result, outcomes=["messages_total"], resamples=200).set_index("arm")
    assert set(table.index) == {"baseline", "welcomed", "envelopes"}
    assert table.loc[["welcomed", "envelopes"], "n_pairs"].eq(2).all()
    assert table["common_seeds"].all()


def test_the_explore_page_loads_the_fitted_scenario(fitted, tmp_path):
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "fitted.yaml").write_text(fitted.read_text(), encoding="utf-8")
    shipped = shipped_scenarios(folder)
    chosen = base_scenario({"kind": "shipped", "name": "fitted"}, shipped)
    uploaded = scenario_from_upload(fitted.read_text(), "scenario.yaml")
    assert chosen.digest() == uploaded.digest() == load_scenario(fitted).digest()
    resolved = chosen.resolved()
    values = {}
    for lever in all_levers():  # what an untouched page sends back
        parts = lever.path.split(".")
        if parts[0] == "strategies":
            values[lever.path] = (resolved["strategies"].get(parts[1]) or {}).get(
                parts[2], lever.param.default)
        else:
            values[lever.path] = initial_value(lever, resolved)
    again = scenario_from_levers(chosen, values, set(chosen.strategies_for("baseline")),
                                 list(chosen.arms))
    assert again.digest() == chosen.digest()
