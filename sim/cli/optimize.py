"""``commsim optimize``: the best playbooks for a budget, as a Pareto front (resumable)."""

from __future__ import annotations

import sys
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from sim.cli.common import (
    cannot_write,
    err_console,
    fail,
    give_up,
    is_optimization,
    memory_problem,
    out_console,
    say_note,
)
from sim.formats.scenario import Problem, ScenarioError
from sim.optimization import RESOLVED_FILE as RESOLVED
from sim.running import interrupt
from sim.running.budget import default_workers, scenario_work


def optimize_command(
    file: Annotated[Path | None, typer.Argument(
        help="An optimization file, or a scenario file (then the flags say the rest).")] = None,
    out: Annotated[Path | None, typer.Option(help="Study folder: study.db (SQLite), "
                                             "front.parquet, trials.parquet, report.html "
                                             "(default: runs/optimize-<name>).")] = None,
    resume: Annotated[Path | None, typer.Option(
        help="Continue the study in this folder (after Ctrl-C, or with a larger --trials).")]
    = None,
    objective: Annotated[list[str] | None, typer.Option(
        "--objective", "-o", help="With a scenario file: an objective (repeat for more): a "
        "summary outcome, survival, members, active_share, ...; name:p10 for the 10th "
        "percentile, name:min / name:max for a direction.")] = None,
    budget_money: Annotated[str | None, typer.Option(
        help="Most money a month, such as 500/month (or 120/week).")] = None,
    budget_hours: Annotated[str | None, typer.Option(
        help="Most hours a week of the owner's team, such as 3/week.")] = None,
    lever: Annotated[list[str] | None, typer.Option(
        "--lever", help="With a scenario file: a parameter the search may move, "
        "strategy.param (its declared range), strategy.param=low:high or =a,b,c (choices); "
        "its strategy may then be switched on or off.")] = None,
    strategy: Annotated[list[str] | None, typer.Option(
        "--strategy", help="With a scenario file: a strategy the search may switch on or off "
        "(besides the scenario's).")] = None,
    trials: Annotated[int | None, typer.Option(min=1, help="Trials to have done (default: the "
                                               "file's, or 100).")] = None,
    replicates: Annotated[int | None, typer.Option(min=1, help="With a scenario file: runs per "
                                                   "candidate (default 4).")] = None,
    seed: Annotated[int | None, typer.Option(min=0, help="With a scenario file: the root seed "
                                             "(default 0).")] = None,
    sampler: Annotated[str | None, typer.Option(help="With a scenario file: nsga2 or tpe.")]
    = None,
    workers: Annotated[int | None, typer.Option(min=1, help="Local processes (default: all "
                                                "cores).")] = None,
    cluster: Annotated[str | None, typer.Option(help="Dask scheduler address "
                                                "(tcp://host:8786), or 'local'.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the report path.")]
    = False,
) -> None:
    """Search strategies and their settings for the best trade-offs within a budget."""
    from sim.optimization.spec import from_flags, load_optimization

    flags = {"--objective": objective, "--budget-money": budget_money,
             "--budget-hours": budget_hours, "--lever": lever, "--strategy": strategy,
             "--replicates": replicates, "--seed": seed, "--sampler": sampler}
    try:
        if resume is not None or (file is not None and is_optimization(file)):
            given = [flag for flag, value in flags.items() if value not in (None, [])]
            if given:
                where = "the folder's optimization" if resume is not None else "the file"
                raise ScenarioError([Problem("command line", None, given[0], f"is set by "
                                             f"{where}, not by a flag (only --trials, "
                                             "--workers, --cluster and --out go with a "
                                             "file or --resume)")])
        if resume is not None:
            if file is not None:
                raise ScenarioError([Problem(str(file), None, "", "give a file or --resume "
                                             "FOLDER, not both")])
            search = load_optimization(_resolved_in(resume))
            target = resume
        elif file is None:
            raise ScenarioError([Problem("command line", None, "", "give an optimization "
                                         "file, a scenario file with --objective, or "
                                         "--resume FOLDER")])
        elif is_optimization(file):
            search = load_optimization(file)
            target = out
        else:
            if not objective:
                raise ScenarioError([Problem(str(file), None, "", "a scenario file needs at "
                                             "least one --objective (or give an "
                                             "optimization file)")])
            search = from_flags(file, objective, budget_money, budget_hours, trials,
                                replicates, seed, lever, strategy, sampler)
            target = out
    except ScenarioError as problems:
        fail(problems)
    target = target or Path("runs") / f"optimize-{_slug(search.spec.name)}"
    n_workers = workers or default_workers()
    one = search.scenario(search.current_values(), replicates=search.spec.replicates)
    too_big = None if cluster else memory_problem(search.source, scenario_work(one), n_workers)
    if too_big is not None:
        fail(ScenarioError([too_big]))
    try:
        _claim(target, search, trials)
    except ScenarioError as problems:
        fail(problems)
    _run(search, target, trials, n_workers, cluster, quiet)


def _resolved_in(folder: Path) -> Path:
    path = folder / RESOLVED
    if not path.is_file():
        raise ScenarioError([Problem(str(folder), None, "", f"no optimization to resume here "
                                     f"(no {RESOLVED})")])
    return path


def _claim(folder: Path, search, trials: int | None) -> None:
    """Write the search into ``folder``, or check that the folder holds this one.

    The trials asked for (``--trials``, else the file's) are written with it, so that
    ``--resume`` goes on to the same number unless told another.
    """
    import yaml

    from sim.optimization.spec import load_optimization
    from sim.running.output import write_atomic

    if folder.exists() and not folder.is_dir():
        raise ScenarioError([Problem(str(folder), None, "", "--out is a file, not a folder")])
    path = folder / RESOLVED
    if path.is_file():
        try:
            held = load_optimization(path)
        except ScenarioError:
            held = None
        if held is None or held.digest() != search.digest():
            raise ScenarioError([Problem(str(folder), None, "", "holds another optimization "
                                         "(or the same one over an edited scenario); choose "
                                         "another --out")])
        if trials is None or trials == held.spec.trials:
            return
    elif folder.is_dir() and any(folder.iterdir()):
        raise ScenarioError([Problem(str(folder), None, "", "is not empty and holds no "
                                     "optimization; choose another --out")])
    data = search.spec.model_dump(mode="json", exclude_defaults=False)
    if trials is not None:
        data["trials"] = trials
    scenario = Path(search.spec.scenario)
    if not scenario.is_absolute():
        scenario = Path(search.source).parent.resolve() / scenario
    data["scenario"] = str(scenario.resolve())
    folder.mkdir(parents=True, exist_ok=True)
    text = ("# the optimization this folder holds (commsim optimize --resume reads it)\n"
            + yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def _front_words(opt) -> str:
    """The best front so far in a few words: its size and each objective's best value."""
    from sim.optimization.front import pareto_trials

    front = pareto_trials(opt)
    if not front:
        return "front: none within the budget yet"
    best = []
    for k, o in enumerate(opt.objectives):
        values = [t.values[k] for t in front]
        value = max(values) if o.goal == "maximize" else min(values)
        best.append(f"{o.label} {value:.3g}")
    return f"front: {len(front)} point{'s' if len(front) != 1 else ''}; best " + ", ".join(best)


def _run(search, target: Path, trials: int | None, workers: int, cluster: str | None,
         quiet: bool) -> None:
    from sim.optimization.front import evaluate_front
    from sim.optimization.report import write_optimization
    from sim.optimization.search import optimize, study_name
    from sim.running.output import WriteFailed
    from sim.running.runner import RunKillsItsWorker
    from sim.running.sweeps import SchedulerLost
    from sim.running.warm import loaded_quietly

    goal = trials if trials is not None else search.spec.trials
    if not quiet:
        err_console.print(f"study {study_name(search)} in {target / 'study.db'}; {goal} trials "
                          f"of {search.spec.replicates} runs over {search.horizon} days",
                          highlight=False)
    progress = None if quiet else Progress(
        TextColumn("optimizing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TextColumn("{task.description}"), console=err_console, transient=True)
    task = None

    def on_batch(opt, _told, target_trials: int) -> None:
        nonlocal task
        interrupt.stop_if_pressed()
        if progress is None:
            return
        if task is None:
            task = progress.add_task("", total=target_trials)
        progress.update(task, completed=opt.finished(), description=_front_words(opt))

    def finish(opt) -> None:
        if progress is not None and task is not None:
            progress.update(task, description="running the front again on fresh seeds")
        write_optimization(opt, evaluate_front(opt), target)

    try:
        loaded_quietly()
        if progress is not None:
            with progress:
                optimize(search, target, trials, workers, cluster, on_batch, finish, say_note)
        else:
            optimize(search, target, trials, workers, cluster, on_batch, finish, say_note)
        interrupt.stop_if_pressed()
    except BaseException as exc:
        if interrupt.from_ctrl_c(exc) or interrupt.pressed():
            err_console.print(f"interrupted: finished trials are saved in {target / 'study.db'}"
                              f"; run commsim optimize --resume {target} to go on.")
            raise typer.Exit(code=interrupt.EXIT_STATUS) from None
        again = f"finished trials are saved in study.db; run commsim optimize --resume {target}"
        if isinstance(exc, WriteFailed):
            cannot_write(exc, f"{again} after freeing space (or fixing the folder)")
        if "database or disk is full" in str(exc) or "readonly database" in str(exc):
            give_up(f"cannot write {target / 'study.db'}: {str(exc).splitlines()[0][:160]}; "
                    f"{again} after freeing space (or fixing the folder)")
        if isinstance(exc, SchedulerLost):
            give_up(f"{exc}; {again} (start the scheduler again, or leave out --cluster)")
        if isinstance(exc, RunKillsItsWorker | BrokenProcessPool):
            give_up(f"{exc}; {again} with a lower population or --workers")
        if isinstance(exc, ValueError):
            err_console.print(f"[bold red]error[/]: {exc}", highlight=False)
            raise typer.Exit(code=2) from None
        raise
    if quiet:
        sys.stdout.write(f"{target / 'report.html'}\n")
        return
    _print_front(search, target)
    out_console.print(f"Report: [bold]{target / 'report.html'}[/] (front.parquet, "
                      "trials.parquet; the study: study.db)", highlight=False, soft_wrap=True)


def _print_front(search, target: Path) -> None:
    """The front in the terminal: its size, and the point best on each objective."""
    import math

    import pandas as pd

    front = pd.read_parquet(target / "front.parquet")
    if front.empty:
        out_console.print("No trial kept within the budget: the front is empty.")
        return
    objectives = search.spec.objectives
    out_console.print(f"Pareto front: {len(front)} playbook{'s' if len(front) != 1 else ''} "
                      "within the budget (fresh runs, 95% intervals); the best on each "
                      "objective:", highlight=False)
    shown = set()
    for o in objectives:
        column = front[o.label]
        best = front.loc[column.idxmax() if o.goal == "maximize" else column.idxmin()]
        if best["point"] in shown:
            out_console.print(f"  best {o.label}: point {best['point']} (above)",
                              highlight=False)
            continue
        shown.add(best["point"])
        values = []
        for other in objectives:
            low, high = best[f"{other.label}_low"], best[f"{other.label}_high"]
            values.append(f"{other.label} {best[other.label]:.3g}" + (
                "" if math.isnan(low) else f" ({low:.3g} to {high:.3g})"))
        out_console.print(f"  best {o.label}: point {best['point']}: {'; '.join(values)}; "
                          f"{best['money_per_month']:.0f} yuan/month, "
                          f"{best['hours_per_week']:.1f} hours/week\n    {best['playbook']}",
                          highlight=False, soft_wrap=True)


def _slug(name: str) -> str:
    import re

    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "optimization"
