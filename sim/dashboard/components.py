"""Small layout pieces shared by the pages: cards, charts, empty charts, messages."""

from __future__ import annotations

import plotly.graph_objects as go
from dash import dcc, html

from sim.analysis.figures import TEMPLATE
from sim.formats.scenario import ScenarioError

GRAPH_CONFIG = {"displaylogo": False, "displayModeBar": "hover"}
"""Chart tools appear when the pointer is over a chart (not over its title)."""


def card(title: str, explanation: str, *children, key: str | None = None) -> html.Section:
    """A titled block with one sentence on how to read it."""
    return html.Section([html.H3(title), html.P(explanation, className="explain"), *children],
                        className="card", id=f"card-{key}" if key else None)


def chart(ident: str | dict, figure: go.Figure | None = None, height: int = 420
          ) -> dcc.Graph:
    """A Plotly chart (with a message in place of data until it has some)."""
    return dcc.Graph(id=ident, figure=figure or empty_figure("Nothing to show yet.", height),
                     config=GRAPH_CONFIG, className="chart")


def empty_figure(message: str, height: int = 420) -> go.Figure:
    """A blank chart that says why it is blank."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper",
                       font={"size": 15, "color": "#667"})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_layout(template=TEMPLATE, height=height, margin={"l": 20, "r": 20, "t": 20,
                                                                "b": 20})
    return fig


def problems_box(problems: ScenarioError, footer: str) -> html.Div:
    """Every problem of a scenario, worded exactly as the command line prints it."""
    return html.Div([
        html.Ul([html.Li(["error: ", str(problem)]) for problem in problems.problems],
                className="problems"),
        html.P(footer),
    ], className="message error", role="alert")


def cannot_open(folder, exc: BaseException) -> html.Div:
    """The page's message for a run folder that could not be read."""
    return message(f"Cannot open {folder.name}: {type(exc).__name__}: {exc}", "error")


def message(text: str, kind: str = "info") -> html.Div:
    """A one-line note (``info``, ``ok`` or ``error``)."""
    return html.Div(text, className=f"message {kind}", role="alert" if kind == "error" else None)
