"""What every ``commsim`` command shares: its two consoles and the way it reports bad input."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from sim.formats.scenario import Problem, ScenarioError
from sim.running.budget import Work

if TYPE_CHECKING:
    from sim.running.output import WriteFailed

out_console = Console()
err_console = Console(stderr=True)


def fail(problems: ScenarioError) -> None:
    """Print each problem of a bad file on stderr and exit with status 2.

    Bad input is reported before anything is run or written, so the last line says so.
    """
    count = len(problems.problems)
    for problem in problems.problems:
        err_console.print(f"[bold red]error[/]: {problem}", highlight=False, soft_wrap=True)
    if count > 1:
        err_console.print(f"{count} problems; nothing was run or written.", highlight=False)
    else:
        err_console.print("Nothing was run or written.", highlight=False)
    raise typer.Exit(code=2)


LONG_SECONDS = 60.0
"""Work expected to take longer than this is announced before it starts."""


def expect(work: Work, workers: int) -> None:
    """Say how long a long job is expected to take, and its memory, before it starts."""
    if work.seconds(workers) > LONG_SECONDS:
        err_console.print(f"expect {work.describe(workers)}", highlight=False, soft_wrap=True)


def memory_problem(source: str, work: Work, workers: int) -> Problem | None:
    """Why ``work`` will not fit this machine's free memory (``None`` when it will).

    The estimate is :meth:`sim.running.budget.Work.peak_bytes` (each process builds its
    own world); the machine's figure is the memory free now.
    """
    import psutil

    free = psutil.virtual_memory().available
    need = work.peak_bytes(workers)
    if need <= free:
        return None
    processes = min(workers, max(work.runs, 1))
    return Problem(source, None, "population.size", (
        f"a world of {work.largest_population:,} people needs about {need / 1e9:.1f} GB at "
        f"peak with {processes} process{'es' if processes != 1 else ''}; this machine has "
        f"{free / 1e9:.1f} GB free. Lower population.size or the workers, or pass --force "
        "to run anyway"))


def give_up(text: str) -> None:
    """One error line for a fault of the machine (not of the input), then exit 1."""
    err_console.print(f"[bold red]error[/]: {text}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=1)


def cannot_write(exc: WriteFailed, after: str) -> None:
    """One line for a file that could not be written (no space, no permission, ...), exit 1.

    ``after`` says what is saved and what to do next.
    """
    give_up(f"{exc}; {after}")


def study_stopped(exc: BaseException, database: Path) -> None:
    """The one line for an Optuna study that stopped (calibration, fit), then its exit.

    Ctrl-C, a file that could not be written, SQLite's database on a full or read-only
    disk, a worker process that died: each says that finished trials are saved in
    ``database`` and that the same command resumes. Returns for any other exception
    (the caller raises it again).
    """
    from concurrent.futures.process import BrokenProcessPool

    from sim.running import interrupt
    from sim.running.output import WriteFailed

    resume = "run the same command again to resume"
    if interrupt.from_ctrl_c(exc) or interrupt.pressed():
        err_console.print(f"interrupted: finished trials are saved in {database.name}; "
                          f"{resume}.")
        raise typer.Exit(code=interrupt.EXIT_STATUS) from None
    if isinstance(exc, WriteFailed):
        cannot_write(exc, f"finished trials are saved in {database.name}; free space (or fix "
                     f"the folder) and {resume}")
    if "database or disk is full" in str(exc) or "readonly database" in str(exc):
        give_up(f"cannot write {database}: {str(exc).splitlines()[0][:160]}; free space (or "
                f"fix the folder) and {resume}")
    if isinstance(exc, BrokenProcessPool):
        give_up("a worker process stopped abruptly (killed, or out of memory); finished "
                f"trials are saved in {database.name}: {resume}")


def say_note(text: str) -> None:
    """One line the user should know about, on stderr (``note: ...``)."""
    err_console.print(f"note: {text}", highlight=False, soft_wrap=True)


def yaml_keys(path: Path) -> set[str]:
    """The top-level keys of a YAML file (none when it cannot be read as a mapping)."""
    import yaml

    from sim.formats import plainyaml

    try:
        data = plainyaml.load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return set()  # the scenario loader explains what is wrong
    return set(data) if isinstance(data, dict) else set()


def is_experiment(path: Path) -> bool:
    """Whether ``path`` looks like an experiment file: a base ``scenario`` and a design."""
    keys = yaml_keys(path)
    # a scenario has no such key; an optimization file has objectives
    return "scenario" in keys and "objectives" not in keys


def is_optimization(path: Path) -> bool:
    """Whether ``path`` looks like an optimization file: a base ``scenario`` and objectives."""
    return "objectives" in yaml_keys(path)
