"""The optimization's outputs: ``front.parquet``, ``trials.parquet`` and ``report.html``.

The report shows the front as interactive scatters (each pair of objectives, coloured
by a third, or by the money used when there are two), every trial behind it in grey,
each front point's playbook in plain words with its objectives' intervals and its
scenario file to download, and which levers the objectives depend on most (Optuna's
parameter importances). One self-contained file that opens offline; the three files
are written together or not at all.
"""

from __future__ import annotations

import base64
import html
import itertools
import math
import warnings
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from optuna.trial import TrialState
from plotly.io import to_html

from sim.analysis.compare import outcome_info
from sim.analysis.html_tables import table
from sim.optimization.front import Front
from sim.optimization.search import HOURS, MONEY, Optimizer, trial_table
from sim.running.output import parquet_writer, text_writer, write_together

FRONT_FILE = "front.parquet"
TRIALS_FILE = "trials.parquet"
REPORT_FILE = "report.html"
MIN_TRIALS_FOR_IMPORTANCE = 8


def _label(opt: Optimizer, label: str) -> str:
    objective = next(o for o in opt.objectives if o.label == label)
    words = "groups alive at the end" if objective.outcome == "survival" else \
        outcome_info(objective.outcome).label
    if objective.quantile is not None:
        words += f" ({round(objective.quantile * 100)}th percentile)"
    return words


def front_figures(opt: Optimizer, trials: pd.DataFrame, front: Front) -> list[go.Figure]:
    """One scatter per pair of objectives (at most three pairs)."""
    labels = [o.label for o in opt.objectives]
    done = trials[trials["state"] == "complete"]
    points = front.table
    if len(labels) == 1:
        pairs = [(labels[0], MONEY)]
    else:
        pairs = list(itertools.combinations(labels, 2))[:3]
    figures = []
    for x, y in pairs:
        colour = next((c for c in labels if c not in (x, y)), MONEY)
        fig = go.Figure()
        for ok, name, symbol in ((True, "trials within budget", "circle"),
                                 (False, "trials over budget", "x")):
            part = done[done["feasible"] == ok]
            fig.add_trace(go.Scatter(
                x=part[x], y=part[y], mode="markers", name=name,
                marker={"color": "#bbbbbb", "size": 6, "symbol": symbol},
                text=[f"trial {n}" for n in part["trial"]], hoverinfo="text+x+y"))
        if len(points):
            def bar(col: str) -> dict:
                if col == MONEY or f"{col}_low" not in points:
                    return {"visible": False}
                return {"type": "data", "symmetric": False,
                        "array": (points[f"{col}_high"] - points[col]).tolist(),
                        "arrayminus": (points[col] - points[f"{col}_low"]).tolist()}

            fig.add_trace(go.Scatter(
                x=points[x], y=points[y], mode="markers+text", name="front (fresh runs)",
                text=[str(p) for p in points["point"]], textposition="top center",
                error_x=bar(x), error_y=bar(y),
                marker={"size": 12, "color": points[colour], "colorscale": "Viridis",
                        "showscale": True, "colorbar": {"title": colour}},
                hovertext=[f"point {p}: {html.escape(t)}" for p, t in
                           zip(points["point"], points["playbook"], strict=True)],
                hoverinfo="text"))
        fig.update_layout(template="plotly_white", height=560,
                          legend={"orientation": "h", "y": -0.18},
                          xaxis_title=x if x == MONEY else _label(opt, x),
                          yaxis_title=y if y == MONEY else _label(opt, y),
                          title=f"{x} against {y} (colour: {colour})")
        figures.append(fig)
    return figures


def importance_figure(opt: Optimizer) -> go.Figure | None:
    """Each lever's importance for each objective (PED-ANOVA), or None with too few trials."""
    import optuna

    complete = opt.study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    if len(complete) < MIN_TRIALS_FOR_IMPORTANCE:
        return None
    fig = go.Figure()
    for k, objective in enumerate(opt.objectives):
        if len({t.values[k] for t in complete}) < 2:
            continue
        sign = -1.0 if objective.goal == "maximize" else 1.0  # it ranks low values best
        try:
            with warnings.catch_warnings():  # its note on low values: the sign sees to it
                warnings.simplefilter("ignore", UserWarning)
                found = optuna.importance.get_param_importances(
                    opt.study, target=lambda t, k=k, sign=sign: sign * t.values[k])
        except (ValueError, RuntimeError):  # a search space too small to tell
            continue
        names = [lv.name for lv in opt.search.levers]
        fig.add_trace(go.Bar(y=names, x=[found.get(n, 0.0) for n in names],
                             orientation="h", name=objective.label))
    if not fig.data:
        return None
    fig.update_layout(template="plotly_white", barmode="group",
                      height=max(360, 28 * len(opt.search.levers) * len(fig.data) // 2 + 160),
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


def front_rows(opt: Optimizer, front: Front) -> list[list]:
    """One row per front point: its playbook, objectives, budget use, download."""
    rows = []
    for _, row in front.table.iterrows():
        rows.append([int(row["point"]), int(row["trial"]), row["same_as"], row["playbook"],
                     *(_with_interval(row, o.label) for o in opt.objectives),
                     f"{row[MONEY]:.0f}", f"{row[HOURS]:.1f}",
                     "yes" if row["within_budget"] else "no (on fresh runs)",
                     _download(row["scenario_yaml"], int(row["point"]))])
    return rows


def report_html(opt: Optimizer, trials: pd.DataFrame, front: Front) -> str:
    """The self-contained report page."""
    spec = opt.search.spec
    counts = trials["state"].value_counts().to_dict() if len(trials) else {}
    budget = spec.budget
    limits = [f"{budget.money_per_month:g} yuan a month" if budget.money_per_month is not None
              else None, f"{budget.hours_per_week:g} hours a week of the owner's team"
              if budget.hours_per_week is not None else None]
    limits = [x for x in limits if x] or ["none"]
    objectives = ", ".join(f"{o.label} ({o.goal}: {html.escape(_label(opt, o.label))})"
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
                  table(["point", "trial", "same runs", "playbook",
                         *(o.label for o in opt.objectives), "yuan/month", "hours/week",
                         "within budget", "scenario"],
                        front_rows(opt, front), raw={7 + len(opt.objectives)})]
    else:
        parts.append("<p><b>No complete trial within the budget yet.</b></p>")
    importance = importance_figure(opt)
    if importance is not None:
        parts += ["<h2>What the objectives depend on</h2>",
                  "<p>How much each lever separates the best trials from the rest, for "
                  "each objective (Optuna's PED-ANOVA importances, summing to 1).</p>",
                  to_html(importance, full_html=False,
                          include_plotlyjs=False if figures else "inline")]
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>commsim optimization</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px;
       color: #222; }}
table {{ border-collapse: collapse; font-size: 0.9em; margin-bottom: 1em; }}
td, th {{ border: 1px solid #ccc; padding: 4px 8px; vertical-align: top; }}
</style></head><body>
{''.join(parts)}
</body></html>"""


def write_optimization(opt: Optimizer, front: Front, out: Path) -> Path:
    """Write ``front.parquet``, ``trials.parquet`` and ``report.html`` into ``out``."""
    trials = trial_table(opt)
    return write_together(out, {
        FRONT_FILE: parquet_writer(front.table),
        TRIALS_FILE: parquet_writer(trials),
        REPORT_FILE: text_writer(report_html(opt, trials, front)),
    })
