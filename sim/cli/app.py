"""The ``commsim`` command line: run and check scenarios, list strategies, print the schema.

Every command calls the same Python API a notebook would (``sim.run``,
``sim.load_scenario``). Bad input ends with a clear message on stderr and exit
status 2, before anything is written.
"""

from __future__ import annotations

import json
import math
import sys
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sim.analysis.compare import MIN_PAIRS, SAME, compare, format_difference, format_interval
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
from sim.engine.strategies import REGISTRY
from sim.formats.scenario import Problem, ScenarioError, idle_notes, json_schema, load_scenario
from sim.running import interrupt
from sim.running.budget import scenario_work
from sim.running.output import (
    REPORT_FILE,
    RESULT_FILES,
    WriteFailed,
    default_out_dir,
    earlier_run,
    prepare_out_dir,
    remove_created,
    write_run,
)
from sim.running.runner import RunKillsItsWorker, default_workers, run
from sim.running.warm import loaded_quietly

app = typer.Typer(
    name="commsim",
    help="Simulate a chat-group community and compare operating strategies.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _print_version(asked: bool) -> None:
    if asked:
        from sim.running.output import package_versions

        versions = package_versions()
        sys.stdout.write(f"commsim {versions.pop('commsim')} ("
                         + ", ".join(f"{k} {v}" for k, v in versions.items()) + ")\n")
        raise typer.Exit()


@app.callback()
def _main(version: Annotated[bool, typer.Option(
        "--version", callback=_print_version, is_eager=True,
        help="Print the versions of commsim and the packages results depend on.")] = False,
) -> None:
    """Simulate a chat-group community and compare operating strategies."""

SUMMARY_SHOWN = (
    ("members_final", "members at end", "{:.0f}"),
    ("active_share_last_28d", "active share (28 d)", "{:.0%}"),
    ("messages_total", "messages", "{:,.0f}"),
    ("spam_share", "spam share", "{:.1%}"),
    ("newcomer_retention_30d", "newcomer retention 30 d", "{:.0%}"),
    ("top10_share", "top 10% write", "{:.0%}"),
    ("muted_share", "muted", "{:.0%}"),
    ("money_spent", "money spent (yuan)", "{:,.0f}"),
    ("revenue", "revenue (yuan)", "{:,.0f}"),
    ("owner_hours", "owner hours", "{:,.0f}"),
)


def _fmt(value: float, pattern: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return pattern.format(value)


def summary_table(summary: pd.DataFrame, title: str) -> Table:
    """Mean outcome per arm (and, with replicates, how many groups died)."""
    table = Table(title=title, title_justify="left")
    table.add_column("outcome")
    arms = list(dict.fromkeys(summary["arm"]))
    for arm in arms:
        table.add_column(arm, justify="right", overflow="fold")  # long arm names wrap
    by_arm = {arm: summary[summary["arm"] == arm] for arm in arms}
    for column, label, pattern in SUMMARY_SHOWN:
        table.add_row(label, *[_fmt(float(by_arm[a][column].astype(float).mean()), pattern)
                               for a in arms])
    dead = []
    for arm in arms:
        days = by_arm[arm]["dead_day"]
        n_dead = int(days.notna().sum())
        when = ("" if n_dead == 0 else f" (day {days.dropna().iloc[0]:.0f})" if n_dead == 1
                else f" (median day {days.dropna().median():.0f})")
        dead.append(f"{n_dead}/{len(days)}{when}")
    table.add_row("groups dead", *dead)
    return table


VERDICT_STYLE = {"better": "bold green", "worse": "bold red"}


def differences_table(comparison: pd.DataFrame, arm: str) -> Table:
    """One arm against the baseline: difference, confidence interval and verdict.

    Parameters
    ----------
    comparison
        The table of :func:`sim.analysis.compare.compare`.
    arm
        Which arm to show.
    """
    rows = comparison[comparison["arm"] == arm]
    first = rows.iloc[0]
    level = f"{first['confidence']:.0%}"
    unclear = rows["verdict"].str.startswith("no clear difference")
    few = rows["verdict"].str.startswith("too few replicates")
    pairs = int(rows["n_pairs"].max())
    notes = []
    if unclear.any():
        notes.append(f"no clear difference: with {pairs} replicates the {level} interval "
                     "includes zero; more replicates (--replicates) narrow it")
    if few.any():
        notes.append(f"too few replicates: an interval from {pairs} replicates is too narrow "
                     f"to trust; use {MIN_PAIRS} or more (--replicates)")
    notes += [f"{row['short']}: {row['note']}" for _, row in rows.iterrows() if row["note"]]
    table = Table(title=f"{arm} against the {first['baseline']} (paired replicate by replicate)",
                  title_justify="left", caption="\n".join(notes) or None, caption_justify="left")
    table.add_column("outcome")
    table.add_column("difference", justify="right")
    table.add_column(f"{level} interval", justify="right")
    table.add_column("verdict")
    for (_, row), vague in zip(rows.iterrows(), unclear, strict=True):
        judged = row["assessment"]
        verdict = ("no clear difference" if vague
                   else "too few replicates" if row["verdict"].startswith("too few")
                   else row["verdict"])
        if judged:
            verdict = f"[{VERDICT_STYLE[judged]}]{verdict} ({judged})[/]"
        elif vague:
            verdict = f"[dim]{verdict}[/]"
        same = row["verdict"] == SAME
        table.add_row(row["short"], format_difference(row["outcome"], row["difference"]),
                      "-" if same else format_interval(row["outcome"], row["ci_low"],
                                                       row["ci_high"]), verdict)
    return table


@app.command("run")
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
        if quiet or n_runs == 1:
            result = run(loaded, workers=n_workers, on_done=interrupt.stop_if_pressed,
                         on_note=say_note)
        else:
            with Progress(TextColumn("running"), BarColumn(), MofNCompleteColumn(),
                          TimeElapsedColumn(), console=err_console, transient=True) as bar:
                task = bar.add_task("runs", total=n_runs)

                def advance(k: int) -> None:
                    interrupt.stop_if_pressed()
                    bar.advance(task, k)

                result = run(loaded, workers=n_workers, on_done=advance, on_note=say_note)
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
        _print_results(result, comparison, target, report, replaced, quiet)
    except KeyboardInterrupt:
        err_console.print(f"interrupted: the results are complete in {target}")
        raise typer.Exit(code=interrupt.EXIT_STATUS) from None


def _print_results(result, comparison: pd.DataFrame, target: Path, report: bool,
                   replaced: str | None, quiet: bool) -> None:
    """The tables and the paths of a finished run (only the folder with --quiet)."""
    if quiet:
        sys.stdout.write(f"{target}\n")
        return
    out_console.print(summary_table(result.summary, "Outcomes (mean over replicates)"))
    for arm in dict.fromkeys(comparison.loc[comparison["arm"] != comparison["baseline"], "arm"]):
        out_console.print(differences_table(comparison, arm))
    files = [*RESULT_FILES, *([REPORT_FILE] if report else [])]
    note = f"; replaced the earlier run of '{replaced}'" if replaced is not None else ""
    out_console.print(f"Results: [bold]{target}[/] ({', '.join(files)}{note})",
                      highlight=False)
    if report:
        out_console.print(f"Report: [bold]{target / REPORT_FILE}[/] (open it in a browser)",
                          highlight=False)


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
    previous = earlier_run(target)
    if previous is not None and previous != name and not overwrite:
        raise ScenarioError([Problem(str(target), None, "--out",
                                     f"holds the results of scenario '{previous}'; choose "
                                     "another folder, or pass --overwrite to replace them")])
    return previous


def _sweep_point(path: Path, point: int):
    """The scenario of one point of an experiment, with its replicates and root seed."""
    from sim.formats.experiment import load_experiment

    if path.is_file() and not _is_experiment(path):
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


@app.command("check")
def check_command(
    files: Annotated[list[Path], typer.Argument(help="Scenario or experiment YAML files.")],
) -> None:
    """Validate scenario or experiment files without running them; report every problem."""
    failed = []
    for path in files:
        try:
            if _is_experiment(path):
                _check_experiment(path)
                continue
            loaded = load_scenario(path)
        except ScenarioError as problems:
            failed.extend(problems.problems)
            continue
        too_big = memory_problem(str(path), scenario_work(loaded), default_workers())
        if too_big is not None:
            failed.append(too_big)
            continue
        out_console.print(
            f"ok: {path} ({len(loaded.arm_names())} arm(s), {loaded.horizon} days, "
            f"{loaded.replicates} replicate(s), strategies: "
            f"{', '.join(loaded.strategies_for('baseline')) or 'none'})", highlight=False)
        for note in idle_notes(loaded):
            out_console.print(f"  note: {note}", highlight=False)
    if failed:
        fail(ScenarioError(failed))


def _is_experiment(path: Path) -> bool:
    """Whether ``path`` looks like an experiment file: a base ``scenario`` and a design."""
    import yaml

    from sim.formats import plainyaml

    try:
        data = plainyaml.load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return False  # the scenario loader explains what is wrong
    return isinstance(data, dict) and "scenario" in data  # a scenario has no such key


def _check_experiment(path: Path) -> None:
    from sim.formats.experiment import load_experiment

    study = load_experiment(path)
    experiment = study.experiment
    out_console.print(
        f"ok: {path} (experiment: {len(study.points)} points x {experiment.replicates} "
        f"replicate(s) = {len(study.points) * experiment.replicates} runs of "
        f"{experiment.scenario}; run it with commsim sweep)", highlight=False)


@app.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of scenario files (editors can validate YAML with it)."""
    sys.stdout.write(json.dumps(json_schema(), indent=2) + "\n")


@app.command("strategies")
def strategies_command() -> None:
    """List every strategy with its parameters, defaults, units and ranges."""
    for key, cls in REGISTRY.items():
        doc = (cls.__doc__ or "").strip().split("\n")[0]
        table = Table(title=f"{key}: {doc}", title_justify="left")
        table.add_column("parameter", no_wrap=True,
                         min_width=max(len(p.name) for p in cls.params))
        for column in ("default", "unit", "range", "description"):
            table.add_column(column)
        for p in cls.params:
            table.add_row(p.name, p.describe_default(), p.unit, p.describe_range(),
                          p.description)
        out_console.print(table)
        out_console.print(f"  source: seed {cls.metadata['source']}; owner time: "
                          f"{cls.metadata['owner_minutes_per_day']} min/day; money: "
                          f"{cls.metadata['money_per_day']} yuan/day\n", highlight=False)


def _register_sweep() -> None:
    from sim.cli.sweep import sweep_command

    app.command("sweep")(sweep_command)


_register_sweep()


def _register_validate() -> None:
    from sim.cli.validate import validate_command

    app.command("validate")(validate_command)


_register_validate()


def _register_calibrate() -> None:
    from sim.cli.calibrate import calibrate_command

    app.command("calibrate")(calibrate_command)


_register_calibrate()


def _register_dashboard() -> None:
    from sim.cli.dashboard import dashboard_command

    app.command("dashboard")(dashboard_command)


_register_dashboard()

