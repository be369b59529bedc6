"""What ``commsim fit`` writes: the fitted scenario, the statistics, the trials, the report.

- ``scenario.yaml``: a normal scenario file (it runs with ``commsim run``), the
  export's structure with the fitted values; a comment above each fitted value gives
  its 90% interval and the statistics it was fitted to;
- ``fingerprint.parquet``: one row per statistic: observed, fitted (the mean of the
  simulated groups at the fitted values), usable, used, why not;
- ``trials.parquet``: one row per trial (distance, values);
- ``report.html``: each statistic observed beside fitted, plots (messages per member on
  log-log axes, daily volume, joins and leaves by week, newcomers' first post and
  return, reply structure), each parameter with its interval, and the search's history.
  Self-contained (Plotly inlined once).

All four are written together (:func:`sim.running.output.write_together`).
"""

from __future__ import annotations

import html
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import yaml
from plotly.io import to_html
from plotly.subplots import make_subplots

from sim.analysis.html_tables import study_page
from sim.analysis.html_tables import table as html_table
from sim.chats import ChatLog
from sim.chats.fingerprint import STATISTIC_BY_NAME
from sim.running.output import parquet_writer, text_writer, write_together
from sim.validation.calibration_report import figures
from sim.validation.chatlog import simulate_chatlog
from sim.validation.fit import (
    EXTRA_STATISTICS,
    PARAM_BY_KEY,
    WEAK,
    Fit,
    accepted,
    as_exported,
    intervals,
    trial_table,
)

NEWCOMER_STATS = ("first_posts_unanswered", "return_30d", "return_if_answered",
                  "return_if_ignored", "survival_30d", "survival_90d")
REPLY_STATS = ("reply_share", "thread_depth_mean", "replies_per_thread")


def _describe(name: str) -> str:
    if name in STATISTIC_BY_NAME:
        return STATISTIC_BY_NAME[name].description
    return EXTRA_STATISTICS[name]


def statistics_table(fit: Fit, fitted: dict[str, float]) -> pd.DataFrame:
    """One row per statistic: observed, fitted, usable, used in the distance, reason."""
    names = [*STATISTIC_BY_NAME, *EXTRA_STATISTICS]
    return pd.DataFrame({
        "statistic": names,
        "observed": [fit.observed[n] for n in names],
        "fitted": [fitted.get(n, math.nan) for n in names],
        "usable": [n not in fit.reasons for n in names],
        "used": [n in fit.used for n in names],
        "reason": [fit.reasons.get(n, "") for n in names],
        "description": [_describe(n) for n in names]})


def dispersion(table: pd.DataFrame) -> float:
    """What the intervals of ``table`` (:func:`intervals`) were widened by (1 if none)."""
    return float(table["dispersion"].iloc[0]) if len(table) else 1.0


def _number(value: float) -> str:
    return f"{value:.4g}"


def scenario_yaml(fit: Fit, log: ChatLog, table: pd.DataFrame, study_trials: int) -> str:
    """The fitted scenario: the structure, the estimates, a comment on each."""
    data = fit.structure.scenario_data("fitted", fit.seed, 10)
    data["description"] = (f"Fitted by commsim fit to a {log.format} export: "
                           f"{log.describe()['members']} members over {log.days} days.")
    comments: dict[str, str] = {}
    values = {**fit.fixed, **{r.parameter: r.estimate for r in table.itertuples()}}
    for key, value in values.items():
        node = data
        parts = key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = float(_number(value)) if isinstance(value, float) else value
    for r in table.itertuples():
        comments[r.parameter] = (f"fitted: {_number(r.estimate)}, 90% interval "
                                 f"{_number(r.low)} to {_number(r.high)} (from {r.statistics})"
                                 + (f"; weakly informed: the interval is {r.width:.0%} of "
                                    "the range" if r.width > WEAK else ""))
    for key in fit.fixed:
        comments.setdefault(key, "fixed, not fitted")
    head = [f"# Fitted by commsim fit: {study_trials} trials of study {fit.study.study_name}.",
            "# Structure (days, founders, operators, the owner's posting) is read from the",
            "# export; the commented values are fitted, with 90% intervals of the Gaussian",
            "# synthetic likelihood, linearised near the best trials (widened by the",
            f"# dispersion {dispersion(table):.3g}; docs/chat-exports.md, "
            "\"Fitting your group\").",
            "# Add arms to compare strategies on this group."]
    if fit.dropped:
        head.append("# Not fitted (the export cannot inform them): "
                    + ", ".join(fit.dropped) + ".")
    return "\n".join(head) + "\n" + annotate(yaml.safe_dump(data, sort_keys=False), comments)


def annotate(text: str, comments: dict[str, str]) -> str:
    """Put ``# comment`` above the line of each dotted key of a block-style YAML text."""
    out, path = [], []
    for line in text.splitlines():
        stripped = line.lstrip(" ")
        if stripped and not stripped.startswith(("-", "#")) and ":" in stripped:
            depth = (len(line) - len(stripped)) // 2
            path = [*path[:depth], stripped.split(":", 1)[0]]
            key = ".".join(path)
            if key in comments:
                out.append(" " * (2 * depth) + "# " + comments[key])
        out.append(line)
    return "\n".join(out) + "\n"


# --- plots ------------------------------------------------------------------------------


def _per_member(log: ChatLog) -> np.ndarray:
    counts = log.messages["member"].value_counts().to_numpy()
    return np.sort(counts)[::-1]


def _daily(log: ChatLog) -> pd.Series:
    times = pd.concat([log.messages["time"], log.events["time"]])
    start = times.min().normalize()
    days = (log.messages["time"].dt.normalize() - start).dt.days
    return days.value_counts().reindex(range(log.days), fill_value=0).sort_index()


def _weekly_events(log: ChatLog, kinds: tuple[str, ...]) -> pd.Series:
    times = pd.concat([log.messages["time"], log.events["time"]])
    start = times.min().normalize()
    ev = log.events[log.events["kind"].isin(kinds)]
    weeks = (ev["time"].dt.normalize() - start).dt.days // 7
    return weeks.value_counts().reindex(range(log.days // 7 + 1), fill_value=0).sort_index()


def log_figures(observed: ChatLog, fitted: ChatLog | None, table: pd.DataFrame
                ) -> list[go.Figure]:
    """Plots of the observed group beside a fitted one.

    Messages per member, daily volume, joins and leaves (one simulated group at the
    estimates); newcomers' and replies' statistics (fitted: the simulated groups' mean).
    """
    logs = [("observed", observed, "#1f77b4")]
    if fitted is not None:
        logs.append(("fitted (one simulated group)", fitted, "#d62728"))
    rank = go.Figure()
    daily = go.Figure()
    moves = go.Figure()
    for label, log, colour in logs:
        counts = _per_member(log)
        rank.add_trace(go.Scatter(x=np.arange(1, len(counts) + 1), y=counts, name=label,
                                  mode="markers", marker={"color": colour, "size": 5}))
        day = _daily(log)
        daily.add_trace(go.Scatter(x=day.index, y=day.to_numpy(), name=label,
                                   line={"color": colour}))
        for kinds, dash, what in ((("joined_link", "added"), "solid", "joins"),
                                  (("left", "removed"), "dot", "leaves")):
            week = _weekly_events(log, kinds)
            moves.add_trace(go.Scatter(x=week.index, y=week.to_numpy(),
                                       name=f"{what}, {label}",
                                       line={"color": colour, "dash": dash}))
    rank.update_layout(title="Messages per member, by rank (log-log)", xaxis_type="log",
                       yaxis_type="log", xaxis_title="rank", yaxis_title="messages")
    daily.update_layout(title="Messages a day", xaxis_title="day", yaxis_title="messages")
    moves.update_layout(title="Joins and leaves a week (leaves are absent from formats "
                        "that cannot show them)", xaxis_title="week", yaxis_title="events")
    bars = make_subplots(rows=1, cols=2, subplot_titles=(
        "Newcomers: first post and return", "Reply structure"))
    rows = table.set_index("statistic")
    for col, names in ((1, NEWCOMER_STATS), (2, REPLY_STATS)):
        for what, colour in (("observed", "#1f77b4"), ("fitted", "#d62728")):
            bars.add_trace(go.Bar(x=list(names), y=[rows.loc[n, what] for n in names],
                                  name=what, marker_color=colour, showlegend=col == 1),
                           row=1, col=col)
    bars.update_layout(title="Newcomers and replies (a missing bar: unusable for this "
                       "export, or the simulated groups cannot give it)")
    return [rank, daily, moves, bars]


def parameter_figure(fit: Fit, table: pd.DataFrame) -> go.Figure:
    """Each parameter: every trial's distance against its value, and its interval.

    Accepted trials are red; the interval is shaded.
    """
    trials = [t for t in fit.study.get_trials(deepcopy=False) if t.value is not None]
    keep = {t.number for t in accepted(fit.study, len(fit.params))}
    n = max(len(table), 1)
    fig = make_subplots(rows=1, cols=n, subplot_titles=[r.parameter.split(".")[-1]
                                                        for r in table.itertuples()])
    for i, r in enumerate(table.itertuples(), start=1):
        x = [t.params.get(r.parameter) for t in trials]
        y = [t.value for t in trials]
        colour = ["#d62728" if t.number in keep else "#999999" for t in trials]
        fig.add_trace(go.Scatter(x=x, y=y, mode="markers", marker={"color": colour, "size": 5},
                                 showlegend=False), row=1, col=i)
        fig.add_vrect(x0=r.low, x1=r.high, fillcolor="#d62728", opacity=0.12, line_width=0,
                      row=1, col=i)
        if PARAM_BY_KEY[r.parameter].log:
            fig.update_xaxes(type="log", row=1, col=i)
    fig.update_yaxes(type="log", title_text="distance", row=1, col=1)
    fig.update_layout(title="Each parameter: trials (red: the line's trials) and its 90% interval "
                      "(shaded)", height=420)
    return fig


# --- the page ---------------------------------------------------------------------------


def found_rows(fit: Fit, log: ChatLog) -> list[list[Any]]:
    """What the export shows: the rows of the command's first table."""
    found = log.describe()
    s = fit.structure
    rows: list[list[Any]] = [[k, v] for k, v in found.items()]
    rows += [["format", log.format],
             ["founders (in the group on day 1)", s.founders],
             ["owner (guessed)", s.owner or "none guessed"],
             ["administrators (guessed)", ", ".join(s.admins) or "none"],
             ["owner's messages a day", round(s.owner_posts_per_day, 2)]]
    return rows


def report_html(fit: Fit, log: ChatLog, fitted_log: ChatLog | None, stats: pd.DataFrame,
                table: pd.DataFrame) -> str:
    """The self-contained report page."""
    trials = trial_table(fit.study)
    parts = ["<h1>Fit of the simulator to a chat export</h1>",
             f"<p>Export <code>{html.escape(log.source)}</code> ({html.escape(log.format)}); "
             f"study <code>{html.escape(fit.study.study_name)}</code> in <code>study.db</code>, "
             f"{len(trials)} trials, {fit.replicates} simulated groups each.</p>",
             "<h2>What the export shows</h2>",
             html_table(["", "value"], found_rows(fit, log)),
             "<h2>Fitted parameters</h2>",
             "<p>A Gaussian synthetic likelihood (Wood 2010) of the statistics used, "
             "linearised: the simulated means as a straight line in the parameters, "
             "fitted over the lowest-distance trials; the statistics' covariance "
             "from groups simulated with fresh seeds at the best trial. Centre: the "
             "generalised least squares solution; its covariance the inverse Fisher "
             "information widened by the dispersion (the misfit's chi-square at the best "
             "values inside the ranges over its degrees of freedom, at least 1; here "
             f"{dispersion(table):.3g}). That Gaussian cut to the ranges is the posterior "
             "under the search's uniform prior: the estimate is its mean, the 90% interval "
             "its 5% to 95% points.</p>"]
    if len(table):
        parts.append(html_table(
            ["parameter", "estimate", "90% low", "90% high", "share of the range",
             "best trial", "range", "trials of the line", "fitted to"],
            [[r.parameter, r.estimate, r.low, r.high, f"{r.width:.0%}", r.best,
              f"{r.range_low:g} to {r.range_high:g}", r.accepted, r.statistics]
             for r in table.itertuples()]))
    else:
        parts.append("<p><b>No trial is complete yet.</b></p>")
    if fit.dropped:
        parts += ["<h3>Not fitted: the export cannot inform them</h3>",
                  html_table(["parameter", "why"], [[k, v] for k, v in fit.dropped.items()])]
    parts += ["<h2>Statistics: observed and fitted</h2>",
              "<p>Fitted: the mean of the simulated groups at the estimates, passed through "
              "the export's format. Used: in the distance. Unusable statistics are not "
              "fitted; the reason says why.</p>",
              html_table(["statistic", "observed", "fitted", "used", "unusable because",
                          "what"],
                         [[r.statistic, r.observed, r.fitted, "yes" if r.used else "no",
                           r.reason, r.description] for r in stats.itertuples()])]
    figs = log_figures(log, fitted_log, stats)
    if len(table):
        figs.append(parameter_figure(fit, table))
    if len(trials):
        figs += figures(fit.study, "distance")
    for i, fig in enumerate(figs):
        fig.update_layout(template="plotly_white")
        parts.append(to_html(fig, full_html=False,
                             include_plotlyjs="inline" if i == 0 else False))
    return study_page("commsim fit", parts)


def write_fit(fit: Fit, log: ChatLog, out: Path) -> Path:
    """Simulate at the estimates once more, then write the four files into ``out``."""
    table = intervals(fit)
    fitted_means: dict[str, float] = {}
    fitted_log = None
    if len(table):
        values = {r.parameter: r.estimate for r in table.itertuples()}
        _, fitted_means = fit.evaluate(values)
        fitted_log = as_exported(simulate_chatlog(fit.scenario_for(values)), fit.fmt,
                                 fit.limits)
    stats = statistics_table(fit, fitted_means)
    trials = trial_table(fit.study)
    return write_together(out, {
        "scenario.yaml": text_writer(scenario_yaml(fit, log, table, len(trials))),
        "fingerprint.parquet": parquet_writer(stats),
        "trials.parquet": parquet_writer(trials if len(trials) else pd.DataFrame()),
        "report.html": text_writer(report_html(fit, log, fitted_log, stats, table)),
    })

