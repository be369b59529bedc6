"""A strategy set so that it never acts within the run is named, and truly does nothing.

A user who writes a quarterly cleanup into a 60-day scenario sees an arm identical to
its baseline; ``commsim check`` and ``commsim run`` say why instead of leaving them to
wonder. The notes are only worth having if they are right: an arm they call idle must
give exactly its baseline's numbers, and an arm that acts must get no note.
"""

from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

import sim
from sim.cli.app import app
from sim.formats.scenario import idle_notes

SCENARIO = """
name: idle strategies
days: 60
seed: 3
population: {size: 400}
group: {capacity: 120}
strategies:
  welcome: {}
  content: {}
arms:
  quarterly_cleanup: {cleanup: {every_days: 90}}
  cleanup_of_nobody: {cleanup: {every_days: 10, lurkers: false, spammers: false, hunters: false}}
  sale_after_the_end: {monetization: {start_day: 58, promotions_per_week: 1}}
  sale_in_time: {monetization: {start_day: 50, promotions_per_week: 1}}
  no_envelope: {red_envelope: {every: never}}
  honours_after_the_end: {recognition: {every_days: 60}}
  campaign_after_the_end: {benefits: {start_day: 61}}
  monthly_cleanup: {cleanup: {every_days: 30}}
"""
IDLE = ("quarterly_cleanup", "cleanup_of_nobody", "sale_after_the_end", "no_envelope",
        "honours_after_the_end", "campaign_after_the_end")
ACTING = ("sale_in_time", "monthly_cleanup")


def by_arm(table: pd.DataFrame, arm: str) -> pd.DataFrame:
    rows = table[table["arm"] == arm].drop(columns=["run_id", "arm"])
    return rows.reset_index(drop=True)


def test_an_arm_called_idle_equals_its_baseline_and_an_acting_one_does_not():
    scenario = sim.parse_scenario(SCENARIO, source="idle.yaml")
    notes = idle_notes(scenario)
    named = {arm for arm in scenario.arm_names() if any(f"'{arm}'" in n for n in notes)}
    assert named == set(IDLE), notes
    result = sim.run(scenario)
    for arm in IDLE:
        pd.testing.assert_frame_equal(by_arm(result.summary, arm),
                                      by_arm(result.summary, "baseline"))
        pd.testing.assert_frame_equal(by_arm(result.timeseries, arm),
                                      by_arm(result.timeseries, "baseline"))
    for arm in ACTING:
        assert not by_arm(result.timeseries, arm).equals(by_arm(result.timeseries, "baseline"))


def test_the_note_says_when_the_schedule_first_comes_round(tmp_path):
    path = tmp_path / "quarterly.yaml"
    path.write_text("name: q\ndays: 60\nstrategies: {cleanup: {every_days: 90}}\n")
    outcome = CliRunner().invoke(app, ["check", str(path)], env={"COLUMNS": "200"})
    assert outcome.exit_code == 0, outcome.output
    assert ("note: cleanup does nothing: the first cleanup falls on day 90 (every_days), "
            "but the run has 60 days (days 0 to 59)") in outcome.output


def test_a_strategy_that_acts_within_the_run_gets_no_note(tmp_path):
    path = tmp_path / "monthly.yaml"
    path.write_text("name: m\ndays: 60\nstrategies: {cleanup: {every_days: 30}, "
                    "red_envelope: {every: sunday}}\n")
    outcome = CliRunner().invoke(app, ["check", str(path)])
    assert outcome.exit_code == 0, outcome.output
    assert "note" not in outcome.output
