"""A runs folder with a small run and a small sweep, a folder of small optimization studies,
and a dashboard served on the runs folder."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest

import sim
from sim.analysis.sweep_report import finish_sweep
from sim.formats.experiment import parse_experiment
from sim.running.output import write_run
from sim.running.sweeps import sweep

ROOT = Path(__file__).resolve().parents[2]
SMALL_RUN = """\
name: small run with an arm
days: 30
seed: 3
replicates: 2
population: {size: 250, network: {kind: powerlaw_cluster, mean_degree: 6}}
group: {capacity: 120}
strategies:
  welcome: {}
  content: {posts_per_day: 2}
arms:
  envelopes: {red_envelope: {every: daily, amount: 20}}
"""
SMALL_SWEEP = f"""\
name: small sweep of content
scenario: {ROOT / "scenarios" / "baseline.yaml"}
design: {{kind: grid}}
replicates: 2
seed: 9
days: 25
constants:
  population.size: 250
  group.initial_members: 0  # the baseline's founders only
levers:
  strategies.content.posts_per_day: {{values: [0.5, 4.0]}}
uncertainties:
  population.traits.fit_mean: {{values: [0.3, 0.7]}}
outcomes:
  members_final: maximize
  messages_total: maximize
  active_share_last_28d: maximize
"""


TINY_GROUP = """\
name: tiny group
days: 14
seed: 3
population: {size: 100}
group: {capacity: 80, founders: {admin: 1, opinion_leader: 1, seed_user: 6}}
strategies:
  welcome: {}
"""
TINY_SEARCH = """\
name: tiny search
scenario: group.yaml
replicates: 2
trials: 8
batch: 8
population: 6
front_replicates: 3
budget: {hours_per_week: 20, money_per_month: 1000}
strategies:
  fission: {vary: {invite_boost: [2, 10]}}
  red_envelope: {}
objectives: [members, active_share, survival]
"""


@pytest.fixture(scope="session")
def studies_dir(tmp_path_factory) -> Path:
    """A folder with ``tiny-study`` (8 trials, a few seconds) and ``unfinished-study``.

    The study is made by ``commsim optimize``, as a user makes one; the unfinished one
    is the same study before its front was written: its search and its ``study.db``,
    no ``front.parquet``.
    """
    import shutil

    from typer.testing import CliRunner

    from sim.cli.app import app
    from sim.optimization import RESOLVED_FILE

    source = tmp_path_factory.mktemp("search")
    (source / "group.yaml").write_text(TINY_GROUP)
    (source / "search.yaml").write_text(TINY_SEARCH)
    folder = tmp_path_factory.mktemp("studies")
    done = CliRunner().invoke(app, ["optimize", str(source / "search.yaml"), "--out",
                                    str(folder / "tiny-study"), "--workers", "1", "--quiet"])
    assert done.exit_code == 0, done.output
    (folder / "unfinished-study").mkdir()
    for name in ("study.db", RESOLVED_FILE):
        shutil.copy(folder / "tiny-study" / name, folder / "unfinished-study" / name)
    return folder


@pytest.fixture(scope="session")
def runs_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("runs")
    write_run(sim.run(sim.parse_scenario(SMALL_RUN)), folder / "small-run")
    sweep(parse_experiment(SMALL_SWEEP, "small.yaml", base_dir=ROOT), out=folder / "small-sweep",
          finish=finish_sweep)
    return folder


@pytest.fixture(scope="session")
def dashboard(runs_dir, tmp_path_factory):
    """The app served on a free port of 127.0.0.1 in a thread; yields its address."""
    from werkzeug.serving import make_server

    from sim.dashboard import create_app

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app = create_app(runs_dir=runs_dir, work_dir=tmp_path_factory.mktemp("dashboard"))
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/", app
    server.shutdown()
    thread.join(timeout=10)
