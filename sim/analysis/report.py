"""The HTML report of a run: one self-contained file that opens offline.

``report.html`` answers a strategist's three questions -- which strategy, at what
cost, with what risk -- from the tables of a :class:`~sim.running.runner.RunResult`: the
outcome table with paired differences from the baseline (:func:`sim.analysis.compare.compare`)
and the charts of :mod:`sim.analysis.figures`. Plotly's JavaScript is embedded once, so the
file needs no network; it is written atomically like every other output.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from sim.analysis import figures
from sim.analysis.compare import SAME, compare, format_difference, format_interval, format_value
from sim.running.output import write_atomic
from sim.running.runner import RunResult


@dataclass(frozen=True)
class Section:
    """One section of the report: a title, a line saying how to read it, a chart."""

    key: str
    title: str
    explanation: str


SECTIONS = (
    Section("outcomes", "Outcomes: each arm against the baseline",
            "Mean over replicates for each arm. Under each arm: its difference from the "
            "baseline, replicate by replicate (same people, same luck), with the range "
            "that holds the true difference with the stated confidence. Green is clearly "
            "better, red clearly worse; 'no clear difference' means the range includes zero."),
    Section("differences", "Differences at a glance",
            "Each dot is an arm's difference from the baseline, each bar its confidence "
            "interval. A bar crossing the dark zero line means the replicates do not "
            "settle which is higher."),
    Section("members", "Members over time",
            "People in the group each day. The line is the mean over replicates, the "
            "shaded band the middle 80% of replicates (10% to 90%)."),
    Section("posters", "Daily active posters",
            "People who wrote at least one message on a day, averaged over the past 7 days: "
            "the group's pulse. Line: mean over replicates; band: middle 80% of replicates."),
    Section("messages", "Messages by kind",
            "Messages per day by kind, averaged over the past 7 days, one panel per arm (line: "
            "mean; band: middle 80% of replicates). Ads are spam."),
    Section("spam", "Spam share over time",
            "Ads as a share of all messages over the past 7 days (line: mean; band: middle "
            "80% of replicates). High spam drives members to mute and leave."),
    Section("money", "Money spent and revenue",
            "What the operator paid out (red envelopes, rewards) against what came back, "
            "over the whole run. Whiskers span the middle 80% of replicates."),
    Section("cost", "Cost per retained active member",
            "Money spent divided by the members still posting in the last 28 days at the "
            "end: what each lasting, active member cost."),
    Section("retention", "Newcomer retention by month of joining",
            "Of the people who joined in a given month, the share still in the group a "
            "number of days after joining (all replicates pooled). Lower curves lose "
            "newcomers faster."),
    Section("participation", "Participation inequality",
            "How many members wrote at least a given number of messages, on log-log axes. "
            "A long flat tail means a few people write most of the group's messages; the "
            "legend gives the share who never posted."),
    Section("survival", "Survival of the group",
            "Share of replicates whose group is still alive (people still talking to each "
            "other) on each day. A drop is the risk that the group dies."),
    Section("graph", "Social graph of one group",
            "Friendships among the people who were ever in the group, in replicate 0 of the "
            "baseline. Colour is the role at the end, size the messages written; rings are "
            "people who left or were removed; people with no friend in the group sit on the "
            "outer ring. Closeness on the page only reflects friendship."),
)
SECTION_TITLES = tuple(s.title for s in SECTIONS)

TABLE_CSS = """
table.outcomes { border-collapse: collapse; width: 100%; font-size: 0.95em; }
table.outcomes th, table.outcomes td { border-bottom: 1px solid #eee; padding: 6px 8px;
          text-align: right; vertical-align: top; }
table.outcomes th:first-child, table.outcomes td:first-child { text-align: left; }
td .value { font-weight: 600; font-size: 1.05em; }
td .diff { color: #333; font-size: 0.9em; }
td .verdict { font-size: 0.85em; color: #666; }
td.better { background: #e8f5e9; } td.worse { background: #fdecea; }
td .better { color: #1b5e20; font-weight: 600; } td .worse { color: #b71c1c; font-weight: 600; }
.note { color: #888; font-size: 0.8em; }
"""
"""Style of the outcome table (:func:`outcome_table_html`), in the report and the dashboard."""
CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0;
       color: #222; background: #fafafa; }
main { max-width: 1150px; margin: 0 auto; padding: 24px; }
h1 { margin-bottom: 4px; }
.facts { color: #555; margin-top: 0; }
section { background: #fff; border: 1px solid #e5e5e5; border-radius: 6px;
          padding: 16px 20px; margin: 18px 0; }
h2 { margin: 0 0 6px 0; font-size: 1.3em; }
p.explain { margin: 0 0 10px 0; color: #444; max-width: 900px; }
ul.arms { margin: 4px 0 0 0; color: #444; }
""" + TABLE_CSS


def describe_arms(result: RunResult) -> list[str]:
    """One line per arm saying what it changes relative to the baseline."""
    return arm_lines(result.scenario)


def arm_lines(scenario) -> list[str]:
    """One line per arm of ``scenario`` saying what it changes relative to the baseline."""
    lines = [f"baseline: {', '.join(scenario.strategies_for('baseline')) or 'no strategies'}"]
    for arm, changes in scenario.resolved()["arms"].items():
        parts = []
        for key, change in changes.items():
            if change is False:
                parts.append(f"{key} switched off")
            elif not change:
                parts.append(f"{key} switched on")
            else:
                parts.append(f"{key}: " + ", ".join(f"{k} = {v}" for k, v in change.items()))
        lines.append(f"{arm}: {'; '.join(parts) or 'same as the baseline'}")
    return lines


def outcome_table_html(comparison: pd.DataFrame) -> str:
    """The outcome table: a row per outcome, a column per arm, in plain words."""
    arms = list(dict.fromkeys(comparison["arm"]))
    head = "".join(f"<th>{html.escape(a)}</th>" for a in arms)
    body = []
    for outcome in dict.fromkeys(comparison["outcome"]):
        rows = comparison[comparison["outcome"] == outcome].set_index("arm")
        cells = [f"<td>{html.escape(str(rows['label'].iloc[0]))}</td>"]
        for arm in arms:
            row = rows.loc[arm]
            value = html.escape(format_value(outcome, row["mean"]))
            if row["verdict"] == "baseline":
                cells.append(f'<td><div class="value">{value}</div>'
                             f'<div class="verdict">baseline</div></td>')
                continue
            word = html.escape(row["verdict"])
            judged = row["assessment"]
            interval = ("-" if row["verdict"] == SAME
                        else format_interval(outcome, row["ci_low"], row["ci_high"]))
            diff = html.escape(format_difference(outcome, row["difference"]))
            level = f"{row['confidence']:.0%}"
            detail = (f"{diff} ({level} CI {html.escape(interval)})" if interval != "-"
                      else diff)
            verdict = (f'<span class="{judged}">{word} ({judged})</span>' if judged else word)
            note = f'<div class="note">{html.escape(row["note"])}</div>' if row["note"] else ""
            cells.append(f'<td class="{judged}"><div class="value">{value}</div>'
                         f'<div class="diff">{detail}</div>'
                         f'<div class="verdict">{verdict}</div>{note}</td>')
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (f'<table class="outcomes"><thead><tr><th>outcome</th>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>")


def social_graph(result: RunResult, arm: str | None = None, replicate: int = 0,
                 max_nodes: int = 800) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Nodes and edges of the social graph of one run.

    See :func:`sim.analysis.figures.graph_frames`.

    The run's world is rebuilt from its seed with :class:`sim.CommunityModel` (the
    same people and friendships as in the run); roles and activity come from the
    members table.
    """
    from sim.engine.model import CommunityModel

    summary = result.summary
    arm = arm or figures.arms_of(summary)[0]
    runs = summary[summary["arm"] == arm]
    chosen = runs[runs["replicate"] == replicate]
    run = (chosen if len(chosen) else runs).iloc[0]
    model = CommunityModel(result.scenario, arm=arm, seed=int(run["seed"]))
    members = result.members[result.members["run_id"] == run["run_id"]]
    return figures.graph_frames(model.world.adjacency, members, seed=0, max_nodes=max_nodes)


DAILY_CHARTS = {
    "members": lambda ts: figures.timeseries_figure(ts, "members", "Members over time",
                                                    "members in the group (people)"),
    "posters": lambda ts: figures.timeseries_figure(
        ts, "posters", "Daily active posters", "people who posted per day (7-day average)",
        smooth=7),
    "messages": figures.messages_by_kind_figure,
    "spam": lambda ts: figures.timeseries_figure(ts, figures.rolling_spam_share, "Spam share",
                                                 "ads as a share of messages (past 7 days)",
                                                 percent=True),
}
"""Charts drawn from the daily table alone, by section key (the dashboard draws a sweep
point's daily table with them too)."""


def report_figures(result: RunResult, comparison: pd.DataFrame | None,
                   graph: tuple[pd.DataFrame, pd.DataFrame] | None = None,
                   keys: tuple[str, ...] | None = None) -> dict[str, go.Figure]:
    """Charts of the report by section key: every chart, or only those in ``keys``.

    The dashboard draws its charts with this function too, so a chart reads the same
    in both. ``comparison`` is only needed for ``differences``; the social graph of
    the first arm's replicate 0 is made when ``graph`` is not given.
    """
    ts, summary, members = result.timeseries, result.summary, result.members
    arms = figures.arms_of(summary)
    build = {
        "differences": lambda: figures.differences_figure(comparison),
        **{key: lambda chart=chart: chart(ts) for key, chart in DAILY_CHARTS.items()},
        "money": lambda: figures.money_figure(summary),
        "cost": lambda: figures.cost_per_active_figure(summary),
        "retention": lambda: figures.retention_figure(
            figures.retention_curves(members, result.scenario.horizon), arms),
        "participation": lambda: figures.participation_figure(members),
        "survival": lambda: figures.survival_figure(ts),
        "graph": lambda: figures.graph_figure(*(graph or social_graph(result)),
                                              title=f"Social graph: {arms[0]}, replicate 0"),
    }
    return {key: build[key]() for key in (keys or [s.key for s in SECTIONS
                                                   if s.key != "outcomes"])}


def report_html(result: RunResult, comparison: pd.DataFrame | None = None,
                graph: tuple[pd.DataFrame, pd.DataFrame] | None = None) -> str:
    """The report as one HTML document (Plotly's JavaScript embedded once).

    The same result gives the same bytes: chart ids are fixed and nothing depends on
    the clock.
    """
    if comparison is None:
        comparison = compare(result)
    charts = report_figures(result, comparison, graph)
    scenario = result.scenario
    arms = figures.arms_of(result.summary)
    replicates = result.summary.groupby("arm").size().max()
    facts = (f"{len(arms)} arm(s) x {replicates} replicate(s), {scenario.horizon} days, "
             f"population {scenario.population.size:,}, group capacity "
             f"{scenario.group.capacity:,}, root seed {scenario.seed} "
             f"(scenario {scenario.digest()})")
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<link rel="icon" href="data:,">',
        f"<title>{html.escape(scenario.name)}: commsim report</title>",
        f"<style>{CSS}</style>",
        f'<script type="text/javascript">{get_plotlyjs()}</script>',
        "</head><body><main>",
        f"<h1>{html.escape(scenario.name)}</h1>",
        f'<p class="facts">{html.escape(facts)}</p>',
        '<ul class="arms">' + "".join(f"<li>{html.escape(line)}</li>"
                                      for line in describe_arms(result)) + "</ul>",
    ]
    if scenario.description:
        parts.append(f'<p class="explain">{html.escape(scenario.description)}</p>')
    for section in SECTIONS:
        parts.append(f'<section id="{section.key}"><h2>{html.escape(section.title)}</h2>'
                     f'<p class="explain">{html.escape(section.explanation)}</p>')
        if section.key == "outcomes":
            parts.append(outcome_table_html(comparison))
        else:
            fig = charts[section.key]
            height = int(fig.layout.height or 420)
            parts.append(fig.to_html(full_html=False, include_plotlyjs=False,
                                     div_id=f"chart-{section.key}",
                                     default_height=f"{height}px",
                                     config={"displaylogo": False, "responsive": True}))
        parts.append("</section>")
    parts.append('<p class="note">Made by commsim. Results come from a simulation with '
                 "first-estimate behaviour: read them as directions, not forecasts.</p>")
    parts.append("</main></body></html>")
    return "\n".join(parts)


def write_report(result: RunResult, path: str | Path,
                 comparison: pd.DataFrame | None = None) -> Path:
    """Write ``report.html`` (or ``path`` if it names a file) atomically; return its path."""
    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        path = path / "report.html"
    text = report_html(result, comparison)
    write_atomic(path, lambda p: p.write_text(text, encoding="utf-8"))
    return path

