"""Sweeps: open a finished sweep folder and explore its points.

Charts come from :mod:`sim.analysis.sweep_report` (the sweep's own ``report.html``): an
outcome against a parameter, a two-parameter heatmap, parallel coordinates (drag
along an axis to keep a range of it), sensitivity bars. Clicking a point shows its
runs day by day, from the daily tables the sweep stored or, if it stored none, by
running that point again from its seeds.
"""

from __future__ import annotations

import pandas as pd
from dash import Input, Output, State, dcc, html, no_update

from sim.analysis.report import DAILY_CHARTS
from sim.analysis.sweep_report import (
    heatmap,
    outcome_label,
    outcome_vs_parameter,
    parallel_coordinates,
    sensitivity_bars,
)
from sim.dashboard.components import card, chart, empty_figure, message
from sim.dashboard.context import Context
from sim.dashboard.data import Sweep, load_sweep
from sim.dashboard.jobs import point_series

POINT_CHARTS = ("members", "posters")
"""Daily charts of the point a viewer clicked."""
SHOWN_POINTS = 12
"""Rows of the table of points kept by the brushing."""


def layout() -> html.Div:
    """The Sweeps tab."""
    def picker(ident: str, label: str) -> html.Label:
        return html.Label([label, dcc.Dropdown(id=ident, clearable=False)])

    return html.Div([
        html.Div([
            html.Label(["Sweep folder", dcc.Dropdown(id="sweep-choice", clearable=False,
                                                     placeholder="choose a finished sweep")]),
            picker("sweep-outcome", "Outcome"), picker("sweep-x", "Parameter"),
            picker("sweep-y", "Second parameter (heatmap)"),
        ], className="controls sweep-controls"),
        html.Div(id="sweep-about", children=message(
            "Sweeps are made with `commsim sweep experiments/<file>.yaml --out <runs>/<name>`; "
            "every finished sweep under the runs folder is listed above.")),
        html.Div([
            card("Outcome against a parameter", "Each dot is one point of the design: the "
                 "mean over its replicates; bars span 10% to 90% of replicates. Click a dot "
                 "to see that point's runs day by day below.", chart("sweep-scatter"),
                 key="sweep-scatter"),
            card("Two parameters at once", "Mean outcome in each cell (sampled designs are "
                 "binned). Darker is lower, yellow is higher.", chart("sweep-heatmap"),
                 key="sweep-heatmap"),
        ], className="grid"),
        card("Every point: parallel coordinates", "One line per point, through its parameter "
             "values and outcomes; colour is the chosen outcome. Drag along an axis to keep "
             "only a range (brushing); the points kept are listed below.",
             chart("sweep-parcoords"), html.Div(id="sweep-brush"), key="sweep-parcoords"),
        dcc.Store(id="sweep-brush-ranges", data={}),
        card("Sensitivity", "How much of the outcome's variation each parameter explains "
             "(Sobol' indices, or Morris mu* for a screening design), with 95% confidence "
             "intervals.", chart("sweep-sensitivity", height=380), key="sweep-sensitivity"),
        card("One point, day by day", "The runs of the point you clicked (or chose here): "
             "line the mean over replicates, band the middle 80%.", html.Div([
                 html.Label(["Point", dcc.Dropdown(id="sweep-point", clearable=False,
                                                   placeholder="click a dot above")]),
                 html.Div(id="sweep-point-running", className="running-note"),
             ], className="controls"), html.Div(id="sweep-point-about"),
             html.Div([chart(f"sweep-point-{key}") for key in POINT_CHARTS], className="grid"),
             key="sweep-point"),
    ], className="sweeps")


def _describe_point(sweep: Sweep, point: int, outcome: str | None) -> str:
    row = sweep.means[sweep.means["point_id"] == point].iloc[0]
    values = ", ".join(f"{f} = {row[f]}" for f in sweep.factors)
    shown = (f"; {outcome_label(outcome)}: {row[outcome]:,.3g} (mean of its replicates)"
             if outcome else "")
    return f"Point {point}: {values}{shown}."


def brushed(means: pd.DataFrame, columns: list[str], ranges: dict) -> pd.DataFrame:
    """Points inside every range kept on the parallel coordinates.

    ``ranges`` maps a column's position among ``columns`` to one ``[low, high]`` or a
    list of them; categorical columns are compared by their codes on the axis.
    """
    keep = pd.Series(True, index=means.index)
    for position, spans in ranges.items():
        column = columns[int(position)]
        values = means[column]
        if not pd.api.types.is_numeric_dtype(values):
            values = pd.Series(pd.factorize(values)[0], index=means.index)
        spans = spans if spans and isinstance(spans[0], list) else [spans]
        inside = pd.Series(False, index=means.index)
        for low, high in (s for s in spans if s):
            inside |= values.between(low, high)
        keep &= inside
    return means[keep]


def register(app, ctx: Context) -> None:
    """Callbacks of the Sweeps tab."""

    @app.callback(Output("sweep-choice", "options"), Input("tabs", "value"),
                  Input("folders-refresh", "n_clicks"))
    def list_sweeps(_tab, _clicks):
        return [{"label": f"{f.name} ({f.title})" if f.title else f.name, "value": f.name,
                 "disabled": f.kind != "sweep"}
                for f in ctx.folders() if "sweep" in f.kind]

    @app.callback(Output("sweep-about", "children"),
                  Output("sweep-outcome", "options"), Output("sweep-outcome", "value"),
                  Output("sweep-x", "options"), Output("sweep-x", "value"),
                  Output("sweep-y", "options"), Output("sweep-y", "value"),
                  Output("sweep-point", "options"), Output("sweep-point", "value"),
                  Input("sweep-choice", "value"), prevent_initial_call=True)
    def open_sweep(name):
        folder = ctx.sweep_folder(name)
        if folder is None:
            return (message("Choose a finished sweep.", "info"),) + (no_update,) * 8
        sweep = load_sweep(folder)
        outcomes = [{"label": outcome_label(o), "value": o} for o in sweep.outcomes]
        factors = [{"label": f, "value": f} for f in sweep.factors]
        points = [{"label": str(p), "value": p} for p in sweep.means["point_id"].tolist()]
        about = html.Div([
            html.H2(sweep.title),
            html.P(f"{len(sweep.runs):,} runs: {len(sweep.means):,} points of a "
                   f"{sweep.design.replace('_', ' ')} design x "
                   f"{int(sweep.runs.groupby('point_id').size().max())} replicates; "
                   f"varied: {', '.join(sweep.factors)}. Daily tables "
                   f"{'stored' if sweep.timeseries else 'not stored (a clicked point runs again)'}"
                   ".", className="facts"),
        ], className="run-header")
        second = sweep.factors[1] if len(sweep.factors) > 1 else None
        return (about, outcomes, sweep.outcomes[0] if sweep.outcomes else None, factors,
                sweep.factors[0] if sweep.factors else None, factors, second, points, None)

    @app.callback(Output("sweep-scatter", "figure"), Output("sweep-heatmap", "figure"),
                  Output("sweep-parcoords", "figure"), Output("sweep-sensitivity", "figure"),
                  Output("sweep-brush-ranges", "data"),
                  Input("sweep-outcome", "value"), Input("sweep-x", "value"),
                  Input("sweep-y", "value"), State("sweep-choice", "value"),
                  prevent_initial_call=True)
    def draw(outcome, x, y, name):
        folder = ctx.sweep_folder(name)
        if folder is None or outcome is None or x is None:
            return (no_update,) * 5
        sweep = load_sweep(folder)
        outcomes = [outcome] + [o for o in sweep.outcomes if o != outcome]
        two = (heatmap(sweep.means, x, y, outcome) if y and y != x else
               empty_figure("Choose a second parameter, different from the first."))
        if sweep.sensitivity is not None and outcome in set(sweep.sensitivity["outcome"]) \
                and sweep.sensitivity.columns.size > 4:
            bars = sensitivity_bars(sweep.sensitivity, outcome)
        else:
            bars = empty_figure(f"A {sweep.design.replace('_', ' ')} design computes no "
                                "sensitivity indices; saltelli and morris designs do.", 380)
        return (outcome_vs_parameter(sweep.means, x, outcome), two,
                parallel_coordinates(sweep.means, sweep.factors, outcomes), bars, {})

    @app.callback(Output("sweep-brush-ranges", "data", allow_duplicate=True),
                  Input("sweep-parcoords", "restyleData"), State("sweep-brush-ranges", "data"),
                  prevent_initial_call=True)
    def brush(restyle, ranges):
        if not restyle:
            return no_update
        ranges = dict(ranges or {})
        for key, value in restyle[0].items():
            if key.startswith("dimensions[") and key.endswith("].constraintrange"):
                position = key[len("dimensions["):key.index("]")]
                if value and value[0]:
                    ranges[position] = value[0]
                else:
                    ranges.pop(position, None)
        return ranges

    @app.callback(Output("sweep-brush", "children"), Input("sweep-brush-ranges", "data"),
                  State("sweep-choice", "value"), State("sweep-outcome", "value"),
                  prevent_initial_call=True)
    def show_brushed(ranges, name, outcome):
        folder = ctx.sweep_folder(name)
        if folder is None or outcome is None:
            return no_update
        sweep = load_sweep(folder)
        columns = sweep.factors + [outcome] + [o for o in sweep.outcomes if o != outcome]
        kept = brushed(sweep.means, columns, ranges or {})
        if not ranges:
            return html.P(f"All {len(sweep.means)} points shown; drag along an axis to keep "
                          "a range.", className="hint")
        shown = kept.sort_values(outcome, ascending=False).head(SHOWN_POINTS)
        head = ["point", *sweep.factors, outcome_label(outcome)]
        rows = [html.Tr([html.Td(int(r["point_id"])), *[html.Td(str(r[f])) for f in
                                                         sweep.factors],
                         html.Td(f"{r[outcome]:,.3g}")]) for _, r in shown.iterrows()]
        return html.Div([
            html.P(f"{len(kept)} of {len(sweep.means)} points kept by the ranges"
                   + (f" (best {SHOWN_POINTS} by {outcome_label(outcome)} listed)"
                      if len(kept) > SHOWN_POINTS else "") + ".", className="brush-count"),
            html.Table([html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(rows)],
                       className="points"),
        ])

    @app.callback(Output("sweep-point", "value", allow_duplicate=True),
                  Input("sweep-scatter", "clickData"), prevent_initial_call=True)
    def clicked(click):
        try:
            return int(click["points"][0]["customdata"])
        except (TypeError, KeyError, IndexError, ValueError):
            return no_update

    @app.callback(Output("sweep-point-about", "children"),
                  *[Output(f"sweep-point-{key}", "figure") for key in POINT_CHARTS],
                  Input("sweep-point", "value"), State("sweep-choice", "value"),
                  State("sweep-outcome", "value"),
                  background=True, prevent_initial_call=True,
                  running=[(Output("sweep-point-running", "children"),
                            "Loading this point's runs...", "")])
    def show_point(point, name, outcome):
        folder = ctx.sweep_folder(name)
        if folder is None or point is None:
            return (no_update,) * (1 + len(POINT_CHARTS))
        sweep = load_sweep(folder)
        ts, source = point_series(folder, int(point), ctx.workers)
        return (html.P([_describe_point(sweep, int(point), outcome), " ", source],
                       className="facts point-about"),
                *[DAILY_CHARTS[key](ts) for key in POINT_CHARTS])
