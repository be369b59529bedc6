"""The Python API: load a scenario, run it, get three DataFrames; arms and their strategies."""

from __future__ import annotations

import pandas as pd
import pytest

import sim
from sim.engine.seeding import replicate_seeds
from sim.formats.scenario import parse_scenario

TINY = """\
name: api test
days: 12
seed: 5
replicates: 2
population: {size: 300, network: {kind: powerlaw_cluster, mean_degree: 6}}
group: {capacity: 120}
strategies:
  welcome: {}
  content: {posts_per_day: 2, quality: 0.7}
arms:
  zeta_no_welcome: {welcome: false}
  alpha_irregular: {content: {schedule: irregular}}
  middle_more_content: {content: {posts_per_day: 5}}
"""
ARMS_IN_FILE_ORDER = ["baseline", "zeta_no_welcome", "alpha_irregular", "middle_more_content"]


@pytest.fixture(scope="module")
def scenario_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("api") / "tiny.yaml"
    path.write_text(TINY)
    return path


@pytest.fixture(scope="module")
def result(scenario_path):
    return sim.run(sim.load_scenario(scenario_path))


def test_run_returns_a_run_result_with_three_dataframes(result):
    assert isinstance(result, sim.RunResult)
    for frame in (result.timeseries, result.summary, result.members):
        assert isinstance(frame, pd.DataFrame)
        assert len(frame) > 0
    assert isinstance(result.scenario, sim.Scenario)


def test_run_covers_every_arm_and_replicate(result):
    n_runs = len(ARMS_IN_FILE_ORDER) * 2
    assert len(result.summary) == n_runs
    assert result.summary["run_id"].is_unique
    assert len(result.timeseries) == n_runs * 12
    assert sorted(set(result.summary["replicate"])) == [0, 1]


def test_arms_appear_in_file_order_after_baseline(result):
    assert list(dict.fromkeys(result.summary["arm"])) == ARMS_IN_FILE_ORDER
    assert list(dict.fromkeys(result.timeseries["arm"])) == ARMS_IN_FILE_ORDER
    assert list(dict.fromkeys(result.members["arm"])) == ARMS_IN_FILE_ORDER


def test_arms_share_replicate_seeds(result):
    seeds = result.summary.pivot(index="replicate", columns="arm", values="seed")
    assert (seeds.nunique(axis=1) == 1).all()
    assert seeds.iloc[0, 0] != seeds.iloc[1, 0]


def test_same_scenario_gives_the_same_results(scenario_path, result):
    again = sim.run(sim.load_scenario(scenario_path))
    pd.testing.assert_frame_equal(again.summary, result.summary)
    pd.testing.assert_frame_equal(again.timeseries, result.timeseries)


def test_run_keyword_overrides(scenario_path):
    out = sim.run(sim.load_scenario(scenario_path), replicates=1, days=5, seed=99)
    assert len(out.summary) == len(ARMS_IN_FILE_ORDER)
    assert set(out.summary["days"]) == {5}
    assert set(out.summary["seed"]) == set(replicate_seeds(99, 1))
    assert out.timeseries["day"].max() == 4


def test_arm_with_welcome_false_has_no_welcome_strategy(scenario_path):
    scenario = sim.load_scenario(scenario_path)
    baseline = scenario.strategies_for("baseline")
    assert set(baseline) == {"welcome", "content"}
    no_welcome = scenario.strategies_for("zeta_no_welcome")
    assert "welcome" not in no_welcome
    assert no_welcome["content"] == baseline["content"]


def test_arm_changes_only_the_parameters_it_names(scenario_path):
    scenario = sim.load_scenario(scenario_path)
    irregular = scenario.strategies_for("alpha_irregular")["content"]
    assert irregular.schedule == "irregular"
    assert irregular.posts_per_day == 2  # from the baseline, not the default 3
    assert irregular.quality == 0.7
    assert scenario.strategies_for("alpha_irregular")["welcome"] == \
        scenario.strategies_for("baseline")["welcome"]
    assert scenario.strategies_for("middle_more_content")["content"].posts_per_day == 5


def test_arm_can_switch_on_a_strategy_the_baseline_lacks():
    scenario = parse_scenario("strategies: {}\narms:\n  welcomed: {welcome: {}}\n")
    assert scenario.strategies_for("baseline") == {}
    assert set(scenario.strategies_for("welcomed")) == {"welcome"}


def test_unknown_arm_is_a_key_error(scenario_path):
    with pytest.raises(KeyError):
        sim.load_scenario(scenario_path).strategies_for("nope")


def test_parse_scenario_error_is_a_scenario_error():
    with pytest.raises(sim.ScenarioError):
        sim.parse_scenario("replicatse: 2\n")
