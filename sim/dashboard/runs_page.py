"""Runs folder: earlier runs, sweeps and studies under ``--runs``, and this session's runs.

Opening a run shows it on the Explore and Compare tabs; opening a sweep shows it on
the Sweeps tab, a study on the Optimize tab. Folders are named from the listing only.
"""

from __future__ import annotations

from dash import ALL, Input, Output, State, ctx, html, no_update

from sim.dashboard.components import message
from sim.dashboard.context import Context
from sim.dashboard.folders import Folder, session_runs

OPEN = "open-folder"
"""Type of the pattern-matching id of an Open button."""


def layout(context: Context) -> html.Div:
    """The Runs tab."""
    return html.Div([
        html.Div([
            html.P(["Run, sweep and study folders in ", html.Code(str(context.runs_dir)),
                    " (start the dashboard with --runs DIR to list another folder). "
                    "Runs made on this page are kept apart, for this page only, below."],
                   className="hint"),
            html.Button("Refresh", id="folders-refresh"),
        ], className="controls"),
        html.Section([html.H3("Runs folder"), html.Div(id="folders-table")], className="card"),
        html.Section([html.H3("This session's runs"), html.Div(id="session-table")],
                     className="card"),
    ], className="runs")


def _table(folders: list[Folder], source: str, empty: str) -> html.Div:
    if not folders:
        return message(empty)
    rows = [html.Tr([
        html.Td(html.Button("Open", id={"type": OPEN, "source": source, "kind": f.kind,
                                        "name": f.name},
                            disabled=f.kind not in ("run", "sweep", "study"),
                            className="small")),
        html.Td(f.name, className="folder-name"), html.Td(f.kind), html.Td(f.title),
        html.Td(f.modified), html.Td(f.detail),
    ]) for f in folders]
    head = html.Thead(html.Tr([html.Th(h) for h in ("", "folder", "kind", "name", "modified",
                                                    "")]))
    return html.Table([head, html.Tbody(rows)], className="folders")


def register(app, context: Context) -> None:
    """Callbacks of the Runs tab."""

    @app.callback(Output("folders-table", "children"), Output("session-table", "children"),
                  Input("tabs", "value"), Input("folders-refresh", "n_clicks"),
                  Input("current-run", "data"), State("session-id", "data"))
    def listing(_tab, _clicks, _run, session):
        try:
            own = session_runs(context.work_dir, session, context.secret)
        except ValueError:  # not a page this dashboard made, or too many pages
            own = []
        return (_table(context.folders(), "runs", f"No run, sweep or study folders in "
                       f"{context.runs_dir} yet."),
                _table(own, "session", "No runs on this page yet: press Run on the Explore "
                       "tab."))

    @app.callback(Output("current-run", "data", allow_duplicate=True),
                  Output("sweep-choice", "value"), Output("opt-choice", "value"),
                  Output("tabs", "value"),
                  Input({"type": OPEN, "source": ALL, "kind": ALL, "name": ALL}, "n_clicks"),
                  prevent_initial_call=True)
    def open_folder(clicks):
        chosen = ctx.triggered_id
        if not chosen or not any(clicks):
            return no_update, no_update, no_update, no_update
        if chosen["kind"] == "sweep":
            return no_update, chosen["name"], no_update, "sweeps"
        if chosen["kind"] == "study":
            return no_update, no_update, chosen["name"], "optimize"
        return {"source": chosen["source"], "name": chosen["name"]}, no_update, no_update, \
            "explore"
