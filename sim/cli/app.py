"""The ``commsim`` command line: run and check scenarios, list strategies, print the schema.

Every command calls the same Python API a notebook would (``sim.run``,
``sim.load_scenario``). Bad input ends with a clear message on stderr and exit
status 2, before anything is written.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sim.cli.common import fail, is_experiment, is_optimization, memory_problem, out_console
from sim.engine.strategies import REGISTRY
from sim.formats.scenario import ScenarioError, idle_notes, json_schema, load_scenario
from sim.running.budget import default_workers, scenario_work

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

@app.command("check")
def check_command(
    files: Annotated[list[Path], typer.Argument(help="Scenario or experiment YAML files.")],
) -> None:
    """Validate scenario or experiment files without running them; report every problem."""
    failed = []
    for path in files:
        try:
            if is_experiment(path):
                _check_experiment(path)
                continue
            if is_optimization(path):
                _check_optimization(path)
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


def _check_experiment(path: Path) -> None:
    from sim.formats.experiment import load_experiment

    study = load_experiment(path)
    experiment = study.experiment
    out_console.print(
        f"ok: {path} (experiment: {len(study.points)} points x {experiment.replicates} "
        f"replicate(s) = {len(study.points) * experiment.replicates} runs of "
        f"{experiment.scenario}; run it with commsim sweep)", highlight=False)


def _check_optimization(path: Path) -> None:
    from sim.optimization.spec import load_optimization

    search = load_optimization(path)
    spec = search.spec
    out_console.print(
        f"ok: {path} (optimization: {len(search.levers)} levers, {len(spec.objectives)} "
        f"objective(s), {spec.trials} trials x {spec.replicates} replicate(s) of "
        f"{spec.scenario}; run it with commsim optimize)", highlight=False)


@app.command("schema")
def schema_command(
    optimization: Annotated[bool, typer.Option(
        "--optimization", help="The schema of optimization files instead.")] = False,
) -> None:
    """Print the JSON Schema of scenario files (editors can validate YAML with it)."""
    if optimization:
        from sim.optimization.spec import json_schema as optimization_schema

        sys.stdout.write(json.dumps(optimization_schema(), indent=2) + "\n")
        return
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


def _register_run() -> None:
    from sim.cli.run import run_command

    app.command("run")(run_command)


_register_run()


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


def _register_optimize() -> None:
    from sim.cli.optimize import optimize_command

    app.command("optimize")(optimize_command)


_register_optimize()


def _register_dashboard() -> None:
    from sim.cli.dashboard import dashboard_command

    app.command("dashboard")(dashboard_command)


_register_dashboard()



def _register_fit() -> None:
    from sim.cli.fit import demo_export_command, fit_command

    app.command("fit")(fit_command)
    app.command("demo-export")(demo_export_command)


_register_fit()
