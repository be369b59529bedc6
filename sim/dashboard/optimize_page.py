"""Optimize: open a study folder (``commsim optimize``) and read its Pareto front.

The same as the study's ``report.html``, with the figure code of
:mod:`sim.optimization.report`: the front as a scatter of two objectives (chosen here)
coloured by a third, bars spanning each point's 95% interval, every trial behind it in
grey; each front point's playbook in plain words with its money and hours; its scenario
file to download; the levers' importances. Clicking a point of the front opens its
scenario on the Explore tab, as an uploaded file would be, to run and study it there.
"""

from __future__ import annotations

from dash import Input, Output, State, ctx, dcc, html, no_update

from sim.dashboard.components import card, chart, empty_figure, message
from sim.dashboard.context import Context
from sim.dashboard.data import Study, load_study
from sim.dashboard.explore import UPLOADED
from sim.optimization.report import (
    BUDGET_COLUMNS,
    POINT_COLUMNS,
    front_scatter,
    importance_figure,
    objective_words,
    point_cells,
)
from sim.optimization.search import HOURS, MONEY

HELP = ("Studies are made with `commsim optimize ... --out <runs>/<name>`; every study "
        "folder under the runs folder is listed above.")


def layout() -> html.Div:
    """The Optimize tab."""
    def picker(ident: str, label: str) -> html.Label:
        return html.Label([label, dcc.Dropdown(id=ident, clearable=False)])

    return html.Div([
        html.Div([
            html.Label(["Study folder", dcc.Dropdown(id="opt-choice", clearable=False,
                                                     placeholder="choose a finished study")]),
            picker("opt-x", "Across"), picker("opt-y", "Up"), picker("opt-colour", "Colour"),
        ], className="controls sweep-controls"),
        html.Div(id="opt-about", children=message(HELP)),
        card("The front", "Each numbered dot is a playbook within the budget that no other "
             "beats on every objective, run again on fresh seeds; bars span its 95% "
             "interval. Grey: every trial of the search. Click a numbered dot to open its "
             "scenario on the Explore tab.", chart("opt-front", height=560), key="opt-front"),
        card("The playbooks on the front", "Numbered from the best on the first objective; "
             "each objective with its 95% interval, and the money and hours it used.",
             html.Div([
                 html.Label(["Point", dcc.Dropdown(id="opt-point", clearable=False,
                                                   placeholder="click a dot above")]),
                 html.Div([html.Button("Download its scenario", id="opt-download-button"),
                           html.Button("Open in Explore", id="opt-explore",
                                       className="primary")], className="buttons"),
             ], className="controls"), dcc.Download(id="opt-download"),
             html.Div(id="opt-points"), key="opt-points"),
        card("What the objectives depend on", "How much each lever separates the best trials "
             "from the rest, for each objective (Optuna's PED-ANOVA importances, summing to "
             "1).", chart("opt-importance", height=380), key="opt-importance"),
    ], className="optimize")


def axis_options(study: Study) -> list[dict]:
    """What the scatter may show: the objectives, then money and hours used."""
    return [{"label": f"{c} ({objective_words(c)})", "value": c}
            for c in [*study.objectives, MONEY, HOURS]]


def default_axes(study: Study) -> tuple[str, str, str]:
    """Across, up and colour at first: the report's first scatter."""
    labels = study.objectives
    if len(labels) == 1:
        return labels[0], MONEY, MONEY
    x, y = labels[0], labels[1]
    return x, y, next((c for c in labels if c not in (x, y)), MONEY)


def points_table(study: Study, selected: int | None = None) -> html.Table:
    """The front points with their playbooks, objectives, money and hours."""
    head = [*POINT_COLUMNS, *study.objectives, *BUDGET_COLUMNS]
    rows = []
    for _, row in study.front.iterrows():
        cells = point_cells(row, study.objectives)
        rows.append(html.Tr([html.Td(str(c)) for c in cells],
                            className="selected" if cells[0] == selected else None))
    return html.Table([html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(rows)],
                      className="points")


def scenario_source(study: Study, name: str, point: int) -> dict:
    """What the Explore tab takes for front point ``point``: its scenario as an upload."""
    return {"kind": "upload", "name": f"{name}-front-point-{point}.yaml",
            "text": study.point(point)["scenario_yaml"]}


def register(app, ctx_: Context) -> None:
    """Callbacks of the Optimize tab."""

    @app.callback(Output("opt-choice", "options"), Input("tabs", "value"),
                  Input("folders-refresh", "n_clicks"))
    def list_studies(_tab, _clicks):
        return [{"label": (f"{f.name} ({f.title})" if f.title else f.name)
                 + (" - no front.parquet yet" if f.kind != "study" else ""),
                 "value": f.name, "disabled": f.kind != "study"}
                for f in ctx_.folders() if "study" in f.kind]

    @app.callback(Output("opt-about", "children"),
                  Output("opt-x", "options"), Output("opt-x", "value"),
                  Output("opt-y", "options"), Output("opt-y", "value"),
                  Output("opt-colour", "options"), Output("opt-colour", "value"),
                  Output("opt-point", "options"), Output("opt-point", "value"),
                  Output("opt-importance", "figure"),
                  Input("opt-choice", "value"), prevent_initial_call=True)
    def open_study(name):
        folder = ctx_.study_folder(name)
        if folder is None:
            return (message("Choose a study whose front is written (front.parquet).", "info"),
                    *(no_update,) * 9)
        study = load_study(folder)
        options = axis_options(study)
        x, y, colour = default_axes(study)
        points = [{"label": f"{int(p)}", "value": int(p)} for p in study.front["point"]]
        trials = study.trials
        counts = ("" if trials is None else f" of {len(trials):,} trials ("
                  + ", ".join(f"{n} {s}" for s, n in sorted(
                      trials["state"].value_counts().to_dict().items())) + ")")
        about = html.Div([
            html.H2(study.title),
            html.P(f"{len(study.front)} playbook(s) on the front{counts}; objectives: "
                   + ", ".join(f"{o} ({objective_words(o)})" for o in study.objectives)
                   + f" (folder {name}).", className="facts"),
        ], className="run-header")
        if study.importance is None:
            bars = empty_figure("This folder stores no importances (importance.parquet); "
                                "the study's report.html shows them.", 380)
        else:
            bars = importance_figure(study.importance) or empty_figure(
                "Too few trials (or too small a search) to tell the levers' importances.",
                380)
        return (about, options, x, options, y, options, colour, points,
                int(study.front["point"].iloc[0]) if len(study.front) else None, bars)

    @app.callback(Output("opt-front", "figure"),
                  Input("opt-x", "value"), Input("opt-y", "value"),
                  Input("opt-colour", "value"), State("opt-choice", "value"),
                  prevent_initial_call=True)
    def draw(x, y, colour, name):
        folder = ctx_.study_folder(name)
        if folder is None or None in (x, y, colour):
            return no_update
        study = load_study(folder)
        if not len(study.front):
            return empty_figure("No complete trial within the budget: the front is empty.",
                                560)
        return front_scatter(study.front, study.trials, x, y, colour)

    @app.callback(Output("opt-points", "children"), Input("opt-point", "value"),
                  State("opt-choice", "value"), prevent_initial_call=True)
    def show_points(point, name):
        folder = ctx_.study_folder(name)
        if folder is None:
            return no_update
        study = load_study(folder)
        if not len(study.front):
            return message("No complete trial within the budget yet: the front is empty.")
        return points_table(study, point)

    @app.callback(Output("opt-download", "data"), Input("opt-download-button", "n_clicks"),
                  State("opt-point", "value"), State("opt-choice", "value"),
                  prevent_initial_call=True)
    def download(_clicks, point, name):
        folder = ctx_.study_folder(name)
        if folder is None or point is None:
            return no_update
        source = scenario_source(load_study(folder), name, int(point))
        return dcc.send_string(source["text"], source["name"], type="text/yaml")

    @app.callback(Output("upload-store", "data", allow_duplicate=True),
                  Output("upload-status", "children", allow_duplicate=True),
                  Output("scenario-choice", "options", allow_duplicate=True),
                  Output("scenario-choice", "value", allow_duplicate=True),
                  Output("tabs", "value", allow_duplicate=True),
                  Output("opt-point", "value", allow_duplicate=True),
                  Input("opt-front", "clickData"), Input("opt-explore", "n_clicks"),
                  State("opt-point", "value"), State("opt-choice", "value"),
                  prevent_initial_call=True)
    def open_in_explore(click, _clicks, point, name):
        if ctx.triggered_id == "opt-front":
            try:
                point = int(click["points"][0]["customdata"])
            except (TypeError, KeyError, IndexError, ValueError):
                return (no_update,) * 6  # a grey trial, not a front point
        folder = ctx_.study_folder(name)
        if folder is None or point is None:
            return (no_update,) * 6
        study = load_study(folder)
        try:
            source = scenario_source(study, name, int(point))
        except KeyError:
            return (no_update,) * 6
        options = [{"label": f"front point {point} of {name}", "value": UPLOADED},
                   *({"label": n, "value": n} for n in ctx_.shipped())]
        note = message(f"Front point {point} of the study {study.title} loaded: "
                       f"{study.point(point)['playbook']}. Press Run to run it.", "ok")
        return source, note, options, UPLOADED, "explore", int(point)
