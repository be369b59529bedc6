"""A runs folder with a small run and a small sweep, and a dashboard served on it."""

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
levers:
  strategies.content.posts_per_day: {{values: [0.5, 4.0]}}
uncertainties:
  population.traits.fit_mean: {{values: [0.3, 0.7]}}
outcomes:
  members_final: maximize
  messages_total: maximize
  active_share_last_28d: maximize
"""


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
