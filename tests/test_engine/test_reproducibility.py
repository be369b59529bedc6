"""One seed in, the same tables out: serial or parallel, in memory or on disk."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal
from properties import ENGINE_SETTINGS, to_scenario

import sim
from sim.engine.metrics import run_tables
from sim.engine.seeding import replicate_seeds
from sim.running.output import RESULT_FILES, write_run
from sim.running.runner import plan_runs

TWO_ARMS = {
    "name": "reproducibility",
    "days": 40,
    "seed": 123,
    "replicates": 3,
    "population": {"size": 400, "traits": {"spammer_share": 0.05}},
    "group": {"capacity": 60, "founders": {"admin": 1, "opinion_leader": 2, "seed_user": 10}},
    "dynamics": {"gift_send_base": 0.02},
    "strategies": {"welcome": {}, "content": {"posts_per_day": 2, "schedule": "irregular"}},
    "arms": {"no_welcome": {"welcome": False}},
}


def scenario_with(**changes) -> sim.Scenario:
    return to_scenario({**TWO_ARMS, **changes})


def assert_results_equal(a: sim.RunResult, b: sim.RunResult) -> None:
    for table in ("timeseries", "summary", "members"):
        assert_frame_equal(getattr(a, table), getattr(b, table), check_exact=True,
                           obj=table)


@pytest.fixture(scope="module")
def serial() -> sim.RunResult:
    return sim.run(scenario_with(), workers=1)


def test_same_seed_gives_identical_tables(serial):
    assert_results_equal(serial, sim.run(scenario_with(), workers=1))


def test_run_tables_have_one_row_per_run_and_day(serial):
    runs = 2 * TWO_ARMS["replicates"]
    assert len(serial.summary) == runs
    assert len(serial.timeseries) == runs * TWO_ARMS["days"]
    assert serial.summary["run_id"].is_unique
    assert list(serial.summary["arm"]) == ["baseline"] * 3 + ["no_welcome"] * 3


def test_serial_equals_parallel(serial):
    assert_results_equal(serial, sim.run(scenario_with(), workers=2))


def test_written_parquet_is_byte_identical(serial, tmp_path):
    again = sim.run(scenario_with(), workers=1)
    first, second = write_run(serial, tmp_path / "a"), write_run(again, tmp_path / "b")
    for name in RESULT_FILES:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert_frame_equal(pd.read_parquet(first / "members.parquet"), serial.members)


def test_different_seeds_give_different_runs(serial):
    other = sim.run(scenario_with(seed=124), workers=1)
    assert not set(other.summary["seed"]) & set(serial.summary["seed"])
    assert not serial.timeseries["messages"].equals(other.timeseries["messages"])
    assert not serial.members["agent_id"].equals(other.members["agent_id"])


def test_arms_share_replicate_seeds(serial):
    seeds = serial.summary.pivot(index="replicate", columns="arm", values="seed")
    assert (seeds["baseline"] == seeds["no_welcome"]).all()
    assert seeds["baseline"].is_unique
    assert list(seeds["baseline"]) == replicate_seeds(TWO_ARMS["seed"], 3)


def test_arms_of_a_replicate_share_the_day0_world():
    scenario = scenario_with()
    seed = plan_runs(scenario)[0].seed
    base = sim.CommunityModel(scenario, arm="baseline", seed=seed)
    arm = sim.CommunityModel(scenario, arm="no_welcome", seed=seed)
    wa, wb = base.world, arm.world
    assert np.array_equal(wa.adjacency.indptr, wb.adjacency.indptr)
    assert np.array_equal(wa.adjacency.indices, wb.adjacency.indices)
    for name in ("fit", "money_sensitivity", "sociability", "spam_propensity",
                 "natural_role", "clustering"):
        assert np.array_equal(getattr(wa, name), getattr(wb, name)), name
    # the same founders on day 0, in the same roles
    assert np.array_equal(base.state.status, arm.state.status)
    assert np.array_equal(base.state.role, arm.state.role)
    assert base.owner_row == arm.owner_row
    # ... but the arms do differ in what they run
    assert [type(s) for s in base.strategies] != [type(s) for s in arm.strategies]


def test_one_run_is_rerun_alone_from_its_recorded_seed(serial):
    row = serial.summary.iloc[4]  # no_welcome, replicate 1
    model = sim.CommunityModel(scenario_with(), arm=row["arm"], seed=int(row["seed"]))
    model.run_model()
    alone = run_tables(model, row["run_id"], int(row["replicate"]))
    expected = serial.timeseries[serial.timeseries["run_id"] == row["run_id"]]
    assert_frame_equal(alone.timeseries, expected.reset_index(drop=True), check_exact=True)


def test_a_world_is_a_function_of_its_seed_only():
    """Two models with the same seed but different days or strategies share a world."""
    short = sim.CommunityModel(scenario_with(days=5, strategies={}), seed=99)
    long = sim.CommunityModel(scenario_with(days=80), seed=99)
    assert np.array_equal(short.world.fit, long.world.fit)
    assert np.array_equal(short.world.adjacency.indices, long.world.adjacency.indices)


@ENGINE_SETTINGS
@given(root=st.integers(0, 2**63 - 1), n=st.integers(1, 40))
def test_replicate_seed_does_not_depend_on_replicate_count(root, n):
    seeds = replicate_seeds(root, n)
    assert seeds == replicate_seeds(root, 40)[:n]
    assert len(set(seeds)) == n
    assert all(0 <= s < 2**63 for s in seeds)  # valid scenario seeds


# ------------------------------------------------ overrides and resolved scenarios

NO_STRATEGIES = {**TWO_ARMS, "strategies": {}, "arms": {}, "replicates": 1}


def test_resolved_scenario_reruns_the_same_tables(serial, tmp_path):
    folder = write_run(serial, tmp_path / "run")
    again = sim.run(sim.load_scenario(folder / "scenario.resolved.yaml"))
    assert_results_equal(serial, again)


def test_overriding_days_keeps_strategies_off():
    """Regression: re-validating a scenario switched its off strategies on."""
    scenario = to_scenario(NO_STRATEGIES)
    assert scenario.strategies_for("baseline") == {}
    result = sim.run(scenario, days=10, replicates=1)
    assert result.scenario.strategies_for("baseline") == {}
    assert result.summary["owner_hours"].iloc[0] == 0.0


def test_resolved_scenario_keeps_strategies_off(tmp_path):
    """Regression: an off strategy was written as null and read back as on."""
    result = sim.run(to_scenario(NO_STRATEGIES))
    folder = write_run(result, tmp_path / "run")
    reloaded = sim.load_scenario(folder / "scenario.resolved.yaml")
    assert reloaded.strategies_for("baseline") == {}


def test_runs_leave_the_garbage_collector_as_they_found_it():
    import gc

    assert gc.isenabled()
    result = sim.run(sim.parse_scenario("days: 5\npopulation: {size: 200}"), replicates=3)
    assert len(result.summary) == 3 and gc.isenabled()
    model = sim.CommunityModel(sim.parse_scenario("days: 5\npopulation: {size: 200}"))
    model.run_model()  # off during the days only
    assert model.day == 5 and gc.isenabled()
    gc.disable()  # a process that manages collection itself keeps doing so
    try:
        sim.run(sim.parse_scenario("days: 5\npopulation: {size: 200}"), replicates=2)
        assert not gc.isenabled()
    finally:
        gc.enable()
