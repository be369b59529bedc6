"""Compare arms: the report's outcome table and charts for the run on show.

Every section comes from :mod:`sim.analysis.report` (same titles, explanations, table and
figure code), so the dashboard and ``report.html`` say the same thing.
"""

from __future__ import annotations

from dash import Input, Output, State, dcc, html, no_update

from sim.analysis.report import SECTIONS, outcome_table_html, report_figures
from sim.dashboard.components import cannot_open, card, chart, message
from sim.dashboard.context import Context
from sim.dashboard.data import UNREADABLE, load_comparison, load_run

SHOWN = tuple(s for s in SECTIONS if s.key not in ("outcomes", "graph"))
"""Report sections drawn as charts here (the graph has its own replay on Explore)."""
OUTCOMES = next(s for s in SECTIONS if s.key == "outcomes")


def layout() -> html.Div:
    """The Compare tab: an empty frame until a run is on show."""
    return html.Div([
        html.Div(id="compare-header", children=message(
            "Run a scenario on the Explore tab (or open a run on the Runs tab): its arms are "
            "compared here, replicate by replicate, with confidence intervals.")),
        card(OUTCOMES.title, OUTCOMES.explanation,
             dcc.Markdown(id="compare-table", dangerously_allow_html=True,
                          className="outcome-table"), key="compare-outcomes"),
        html.Div([card(s.title, s.explanation, chart(f"compare-{s.key}"), key=f"compare-{s.key}")
                  for s in SHOWN], className="compare-charts"),
    ], className="compare")


def register(app, ctx: Context) -> None:
    """Callbacks of the Compare tab."""

    @app.callback(Output("compare-header", "children"), Output("compare-table", "children"),
                  *[Output(f"compare-{s.key}", "figure") for s in SHOWN],
                  Input("current-run", "data"), State("session-id", "data"),
                  prevent_initial_call=True)
    def show(ref, session):
        folder = ctx.run_folder(session, ref)
        if folder is None:
            return (no_update,) * (2 + len(SHOWN))
        try:
            result = load_run(folder)
            comparison = load_comparison(folder)
        except UNREADABLE as exc:
            return (cannot_open(folder, exc), *(no_update,) * (1 + len(SHOWN)))
        charts = report_figures(result, comparison, keys=tuple(s.key for s in SHOWN))
        arms = list(dict.fromkeys(result.summary["arm"]))
        header = html.Div([
            html.H2(f"{result.scenario.name}: {len(arms)} arm(s) compared"),
            html.P("Arms share their replicate seeds (the same people and the same luck), "
                   "so each difference is paired replicate by replicate.", className="facts"),
        ], className="run-header")
        # the table's cells are escaped by outcome_table_html (the report's own table)
        return (header, outcome_table_html(comparison), *[charts[s.key] for s in SHOWN])
