"""The optimization's outputs: the front, trials and importance tables and ``report.html``.

The tables are ``front.parquet``, ``trials.parquet`` and ``importance.parquet``. The
report shows the front as interactive scatters (each pair of objectives, coloured by a
third, or by the money used when there are two), every trial behind it in grey, each
front point's playbook in plain words with its objectives' intervals and its scenario
file to download, and which levers the objectives depend on most (Optuna's parameter
importances). One self-contained file that opens offline; the files are written
together or not at all. The figures are made from the tables alone, so the dashboard's
Optimize tab draws a study folder with the same functions.
"""

from __future__ import annotations

import base64
import html
import itertools
import math
import re
import warnings
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from optuna.trial import TrialState
from plotly.io import to_html

from sim.analysis.compare import outcome_info
from sim.analysis.html_tables import study_page, table
from sim.optimization.front import Front
from sim.optimization.search import HOURS, MONEY, Optimizer, trial_table
from sim.running.output import parquet_writer, text_writer, write_together

FRONT_FILE = "front.parquet"
TRIALS_FILE = "trials.parquet"
REPORT_FILE = "report.html"
IMPORTANCE_FILE = "importance.parquet"
MIN_TRIALS_FOR_IMPORTANCE = 8
BUDGET_WORDS = {MONEY: "yuan a month", HOURS: "hours a week of the owner's team"}
_QUANTILE = re.compile(r"^(?P<outcome>.+)_p(?P<q>\d{2})$")


def objective_words(label: str) -> str:
    """An objective's column (``members_final``, ``members_final_p10``) in words."""
    if label in BUDGET_WORDS:
        return BUDGET_WORDS[label]
    match = _QUANTILE.match(label)
    outcome = match["outcome"] if match else label
    words = "groups alive at the end" if outcome == "survival" else outcome_info(outcome).label
    if match:
        words += f" ({int(match['q'])}th percentile)"
    return words


def front_objectives(points: pd.DataFrame) -> list[str]:
    """The objectives of a front table, in order: the columns with an interval."""
    return [c for c in points.columns
            if {f"{c}_low", f"{c}_high", f"{c}_search"} <= set(points.columns)]


def front_scatter(points: pd.DataFrame, trials: pd.DataFrame | None, x: str, y: str,
                  colour: str) -> go.Figure:
    """The front on two axes, coloured by a third column, every trial behind it in grey.

    ``points`` is ``front.parquet``'s table, ``trials`` ``trials.parquet``'s (or None);
    the axes and the colour are objectives' columns or the budget's (``money_per_month``,
    ``hours_per_week``). An objective's bars span its 95% interval on the fresh runs. Each
    front marker carries its point number as ``customdata``.
    """
    fig = go.Figure()
    done = trials[trials["state"] == "complete"] if trials is not None else None
    for ok, name, symbol in ((True, "trials within budget", "circle"),
                             (False, "trials over budget", "x")):
        if done is None:
            break
        part = done[done["feasible"] == ok]
        fig.add_trace(go.Scatter(
            x=part[x], y=part[y], mode="markers", name=name,
            marker={"color": "#bbbbbb", "size": 6, "symbol": symbol},
            text=[f"trial {n}" for n in part["trial"]], hoverinfo="text+x+y"))
    if len(points):
        def bar(col: str) -> dict:
            if f"{col}_low" not in points:
                return {"visible": False}
            return {"type": "data", "symmetric": False,
                    "array": (points[f"{col}_high"] - points[col]).tolist(),
                    "arrayminus": (points[col] - points[f"{col}_low"]).tolist()}

        fig.add_trace(go.Scatter(
            x=points[x], y=points[y], mode="markers+text", name="front (fresh runs)",
            text=[str(p) for p in points["point"]], textposition="top right",
            customdata=points["point"].tolist(), error_x=bar(x), error_y=bar(y),
            marker={"size": 12, "color": points[colour], "colorscale": "Viridis",
                    "showscale": True, "colorbar": {"title": colour}},
            hovertext=[f"point {p}: {html.escape(t)}" for p, t in
                       zip(points["point"], points["playbook"], strict=True)],
            hoverinfo="text"))
    fig.update_layout(template="plotly_white", height=560,
                      legend={"orientation": "h", "y": -0.18},
                      xaxis_title=objective_words(x), yaxis_title=objective_words(y),
                      title=f"{x} against {y} (colour: {colour})")
    return fig


def front_figures(opt: Optimizer, trials: pd.DataFrame, front: Front) -> list[go.Figure]:
    """One scatter per pair of objectives (at most three pairs)."""
    labels = [o.label for o in opt.objectives]
    pairs = [(labels[0], MONEY)] if len(labels) == 1 else \
        list(itertools.combinations(labels, 2))[:3]
    return [front_scatter(front.table, trials, x, y,
                          next((c for c in labels if c not in (x, y)), MONEY))
            for x, y in pairs]


def importance_table(opt: Optimizer) -> pd.DataFrame:
    """Each lever's importance for each objective (Optuna's PED-ANOVA).

    Columns ``objective``, ``lever``, ``importance``; no rows for an objective with too
    few trials or a search space too small to tell.
    """
    import optuna

    rows = []
    complete = opt.study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    for k, objective in enumerate(opt.objectives):
        if len(complete) < MIN_TRIALS_FOR_IMPORTANCE or len({t.values[k] for t in complete}) < 2:
            continue
        sign = -1.0 if objective.goal == "maximize" else 1.0  # it ranks low values best
        try:
            with warnings.catch_warnings():  # its note on low values: the sign sees to it
                warnings.simplefilter("ignore", UserWarning)
                found = optuna.importance.get_param_importances(
                    opt.study, target=lambda t, k=k, sign=sign: sign * t.values[k])
        except (ValueError, RuntimeError):  # a search space too small to tell
            continue
        rows += [{"objective": objective.label, "lever": lever.name,
                  "importance": float(found.get(lever.name, 0.0))}
                 for lever in opt.search.levers]
    return pd.DataFrame(rows, columns=["objective", "lever", "importance"])


def importance_figure(importance: pd.DataFrame) -> go.Figure | None:
    """Bars of :func:`importance_table`'s table, one group per lever; None when empty."""
    if not len(importance):
        return None
    levers = list(dict.fromkeys(importance["lever"]))
    fig = go.Figure()
    for objective, part in importance.groupby("objective", sort=False):
        found = dict(zip(part["lever"], part["importance"], strict=True))
        fig.add_trace(go.Bar(y=levers, x=[found.get(n, 0.0) for n in levers],
                             orientation="h", name=objective))
    fig.update_layout(template="plotly_white", barmode="group",
                      height=max(360, 28 * len(levers) * len(fig.data) // 2 + 160),
                      xaxis_title="importance (Optuna's PED-ANOVA, normalised)",
                      yaxis={"autorange": "reversed"})
    return fig


def _download(text: str, point: int) -> str:
    data = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return (f"<a download='front-point-{point}.yaml' "
            f"href='data:text/yaml;base64,{data}'>point-{point}.yaml</a>")


def _with_interval(row: pd.Series, label: str) -> str:
    value, low, high = row[label], row[f"{label}_low"], row[f"{label}_high"]
    if math.isnan(low):
        return f"{value:.4g}"
    return f"{value:.4g} ({low:.4g} to {high:.4g})"


POINT_COLUMNS = ("point", "trial", "same runs", "playbook")
BUDGET_COLUMNS = ("yuan/month", "hours/week", "within budget")


def point_cells(row: pd.Series, labels: list[str]) -> list:
    """One front point's cells in the order of the front's table.

    ``POINT_COLUMNS``, each objective of ``labels`` with its interval, ``BUDGET_COLUMNS``.
    """
    return [int(row["point"]), int(row["trial"]), row["same_as"], row["playbook"],
            *(_with_interval(row, label) for label in labels),
            f"{row[MONEY]:.0f}", f"{row[HOURS]:.1f}",
            "yes" if row["within_budget"] else "no (on fresh runs)"]


def front_rows(opt: Optimizer, front: Front) -> list[list]:
    """One row per front point: its playbook, objectives, budget use, download."""
    labels = [o.label for o in opt.objectives]
    return [[*point_cells(row, labels), _download(row["scenario_yaml"], int(row["point"]))]
            for _, row in front.table.iterrows()]


def report_html(opt: Optimizer, trials: pd.DataFrame, front: Front,
                importance: pd.DataFrame | None = None) -> str:
    """The self-contained report page (``importance``: :func:`importance_table`'s)."""
    spec = opt.search.spec
    counts = trials["state"].value_counts().to_dict() if len(trials) else {}
    budget = spec.budget
    limits = [f"{budget.money_per_month:g} yuan a month" if budget.money_per_month is not None
              else None, f"{budget.hours_per_week:g} hours a week of the owner's team"
              if budget.hours_per_week is not None else None]
    limits = [x for x in limits if x] or ["none"]
    objectives = ", ".join(f"{o.label} ({o.goal}: {html.escape(objective_words(o.label))})"
                           for o in opt.objectives)
    levers = ", ".join(lv.name for lv in opt.search.levers)
    parts = [
        f"<h1>Optimization: {html.escape(spec.name)}</h1>",
        f"<p>Study <code>{html.escape(opt.name)}</code> in <code>study.db</code> (open it with "
        f"<code>optuna-dashboard sqlite:///study.db</code>); sampler {spec.sampler}, seed "
        f"{spec.seed}. Trials: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
        + f". Each candidate ran {spec.replicates} times over {opt.search.horizon} days on "
        "the same seeds as every other (common random numbers).</p>",
        f"<p>Budget: {'; '.join(limits)} (means over a candidate's runs). Objectives: "
        f"{objectives}. Levers: {html.escape(levers)}.</p>",
        "<h2>The front</h2>",
        f"<p>{len(front.table)} playbooks within the budget that no other beats on every "
        f"objective, each run again {front.replicates} times on fresh seeds: the value is "
        "from those runs, with its 95% interval (bootstrap). The grey points are every "
        "trial of the search (their values from the search's runs).</p>",
    ]
    figures = [*front_figures(opt, trials, front)] if len(trials) else []
    for i, fig in enumerate(figures):
        parts.append(to_html(fig, full_html=False,
                             include_plotlyjs="inline" if i == 0 else False))
    if len(front.table):
        parts += ["<h2>The playbooks on the front</h2>",
                  "<p>Numbered from the best on the first objective. A trial under "
                  "'same runs' ran to exactly the same numbers (its playbook differs only "
                  "in settings that changed nothing) and is shown once.</p>",
                  table([*POINT_COLUMNS, *(o.label for o in opt.objectives),
                         *BUDGET_COLUMNS, "scenario"],
                        front_rows(opt, front), raw={7 + len(opt.objectives)})]
    else:
        parts.append("<p><b>No complete trial within the budget yet.</b></p>")
    bars = importance_figure(importance if importance is not None else importance_table(opt))
    if bars is not None:
        parts += ["<h2>What the objectives depend on</h2>",
                  "<p>How much each lever separates the best trials from the rest, for "
                  "each objective (Optuna's PED-ANOVA importances, summing to 1).</p>",
                  to_html(bars, full_html=False,
                          include_plotlyjs=False if figures else "inline")]
    return study_page("commsim optimization", parts)


def write_optimization(opt: Optimizer, front: Front, out: Path) -> Path:
    """Write the front, trials and importance tables and ``report.html`` into ``out``."""
    trials = trial_table(opt)
    importance = importance_table(opt)
    return write_together(out, {
        FRONT_FILE: parquet_writer(front.table),
        TRIALS_FILE: parquet_writer(trials),
        IMPORTANCE_FILE: parquet_writer(importance),
        REPORT_FILE: text_writer(report_html(opt, trials, front, importance)),
    })
