"""``commsim run``: run a scenario's arms and replicates, write its results folder.

Only the command's signature loads with the command line; the engine loads when it runs.
"""

from __future__ import annotations

from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from sim.cli.common import (
    cannot_write,
    err_console,
    expect,
    fail,
    give_up,
    is_experiment,
    memory_problem,
    out_console,
    say_note,
)
from sim.formats.scenario import Problem, ScenarioError, idle_notes, load_scenario
from sim.running import interrupt
from sim.running.budget import default_workers, scenario_work


def run_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    out: Annotated[Path | None, typer.Option(help="Results folder (default: runs/<name>-<time>).")]
    = None,
    replicates: Annotated[int | None, typer.Option(min=1, help="Runs per arm.")] = None,
    seed: Annotated[int | None, typer.Option(min=0, help="Root seed.")] = None,
    days: Annotated[int | None, typer.Option(min=1, max=3650, help="Days to simulate.")] = None,
    workers: Annotated[int | None, typer.Option(min=1, help="Processes (default: all cores).")]
    = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the results path.")]
    = False,
    report: Annotated[bool, typer.Option(help="Write report.html into the results folder.")]
    = True,
    point: Annotated[int | None, typer.Option(min=0, help="Run one point of an experiment "
                                              "file (its point_id in runs.parquet) with the "
                                              "sweep's replicates and seeds.")] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace results of another "
                                            "scenario already in --out.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Run even when the memory estimate "
                                        "is above the free memory.")] = False,
) -> None:
    """Run a scenario (every arm and replicate) and write its results folder.

    With --point, SCENARIO is an experiment file and the run repeats that point of its
    sweep alone: the same scenario, replicates and seeds, so the same numbers.
    """
    # the engine, pandas and the tables load here, not when the command line starts
    # (``commsim check`` answers in a fraction of a second)
    from sim.analysis.compare import compare
    from sim.cli.results import print_results
    from sim.running.output import (
        WriteFailed,
        default_out_dir,
        prepare_out_dir,
        remove_created,
        write_run,
    )
    from sim.running.runner import RunKillsItsWorker, run
    from sim.running.warm import loaded_quietly

    try:
        loaded = load_scenario(scenario) if point is None else _sweep_point(scenario, point)
        if days is not None or replicates is not None or seed is not None:
            loaded = _with_overrides(loaded, replicates, seed, days)
    except ScenarioError as problems:
        fail(problems)
    n_runs = loaded.replicates * len(loaded.arm_names())
    n_workers = workers or default_workers()
    too_big = None if force else memory_problem(str(scenario), scenario_work(loaded), n_workers)
    if too_big is not None:
        fail(ScenarioError([too_big]))
    target = out or default_out_dir(loaded.name)
    try:
        replaced = _check_earlier_run(target, loaded.name, overwrite)
        created = prepare_out_dir(target)
    except ScenarioError as problems:
        fail(problems)
    if not quiet:
        out_console.print(f"[bold]{loaded.name}[/]: {len(loaded.arm_names())} arm(s) x "
                          f"{loaded.replicates} replicate(s), {loaded.horizon} days, "
                          f"population {loaded.population.size:,}", highlight=False)
        for note in idle_notes(loaded):
            err_console.print(f"note: {note}", highlight=False)
        expect(scenario_work(loaded), n_workers)
    try:
        loaded_quietly()
        if quiet:
            result = run(loaded, workers=n_workers, on_done=interrupt.stop_if_pressed,
                         on_note=say_note)
        else:  # the runs done, and what a run made here is doing (a big world takes minutes)
            with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                          TimeElapsedColumn(), console=err_console, transient=True) as bar:
                task = bar.add_task("running", total=n_runs)

                def advance(k: int) -> None:
                    interrupt.stop_if_pressed()
                    bar.advance(task, k)

                def phase(text: str) -> None:
                    interrupt.stop_if_pressed()
                    bar.update(task, description=text)

                result = run(loaded, workers=n_workers, on_done=advance, on_note=say_note,
                             on_phase=phase)
        interrupt.stop_if_pressed()  # a Ctrl-C that a library swallowed: nothing written
        comparison = compare(result)
        if report:
            from sim.analysis.report import report_html  # plotly: loaded only when needed

            write_run(result, target, report=report_html(result, comparison))
        else:
            write_run(result, target)
    except BaseException as exc:
        remove_created(target, created)
        if interrupt.from_ctrl_c(exc) or interrupt.pressed():
            err_console.print(interrupt.MESSAGE)
            raise typer.Exit(code=interrupt.EXIT_STATUS) from None
        if isinstance(exc, BrokenProcessPool):
            err_console.print("error: a worker process died before finishing its run "
                              "(killed, or out of memory?); nothing was written")
            raise typer.Exit(code=1) from None
        if isinstance(exc, WriteFailed):
            cannot_write(exc, "nothing was written; free space (or fix the folder) and run "
                         "the same command again")
        if isinstance(exc, RunKillsItsWorker):
            give_up(f"{exc}; nothing was written. Lower the population or --workers, then "
                    "run the same command again")
        raise
    try:
        print_results(result, comparison, target, report, replaced, quiet)
    except KeyboardInterrupt:
        err_console.print(f"interrupted: the results are complete in {target}")
        raise typer.Exit(code=interrupt.EXIT_STATUS) from None


def _check_earlier_run(target: Path, name: str, overwrite: bool) -> str | None:
    """The scenario whose results ``target`` holds, if any; refuse another's unless asked.

    Running a scenario again into its own folder replaces its results (the usual
    edit-and-rerun loop); results of a different scenario are kept unless
    ``--overwrite`` says to replace them.
    """
    from sim.running.sweeps import EXPERIMENT_FILE

    if (target / EXPERIMENT_FILE).is_file():
        raise ScenarioError([Problem(str(target), None, "--out", "holds a sweep's results; "
                                     "choose another folder for a run")])
    from sim.running.output import earlier_run

    previous = earlier_run(target)
    if previous is not None and previous != name and not overwrite:
        raise ScenarioError([Problem(str(target), None, "--out",
                                     f"holds the results of scenario '{previous}'; choose "
                                     "another folder, or pass --overwrite to replace them")])
    return previous


def _sweep_point(path: Path, point: int):
    """The scenario of one point of an experiment, with its replicates and root seed."""
    from sim.formats.experiment import load_experiment

    if path.is_file() and not is_experiment(path):
        raise ScenarioError([Problem(str(path), None, "--point", "is for experiment files "
                                     "(a sweep's points); this is a scenario: leave --point "
                                     "out")])

    return load_experiment(path).point_scenario(point)


def _with_overrides(loaded, replicates, seed, days):
    changes = {}
    if replicates is not None:
        changes["replicates"] = replicates
    if seed is not None:
        changes["seed"] = seed
    if days is not None:
        changes.update(days=days, weeks=None)
    provenance = loaded.provenance
    return loaded.with_changes(**changes).model_copy(update={"provenance": provenance})
