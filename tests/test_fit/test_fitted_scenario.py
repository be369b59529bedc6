"""A fitted group is a scenario like any other: it runs, compares arms, opens in the dashboard.

What a strategist does after ``commsim fit``: add strategy arms to ``fitted/scenario.yaml``
and run it (``commsim run`` writes the paired comparison and its report), or open the
file in the dashboard's Explore page, move nothing, and run it there.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.analysis.compare import compare
from sim.cli.app import app
from sim.dashboard.folders import shipped_scenarios
from sim.dashboard.jobs import base_scenario, run_scenario, scenario_from_upload
from sim.dashboard.levers import LEVER, SWITCH, lever_panels, scenario_from_levers
from sim.formats.scenario import load_scenario
from sim.running.runner import run

runner = CliRunner()
ARMS = ("\narms:\n  welcomed: {welcome: {}}\n"
        "  envelopes: {red_envelope: {every: daily, amount: 20}}\n")
"""What a strategist appends to the fitted file: two playbooks to compare."""


@pytest.fixture(scope="module")
def fitted(tmp_path_factory) -> Path:
    """``scenario.yaml`` of a two-trial fit of a simulated 60-day CSV export."""
    folder = tmp_path_factory.mktemp("fitted")
    export = folder / "group.csv"
    made = runner.invoke(app, ["demo-export", "--format", "csv", "--out", str(export),
                               "--seed", "3", "--days", "60"])
    assert made.exit_code == 0, made.output
    result = runner.invoke(app, ["fit", str(export), "--out", str(folder / "out"),
                                 "--trials", "2", "--budget", "5", "--workers", "1"])
    assert result.exit_code == 0, result.output
    return folder / "out" / "scenario.yaml"


def with_arms(fitted: Path, folder: Path) -> Path:
    path = folder / "with-arms.yaml"
    path.write_text(fitted.read_text(encoding="utf-8") + ARMS, encoding="utf-8")
    return path


def test_commsim_run_compares_strategy_arms_of_the_fitted_group(fitted, tmp_path):
    out = tmp_path / "run"
    result = runner.invoke(app, ["run", str(with_arms(fitted, tmp_path)), "--days", "14",
                                 "--replicates", "2", "--workers", "1", "--out", str(out),
                                 "-q"])
    assert result.exit_code == 0, result.output
    summary = pd.read_parquet(out / "summary.parquet")
    assert sorted(set(summary["arm"])) == ["baseline", "envelopes", "welcomed"]
    assert summary.groupby("arm").size().eq(2).all()
    money = summary.set_index(["arm", "replicate"])["money_spent"]
    assert (money["envelopes"] > 0).all() and (money["baseline"] == 0).all()
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "envelopes" in report and "welcomed" in report


def test_strategy_arms_on_the_fitted_group_are_compared_in_pairs(fitted, tmp_path):
    scenario = load_scenario(with_arms(fitted, tmp_path)).with_changes(days=10, replicates=2)
    result = run(scenario, workers=1)
    seeds = result.summary.pivot(index="replicate", columns="arm", values="seed")
    assert (seeds.nunique(axis=1) == 1).all()  # every arm of a replicate: the same seed
    table = compare(result, outcomes=["messages_total"], resamples=200).set_index("arm")
    assert set(table.index) == {"baseline", "welcomed", "envelopes"}
    assert table.loc[["welcomed", "envelopes"], "n_pairs"].eq(2).all()
    assert table["common_seeds"].all()


def _page_values(panels) -> tuple[dict, set[str]]:
    """What an untouched Explore page sends: every lever's shown value, the switches on."""
    values, on = {}, set()

    def walk(node) -> None:
        ident = getattr(node, "id", None)
        if isinstance(ident, dict) and ident.get("type") == LEVER:
            values[ident["path"]] = node.value
        if isinstance(ident, dict) and ident.get("type") == SWITCH and node.value:
            on.add(ident["key"])
        children = getattr(node, "children", None)
        for child in children if isinstance(children, list) else [children]:
            if child is not None and not isinstance(child, str):
                walk(child)

    for panel in panels:
        walk(panel)
    return values, on


def test_the_explore_page_opens_and_runs_the_fitted_group(fitted, tmp_path):
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "fitted.yaml").write_text(fitted.read_text(encoding="utf-8"), encoding="utf-8")
    chosen = base_scenario({"kind": "shipped", "name": "fitted"}, shipped_scenarios(folder))
    uploaded = scenario_from_upload(fitted.read_text(encoding="utf-8"), "scenario.yaml")
    assert chosen.digest() == uploaded.digest() == load_scenario(fitted).digest()
    values, on = _page_values(lever_panels(chosen))
    assert values["population.traits.silent_share"] == \
        chosen.population.traits.silent_share  # the page shows the fitted value
    again = scenario_from_levers(chosen, values, on, list(chosen.arms))
    assert again.digest() == chosen.digest()
    values |= {"days": 14, "replicates": 1, "strategies.red_envelope.amount": 20.0}
    with_envelopes = scenario_from_levers(chosen, values, on | {"red_envelope"}, [])
    summary = pd.read_parquet(run_scenario(with_envelopes, tmp_path) / "summary.parquet")
    assert len(summary) == 1 and summary["money_spent"].iloc[0] > 0
