"""A phase that takes long shows what it is doing (issue 22, point 4).

Building the world is most of a large run (about a minute for a million people, with
nothing else moving on screen before this); founding the group comes next, then the days.
A run made in the command's own process reports each phase as it starts; a sweep says
when it builds shared worlds that take a while.
"""

from __future__ import annotations

import pandas as pd

import sim
import sim.running.sweeps as sweeps
from sim.formats.experiment import parse_experiment

SCENARIO = "name: phases\ndays: 5\nreplicates: 2\npopulation: {size: 300}\n"


def test_each_phase_of_a_run_is_said_as_it_starts_and_changes_nothing():
    phases: list[str] = []
    heard = sim.run(sim.parse_scenario(SCENARIO), workers=1, on_phase=phases.append)
    assert phases == [
        "building the world of 300 people",
        "founding the group (arm baseline, replicate 0)",
        "simulating 5 days (arm baseline, replicate 0)",
        "building the world of 300 people",
        "founding the group (arm baseline, replicate 1)",
        "simulating 5 days (arm baseline, replicate 1)",
    ]
    unheard = sim.run(sim.parse_scenario(SCENARIO), workers=1)
    pd.testing.assert_frame_equal(heard.timeseries, unheard.timeseries)
    pd.testing.assert_frame_equal(heard.summary, unheard.summary)


def test_a_sweep_says_when_it_builds_worlds_that_take_a_while(monkeypatch, tmp_path):
    (tmp_path / "base.yaml").write_text("name: base\n", encoding="utf-8")
    study = parse_experiment(
        "name: worlds\nscenario: base.yaml\nreplicates: 2\ndays: 5\n"
        "constants: {population.size: 400}\n"
        "levers: {strategies.content.posts_per_day: {values: [1, 2]}}\n",
        "worlds.yaml", base_dir=tmp_path)
    tasks = sweeps.plan_tasks(study)
    quiet: list[str] = []
    sweeps.shared_worlds(tasks, str(tmp_path), quiet.append)
    assert quiet == []  # 400 people: built in a blink, nothing said
    monkeypatch.setattr(sweeps, "SAY_WORLDS_ABOVE", 0.0)  # as if each took long
    said: list[str] = []
    worlds = sweeps.shared_worlds(tasks, str(tmp_path), said.append)
    assert len(worlds) == 2  # one per replicate seed, shared by both points
    assert said == ["building shared world 1 of 2 (400 people, about 1 second)",
                    "building shared world 2 of 2 (400 people, about 1 second)"]
