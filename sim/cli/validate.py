"""``commsim validate``: the calibration targets T1-T6, measured on simulated groups."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sim.cli.common import cannot_write, err_console, fail, out_console
from sim.formats.scenario import ScenarioError
from sim.running.budget import default_workers


class Size(StrEnum):
    """Suite sizes (see ``sim.validation.suite.SIZES``)."""

    full = "full"
    medium = "medium"
    small = "small"


def _progress(quiet: bool, label: str) -> tuple[Progress | None, callable, callable]:
    progress = None if quiet else Progress(
        TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err_console, transient=True)
    state = {}

    def on_start(total: int) -> None:
        if progress is not None:
            state["task"] = progress.add_task(label, total=total)

    def on_done(n: int) -> None:
        if progress is not None:
            progress.advance(state["task"], n)

    return progress, on_start, on_done


def validation_table(table) -> Table:
    """The terminal table of a validation run (the report and README have the long one)."""
    from sim.validation.report import table_rows

    shown = Table(title="commsim validation")
    for column in ("target", "measure", "study", "band", "model (range)", "result"):
        shown.add_column(column, overflow="fold")
    for row, name in zip(table_rows(table), table["measure"], strict=True):
        style = "green" if row["result"] == "pass" else "red"
        shown.add_row(row["target"], name, row["study"], row["band"], row["model"],
                      f"[{style}]{row['result']}[/{style}]")
    return shown


def validate_command(
    target: Annotated[list[str] | None, typer.Option(
        "--target", "-t", help="Only this target (repeat for more): T1 ... T6.")] = None,
    size: Annotated[Size, typer.Option(help="full: the experiment files as written; medium: 2 "
                                       "samples per measure (the calibration's second stage); "
                                       "small: 2 samples of 4 pooled groups, 120 days (quick "
                                       "look; its first stage).")] = Size.full,
    out: Annotated[Path, typer.Option(help="Results folder.")] = Path("runs/validation"),
    workers: Annotated[int | None, typer.Option(min=1, help="Local processes (default: all "
                                                "cores).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the results path.")]
    = False,
) -> None:
    """Reproduce the published regularities T1-T6 and say how close the model comes."""
    from sim.running.output import WriteFailed, prepare_out_dir, remove_created
    from sim.validation.report import write_validation
    from sim.validation.suite import select, validate

    try:
        select(target)
    except KeyError as exc:
        err_console.print(f"error: --target: {exc.args[0]}", highlight=False)
        raise typer.Exit(2) from None
    try:
        created = prepare_out_dir(out)
    except ScenarioError as problems:
        fail(problems)
    n_workers = workers or default_workers()
    progress, on_start, on_done = _progress(quiet, "validating")
    try:
        if progress is not None:
            progress.start()
        validation = validate(target, size.value, n_workers, on_start=on_start,
                              on_done=on_done)
    except ScenarioError as problems:
        if progress is not None:
            progress.stop()
        remove_created(out, created)
        fail(problems)
    finally:
        if progress is not None:
            progress.stop()
    try:
        write_validation(validation, out)
    except WriteFailed as exc:
        remove_created(out, created)
        cannot_write(exc, "the validation ran but nothing was written; free space (or fix "
                     "the folder) and run it again")
    if not quiet:
        out_console.print(validation_table(validation.table))
        passed = int(validation.table["passed"].sum())
        out_console.print(f"{passed} of {len(validation.table)} measures in their band",
                          highlight=False)
        out_console.print(f"Report: {out / 'report.html'}", highlight=False)
    else:
        print(out)
    sys.stdout.flush()
