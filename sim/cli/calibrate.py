"""``commsim calibrate``: the Optuna study that chooses the behavioural defaults."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from sim.cli.common import err_console, fail, out_console, study_stopped
from sim.formats.scenario import ScenarioError
from sim.running import interrupt
from sim.running.budget import default_workers


def calibrate_command(
    space: Annotated[Path | None, typer.Argument(
        help="Search space: an experiment file whose uncertainties have ranges (default: "
        "experiments/validation/calibration.yaml).")] = None,
    out: Annotated[Path, typer.Option(help="Study folder: study.db (SQLite), report.html, "
                                      "trials.parquet, chosen.yaml.")]
    = Path("runs/calibration"),
    trials: Annotated[int | None, typer.Option(min=0, help="Trials to have complete or pruned "
                                               "(default: the space file's design.samples)."
                                               )] = None,
    workers: Annotated[int | None, typer.Option(min=1, help="Local processes (default: all "
                                                "cores).")] = None,
    target: Annotated[list[str] | None, typer.Option(
        "--target", "-t", help="Score on this target only (repeat for more): T1 ... T6; a "
        "separate study from the one on all targets.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the report path.")]
    = False,
) -> None:
    """Search the behavioural constants for the set closest to T1-T6; resumes after Ctrl-C."""
    from sim.formats.experiment import load_experiment
    from sim.running.warm import loaded_quietly
    from sim.validation.calibrate import SPACE, calibrate, study_name
    from sim.validation.calibration_report import write_calibration
    from sim.validation.suite import select

    try:
        targets = select(target)
    except KeyError as exc:
        err_console.print(f"error: --target: {exc.args[0]}", highlight=False)
        raise typer.Exit(2) from None

    path = space or SPACE
    try:
        loaded = load_experiment(path)
        ranged = [n for n, f in loaded.experiment.uncertainties.items() if f.range is None]
        if ranged or not loaded.experiment.uncertainties:
            raise ValueError(f"{path}: a search space gives every uncertainty a range "
                             + (f"({ranged[0]} has none)" if ranged else "(it has none)"))
    except ScenarioError as problems:
        fail(problems)
    except ValueError as exc:
        err_console.print(f"[bold red]error[/]: {exc}", highlight=False)
        raise typer.Exit(code=2) from None
    if out.exists() and not out.is_dir():
        err_console.print(f"[bold red]error[/]: --out {out} is a file, not a folder",
                          highlight=False)
        raise typer.Exit(code=2)
    if not quiet:
        err_console.print(f"study {study_name(loaded, targets)} in {out / 'study.db'}",
                          highlight=False)

    def on_trial(trial, done: int, target: int) -> None:
        interrupt.stop_if_pressed()
        if quiet:
            return
        small = trial.intermediate_values.get(0)
        if trial.state.name == "PRUNED":
            value = f"after the small suite, score {small:.3f}" if small is not None else ""
        else:
            value = "no score" if trial.value is None else f"score {trial.value:.3f}"
        passed = trial.user_attrs.get("passed_medium")
        measures = sum(len(t.measures) for t in targets)
        shown = f", {passed} of {measures} in band" if passed is not None else ""
        err_console.print(f"trial {trial.number}: {trial.state.name.lower()}, {value}{shown} "
                          f"({done} of {target})", highlight=False)

    try:
        loaded_quietly()
        calibrate(path, out, trials, workers or default_workers(), on_trial,
                  finish=lambda cal: write_calibration(cal, out), target_ids=target)
        interrupt.stop_if_pressed()
    except BaseException as exc:
        study_stopped(exc, out / "study.db")
        raise
    if quiet:
        sys.stdout.write(f"{out / 'report.html'}\n")
        return
    out_console.print(f"Report: {out / 'report.html'}; chosen values: {out / 'chosen.yaml'}",
                      highlight=False)
