"""The sweep report: ``report.html`` of a sweep folder, one self-contained file.

Outcome against each varied parameter (point means with the spread over replicates),
a two-parameter heatmap, parallel coordinates of parameters and outcomes, and the
sensitivity indices when the design computed them. Built from the files in the sweep
folder, so it can be regenerated for any finished sweep.
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from plotly.io import to_html

from sim.analysis.compare import outcome_info
from sim.analysis.figures import TEMPLATE
from sim.formats.experiment import Study
from sim.running.output import write_atomic
from sim.running.sweeps import RUNS_FILE, SENSITIVITY_FILE

HEATMAP_BINS = 8
"""Bins per axis when a heatmap summarises sampled (not grid) points."""


def point_means(runs: pd.DataFrame, factors: list[str], outcomes: list[str]) -> pd.DataFrame:
    """Mean and 10th/90th percentile over replicates of each outcome, per point."""
    grouped = runs.groupby("point_id")
    frame = grouped[factors].first()
    for outcome in outcomes:
        values = grouped[outcome]
        frame[outcome] = values.mean()
        frame[f"{outcome}_p10"] = values.quantile(0.1)
        frame[f"{outcome}_p90"] = values.quantile(0.9)
    return frame.reset_index()


def outcome_label(outcome: str) -> str:
    """What a reader calls an outcome (``members at end`` for ``members_final``)."""
    return outcome_info(outcome).label


def short_name(factor: str) -> str:
    """The last part of a key path (``posts_per_day`` for ``strategies.content.posts_per_day``)."""
    return factor.rsplit(".", 1)[-1]


def outcome_vs_parameter(means: pd.DataFrame, factor: str, outcome: str) -> go.Figure:
    """Scatter of an outcome's point means against one parameter, with replicate spread.

    Each marker carries its ``point_id`` as ``customdata`` (a click names the point; a
    plain list, since Dash leaves encoded arrays out of click events).
    """
    x = means[factor]
    y = means[outcome]
    label = outcome_label(outcome)
    fig = go.Figure(go.Scatter(
        x=x, y=y, mode="markers", customdata=means["point_id"].tolist(),
        error_y={"type": "data", "symmetric": False, "array": means[f"{outcome}_p90"] - y,
                 "arrayminus": y - means[f"{outcome}_p10"], "thickness": 1},
        marker={"size": 9}, name=label,
        hovertemplate=f"point %{{customdata}}<br>{factor} = %{{x}}<br>{label}: %{{y:,.3g}}"
                      "<extra></extra>"))
    fig.update_layout(title=f"{label} against {short_name(factor)}", xaxis_title=factor,
                      yaxis_title=f"{label} (mean over replicates)",
                      height=380, margin={"t": 50, "l": 60, "r": 20, "b": 50},
                      template=TEMPLATE, hovermode="closest")
    return fig


def heatmap(means: pd.DataFrame, x: str, y: str, outcome: str) -> go.Figure:
    """Mean outcome over two parameters (grid cells, or bins of sampled points)."""
    frame = means[[x, y, outcome]].copy()
    for axis in (x, y):
        if pd.api.types.is_numeric_dtype(frame[axis]) and frame[axis].nunique() > HEATMAP_BINS:
            frame[axis] = pd.cut(frame[axis], HEATMAP_BINS).apply(lambda b: round(b.mid, 3))
    table = frame.groupby([y, x], observed=True)[outcome].mean().unstack(x)
    fig = go.Figure(go.Heatmap(z=table.to_numpy(), x=[str(c) for c in table.columns],
                               y=[str(i) for i in table.index],
                               colorbar={"title": {"text": outcome_label(outcome),
                                                   "side": "right"}},
                               colorscale="Viridis",
                               hovertemplate=f"{x} = %{{x}}<br>{y} = %{{y}}<br>"
                                             f"{outcome_label(outcome)}: %{{z:,.3g}}"
                                             "<extra></extra>"))
    fig.update_layout(title=f"{outcome_label(outcome)} over {short_name(x)} and "
                      f"{short_name(y)}", xaxis_title=x, yaxis_title=y, height=420,
                      margin={"t": 50, "l": 80, "r": 20, "b": 60}, template=TEMPLATE)
    fig.update_xaxes(type="category")
    fig.update_yaxes(type="category")
    return fig


def parallel_coordinates(means: pd.DataFrame, factors: list[str],
                         outcomes: list[str]) -> go.Figure:
    """Parameters and outcomes of every point on parallel axes.

    Dragging along an axis selects a range (brushing).
    """
    dimensions = []
    for column in factors + outcomes:
        values = means[column]
        label = short_name(column) if column in factors else outcome_label(column)
        if pd.api.types.is_numeric_dtype(values):
            dimensions.append({"label": label, "values": values})
        else:
            codes, labels = pd.factorize(values)
            dimensions.append({"label": label, "values": codes,
                               "tickvals": list(range(len(labels))),
                               "ticktext": [str(v) for v in labels]})
    colour = means[outcomes[0]] if outcomes else None
    fig = go.Figure(go.Parcoords(dimensions=dimensions,
                                 line={"color": colour, "colorscale": "Viridis",
                                       "showscale": True,
                                       "colorbar": {"title": {"text": outcome_label(
                                           outcomes[0]) if outcomes else "", "side": "right"}}}))
    fig.update_layout(title="Every point: parameters and outcomes (drag along an axis to "
                      "filter)", height=460, margin={"t": 80, "l": 90, "r": 60, "b": 30},
                      template=TEMPLATE)
    return fig


def sensitivity_bars(sensitivity: pd.DataFrame, outcome: str) -> go.Figure:
    """Sobol' S1 and ST (or Morris mu*) of one outcome, with confidence intervals."""
    rows = sensitivity[sensitivity["outcome"] == outcome]
    fig = go.Figure()
    if "ST" in rows.columns:  # a Saltelli design (indices may be undefined: no variance)
        for index, label in (("S1", "first order S1"), ("ST", "total ST")):
            fig.add_bar(x=rows["parameter"], y=rows[index], name=label,
                        error_y={"type": "data", "array": rows[f"{index}_conf"]})
        title, axis = (f"Sobol' indices of {outcome_label(outcome)}",
                       "share of variance explained")
    else:
        fig.add_bar(x=rows["parameter"], y=rows["mu_star"], name="mu*",
                    error_y={"type": "data", "array": rows["mu_star_conf"]})
        title, axis = (f"Morris mu* of {outcome_label(outcome)}",
                       f"mean |effect| on {outcome_label(outcome)}")
    fig.update_layout(title=title, yaxis_title=axis, xaxis_title="parameter",
                      barmode="group", height=380, margin={"t": 50, "l": 60, "r": 20, "b": 80},
                      template=TEMPLATE)
    return fig


def finish_sweep(out: Path, study: Study, table: pd.DataFrame) -> None:
    """Add the sensitivity table and ``report.html`` to a finished sweep folder.

    Passed as ``finish`` to :func:`sim.running.sweeps.sweep` by :func:`sim.sweep` and
    ``commsim sweep``.
    """
    from sim.analysis.sensitivity import sensitivity_table  # SALib: loaded only when needed

    sensitivity = sensitivity_table(study, table)
    if sensitivity is not None:
        write_atomic(out / SENSITIVITY_FILE, lambda p: sensitivity.to_parquet(p, index=False))
    write_sweep_report(out, study.names, list(study.experiment.outcomes), study.experiment.name)


def write_sweep_report(folder: Path, factors: list[str], outcomes: list[str],
                       title: str) -> Path:
    """Write ``report.html`` into a finished sweep folder."""
    runs = pd.read_parquet(folder / RUNS_FILE)
    outcomes = [o for o in outcomes if o in runs and pd.api.types.is_numeric_dtype(runs[o])]
    runs[outcomes] = runs[outcomes].astype(float)
    means = point_means(runs, factors, outcomes)
    sections: list[tuple[str, str, go.Figure]] = []
    for outcome in outcomes:
        for factor in factors:
            sections.append((f"{outcome} against {factor}",
                             "Each dot is one point of the design: the mean over its "
                             "replicates; bars span 10% to 90% of replicates.",
                             outcome_vs_parameter(means, factor, outcome)))
    if len(factors) >= 2 and outcomes:
        sections.append((f"{outcomes[0]} over {factors[0]} and {factors[1]}",
                         "Mean outcome in each cell; sampled designs are binned.",
                         heatmap(means, factors[0], factors[1], outcomes[0])))
    if factors and outcomes:
        sections.append(("Parallel coordinates", "One line per point; colour is "
                         f"{outcomes[0]}.", parallel_coordinates(means, factors, outcomes)))
    sensitivity_file = folder / SENSITIVITY_FILE
    if sensitivity_file.exists():
        sensitivity = pd.read_parquet(sensitivity_file)
        for outcome in outcomes:
            if outcome in set(sensitivity["outcome"]) and sensitivity.columns.size > 4:
                sections.append((f"Sensitivity of {outcome}",
                                 "How much of the outcome's variation each parameter "
                                 "explains, with 95% confidence intervals.",
                                 sensitivity_bars(sensitivity, outcome)))
    parts = [f"<h1>{html.escape(title)}</h1><p>{len(runs)} runs, "
             f"{runs['point_id'].nunique()} points.</p>"]
    for k, (heading, note, fig) in enumerate(sections):
        parts.append(f"<h2>{html.escape(heading)}</h2><p>{html.escape(note)}</p>")
        parts.append(to_html(fig, include_plotlyjs=(k == 0), full_html=False))
    page = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>"
            f"{html.escape(title)}</title><style>body{{font-family:sans-serif;margin:2em;"
            "max-width:1100px}}</style></head><body>" + "\n".join(parts) + "</body></html>")
    target = folder / "report.html"
    write_atomic(target, lambda p: p.write_text(page, encoding="utf-8"))
    return target

