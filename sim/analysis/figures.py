"""Figures of runs and comparisons: pure functions from tidy DataFrames to Plotly figures.

The HTML report (:mod:`sim.analysis.report`) and the dashboard draw the same pictures from the
same tables (``RunResult.timeseries``, ``.summary``, ``.members`` and the table of
:func:`sim.analysis.compare.compare`), so a chart looks the same wherever it is read. Nothing
here runs a model. Every chart has axis titles with units; bands are the 10-90% range
across replicates around their mean.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence

import networkx as nx
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import qualitative
from plotly.subplots import make_subplots

from sim.analysis.compare import format_difference, outcome_info, outcome_values
from sim.engine.state import MESSAGE_KINDS

ARM_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
               "#17becf", "#7f7f7f", "#bcbd22")
"""Colour of each arm, in run order (baseline first, in blue)."""
KIND_COLOURS = {
    "content": "#1b9e77", "chat": "#7570b3", "question": "#e6ab02", "answer": "#66a61e",
    "ad": "#d62728", "red_envelope": "#e7298a", "thanks": "#a6761d", "announcement": "#666666",
}
"""Colour of each message kind (ads, the spam, in red)."""
ROLE_COLOURS = {
    "owner": "#000000", "admin": "#1f77b4", "opinion_leader": "#9467bd",
    "seed_user": "#2ca02c", "member": "#17becf", "lurker": "#aaaaaa", "spammer": "#d62728",
    "hunter": "#ff7f0e",
}
"""Colour of each role label (``agents.ROLES``) in the social graph."""
ROLE_NAMES = {"admin": "administrator", "hunter": "red-envelope hunter"}
BAND = (0.1, 0.9)
"""Quantiles of the bands drawn around means (10% and 90% of replicates)."""
TEMPLATE = go.layout.Template(layout={
    "font": {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 13,
             "color": "#2a3f5f"},
    "paper_bgcolor": "white", "plot_bgcolor": "white",
    "xaxis": {"gridcolor": "#ebf0f8", "linecolor": "#ebf0f8", "zerolinecolor": "#ebf0f8",
              "automargin": True},
    "yaxis": {"gridcolor": "#ebf0f8", "linecolor": "#ebf0f8", "zerolinecolor": "#ebf0f8",
              "automargin": True},
    "hoverlabel": {"align": "left"},
})
"""A light look (white, faint grid); smaller and quicker to build than plotly's own."""
SIDE_LEGEND = {"orientation": "v", "yanchor": "top", "y": 1, "xanchor": "left", "x": 1.02}
FACETS_PER_ROW = 3
FACET_HEIGHT = 360
"""Pixels per row of panels in the per-arm figures."""
FACET_GAP = 110
"""Pixels between rows of panels: room for the x-axis title above and the panel title."""
COLOUR_TICKS = (0, 10, 100, 1000, 10000)
"""Messages written marked on the graph's colour bar (its scale is log10(1 + messages))."""
PERCENT_TICKS = ".1~%"
"""Percent ticks with one decimal where needed (1%, 1.5%, 2%), so no label repeats."""

ColumnOrFunc = str | Callable[[pd.DataFrame], pd.Series]


def arms_of(frame: pd.DataFrame) -> list[str]:
    """Arms in the order they appear (the runner's order: baseline first)."""
    return list(dict.fromkeys(frame["arm"]))


def arm_colour(arms: Sequence[str], arm: str) -> str:
    """The colour of ``arm`` among ``arms``."""
    return ARM_COLOURS[list(arms).index(arm) % len(ARM_COLOURS)]


def _rgba(colour: str, alpha: float) -> str:
    colour = colour.lstrip("#")
    r, g, b = (int(colour[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _layout(fig: go.Figure, title: str, height: int = 420, hovermode: str = "x unified",
            legend: dict | None = None, **kwargs) -> go.Figure:
    fig.update_layout(title={"text": title, "x": 0, "xanchor": "left"}, template=TEMPLATE,
                      height=height, margin={"l": 70, "r": 20, "t": 60, "b": 60},
                      legend=legend or {"orientation": "h", "yanchor": "bottom", "y": 1.0,
                                        "xanchor": "right", "x": 1},
                      hovermode=hovermode, **kwargs)
    return fig


def _note(fig: go.Figure, text: str) -> None:
    fig.add_annotation(text=text, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper",
                       font={"size": 16, "color": "#666"}, bgcolor="rgba(255,255,255,0.8)")


def band_stats(ts: pd.DataFrame, value: ColumnOrFunc, arm: str, smooth: int = 1
               ) -> pd.DataFrame:
    """Per day: the mean over replicates of ``value`` and its 10% and 90% quantiles.

    ``value`` is a timeseries column or a function of the timeseries giving one value
    per row. With ``smooth > 1`` each replicate's series is first averaged over the
    past ``smooth`` days. Empty values (NaN) are left out of that day's statistics.
    """
    sub = ts[ts["arm"] == arm]
    values = np.asarray(sub[value] if isinstance(value, str) else value(sub), dtype=np.float64)
    reps, rep_index = np.unique(sub["replicate"].to_numpy(), return_inverse=True)
    days, day_index = np.unique(sub["day"].to_numpy(), return_inverse=True)
    matrix = np.full((reps.size, days.size), np.nan)
    matrix[rep_index, day_index] = values
    if smooth > 1:
        matrix = pd.DataFrame(matrix.T).rolling(smooth, min_periods=1).mean().to_numpy().T
    if not np.isnan(matrix).any():
        mean = matrix.mean(axis=0)
        low, high = np.quantile(matrix, BAND, axis=0)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # days without any value
            mean = np.nanmean(matrix, axis=0)
            low, high = np.nanquantile(matrix, BAND, axis=0)
    return pd.DataFrame({"day": days, "mean": mean, "low": low, "high": high})


def _band_traces(stats: pd.DataFrame, name: str, colour: str, legend: bool,
                 group: str, hover: str) -> list[go.Scatter]:
    days = stats["day"].to_numpy()
    ok = np.isfinite(stats["low"].to_numpy()) & np.isfinite(stats["high"].to_numpy())
    band = go.Scatter(
        x=np.concatenate([days[ok], days[ok][::-1]]),
        y=np.concatenate([stats["high"].to_numpy()[ok], stats["low"].to_numpy()[ok][::-1]]),
        fill="toself", fillcolor=_rgba(colour, 0.18), line={"width": 0}, hoverinfo="skip",
        name=f"{name} (10-90% of replicates)", legendgroup=group, showlegend=False)
    line = go.Scatter(x=days, y=stats["mean"], mode="lines", name=name, legendgroup=group,
                      line={"color": colour, "width": 2}, showlegend=legend,
                      hovertemplate=hover)
    return [band, line]


def timeseries_figure(ts: pd.DataFrame, value: ColumnOrFunc, title: str, y_title: str,
                      percent: bool = False, smooth: int = 1) -> go.Figure:
    """One line per arm (mean over replicates) with its 10-90% band, by day.

    Parameters
    ----------
    ts
        The timeseries table.
    value
        A column name, or a function of the timeseries rows giving one value per row.
    title, y_title
        Chart title and y-axis title (with the unit).
    percent
        Show the values as percentages.
    smooth
        Average each replicate over the past ``smooth`` days first (1: raw days).
    """
    arms = arms_of(ts)
    fig = go.Figure()
    hover = "%{y:.1%}" if percent else "%{y:,.1f}"
    for arm in arms:
        colour = arm_colour(arms, arm)
        fig.add_traces(_band_traces(band_stats(ts, value, arm, smooth), arm, colour, True, arm,
                                    hover))
    fig.update_xaxes(title_text="day of the simulation (days since the group was founded)")
    fig.update_yaxes(title_text=y_title, rangemode="tozero",
                     tickformat=PERCENT_TICKS if percent else None)
    return _layout(fig, title)


def money_over_time_figure(ts: pd.DataFrame) -> go.Figure:
    """Money spent and revenue summed from day 0, per arm (mean and 10-90% band).

    Solid lines are money spent, dotted ones revenue, in the arm's colour.
    """
    arms = arms_of(ts)
    ordered = ts.sort_values(["run_id", "day"])
    fig = go.Figure()
    for column, label, dash in (("money_spent", "spent", "solid"), ("revenue", "revenue", "dot")):
        total = ordered.groupby("run_id", sort=False)[column].cumsum().reindex(ts.index)
        for arm in arms:
            traces = _band_traces(band_stats(ts, lambda sub, t=total: t.loc[sub.index], arm),
                                  f"{arm}: {label}", arm_colour(arms, arm), True,
                                  f"{arm}-{column}", "%{y:,.0f} yuan")
            traces[1].line.dash = dash
            fig.add_traces(traces)
    if not ts[["money_spent", "revenue"]].to_numpy(float).any():
        _note(fig, "no money was spent or earned in any arm")
    fig.update_xaxes(title_text="day of the simulation")
    fig.update_yaxes(title_text="yuan since the start (cumulative)", rangemode="tozero")
    return _layout(fig, "Money spent and revenue over time", legend=SIDE_LEGEND)


def rolling_spam_share(ts: pd.DataFrame, window: int = 7) -> pd.Series:
    """Ads as a share of all messages over the last ``window`` days, per run and day.

    Empty (NaN) on days when nobody wrote anything in the window.
    """
    ordered = ts.sort_values(["run_id", "day"])
    grouped = ordered.groupby("run_id", sort=False)
    spam = grouped["spam_messages"].transform(lambda s: s.rolling(window, min_periods=1).sum())
    total = grouped["messages"].transform(lambda s: s.rolling(window, min_periods=1).sum())
    share = (spam / total.where(total > 0)).astype(float)
    return share.reindex(ts.index)


def _facet_grid(arms: Sequence[str], shared_y: bool = True, **kwargs
                ) -> tuple[go.Figure, int]:
    """One panel per arm, :data:`FACETS_PER_ROW` to a row; draw it ``_facet_height(rows)`` high."""
    cols = min(len(arms), FACETS_PER_ROW)
    rows = math.ceil(len(arms) / cols)
    gap = FACET_GAP / _facet_height(rows) if rows > 1 else 0.0
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=list(arms), shared_yaxes=shared_y,
                        horizontal_spacing=0.06, vertical_spacing=gap, **kwargs)
    return fig, rows


def _facet_height(rows: int) -> int:
    """Height in pixels of a figure with ``rows`` rows of panels."""
    return FACET_HEIGHT * rows + 60


def _cell(i: int) -> dict:
    return {"row": i // FACETS_PER_ROW + 1, "col": i % FACETS_PER_ROW + 1}


def messages_by_kind_figure(ts: pd.DataFrame, kinds: Sequence[str] = MESSAGE_KINDS,
                            smooth: int = 7) -> go.Figure:
    """Messages per day by kind, one panel per arm (mean and 10-90% band per kind).

    Each replicate is averaged over the past ``smooth`` days first.
    """
    arms = arms_of(ts)
    fig, rows = _facet_grid(arms)
    traces, cells = [], []
    for i, arm in enumerate(arms):
        for kind in kinds:
            column = f"msg_{kind}"
            if column not in ts or not ts.loc[ts["arm"] == arm, column].any():
                continue
            traces += _band_traces(band_stats(ts, column, arm, smooth), kind.replace("_", " "),
                                   KIND_COLOURS.get(kind, "#333333"), i == 0, kind,
                                   "%{y:,.1f}")
            cells += [_cell(i)] * 2
    if traces:
        fig.add_traces(traces, rows=[c["row"] for c in cells], cols=[c["col"] for c in cells])
    fig.update_xaxes(title_text="day of the simulation")
    fig.update_yaxes(title_text=f"messages per day ({smooth}-day average)" if smooth > 1
                     else "messages per day", col=1, rangemode="tozero")
    return _layout(fig, "Messages per day, by kind", height=_facet_height(rows),
                   legend=SIDE_LEGEND)


def survival_figure(ts: pd.DataFrame) -> go.Figure:
    """Share of replicates whose group is still alive, by day, one line per arm."""
    arms = arms_of(ts)
    fig = go.Figure()
    for arm in arms:
        alive = ts[ts["arm"] == arm].groupby("day")["alive"].mean()
        fig.add_trace(go.Scatter(x=alive.index, y=alive.to_numpy(), mode="lines", name=arm,
                                 line={"color": arm_colour(arms, arm), "width": 2,
                                       "shape": "hv"}, hovertemplate="%{y:.0%}"))
    if len(ts) and ts["alive"].all():
        _note(fig, "every group stayed alive in every arm (the lines overlap at 100%)")
    fig.update_xaxes(title_text="day of the simulation")
    fig.update_yaxes(title_text="simulated groups still alive", range=[0, 1.05],
                     tickformat=PERCENT_TICKS)
    return _layout(fig, "Survival of the group")


def _spread(values: np.ndarray) -> tuple[float, float, float]:
    values = values[np.isfinite(values)]
    if values.size == 0:
        return math.nan, math.nan, math.nan
    low, high = np.quantile(values, BAND)
    return float(values.mean()), float(low), float(high)


def money_figure(summary: pd.DataFrame) -> go.Figure:
    """Money spent and revenue per arm: mean over replicates, whiskers 10-90%."""
    arms = arms_of(summary)
    fig = go.Figure()
    for column, label, colour in (("money_spent", "money spent", "#d62728"),
                                  ("revenue", "revenue", "#2ca02c")):
        stats = [_spread(summary.loc[summary["arm"] == a, column].to_numpy(float))
                 for a in arms]
        mean = np.array([s[0] for s in stats])
        fig.add_trace(go.Bar(
            x=arms, y=mean, name=label, marker_color=colour,
            error_y={"type": "data", "symmetric": False,
                     "array": np.array([s[2] for s in stats]) - mean,
                     "arrayminus": mean - np.array([s[1] for s in stats])},
            hovertemplate="%{y:,.0f} yuan"))
    fig.update_layout(barmode="group")
    if not summary[["money_spent", "revenue"]].to_numpy(float).any():
        _note(fig, "no money was spent or earned in any arm")
    fig.update_xaxes(title_text="arm")
    fig.update_yaxes(title_text="yuan over the whole run", rangemode="tozero")
    return _layout(fig, "Money spent and revenue", hovermode="closest")


def cost_per_active_figure(summary: pd.DataFrame) -> go.Figure:
    """Money spent per member still active at the end, per arm (whiskers 10-90%)."""
    arms = arms_of(summary)
    values = outcome_values(summary, "cost_per_active_member")
    stats = [_spread(values[summary["arm"] == a].to_numpy()) for a in arms]
    mean = np.array([s[0] for s in stats])
    fig = go.Figure(go.Bar(
        x=arms, y=mean, marker_color=[arm_colour(arms, a) for a in arms], showlegend=False,
        error_y={"type": "data", "symmetric": False,
                 "array": np.array([s[2] for s in stats]) - mean,
                 "arrayminus": mean - np.array([s[1] for s in stats])},
        hovertemplate="%{y:,.2f} yuan per active member<extra>%{x}</extra>"))
    if np.nansum(np.abs(mean)) == 0:
        _note(fig, "no arm spent any money")
    fig.update_xaxes(title_text="arm")
    fig.update_yaxes(title_text="yuan per active member at the end", rangemode="tozero")
    return _layout(fig, "Cost per retained active member", hovermode="closest")


def retention_curves(members: pd.DataFrame, days: int, cohort_days: int = 30,
                     min_people: int = 10, min_days: int = 7) -> pd.DataFrame:
    """Newcomer retention by join cohort: share still members ``k`` days after joining.

    Newcomers (not founders) are grouped by the month they joined (``cohort_days``
    days per month) and pooled over replicates. A cohort's curve runs only as far as
    every one of its members can be followed (up to the end of the run from the
    cohort's last joining day), so the same people are counted at every ``k`` and
    the curve can only fall. Cohorts smaller than ``min_people`` or followed for
    fewer than ``min_days`` are left out. Someone who leaves on the ``k``-th day after
    joining counts as still a member at ``k`` (as in
    :func:`sim.engine.metrics.newcomer_retention`).

    Returns
    -------
    pandas.DataFrame
        Columns ``arm``, ``cohort`` (1 = first month), ``cohort_label``, ``k``,
        ``share`` and ``people`` (size of the cohort).
    """
    new = members[~members["founder"].astype(bool)]
    frames = []
    for arm in arms_of(members) if len(members) else []:
        sub = new[new["arm"] == arm]
        joined = sub["joined_day"].to_numpy(np.int64)
        left = sub["left_day"].astype("Float64").to_numpy(dtype=np.float64, na_value=np.inf)
        stay = left - joined  # days after joining they were still members (inf: to the end)
        cohort = joined // cohort_days
        for c in np.unique(cohort):
            mask = cohort == c
            people = int(mask.sum())
            last_join = min((c + 1) * cohort_days - 1, days - 1)
            horizon = days - 1 - last_join
            if people < min_people or horizon < min_days:
                continue
            k = np.arange(horizon + 1)
            kept = (stay[mask][:, None] >= k[None, :]).mean(axis=0)
            first = c * cohort_days
            frames.append(pd.DataFrame({
                "arm": arm, "cohort": int(c) + 1,
                "cohort_label": f"month {int(c) + 1} (joined days {first}-{last_join})",
                "k": k, "share": kept, "people": people}))
    if not frames:
        return pd.DataFrame(columns=["arm", "cohort", "cohort_label", "k", "share", "people"])
    return pd.concat(frames, ignore_index=True)


def retention_figure(curves: pd.DataFrame, arms: Sequence[str] | None = None) -> go.Figure:
    """Retention curves by join cohort (from :func:`retention_curves`), a panel per arm."""
    arms = list(arms) if arms is not None else arms_of(curves)
    cohorts = sorted(curves["cohort"].unique()) if len(curves) else []
    if not cohorts:  # one note, not a grid of empty panels
        fig = go.Figure()
        _note(fig, "no cohort of newcomers large enough to follow (a longer run has some)")
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
        return _layout(fig, "Newcomer retention by month of joining", height=240)
    fig, rows = _facet_grid(arms)
    scale = qualitative.Plotly
    for i, arm in enumerate(arms):
        sub = curves[curves["arm"] == arm]
        for c in cohorts:
            line = sub[sub["cohort"] == c]
            if line.empty:
                continue
            fig.add_trace(go.Scatter(
                x=line["k"], y=line["share"], mode="lines", name=line["cohort_label"].iloc[0],
                legendgroup=str(c), showlegend=i == 0,
                line={"color": scale[(c - 1) % len(scale)], "width": 2},
                customdata=line["people"],
                hovertemplate="%{y:.0%} of %{customdata} people still in after %{x} days"),
                **_cell(i))
    fig.update_xaxes(title_text="days since joining")
    fig.update_yaxes(title_text="share of the cohort still in the group", range=[0, 1.05],
                     tickformat=PERCENT_TICKS, col=1)
    return _layout(fig, "Newcomer retention by month of joining", height=_facet_height(rows),
                   hovermode="closest", legend=SIDE_LEGEND)


def participation_curves(members: pd.DataFrame) -> pd.DataFrame:
    """Share of people (ever members) who wrote at least ``x`` messages, per arm.

    Pooled over replicates; ``x`` runs over the message counts that occur (at least
    1, so that the curve fits on log axes). ``never_posted`` is the share with none.
    """
    frames = []
    for arm in arms_of(members) if len(members) else []:
        counts = members.loc[members["arm"] == arm, "messages"].to_numpy(np.int64)
        values, freq = np.unique(counts, return_counts=True)
        at_least = freq[::-1].cumsum()[::-1] / counts.size
        keep = values >= 1
        frames.append(pd.DataFrame({"arm": arm, "messages": values[keep],
                                    "share_at_least": at_least[keep],
                                    "never_posted": float((counts == 0).mean())}))
    if not frames:
        return pd.DataFrame(columns=["arm", "messages", "share_at_least", "never_posted"])
    return pd.concat(frames, ignore_index=True)


def participation_figure(members: pd.DataFrame) -> go.Figure:
    """Posts per member on log-log axes: who writes the group's messages."""
    curves = participation_curves(members)
    arms = arms_of(members)
    fig = go.Figure()
    for arm in arms:
        sub = curves[curves["arm"] == arm]
        if sub.empty:
            continue
        fig.add_trace(go.Scatter(
            x=sub["messages"], y=sub["share_at_least"], mode="lines+markers",
            name=f"{arm} ({sub['never_posted'].iloc[0]:.0%} never posted)",
            line={"color": arm_colour(arms, arm), "width": 2, "shape": "hv"},
            marker={"size": 4},
            hovertemplate="%{y:.2%} wrote at least %{x:,} messages"))
    fig.update_xaxes(title_text="messages written by one person over the run (log scale)",
                     type="log", dtick=1)
    fig.update_yaxes(title_text="members who wrote at least that many (log)",
                     type="log", tickformat=PERCENT_TICKS, dtick=1)  # one label per decade
    return _layout(fig, "Participation inequality: posts per member", hovermode="closest",
                   legend=SIDE_LEGEND)


def _unit_suffix(info, units: dict[str, str]) -> str:
    """`` (unit)`` after an outcome's label, unless the label already ends with it."""
    unit = units.get(info.kind)
    return f" ({unit})" if unit and not info.label.endswith(f"({unit})") else ""


def differences_figure(comparison: pd.DataFrame) -> go.Figure:
    """Difference from the baseline per outcome and arm, with its confidence interval.

    One small panel per outcome, in the outcome's own unit (shares in percentage
    points); green when the arm is clearly better, red when clearly worse, grey
    otherwise.
    """
    rows = comparison[comparison["arm"] != comparison["baseline"]]
    outcomes = list(dict.fromkeys(rows["outcome"]))
    arms = list(dict.fromkeys(rows["arm"]))
    if not outcomes:
        fig = go.Figure()
        _note(fig, "only one arm: nothing to compare")
        return _layout(fig, "Differences from the baseline", height=200)
    units = {"share": "percentage points", "money": "yuan", "hours": "hours", "day": "days"}
    titles = [f"<b>{outcome_info(o).label}</b>" + _unit_suffix(outcome_info(o), units)
              for o in outcomes]
    panel = 40 + 28 * len(arms)
    height = (panel + 55) * len(outcomes) + 60
    fig = make_subplots(rows=len(outcomes), cols=1, subplot_titles=titles,
                        vertical_spacing=min(0.3, 55 / height))
    colours = {"better": "#2ca02c", "worse": "#d62728"}
    traces, ranges = [], {}
    for i, outcome in enumerate(outcomes, start=1):
        sub = rows[rows["outcome"] == outcome].set_index("arm").reindex(arms)
        scale = 100.0 if outcome_info(outcome).kind == "share" else 1.0
        diff = sub["difference"].to_numpy(float) * scale
        low = sub["ci_low"].to_numpy(float) * scale
        high = sub["ci_high"].to_numpy(float) * scale
        text = [f"{format_difference(outcome, d)}: {v}" for d, v in
                zip(sub["difference"], sub["verdict"], strict=True)]
        colour = [colours.get(a, "#555555") for a in sub["assessment"].fillna("")]
        traces.append(go.Scatter(
            x=diff, y=arms, mode="markers", showlegend=False, text=text,
            marker={"size": 11, "color": colour},
            error_x={"type": "data", "symmetric": False, "array": np.nan_to_num(high - diff),
                     "arrayminus": np.nan_to_num(diff - low), "color": "#777",
                     "thickness": 1.5},
            hovertemplate="%{y}: %{text}<extra></extra>"))
        reach = np.concatenate([[0.0], diff, low, high])
        reach = reach[np.isfinite(reach)]
        left, right = reach.min(), reach.max()
        pad = 0.08 * (right - left) if right > left else 1.0
        ranges[f"xaxis{i if i > 1 else ''}"] = {"range": [left - pad, right + pad]}
    fig.add_traces(traces, rows=list(range(1, len(outcomes) + 1)), cols=[1] * len(outcomes))
    fig.update_layout(ranges)
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(zeroline=True, zerolinecolor="#888", zerolinewidth=2)
    fig.update_annotations(font_size=13)
    return _layout(fig, "Arm minus baseline (dot: mean difference; bar: confidence interval)",
                   height=height, hovermode="closest")


def graph_frames(adjacency, members: pd.DataFrame, seed: int = 0, max_nodes: int = 800
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Nodes (with positions) and edges of the group's part of the social graph.

    Parameters
    ----------
    adjacency
        The world's sparse adjacency (``model.world.adjacency``); rows are agent ids.
    members
        The members table of ONE run (everyone who was ever a member).
    seed
        Seed of the spring layout (computed once, here).
    max_nodes
        At most this many people: current members first, then those who left, most
        active first, so the picture stays readable and quick to lay out.

    Returns
    -------
    tuple of pandas.DataFrame
        ``nodes``: the members rows kept, with ``x``, ``y``, ``friends`` (in the
        picture) and ``status`` (still a member, left, removed); ``edges``: ``source``
        and ``target`` positions in ``nodes``. The largest circle of friends is laid
        out by a spring layout; everyone else (alone, or in small separate circles)
        sits on a ring around it, small circles side by side.
    """
    order = members.assign(_current=members["exit"] == "member").sort_values(
        ["_current", "messages", "agent_id"], ascending=[False, False, True], kind="stable")
    nodes = order.head(max_nodes).drop(columns="_current").sort_values("agent_id")
    nodes = nodes.reset_index(drop=True)
    rows = nodes["agent_id"].to_numpy(np.int64)
    sub = adjacency[rows][:, rows].tocoo()
    keep = sub.row < sub.col
    edges = pd.DataFrame({"source": sub.row[keep].astype(np.int64),
                          "target": sub.col[keep].astype(np.int64)})
    friends = np.bincount(np.concatenate([edges["source"], edges["target"]]),
                          minlength=len(nodes))
    graph = nx.Graph()
    graph.add_nodes_from(range(len(nodes)))
    graph.add_edges_from(zip(edges["source"].tolist(), edges["target"].tolist(), strict=True))
    parts = sorted((sorted(c) for c in nx.connected_components(graph)),
                   key=lambda c: (-len(c), c[0]))
    xy = np.zeros((len(nodes), 2))
    if parts and len(parts[0]) > 1:
        core = parts.pop(0)
        pos = nx.spring_layout(graph.subgraph(core), seed=seed, iterations=80)
        xy[core] = np.array([pos[i] for i in core])
    ring = [i for part in parts for i in part]
    angle = 2 * np.pi * np.arange(len(ring)) / max(1, len(ring))
    xy[ring] = 1.3 * np.column_stack([np.cos(angle), np.sin(angle)])
    nodes["x"], nodes["y"] = xy[:, 0], xy[:, 1]
    nodes["friends"] = friends
    nodes["status"] = nodes["exit"].map({"member": "still a member", "left": "left",
                                         "removed": "removed"}).fillna(nodes["exit"])
    return nodes, edges


def _role_name(label: str) -> str:
    return ROLE_NAMES.get(label, label.replace("_", " "))


def members_on_day(nodes: pd.DataFrame, day: int) -> pd.Series:
    """Whether each person of ``nodes`` was in the group on ``day``.

    Someone who left on ``day`` is no longer counted; nobody has joined before their
    ``joined_day``.
    """
    left = nodes["left_day"].astype("Float64").fillna(np.inf).astype(float)
    return (nodes["joined_day"] <= day) & (left > day)


def graph_figure(nodes: pd.DataFrame, edges: pd.DataFrame, title: str = "Social graph",
                 day: int | None = None, colour_by: str = "role") -> go.Figure:
    """The group's friendships: colour is the role (or activity), size the messages written.

    Filled dots are people still in the group at the end, rings people who left or
    were removed; dot size grows with the logarithm of messages; a line is a
    friendship.

    Parameters
    ----------
    nodes, edges
        The frames of :func:`graph_frames`.
    title
        Chart title.
    day
        Show the group as it was on this day: filled dots are the members of that
        day, rings people who had left by then; people who had not joined yet are
        not drawn, nor friendships of people no longer in the group.
    colour_by
        ``"role"`` (role at the end) or ``"activity"`` (messages written over the run,
        on a log colour scale).
    """
    frame = None
    if day is not None:
        pad = 0.05 * max(1e-9, float(np.ptp(nodes[["x", "y"]].to_numpy()))) if len(nodes) else 0
        frame = {"x": [nodes["x"].min() - pad, nodes["x"].max() + pad] if len(nodes) else None,
                 "y": [nodes["y"].min() - pad, nodes["y"].max() + pad] if len(nodes) else None}
        present = members_on_day(nodes, day)
        joined = nodes["joined_day"] <= day
        keep = np.flatnonzero(joined.to_numpy())
        index = np.full(len(nodes), -1)
        index[keep] = np.arange(keep.size)
        inside = present.to_numpy()
        both = inside[edges["source"]] & inside[edges["target"]]
        edges = pd.DataFrame({"source": index[edges["source"][both]],
                              "target": index[edges["target"][both]]})
        nodes = nodes.iloc[keep].assign(exit=np.where(present.iloc[keep], "member", "left"),
                                        status=np.where(present.iloc[keep], "in the group",
                                                        "had left"))
        nodes = nodes.reset_index(drop=True)
    fig = go.Figure()
    x, y = nodes["x"].to_numpy(), nodes["y"].to_numpy()
    s, t = edges["source"].to_numpy(np.int64), edges["target"].to_numpy(np.int64)
    ex = np.column_stack([x[s], x[t], np.full(s.size, np.nan)]).ravel()
    ey = np.column_stack([y[s], y[t], np.full(s.size, np.nan)]).ravel()
    fig.add_trace(go.Scatter(x=ex, y=ey, mode="lines", line={"color": "rgba(0,0,0,0.12)",
                                                             "width": 0.6},
                             hoverinfo="skip", name="friendship", showlegend=False))
    nodes = nodes.assign(_size=4 + 3 * np.log1p(nodes["messages"].to_numpy(np.float64)))
    roles = [r for r in ROLE_COLOURS if r in set(nodes["role_at_end"])] + sorted(
        set(nodes["role_at_end"]) - set(ROLE_COLOURS))
    for i, role in enumerate(roles):
        sub = nodes[nodes["role_at_end"] == role]
        # the legend shows a trace's first marker: a filled dot, whenever the role has
        # current members (rings are people who left or were removed)
        sub = sub.iloc[np.argsort(~(sub["exit"] == "member").to_numpy(), kind="stable")]
        current = sub["exit"] == "member"
        colour = ROLE_COLOURS.get(role, "#333")
        marker = {"color": colour, "size": sub["_size"],
                  "symbol": np.where(current, "circle", "circle-open").tolist(),
                  "line": {"width": 1, "color": colour}, "opacity": 0.9}
        if colour_by == "activity":
            marker.update(color=np.log10(1 + sub["messages"].to_numpy(np.float64)),
                          colorscale="Viridis", cmin=0,
                          cmax=max(1.0, float(np.log10(1 + nodes["messages"].max()))),
                          line={"width": 1, "color": "rgba(0,0,0,0.35)"},
                          showscale=i == 0,
                          colorbar={"title": {"text": "messages written", "side": "right"},
                                    "tickvals": np.log10(1 + np.array(COLOUR_TICKS)).tolist(),
                                    "ticktext": [f"{t:,}" for t in COLOUR_TICKS]})
        fig.add_trace(go.Scatter(
            x=sub["x"], y=sub["y"], mode="markers", name=_role_name(role), marker=marker,
            showlegend=colour_by == "role",
            customdata=np.column_stack([sub["messages"], sub["status"], sub["joined_day"],
                                        sub["friends"] if "friends" in sub else
                                        np.zeros(len(sub), np.int64)]),
            hovertemplate=(f"{_role_name(role)}<br>%{{customdata[0]}} messages, "
                           "%{customdata[3]} friends in the group<br>"
                           "joined day %{customdata[2]}, %{customdata[1]}<extra></extra>")))
    fig.update_xaxes(visible=False, range=frame["x"] if frame else None)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1,
                     range=frame["y"] if frame else None)
    return _layout(fig, title, height=640, hovermode="closest")
