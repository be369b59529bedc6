"""``commsim fit`` (fit the simulator to a chat export) and ``commsim demo-export``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sim.cli.common import err_console, give_up, out_console, study_stopped
from sim.running import interrupt
from sim.running.budget import default_workers

FORMATS_HELP = "whatsapp, telegram, wechat, discord or csv (docs/chat-exports.md)"
"""The format keys in words, for the options' help (checked against the readers'
registry by a test, so the command line need not load the readers to show it)."""


def _bad_input(text: str) -> None:
    err_console.print(f"[bold red]error[/]: {text}", highlight=False, soft_wrap=True)
    err_console.print("Nothing was run or written.", highlight=False)
    raise typer.Exit(code=2)


def fit_command(
    export: Annotated[Path, typer.Argument(help="A chat export: WhatsApp .txt, Telegram "
                                           "result.json, WeChat CSV, Discord JSON or CSV.")],
    out: Annotated[Path, typer.Option(help="Output folder: scenario.yaml, fingerprint.parquet, "
                                      "trials.parquet, report.html, study.db.")]
    = Path("fitted"),
    budget: Annotated[float, typer.Option(min=0.0, help="Minutes of search in this run (a "
                                          "200-member, 180-day export: under ten minutes "
                                          "in all on two cores).")] = 6.0,
    trials: Annotated[int | None, typer.Option(min=1, help="Stop once the study has this "
                                               "many complete trials (whichever of budget "
                                               "and trials comes first).")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the search and of the simulated "
                                      "groups (another seed is another study).")] = 0,
    fmt: Annotated[str, typer.Option("--format", help="Expected format: auto (detected "
                                     "from the content) or " + FORMATS_HELP + ".")]
    = "auto",
    workers: Annotated[int | None, typer.Option(min=1, help="Local processes (default: all "
                                                "cores).")] = None,
) -> None:
    """Fit the simulator to a group's chat export; resumes when run again."""
    from sim.chats import FORMATS, ChatFormatError, read_chat
    from sim.running.warm import loaded_quietly
    from sim.validation.fit import opened, run_fit, structure_of
    from sim.validation.fit_report import found_rows, write_fit

    choices = ("auto", *FORMATS)
    if fmt not in choices:
        _bad_input(f"--format '{fmt}': expected one of {', '.join(choices)}")
    if out.exists() and not out.is_dir():
        _bad_input(f"--out {out} is a file, not a folder")
    try:
        log = read_chat(export)
    except ChatFormatError as exc:
        _bad_input(str(exc.problems[0]) if exc.problems else str(exc))
    except OSError as exc:
        _bad_input(f"{export}: {exc.strerror or exc}")
    if fmt != "auto" and log.format != fmt:
        _bad_input(f"{export}: reads as a {log.format} export, not {fmt}")
    if log.messages.empty:
        _bad_input(f"{export}: the export has no messages")

    loaded_quietly()
    try:
        with opened(log, out, seed=seed, workers=workers or default_workers()) as fit:
            _show_found(fit, log, found_rows, structure_of)
            done_before = fit.counted()
            with Progress(TextColumn("fitting"), BarColumn(), TextColumn("{task.description}"),
                          TimeElapsedColumn(), console=err_console,
                          transient=False) as progress:
                task = progress.add_task("", total=60 * budget if budget else 1)

                def on_trial(trial, complete: int, elapsed: float) -> None:
                    interrupt.stop_if_pressed()
                    best = fit.study.best_value
                    progress.update(task, completed=min(elapsed, 60 * budget),
                                    description=f"trial {trial.number}, distance "
                                    f"{trial.value:.2f}, best {best:.2f}, {complete} complete")

                try:
                    run_fit(fit, budget, trials, on_trial)
                finally:
                    progress.update(task, completed=60 * budget if budget else 1)
            interrupt.stop_if_pressed()
            if fit.counted() == done_before and done_before:
                err_console.print(f"the study already has {done_before} complete trials",
                                  highlight=False)
            write_fit(fit, log, out)
    except BaseException as exc:
        study_stopped(exc, out / "study.db")
        raise
    out_console.print(f"Fitted scenario: {out / 'scenario.yaml'}; report: "
                      f"{out / 'report.html'}", highlight=False)


def _show_found(fit, log, found_rows, structure_of) -> None:
    table = Table(title="What the export shows", title_justify="left")
    table.add_column("")
    table.add_column("value")
    for name, value in found_rows(fit, log):
        table.add_row(str(name), str(value))
    err_console.print(table)
    unusable = Table(title="Statistics the fit cannot use", title_justify="left")
    unusable.add_column("statistic")
    unusable.add_column("why")
    for name, why in fit.reasons.items():
        unusable.add_row(name, why)
    if fit.reasons:
        err_console.print(unusable)
    err_console.print("fitting: " + (", ".join(p.key for p in fit.params) or "nothing"),
                      highlight=False)
    for key, why in fit.dropped.items():
        err_console.print(f"not fitted: {key} ({why})", highlight=False, soft_wrap=True)


def demo_export_command(
    out: Annotated[Path, typer.Option(help="The export file to write.")],
    fmt: Annotated[str, typer.Option("--format", help="One of " + FORMATS_HELP + ".")]
    = "whatsapp",
    seed: Annotated[int, typer.Option(help="Seed of the simulated group.")] = 0,
    days: Annotated[int, typer.Option(min=14, max=3650, help="Days simulated.")] = 180,
) -> None:
    """Write a simulated group as a chat export, to try commsim fit on."""
    from sim.chats import FORMATS, write_chat
    from sim.validation.chatlog import simulate_chatlog
    from sim.validation.fit import demo_scenario

    if fmt not in FORMATS:
        _bad_input(f"--format '{fmt}': expected one of {', '.join(FORMATS)}")
    if out.is_dir():
        _bad_input(f"--out {out} is a folder; give a file name")
    log = simulate_chatlog(demo_scenario(seed, days=days))
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        write_chat(log, fmt, out)
    except OSError as exc:
        give_up(f"cannot write {out}: {exc.strerror or exc}")
    found = log.describe()
    out_console.print(f"wrote {out} ({fmt}): " + ", ".join(f"{v} {k}" for k, v in found.items()),
                      highlight=False)
