"""``commsim sweep``: run an experiment file over the machine's cores or a Dask cluster."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from sim.cli.common import (
    cannot_write,
    err_console,
    expect,
    fail,
    give_up,
    memory_problem,
    out_console,
    say_note,
)
from sim.formats.scenario import ScenarioError
from sim.running import interrupt
from sim.running.budget import default_workers, study_work


def sweep_command(
    experiment: Annotated[Path, typer.Argument(help="Experiment YAML file.")],
    out: Annotated[Path | None, typer.Option(help="Results folder (default: runs/sweep-<name>)."
                                             )] = None,
    workers: Annotated[int | None, typer.Option(min=1, help="Local processes (default: all "
                                                "cores).")] = None,
    cluster: Annotated[str | None, typer.Option(help="Dask scheduler address "
                                                "(tcp://host:8786), or 'local' for a Dask "
                                                "LocalCluster.")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Skip runs already in the folder "
                                         "(re-running the same command does this too).")]
    = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the results path.")]
    = False,
    force: Annotated[bool, typer.Option("--force", help="Run even when the memory estimate "
                                        "is above the free memory.")] = False,
) -> None:
    """Run every point and replicate of an experiment; results stream to disk and resume."""
    # the engine and pandas load here, not when the command line starts
    from sim.analysis.sweep_report import finish_sweep
    from sim.formats.experiment import load_experiment
    from sim.running.output import WriteFailed, prepare_out_dir
    from sim.running.runner import RunKillsItsWorker
    from sim.running.sweeps import SchedulerLost, plan_tasks, saved_runs, sweep
    from sim.running.warm import loaded_quietly

    try:
        study = load_experiment(experiment)
    except ScenarioError as problems:
        fail(problems)
    too_big = None if force or cluster else memory_problem(
        str(experiment), study_work(study), workers or default_workers())
    if too_big is not None:
        fail(ScenarioError([too_big]))
    target = out or Path("runs") / f"sweep-{_slug(study.experiment.name)}"
    try:
        prepare_out_dir(target)  # what the folder may hold: sim.running.sweeps.ResultsFolder
    except ScenarioError as problems:
        fail(problems)
    n_workers = workers or default_workers()
    if study.base.arms and not quiet:
        err_console.print(f"note: a sweep varies the base scenario's baseline; its arms "
                          f"({', '.join(study.base.arms)}) are not run", highlight=False)
    if cluster and cluster != "local" and not quiet:
        err_console.print(f"sending runs to the Dask scheduler at {cluster}", highlight=False)
    if not quiet and not cluster:
        expect(study_work(study), n_workers)
    progress = None if quiet else Progress(
        TextColumn("sweeping"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TimeRemainingColumn(), console=err_console, transient=True)
    task = None

    def on_start(total: int, done: int) -> None:
        nonlocal task
        if progress is not None:
            task = progress.add_task("runs", total=total, completed=done)
            if done and not quiet:
                err_console.print(f"resuming: {done} of {total} runs already done",
                                  highlight=False)

    def on_done(k: int) -> None:
        interrupt.stop_if_pressed()
        if progress is not None and task is not None:
            progress.advance(task, k)

    try:
        loaded_quietly()
        if progress is not None:
            with progress:
                table = sweep(study, out=target, workers=n_workers, cluster=cluster,
                              on_done=on_done, on_start=on_start, finish=finish_sweep,
                              on_note=say_note)
        else:
            table = sweep(study, out=target, workers=n_workers, cluster=cluster,
                          on_done=on_done, finish=finish_sweep, on_note=say_note)
        interrupt.stop_if_pressed()
    except BaseException as exc:
        if interrupt.from_ctrl_c(exc) or interrupt.pressed():
            err_console.print("interrupted: finished runs are saved; run the same command "
                              "again to resume.")
            raise typer.Exit(code=interrupt.EXIT_STATUS) from None
        if isinstance(exc, SchedulerLost | RunKillsItsWorker | WriteFailed):
            saved = f"{saved_runs(target)} of {len(plan_tasks(study))} runs are saved in {target}"
        if isinstance(exc, SchedulerLost):
            give_up(f"{exc}; {saved}. Start the scheduler again (or leave out --cluster) and "
                    "run the command again to resume")
        if isinstance(exc, RunKillsItsWorker):
            give_up(f"{exc}; {saved}. Lower the population or --workers, then run the same "
                    "command to resume")
        if isinstance(exc, WriteFailed):
            cannot_write(exc, f"{saved}; free space (or fix the folder) and run the same "
                         "command to resume")
        if isinstance(exc, ValueError):
            err_console.print(f"[bold red]error[/]: {exc}", highlight=False)
            raise typer.Exit(code=2) from None
        raise
    if quiet:
        sys.stdout.write(f"{target}\n")
        return
    replicates = study.experiment.replicates
    out_console.print(f"{len(table)} runs of {len(study.points)} points x {replicates} "
                      f"replicate{'s' if replicates != 1 else ''}. Results: [bold]{target}[/] "
                      "(runs.parquet, points.parquet"
                      + (", sensitivity.parquet" if (target / "sensitivity.parquet").exists()
                         else "") + ", report.html)", highlight=False, soft_wrap=True)


def _slug(name: str) -> str:
    import re

    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "experiment"
