"""A fitted group is a scenario like any other: it runs, compares arms, opens in the dashboard.

What a strategist does after ``commsim fit``: add strategy arms to ``fitted/scenario.yaml``
and run it (``commsim run`` writes the paired comparison and its report), or upload the
file in the dashboard, move nothing, and run it there.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli.app import app
from sim.dashboard.jobs import run_scenario, scenario_from_upload
from sim.dashboard.levers import LEVER, SWITCH, lever_panels, scenario_from_levers
from sim.formats.scenario import load_scenario

runner = CliRunner()
ARMS = "\narms:\n  envelopes: {red_envelope: {}}\n  rules: {rules: {}}\n"
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


def test_the_fitted_group_compares_strategy_arms(fitted, tmp_path):
    armed = tmp_path / "armed.yaml"
    armed.write_text(fitted.read_text(encoding="utf-8") + ARMS, encoding="utf-8")
    out = tmp_path / "run"
    result = runner.invoke(app, ["run", str(armed), "--days", "21", "--replicates", "2",
                                 "--workers", "1", "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    summary = pd.read_parquet(out / "summary.parquet")
    assert sorted(set(summary["arm"])) == ["baseline", "envelopes", "rules"]
    assert summary.groupby("arm").size().eq(2).all()
    envelopes = summary.set_index(["arm", "replicate"])["money_spent"]
    assert (envelopes["envelopes"] > 0).all() and (envelopes["baseline"] == 0).all()
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "envelopes" in report and "rules" in report


def _page_values(panels) -> tuple[dict, set[str]]:
    """What an untouched dashboard page sends: every lever's shown value, the switches on."""
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


def test_the_fitted_group_opens_and_runs_in_the_dashboard(fitted, tmp_path):
    text = fitted.read_text(encoding="utf-8")
    uploaded = scenario_from_upload(text, "scenario.yaml")
    assert uploaded.digest() == load_scenario(fitted).digest()
    values, on = _page_values(lever_panels(uploaded))
    assert values["population.traits.silent_share"] == \
        uploaded.population.traits.silent_share  # the fitted value is what the page shows
    shown = scenario_from_levers(uploaded, values, on, list(uploaded.arms))
    assert shown.digest() == uploaded.digest()
    values |= {"days": 14, "replicates": 1, "strategies.red_envelope.amount": 20.0}
    with_arm = scenario_from_levers(uploaded, values, on | {"red_envelope"}, [])
    folder = run_scenario(with_arm, tmp_path)
    summary = pd.read_parquet(folder / "summary.parquet")
    assert len(summary) == 1 and summary["money_spent"].iloc[0] > 0
