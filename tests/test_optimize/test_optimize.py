"""``commsim optimize``: the front finds the known best playbook, budgets bind, runs reproduce.

The small group here (400 people, 42 days) was measured first: a fission campaign
(invite boost 8-10) ends with about 40 members against about 20 without it, and
keeps the group alive in every replicate; red envelopes and rules change little. So
under a budget that allows its time (about 1.7 hours a week) every point of the
front runs fission, and a budget below its time leaves fission off the front.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import optuna
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

import sim
from sim.cli.app import app
from sim.formats.scenario import ScenarioError
from sim.optimization import search as search_module
from sim.optimization.front import dominates
from sim.optimization.spec import (
    from_flags,
    json_schema,
    parse_amount,
    parse_optimization,
    scenario_levers,
)

GROUP = """name: small group
days: 42
seed: 3
population: {size: 400}
group: {capacity: 200, founders: {admin: 1, opinion_leader: 2, seed_user: 10}}
strategies:
  welcome: {}
"""

SEARCH = """name: known best
scenario: group.yaml
replicates: 3
trials: 16
batch: 8
population: 8
front_replicates: 8
budget: {{hours_per_week: {hours}, money_per_month: {money}}}
strategies:
  fission: {{vary: {{invite_boost: [8, 10]}}}}
  red_envelope: {{}}
  rules: {{}}
objectives: [members, survival]
"""

runner = CliRunner()


def _search(folder: Path, hours: float = 20, money: float = 1000, **changes):
    (folder / "group.yaml").write_text(GROUP)
    text = SEARCH.format(hours=hours, money=money)
    for key, value in changes.items():
        text = text.replace(f"{key}: ", f"{key}: {value}  # ", 1)
    return parse_optimization(text, "search.yaml", base_dir=folder)


@pytest.fixture(scope="module")
def generous(tmp_path_factory):
    """The search under a budget that allows fission, run once: (search, folder, front)."""
    folder = tmp_path_factory.mktemp("generous")
    found = _search(folder)
    front = sim.optimize(found, folder / "out", workers=1)
    return found, folder / "out", front


def test_the_front_holds_the_known_best_playbook(generous):
    _, out, front = generous
    assert len(front) >= 1
    assert front["fission.on"].astype(bool).all()  # every front point runs the campaign
    assert (front["members_final"] > 30).all()
    trials = pd.read_parquet(out / "trials.parquet")
    without = trials[(trials["state"] == "complete") & ~trials["fission.on"].astype(bool)]
    assert len(without) > 0 and (without["members_final"] < 25).all()


def test_a_budget_below_its_cost_removes_it(tmp_path):
    found = _search(tmp_path, hours=1.2, money=30)
    front = sim.optimize(found, tmp_path / "out", workers=1)
    assert len(front) >= 1
    assert not front["fission.on"].astype(bool).any()  # its time is over the budget
    assert not front["red_envelope.on"].astype(bool).any()  # its money is over the budget
    trials = pd.read_parquet(tmp_path / "out" / "trials.parquet")
    over = trials[trials["hours_per_week"] > 1.2]
    assert len(over) > 0 and not over["feasible"].astype(bool).any()
    assert (front["hours_per_week"] <= 1.2).all() and (front["money_per_month"] <= 30).all()


def test_no_front_point_is_dominated_and_intervals_hold_values(generous):
    found, out, front = generous
    signs = [1 if o.goal == "maximize" else -1 for o in found.spec.objectives]
    labels = [o.label for o in found.spec.objectives]
    trials = pd.read_parquet(out / "trials.parquet")
    feasible = trials[(trials["state"] == "complete") & trials["feasible"].astype(bool)]
    for row in front.itertuples():
        mine = [trials.loc[trials["trial"] == row.trial, c].item() for c in labels]
        assert not any(dominates(list(other), mine, signs)
                       for other in feasible[labels].itertuples(index=False))
    for label in labels:
        assert (front[f"{label}_low"] <= front[label]).all()
        assert (front[label] <= front[f"{label}_high"]).all()
    assert (out / "report.html").read_text().count("data:text/yaml;base64,") == len(front)


def test_a_front_point_rerun_from_its_yaml_reproduces_its_objectives(generous, tmp_path):
    _, _, front = generous
    row = front.iloc[0]
    path = tmp_path / "point.yaml"
    path.write_text(row["scenario_yaml"])
    result = sim.run(path)  # what `commsim run point.yaml` runs
    members = result.summary["members_final"].astype(float)
    alive = result.summary["dead_day"].isna().astype(float)
    assert row["members_final_low"] <= members.mean() <= row["members_final_high"]
    assert members.mean() == pytest.approx(row["members_final"])
    assert alive.mean() == pytest.approx(row["survival"])
    assert len(members) == 8  # the front's fresh replicates


@pytest.mark.parametrize("cut", ["running the batch", "proposing the batch"])
def test_resume_after_an_interruption_gives_the_uninterrupted_study(generous, tmp_path,
                                                                    monkeypatch, cut):
    found, out, _ = generous
    whole = pd.read_parquet(out / "trials.parquet")
    calls = {"n": 0}
    if cut == "running the batch":  # Ctrl-C while the second batch's runs run
        real, owner, name = search_module.run_candidates, search_module, "run_candidates"
        limit = 2
    else:  # Ctrl-C after the second batch's third candidate was proposed
        real, owner, name = optuna.Study.ask, optuna.Study, "ask"
        limit = 11

    def cut_short(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == limit:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, cut_short)
    with pytest.raises(KeyboardInterrupt):
        sim.optimize(found, tmp_path / "out", workers=1)
    assert not (tmp_path / "out" / "trials.parquet").exists()  # nothing half-written
    monkeypatch.setattr(owner, name, real)
    sim.optimize(found, tmp_path / "out", workers=1)
    resumed = pd.read_parquet(tmp_path / "out" / "trials.parquet")
    pd.testing.assert_frame_equal(resumed, whole)


def test_the_same_study_whatever_runs_it(tmp_path):
    """One process, a pool of two, or a Dask cluster: the same trials and the same front."""
    small = _search(tmp_path, trials=8)
    sim.optimize(small, tmp_path / "one", workers=1)
    sim.optimize(small, tmp_path / "two", workers=2)
    sim.optimize(small, tmp_path / "dask", workers=2, cluster="local")
    for name in ("trials.parquet", "front.parquet"):
        first = pd.read_parquet(tmp_path / "one" / name)
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "two" / name), first)
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "dask" / name), first)


# ------------------------------------------------------------------ the file and flags


def test_bad_optimization_files_are_reported_like_scenarios(tmp_path):
    (tmp_path / "group.yaml").write_text(GROUP)
    bad = tmp_path / "bad.yaml"
    bad.write_text("scenario: group.yaml\nbudget: {money_per_mont: 5}\nstrategies:\n"
                   "  red_envelop: {}\n  cleanup:\n    vary: {every_day: [1, 5], "
                   "silent_days: [0, 9000]}\nobjectives: [membrs, dead_day]\n")
    result = runner.invoke(app, ["check", str(bad)])
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    for expected in ("bad.yaml:2: budget.money_per_mont", "did you mean 'money_per_month'"):
        assert expected in text
    result = runner.invoke(app, ["optimize", str(bad.with_name("fixed.yaml"))])
    assert result.exit_code == 2
    bad.write_text(bad.read_text().replace("money_per_mont", "money_per_month"))
    result = runner.invoke(app, ["optimize", str(bad), "--out", str(tmp_path / "out")])
    text = " ".join(result.output.split())
    assert result.exit_code == 2
    for expected in ("bad.yaml:4: strategies.red_envelop", "did you mean 'red_envelope'",
                     "every_day", "did you mean 'every_days'", "silent_days",
                     "leaves the declared range", "unknown objective 'membrs'",
                     "did you mean 'members'", "dead_day cannot be an objective",
                     "nothing was run or written"):
        assert expected in text, expected
    assert not (tmp_path / "out").exists()


def test_flags_say_what_a_file_says(tmp_path):
    (tmp_path / "group.yaml").write_text(GROUP + "arms:\n  rules_on: {rules: {strictness: 0.9}}\n")
    found = from_flags(tmp_path / "group.yaml", ["members", "members:p10", "spam_share"],
                       money="500/month", hours="3/week", trials=40,
                       levers=["red_envelope.amount=5:100", "red_envelope.every=friday,daily",
                               "cleanup.every_days"])
    names = [lv.name for lv in found.levers]
    assert names == ["welcome.on", "red_envelope.on", "red_envelope.amount",
                     "red_envelope.every", "cleanup.on", "cleanup.every_days", "rules.on"]
    amount = found.levers[2]
    assert (amount.low, amount.high) == (5.0, 100.0)
    assert found.levers[5].low == 1 and found.levers[5].high == 3650  # declared range
    assert found.spec.budget.money_per_month == 500
    assert found.spec.budget.hours_per_week == 3
    assert [o.label for o in found.spec.objectives] == ["members_final", "members_final_p10",
                                                       "spam_share"]
    assert [o.goal for o in found.spec.objectives] == ["maximize", "maximize", "minimize"]
    assert parse_amount("120/week", "month", "yuan") == pytest.approx(120 / 7 * 365.25 / 12)
    with pytest.raises(ScenarioError, match="--budget-money"):
        from_flags(tmp_path / "group.yaml", ["members"], money="lots")


def test_default_levers_are_the_scenarios_strategies_and_arms(tmp_path):
    (tmp_path / "group.yaml").write_text(GROUP + "arms:\n  paid: {entry: {kind: paid, fee: 9.9}}"
                                         "\n  codes: {entry: {kind: invitation_code}}\n")
    found = parse_optimization("scenario: group.yaml\nobjectives: [members]\n", "s.yaml",
                               base_dir=tmp_path)
    levers = {lv.name: lv for lv in found.levers}
    assert list(levers) == ["welcome.on", "entry.on", "entry.kind", "entry.fee"]
    assert levers["entry.kind"].choices == ("paid", "invitation_code")
    assert (levers["entry.fee"].low, levers["entry.fee"].high) == (9.9, 30.0)
    assert scenario_levers(found.base) == list(found.levers)


def test_schema_and_shipped_example(tmp_path):
    schema = json_schema()
    assert "objectives" in schema["required"] and "budget" in schema["properties"]
    result = runner.invoke(app, ["schema", "--optimization"])
    assert result.exit_code == 0 and json.loads(result.output)["title"] == "Optimization"
    example = Path(__file__).resolve().parents[2] / "experiments" / "optimize-knowledge-group.yaml"
    result = runner.invoke(app, ["check", str(example)])
    assert result.exit_code == 0, result.output
    assert "optimization" in result.output


def test_the_command_writes_everything_and_resumes_with_more_trials(tmp_path):
    (tmp_path / "group.yaml").write_text(GROUP)
    out = tmp_path / "opt"
    args = ["optimize", str(tmp_path / "group.yaml"), "-o", "members", "-o", "active_share",
            "--budget-hours", "5/week", "--strategy", "fission", "--trials", "8",
            "--replicates", "2", "--workers", "1", "--out", str(out), "--quiet"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} >= {"study.db", "front.parquet", "trials.parquet",
                                               "report.html", "optimization.resolved.yaml"}
    assert len(pd.read_parquet(out / "trials.parquet")) == 8
    result = runner.invoke(app, ["optimize", "--resume", str(out), "--trials", "16",
                                 "--workers", "1", "--quiet"])
    assert result.exit_code == 0, result.output
    assert len(pd.read_parquet(out / "trials.parquet")) == 16
    result = runner.invoke(app, ["optimize", "--resume", str(out), "--workers", "1", "--quiet"])
    assert result.exit_code == 0, result.output
    assert len(pd.read_parquet(out / "trials.parquet")) == 16  # the trials last asked for
    resolved = yaml.safe_load((out / "optimization.resolved.yaml").read_text())
    assert Path(resolved["scenario"]).is_absolute()
    other = runner.invoke(app, [*args[:-3], "--seed", "5", "--out", str(out)])
    assert other.exit_code == 2 and "holds another optimization" in other.output
    flag = runner.invoke(app, ["optimize", "--resume", str(out), "--budget-money", "5"])
    assert flag.exit_code == 2 and "--budget-money: is set by the folder's" in flag.output


def test_quantile_objectives_and_their_intervals():
    from sim.optimization.front import interval
    from sim.optimization.search import summarise
    from sim.optimization.spec import Objective

    values = np.arange(1.0, 21.0)  # 1 .. 20
    p10 = Objective(name="members", quantile=0.1)
    assert summarise(values, p10) == pytest.approx(np.quantile(values, 0.1))
    value, low, high = interval(values, p10, seed=0)
    assert value == pytest.approx(2.9) and low <= value <= high and high < 10
    mean = Objective(name="members")
    value, low, high = interval(values, mean, seed=0)
    assert value == pytest.approx(10.5) and low < 10.5 < high
    assert summarise(np.array([np.nan, 2.0, 4.0]), mean) == 3.0
