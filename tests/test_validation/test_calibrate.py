"""``commsim calibrate`` (``make calibrate``): the Optuna study of the behavioural defaults.

A tiny search space (one constant) scored on one target (T6) keeps each trial to a few
seconds; the machinery -- plausibility constraints, pruning stages, SQLite storage,
resuming after Ctrl-C, the report -- is the same as for the shipped space.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import optuna
import pandas as pd
import pytest
import yaml
from optuna.trial import TrialState
from typer.testing import CliRunner

from sim.cli.app import app
from sim.running.interrupt import EXIT_STATUS
from sim.validation import calibrate
from sim.validation.plausibility import CHECKS, CONSTRAINTS
from sim.validation.targets import Band

ROOT = Path(__file__).resolve().parents[2]
COMMAND = Path(sys.executable).parent / "commsim"
runner = CliRunner()

SPACE = """\
name: tiny calibration
scenario: {base}
design: {{kind: random, samples: 2}}
seed: 3
uncertainties:
  dynamics.mute_chance: {{range: [0.0, 0.5]}}
"""


@pytest.fixture
def space(tmp_path) -> Path:
    path = tmp_path / "space.yaml"
    path.write_text(SPACE.format(base=ROOT / "scenarios" / "baseline.yaml"))
    return path


def study_of(out: Path) -> optuna.Study:
    (name,) = optuna.get_all_study_names(f"sqlite:///{out / 'study.db'}")
    return optuna.load_study(study_name=name, storage=f"sqlite:///{out / 'study.db'}")


def test_a_band_measures_misses_in_its_widths():
    band = Band(0.45, 0.90)
    assert band.miss(0.6) == 0.0
    assert band.miss(0.0) == pytest.approx(1.0)  # one width (0.45) below
    assert band.miss(1.35) == pytest.approx(1.0)
    assert Band(None, 100.0).miss(150.0) == pytest.approx(0.5)  # open: in units of its end
    assert Band(None, 0.0).miss(1.0) == pytest.approx(10.0)  # an end of 0 counts as 0.1
    assert Band(0.5, None).miss(float("nan")) == 10.0


def test_calibrate_runs_trials_resumes_and_writes_its_report(tmp_path, space):
    out = tmp_path / "cal"
    args = ["calibrate", str(space), "--target", "T6", "--workers", "1", "--out", str(out)]
    first = runner.invoke(app, [*args, "--trials", "1"])
    assert first.exit_code == 0, first.output
    assert "trial 0:" in first.output
    study = study_of(out)
    assert study.study_name.endswith("-T6")  # a study on some targets is its own study
    (trial,) = study.trials
    assert set(trial.params) == {"dynamics.mute_chance"}
    # every plausibility check is recorded; those marked as constraints bind
    assert set(trial.constraints) == set(CONSTRAINTS) == {c.name for c in CHECKS
                                                          if c.constraint}
    assert "top1_share" in CONSTRAINTS and "flood_muted_gain" not in CONSTRAINTS
    assert set(trial.user_attrs["checks"]) == {c.name for c in CHECKS}
    # the second run resumes: one more trial, the first is not run again
    second = runner.invoke(app, [*args, "--trials", "2"])
    assert second.exit_code == 0, second.output
    assert "trial 1:" in second.output and "trial 0:" not in second.output
    trials = pd.read_parquet(out / "trials.parquet")
    assert list(trials["trial"]) == [0, 1]
    assert set(trials["state"]) <= {"complete", "pruned"}
    report = (out / "report.html").read_text()
    assert "Optimization History" in report  # Optuna's history figure
    assert "Targets: T6" in report
    chosen = yaml.safe_load((out / "chosen.yaml").read_text()) or {}
    best = calibrate.chosen(study_of(out))
    if best is None:
        assert chosen == {}
        assert "No feasible complete trial yet" in report
        assert "Closest to feasible (not chosen): trial" in report  # what missed by least
    else:
        assert chosen == {"dynamics.mute_chance": round(best.params["dynamics.mute_chance"], 4)}
        assert f"Chosen: trial {best.number}" in report
        for measure in ("muted_share", "left_over_noise"):  # every T6 measure, with its band
            assert measure in report


def test_a_trial_cut_short_is_run_again_once_with_its_values(tmp_path):
    study = optuna.create_study(storage=f"sqlite:///{tmp_path / 'study.db'}")
    cut = study.ask({"x": optuna.distributions.FloatDistribution(0, 1)})
    study.tell(cut, state=TrialState.FAIL)
    assert calibrate.retry_cut_short(study) == 1
    assert calibrate.retry_cut_short(study) == 0  # queued once, not at every resume
    queued = study.get_trials(states=(TrialState.WAITING,))
    assert [t.system_attrs["fixed_params"] for t in queued] == [cut.params]  # Optuna's queue
    assert queued[0].user_attrs[calibrate.RETRY_OF] == cut.number


def as_a_terminal_starts_it() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.skipif(not COMMAND.exists(), reason="the console script is not installed")
def test_ctrl_c_keeps_finished_trials_and_the_next_run_resumes(tmp_path, space):
    out = tmp_path / "cal"
    args = [str(COMMAND), "calibrate", str(space), "--target", "T6", "--workers", "2",
            "--out", str(out)]
    process = subprocess.Popen(
        [*args, "--trials", "5"], cwd=tmp_path, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, start_new_session=True,
        preexec_fn=as_a_terminal_starts_it)
    for line in process.stderr:  # wait until the first trial is done, then press Ctrl-C
        if line.startswith("trial 0:"):
            break
    os.killpg(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == EXIT_STATUS, (stdout, stderr)
    assert "Traceback" not in stdout + stderr
    assert "interrupted: finished trials are saved" in stderr
    states = [t.state for t in study_of(out).trials]
    assert states[0] in (TrialState.COMPLETE, TrialState.PRUNED)
    assert (out / "report.html").is_file()  # the report of what was done so far
    again = subprocess.run([*args, "--trials", "2"], cwd=tmp_path, capture_output=True,
                           text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    trials = study_of(out).trials
    done = [t for t in trials if t.state in (TrialState.COMPLETE, TrialState.PRUNED)]
    assert len(done) >= 2 and done[0].number == 0  # trial 0 kept, not run again
    cut = [t for t in trials if t.state == TrialState.FAIL]
    for t in cut:  # a trial the Ctrl-C stopped was tried again with its values
        retry = [r for r in trials if r.user_attrs.get(calibrate.RETRY_OF) == t.number]
        assert len(retry) == 1 and retry[0].params == t.params


def test_a_space_without_ranges_is_a_clear_error(tmp_path):
    path = tmp_path / "space.yaml"
    path.write_text(SPACE.format(base=ROOT / "scenarios" / "baseline.yaml").replace(
        "{range: [0.0, 0.5]}", "{values: [0.1, 0.2]}").replace("random", "grid"))
    result = runner.invoke(app, ["calibrate", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "every uncertainty a range" in result.output and "mute_chance" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_a_misspelt_constant_names_the_nearest_valid_one(tmp_path):
    path = tmp_path / "space.yaml"
    path.write_text(SPACE.format(base=ROOT / "scenarios" / "baseline.yaml").replace(
        "mute_chance", "mute_chanse"))
    result = runner.invoke(app, ["calibrate", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "mute_chance" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


SWITCHED_OFF = {"dynamics.writing_budget"}
"""Mechanisms whose default (0) switches them off; the search looks only at real limits."""


def test_the_shipped_space_holds_every_current_default():
    from sim.formats.experiment import load_experiment

    space = load_experiment(calibrate.SPACE)
    base = space.base.resolved()
    for name, factor in space.experiment.uncertainties.items():
        node = base
        for part in name.split("."):
            node = node[part]
        low, high = factor.range
        assert low <= node <= high or (name in SWITCHED_OFF and node == 0), name


def test_make_calibrate_runs_the_command():
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\ncalibrate:", 1)[1].split("\n\n", 1)[0]
    assert "commsim calibrate" in recipe and "runs/calibration" in recipe


def test_without_a_feasible_trial_the_report_shows_the_one_that_missed_by_least():
    from sim.validation.calibration_report import best_trials, closest_to_feasible

    study = optuna.create_study()
    for value, misses in ((1.0, (0.5, 0.0)), (3.0, (0.1, 0.0)), (2.0, (0.4, 0.3))):
        trial = study.ask()
        trial.suggest_float("x", 0, 1)
        trial.set_constraint("voice", misses[0])
        trial.set_constraint("alive", misses[1])
        study.tell(trial, value)
    assert calibrate.chosen(study) is None  # every trial misses a check
    assert closest_to_feasible(study).number == 1  # missed by 0.1 in all
    assert [row[0] for row in best_trials(study)] == [0, 2, 1]  # by score
    assert [row[3] for row in best_trials(study)] == ["no", "no", "no"]


def test_a_plausible_candidate_is_never_pruned(tmp_path, space, monkeypatch):
    """Pruning saves the medium suite on poor candidates, never on one that passes every
    plausibility check: it may be the one chosen."""
    checks = pd.DataFrame([{"check": c.name, "value": 0.0, "miss": 0.0,
                            "constraint": c.constraint} for c in CHECKS])
    # a miss of a reported check (not a constraint) leaves the candidate plausible
    checks.loc[checks["check"] == "flood_muted_gain", "miss"] = 0.5
    monkeypatch.setattr(calibrate.plausibility, "measure_plausibility",
                        lambda values, run_jobs: checks)
    prune_everything = optuna.pruners.ThresholdPruner(upper=-1.0)  # every score is above
    monkeypatch.setattr(calibrate.optuna.pruners, "MedianPruner",
                        lambda **_: prune_everything)
    study = calibrate.calibrate(space, tmp_path / "cal", trials=2, workers=1,
                                target_ids=["T6"])
    assert [t.state for t in study.trials] == [TrialState.COMPLETE] * 2
    assert calibrate.chosen(study) is not None  # and one of them is chosen

    implausible = checks.assign(miss=[1.0] + [0.0] * (len(CHECKS) - 1))
    assert implausible["constraint"].iloc[0]
    monkeypatch.setattr(calibrate.plausibility, "measure_plausibility",
                        lambda values, run_jobs: implausible)
    study = calibrate.calibrate(space, tmp_path / "other", trials=1, workers=1,
                                target_ids=["T6"])
    assert [t.state for t in study.trials] == [TrialState.PRUNED]


def test_the_report_marks_a_reported_check_apart_from_the_constraints():
    """The chosen trial's checks: a miss of a reported check (a spam flood's muting) reads
    'MISS (reported)', a constraint's miss 'MISS' and its pass 'pass'."""
    from sim.validation.calibration_report import check_rows

    checks = {c.name: 0.0 for c in CHECKS}
    checks.update(never_wrote_30d=0.6, top1_share=0.2, unattended_died=0.8,
                  flood_muted_gain=0.01)
    trial = optuna.trial.create_trial(value=1.0, user_attrs={"checks": checks})
    rows, passed = check_rows(trial)
    result = {row[0]: row[3] for row in rows}
    by_name = dict(zip([c.name for c in CHECKS], [c.description for c in CHECKS],
                       strict=True))
    assert result[by_name["flood_muted_gain"]] == "MISS (reported)"
    assert result[by_name["top1_share"]] == "MISS"
    assert result[by_name["never_wrote_30d"]] == "pass"
    assert passed == [True, False, True, True, True, True, False]
