"""A run's work is known before it starts: the dashboard refuses too much, the CLI says how long.

Levers at their declared maxima (3,650 days, 100,000 replicates, 5,000,000 people) used
to be accepted by the dashboard, whose server and children grew to 3.4 GB in 75 s with no
replicate done (issue 23).
"""

from __future__ import annotations

import sim
from sim.cli import common
from sim.running.budget import (
    DEFAULT_MAX_WORK,
    PERSON_BYTES,
    duration,
    over_budget,
    scenario_work,
    study_work,
)

GB = 1e9
MACHINE = 24 * GB  # this machine's memory


def scenario(size: int, days: int, replicates: int, arms: str = ""):
    return sim.parse_scenario(f"name: w\ndays: {days}\nreplicates: {replicates}\n"
                              f"population: {{size: {size}}}\n{arms}")


def test_work_is_population_times_days_times_replicates_times_arms():
    work = scenario_work(scenario(5000, 182, 10, "arms: {b: {welcome: {}}}\n"))
    assert work.runs == 20
    assert work.person_days == 5000 * 182 * 10 * 2
    assert work.largest_population == 5000
    assert work.peak_bytes(2) > 2 * 5000 * PERSON_BYTES


def test_the_levers_maxima_are_refused_before_anything_starts():
    worst = scenario(5_000_000, 3650, 100_000)
    reason = over_budget(scenario_work(worst), 2, DEFAULT_MAX_WORK, MACHINE)
    assert reason is not None and "person-days" in reason and "budget" in reason


def test_a_world_too_big_for_the_memory_is_refused():
    # 5,000,000 people need about 33 GB: more than half of 24 GB, whatever the days
    reason = over_budget(scenario_work(scenario(5_000_000, 10, 1)), 1, 1e15, MACHINE)
    assert reason is not None and "GB" in reason and "lower the population" in reason


def test_the_shipped_scenarios_fit_the_default_budget():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "scenarios"
    for path in sorted(root.rglob("*.yaml")):
        work = scenario_work(sim.load_scenario(path))
        assert over_budget(work, 2, DEFAULT_MAX_WORK, MACHINE) is None, path.name


def test_a_sweep_adds_up_its_points():
    from pathlib import Path

    from sim.formats.experiment import load_experiment

    root = Path(__file__).resolve().parents[2]
    study = load_experiment(root / "experiments" / "validation" / "t6_overload_and_muting.yaml")
    work = study_work(study)
    assert work.runs == len(study.points) * study.experiment.replicates
    size = study.scenario(study.points[0]).population.size
    assert work.person_days == size * 182 * work.runs


def test_the_command_line_says_how_long_before_a_long_job(monkeypatch):
    said = []
    monkeypatch.setattr(common.err_console, "print", lambda text, **_: said.append(text))
    common.expect(scenario_work(scenario(5000, 30, 2)), 2)
    assert said == []  # a short run starts without a word
    common.expect(scenario_work(scenario(100_000, 365, 40)), 2)
    assert len(said) == 1
    assert said[0].startswith("expect 40 runs, 1.46e+09 person-days: about ")
    assert "minutes on 2 processes, peak memory about" in said[0]


def test_durations_read_as_people_say_them():
    assert duration(0.2) == "1 second"
    assert duration(75) == "75 seconds"
    assert duration(600) == "10 minutes"
    assert duration(3 * 3600) == "3.0 hours"
    assert duration(3 * 86400) == "3.0 days"


def test_a_world_that_will_not_fit_is_refused_by_check_run_and_sweep(monkeypatch, tmp_path):
    """Issue 22: 5,000,000 people (about 33 GB) on a machine with 24 GB free: one line with
    both figures, exit 2, nothing written; --force runs anyway (not tried here)."""
    from collections import namedtuple

    import psutil
    from typer.testing import CliRunner

    from sim.cli.app import app

    memory = namedtuple("memory", "total available")
    monkeypatch.setattr(psutil, "virtual_memory", lambda: memory(24 * GB, 24 * GB))
    huge = tmp_path / "huge.yaml"
    huge.write_text("name: huge\ndays: 30\npopulation: {size: 5000000}\n", encoding="utf-8")
    line = (f"error: {huge}: population.size: a world of 5,000,000 people needs about 32.6 GB "
            "at peak with 1 process; this machine has 24.0 GB free.")
    for args in (["check", str(huge)], ["run", str(huge), "--out", str(tmp_path / "out")]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 2, result.output
        assert line in " ".join(result.output.split())
        assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(f"name: s\nscenario: {huge}\nreplicates: 2\n"
                     "levers:\n  strategies.content.posts_per_day: {values: [1, 2]}\n",
                     encoding="utf-8")
    result = CliRunner().invoke(app, ["sweep", str(sweep), "--out", str(tmp_path / "sw"),
                                      "--workers", "2"])
    assert result.exit_code == 2, result.output
    assert "needs about 65.1 GB at peak with 2 processes" in " ".join(result.output.split()), \
        result.output
    assert not (tmp_path / "sw").exists()
