"""What ``commsim run`` prints when it is done: the outcomes and each arm against the baseline."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pandas as pd
from rich.table import Table

from sim.analysis.compare import MIN_PAIRS, SAME, format_difference, format_interval
from sim.cli.common import out_console
from sim.running.output import REPORT_FILE, RESULT_FILES

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


def print_results(result, comparison: pd.DataFrame, target: Path, report: bool,
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
