"""What every ``commsim`` command shares: its two consoles and the way it reports bad input."""

from __future__ import annotations

import typer
from rich.console import Console

from sim.formats.scenario import ScenarioError
from sim.running.budget import Work

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
