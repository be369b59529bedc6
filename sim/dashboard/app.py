"""The dashboard app: a page shell with five tabs, and the app factory.

Every page load gets its own session id (kept in the page, never shared): the runs a
viewer makes are written to that session's folder, and uploads stay in the page, so
viewers at the same time never see each other's work. Runs happen in background
worker processes (Dash background callbacks with a disk cache).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import diskcache
import multiprocess
import multiprocess.forkserver
import psutil
from dash import Dash, DiskcacheManager, Input, Output, dcc, html

from sim.analysis.report import TABLE_CSS
from sim.dashboard import arms, explore, optimize_page, runs_page, sweep_page
from sim.dashboard.context import Context
from sim.dashboard.folders import new_session_id
from sim.dashboard.guard import Access, guard
from sim.dashboard.limits import MAX_JOBS
from sim.running.budget import DEFAULT_MAX_WORK

ASSETS = Path(__file__).parent / "assets"
SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
"""The shipped scenarios (next to the package in a source checkout)."""
TITLE = "commsim dashboard"
HEARTBEAT_MS = 5000
"""How often an open page tells the server it is still there (its runs go on only
while it does; see :func:`sim.dashboard.folders.page_gone`)."""
TABS = (
    ("explore", "Explore"),
    ("compare", "Compare arms"),
    ("sweeps", "Sweeps"),
    ("optimize", "Optimize"),
    ("runs", "Runs folder"),
)


def panel_id(tab: str) -> str:
    """Id of the page part a tab shows."""
    return f"panel-{tab}"


def page(ctx: Context) -> html.Div:
    """The whole page, built anew for every page load (with a new session id)."""
    contents = {
        "explore": explore.layout(ctx),
        "compare": arms.layout(),
        "sweeps": sweep_page.layout(),
        "optimize": optimize_page.layout(),
        "runs": runs_page.layout(ctx),
    }
    return html.Div([
        dcc.Store(id="session-id", data=new_session_id(ctx.secret)),
        dcc.Store(id="current-run"),
        dcc.Interval(id="heartbeat", interval=HEARTBEAT_MS),
        html.Header([
            html.H1(TITLE),
            html.P("Simulate a chat group before you try a strategy on real people: pick a "
                   "scenario, move the levers, run it, compare the arms, explore sweeps and "
                   "the best playbooks for a budget."),
        ], className="top"),
        dcc.Tabs(id="tabs", value="explore", className="tabs", children=[
            dcc.Tab(label=label, value=key, className="tab", selected_className="tab selected",
                    id=f"tab-{key}")
            for key, label in TABS]),
        *[html.Div(contents[key], id=panel_id(key), hidden=key != "explore")
          for key, _ in TABS],
        html.Footer("Results come from a simulation with first-estimate behaviour: read them "
                    "as directions and trade-offs, not forecasts."),
    ], className="page")


class _ForkServerJobs(DiskcacheManager):
    """Dash's disk-cache job manager, starting each job from a fork server.

    Dash starts a background job with ``fork()`` of the web server's process, which
    runs threads (one per request); a fork taken while another thread holds a lock
    (the job cache's SQLite transaction, an import) can leave the job stuck. The
    fork server is a single-threaded process, started with the app, that imports the
    dashboard once (in the background, while the app starts); each job is forked
    from it, in about 0.02 s (1.3 s if it had to import).
    """

    def __init__(self, cache: diskcache.Cache) -> None:
        super().__init__(cache)
        multiprocess.get_context("forkserver").set_forkserver_preload(["sim.dashboard.app"])
        multiprocess.forkserver.ensure_running()

    def call_job_fn(self, key, job_fn, args, context):
        process = multiprocess.get_context("forkserver").Process(
            target=job_fn, args=(key, self._make_progress_key(key), args, context))
        process.start()
        return process.pid

    def terminate_job(self, job) -> None:
        """End a job's process, if it is still there.

        Dash's version looks the process up and then lists its children; a job that
        finishes between the two (a short run) made it raise, and the page never
        received the result it had just computed.
        """
        try:
            super().terminate_job(job)
        except psutil.NoSuchProcess:
            pass  # it ended on its own: nothing to end


def _show_selected_panel(app: Dash) -> None:
    """Show the selected tab's panel and hide the others, in the browser.

    Every panel stays on the page: Dash's own tabs would unmount the hidden ones, and
    a run started on the Explore tab could then no longer be cancelled after a look
    at another tab (its renderer loses the job).
    """
    keys = [key for key, _ in TABS]
    app.clientside_callback(
        f"function(tab) {{ return {keys!r}.map(key => key !== tab); }}",
        [Output(panel_id(key), "hidden") for key in keys],
        Input("tabs", "value"))


def create_app(runs_dir: str | Path = "runs", work_dir: str | Path | None = None,
               scenarios_dir: str | Path | None = None, workers: int = 1,
               access: Access | None = None, max_jobs: int = MAX_JOBS,
               max_work: float = DEFAULT_MAX_WORK) -> Dash:
    """Build the dashboard.

    Parameters
    ----------
    runs_dir
        Folder whose run, sweep and study folders the Runs, Sweeps and Optimize tabs list.
    work_dir
        Private folder for the sessions' runs and the background jobs' cache
        (a new temporary folder when not given; the caller removes it).
    scenarios_dir
        Folder of the scenarios offered in the picker (the shipped ones by default).
    workers
        Processes one run may use.
    access
        Who may use it (:mod:`sim.dashboard.guard`): by default no token, and only
        requests addressed to this machine (a loopback Host); ``commsim dashboard``
        asks for a token too.
    max_jobs
        Runs that may go on at once, all pages together (:mod:`sim.dashboard.limits`).
    max_work
        Person-days one run may ask for; a run over it, or one whose world would need
        more than half the machine's memory, is refused (:mod:`sim.running.budget`).
    """
    work = Path(work_dir) if work_dir is not None else Path(
        tempfile.mkdtemp(prefix="commsim-dashboard-"))
    ctx = Context(runs_dir=Path(runs_dir), work_dir=work,
                  scenarios_dir=Path(scenarios_dir) if scenarios_dir else SCENARIOS,
                  workers=workers, max_jobs=max_jobs,
                  max_work=max_work)
    manager = _ForkServerJobs(diskcache.Cache(str(work / "jobs")))
    app = Dash(__name__, title=TITLE, assets_folder=str(ASSETS),
               background_callback_manager=manager, suppress_callback_exceptions=False,
               update_title=None)
    # the outcome table is the report's own, with the report's own style
    app.index_string = app.index_string.replace(
        "{%css%}", "{%css%}\n        <style>" + TABLE_CSS + "</style>")
    guard(app.server, access or Access())
    app.layout = lambda: page(ctx)
    _show_selected_panel(app)
    for tab in (explore, arms, sweep_page, optimize_page, runs_page):
        tab.register(app, ctx)
    app.commsim_context = ctx
    return app
