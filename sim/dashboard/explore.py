"""Explore: pick or upload a scenario, move the levers, run it, watch the group's life.

The run happens in a background worker (the page stays responsive and shows how many
runs are done); its results are written to the session's own folder and drawn with
the report's figure code.
"""

from __future__ import annotations

import base64
import binascii

import psutil
from dash import ALL, Input, Output, State, dcc, html, no_update
from dash.exceptions import PreventUpdate

from sim.analysis import figures
from sim.analysis.report import SECTIONS, arm_lines, report_figures
from sim.dashboard.components import (
    cannot_open,
    card,
    chart,
    empty_figure,
    message,
    problems_box,
)
from sim.dashboard.context import Context
from sim.dashboard.data import UNREADABLE, load_graph, load_run
from sim.dashboard.folders import page_gone, page_is_open, session_dir
from sim.dashboard.jobs import base_scenario, run_scenario, scenario_from_upload
from sim.dashboard.levers import LEVER, SWITCH, lever_panels, scenario_from_levers
from sim.dashboard.limits import JobRefused, job_slot, watchdog
from sim.formats.scenario import ScenarioError
from sim.running.budget import over_budget, scenario_work
from sim.running.output import WriteFailed

UPLOADED = "upload:"
"""Value of the scenario picker's entry for the file this page uploaded."""
TIME_CHARTS = ("members", "posters", "messages", "spam")
"""Report charts the Explore page shows (with the report's titles and explanations)."""
MONEY_NOTE = ("What the operator has paid out (solid) and taken in (dotted) since day 0, "
              "per arm: line the mean over replicates, band the middle 80%.")
GRAPH_NOTE = ("Friendships among the people who were ever in the group. Move the day to "
              "replay how the group grew and thinned: filled dots are members on that day, "
              "rings people who had left. Colour is the role at the end, or how much each "
              "person wrote; size grows with messages written.")
CANCELLED = "Run cancelled; nothing was written."


class PageClosed(RuntimeError):
    """The page that started a run was closed or reloaded: the run stops."""


PLAY_FRAMES = 30
"""Steps of the replay from the first to the last day."""


def sidebar(ctx: Context) -> html.Aside:
    """Scenario picker, upload, arms, Run button with progress, and every lever."""
    shipped = ctx.shipped()
    first = "showcase" if "showcase" in shipped else next(iter(shipped), None)
    return html.Aside([
        html.H3("1. Pick a scenario"),
        dcc.Dropdown(id="scenario-choice", options=[{"label": n, "value": n} for n in shipped],
                     value=first, clearable=False),
        dcc.Upload(id="scenario-upload", max_size=1_000_000, accept=".yaml,.yml",
                   children=html.Div(["or drop your own scenario file here, or ",
                                      html.A("choose one"), " (YAML)"]),
                   className="upload"),
        html.Div(id="upload-status"),
        html.Div(id="scenario-about", className="about"),
        html.H3("2. Choose the arms"),
        html.P("The baseline always runs; each arm is the baseline plus its own changes.",
               className="hint"),
        dcc.Checklist(id="arm-choice", options=[], value=[], className="arms"),
        html.H3("3. Run"),
        html.Div([
            html.Button("Run", id="run-button", className="primary"),
            html.Button("Cancel", id="cancel-button", disabled=True),
        ], className="buttons"),
        html.Div([html.Progress(id="run-progress", value="0", max="1"),
                  html.Span(id="run-progress-label")], id="progress-box",
                 className="progress-box"),
        html.Div(id="run-status"),
        html.H3("4. Move the levers"),
        html.Div(id="levers"),
    ], className="sidebar")


def main_panel() -> html.Div:
    """The current run's charts and its social graph with the day replay."""
    by_key = {s.key: s for s in SECTIONS}
    cards = [card(by_key[key].title, by_key[key].explanation, chart(f"explore-{key}"),
                  key=f"explore-{key}")
             for key in TIME_CHARTS]
    cards.insert(4, card("Money over time", MONEY_NOTE, chart("explore-money"),
                       key="explore-money"))
    graph = card("Social graph: watch the group grow and thin", GRAPH_NOTE, html.Div([
        html.Label(["arm", dcc.Dropdown(id="graph-arm", clearable=False)]),
        html.Label(["replicate", dcc.Dropdown(id="graph-replicate", clearable=False)]),
        html.Label(["colour by", dcc.RadioItems(id="graph-colour", inline=True, value="role",
                                                options=[{"label": "role", "value": "role"},
                                                         {"label": "activity",
                                                          "value": "activity"}])]),
    ], className="controls"), html.Div([
        html.Button("Play", id="graph-play"),
        html.Div(dcc.Slider(id="graph-day", min=0, max=1, step=1, value=0, marks=None,
                            tooltip={"placement": "bottom", "always_visible": True}),
                 className="day-slider"),
    ], className="replay"), dcc.Interval(id="graph-timer", interval=300, disabled=True),
        chart("explore-graph", height=640), key="explore-graph")
    return html.Div([html.Div(id="run-header", children=message(
        "Pick a scenario, adjust the levers if you like, and press Run. A small group runs in "
        "seconds; the charts below then show its life day by day.")),
        html.Div(cards, className="grid"), graph], className="main")


def layout(ctx: Context) -> html.Div:
    """The Explore tab."""
    return html.Div([dcc.Store(id="upload-store"), sidebar(ctx), main_panel()],
                    className="explore")


def run_header(result, name: str) -> html.Div:
    """Title and facts of the run on show, and what each arm changes."""
    scenario = result.scenario
    arms = figures.arms_of(result.summary)
    replicates = int(result.summary.groupby("arm").size().max())
    return html.Div([
        html.H2(scenario.name),
        html.P(f"{len(arms)} arm(s) x {replicates} replicate(s), {scenario.horizon} days, "
               f"population {scenario.population.size:,}, group capacity "
               f"{scenario.group.capacity:,}, root seed {scenario.seed} (folder {name})",
               className="facts"),
        html.Ul([html.Li(line) for line in arm_lines(scenario)], className="arm-lines"),
    ], className="run-header")


def _decode(contents: str) -> str:
    """The text of a dcc.Upload ``contents`` (a data URL)."""
    _, _, data = contents.partition(",")
    return base64.b64decode(data, validate=True).decode("utf-8")


def register(app, ctx: Context) -> None:
    """Callbacks of the Explore tab."""

    @app.callback(Output("upload-store", "data"), Output("upload-status", "children"),
                  Output("scenario-choice", "options"), Output("scenario-choice", "value"),
                  Input("scenario-upload", "contents"), State("scenario-upload", "filename"),
                  prevent_initial_call=True)
    def upload(contents, filename):
        name = filename or "upload.yaml"
        try:
            text = _decode(contents or "")
            scenario_from_upload(text, name)
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return (no_update, message(f"{name}: not a text file; a scenario is a YAML text "
                                       "file.", "error"), no_update, no_update)
        except ScenarioError as problems:
            return (no_update, problems_box(problems, "The file was not loaded; fix it and "
                                            "upload it again. Nothing else changed."),
                    no_update, no_update)
        options = [{"label": n, "value": n} for n in ctx.shipped()]
        options.insert(0, {"label": f"uploaded: {name}", "value": UPLOADED})
        return ({"kind": "upload", "name": name, "text": text},
                message(f"{name} loaded.", "ok"), options, UPLOADED)

    @app.callback(Output("levers", "children"), Output("arm-choice", "options"),
                  Output("arm-choice", "value"), Output("scenario-about", "children"),
                  Input("scenario-choice", "value"), State("upload-store", "data"))
    def choose(choice, uploaded):
        source = uploaded if choice == UPLOADED and uploaded else {"kind": "shipped",
                                                                    "name": choice}
        try:
            scenario = base_scenario(source, ctx.shipped())
        except ScenarioError as problems:
            return [], [], [], problems_box(problems, "This scenario cannot be used.")
        arms = list(scenario.arms)
        about = [html.Strong(scenario.name)]
        if scenario.description:
            about.append(html.P(scenario.description))
        return (lever_panels(scenario), [{"label": a, "value": a} for a in arms], arms, about)

    @app.callback(
        Output("current-run", "data"), Output("run-status", "children"),
        Input("run-button", "n_clicks"),
        State("session-id", "data"), State("scenario-choice", "value"),
        State("upload-store", "data"), State({"type": LEVER, "path": ALL}, "value"),
        State({"type": LEVER, "path": ALL}, "id"), State({"type": SWITCH, "key": ALL}, "value"),
        State({"type": SWITCH, "key": ALL}, "id"), State("arm-choice", "value"),
        background=True, prevent_initial_call=True, interval=500,
        progress=[Output("run-progress", "value"), Output("run-progress", "max"),
                  Output("run-progress-label", "children")],
        running=[(Output("run-button", "disabled"), True, False),
                 (Output("cancel-button", "disabled"), False, True),
                 (Output("progress-box", "className"), "progress-box active", "progress-box")],
        cancel=[Input("cancel-button", "n_clicks")],
    )
    def run_clicked(set_progress, _clicks, session, choice, uploaded, values, ids, switches,
                    switch_ids, arms):
        source = uploaded if choice == UPLOADED and uploaded else {"kind": "shipped",
                                                                    "name": choice}
        try:
            base = base_scenario(source, ctx.shipped())
            scenario = scenario_from_levers(
                base, {i["path"]: v for i, v in zip(ids, values, strict=True)},
                {i["key"] for i, v in zip(switch_ids, switches, strict=True) if v},
                arms or [])
        except ScenarioError as problems:
            return no_update, problems_box(problems, "Nothing was run. Fix the levers (or "
                                           "the file) and press Run again.")

        refused = over_budget(scenario_work(scenario), ctx.workers, ctx.max_work,
                              psutil.virtual_memory().total)
        if refused:
            return no_update, message(f"Nothing was run: {refused}.", "error")
        try:
            own = session_dir(ctx.work_dir, session, ctx.secret)
        except ValueError as exc:
            return no_update, message(f"Nothing was run: {exc} (reload the page).", "error")

        def progress(done: int, total: int) -> None:
            if page_gone(own):  # nobody can see or cancel this run any more
                raise PageClosed(f"the page of session {session} is gone")
            set_progress((str(done), str(total), f"{done} of {total} runs done"))

        try:
            with job_slot(own, ctx.max_jobs), watchdog(lambda: page_gone(own)):
                folder = run_scenario(scenario, own, ctx.workers, progress)
        except JobRefused as refused:
            return no_update, message(f"Nothing was run: {refused}.", "error")
        except WriteFailed as failed:  # no space, no permission: the run is lost, said so
            return no_update, message(f"The run finished but {failed}; nothing was written. "
                                      "Free space on the server and run it again.", "error")
        return ({"source": "session", "name": folder.name},
                message(f"Done: {scenario.name} ({folder.name}).", "ok"))

    @app.callback(Input("heartbeat", "n_intervals"), State("session-id", "data"))
    def heartbeat(_n, session):
        try:
            page_is_open(session_dir(ctx.work_dir, session, ctx.secret))
        except ValueError:
            raise PreventUpdate from None  # not a page this dashboard made, or too many

    @app.callback(Output("run-status", "children", allow_duplicate=True),
                  Input("cancel-button", "n_clicks"), prevent_initial_call=True)
    def cancelled(_clicks):
        return message(CANCELLED)

    @app.callback(
        Output("run-header", "children"),
        *[Output(f"explore-{key}", "figure") for key in TIME_CHARTS],
        Output("explore-money", "figure"),
        Output("graph-arm", "options"), Output("graph-arm", "value"),
        Output("graph-replicate", "options"), Output("graph-replicate", "value"),
        Output("graph-day", "max"), Output("graph-day", "value"),
        Input("current-run", "data"), State("session-id", "data"),
        prevent_initial_call=True)
    def show_run(ref, session):
        folder = ctx.run_folder(session, ref)
        if folder is None:
            return (no_update,) * 12
        try:
            result = load_run(folder)
        except UNREADABLE as exc:
            return (cannot_open(folder, exc), *(no_update,) * 11)
        charts = report_figures(result, None, keys=TIME_CHARTS)
        arms = figures.arms_of(result.summary)
        replicates = sorted(result.summary["replicate"].unique().tolist())
        last = result.scenario.horizon - 1
        return (run_header(result, folder.name), *[charts[k] for k in TIME_CHARTS],
                figures.money_over_time_figure(result.timeseries),
                [{"label": a, "value": a} for a in arms], arms[0],
                [{"label": str(r), "value": r} for r in replicates], replicates[0], last, last)

    @app.callback(Output("explore-graph", "figure"),
                  Input("graph-arm", "value"), Input("graph-replicate", "value"),
                  Input("graph-colour", "value"), Input("graph-day", "value"),
                  State("current-run", "data"), State("session-id", "data"),
                  prevent_initial_call=True)
    def show_graph(arm, replicate, colour, day, ref, session):
        folder = ctx.run_folder(session, ref)
        if folder is None or arm is None or replicate is None:
            return empty_figure("Run a scenario to see its social graph.", 640)
        nodes, edges = load_graph(folder, arm, replicate)
        inside = int(figures.members_on_day(nodes, day or 0).sum())
        return figures.graph_figure(nodes, edges, title=f"{arm}, replicate {replicate}: day "
                                    f"{day}, {inside} members", day=day, colour_by=colour)

    @app.callback(Output("graph-timer", "disabled"), Output("graph-play", "children"),
                  Output("graph-day", "value", allow_duplicate=True),
                  Input("graph-play", "n_clicks"), State("graph-timer", "disabled"),
                  State("graph-day", "value"), State("graph-day", "max"),
                  prevent_initial_call=True)
    def play(_clicks, stopped, day, last):
        if not stopped:
            return True, "Play", no_update
        return False, "Pause", 0 if (day or 0) >= (last or 0) else no_update

    @app.callback(Output("graph-day", "value", allow_duplicate=True),
                  Output("graph-timer", "disabled", allow_duplicate=True),
                  Output("graph-play", "children", allow_duplicate=True),
                  Input("graph-timer", "n_intervals"), State("graph-day", "value"),
                  State("graph-day", "max"), prevent_initial_call=True)
    def tick(_n, day, last):
        step = max(1, (last or 1) // PLAY_FRAMES)
        day = min(last or 0, (day or 0) + step)
        finished = day >= (last or 0)
        return day, finished, "Play" if finished else "Pause"
