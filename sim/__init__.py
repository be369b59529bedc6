"""commsim: simulate a chat-group community and compare operating strategies.

The Python API mirrors the command line::

    import sim
    result = sim.run(sim.load_scenario("scenarios/baseline.yaml"))
    result.summary  # one row per run
    sim.compare(result)  # each arm against the baseline, with confidence intervals
    sim.write_report(result, "runs/x")  # runs/x/report.html
    sim.optimize("experiments/optimize-knowledge-group.yaml", "runs/opt")  # the front
"""

import importlib
import multiprocessing
from pathlib import Path
from typing import TYPE_CHECKING

from sim.running import interrupt

# the command's own process (not a worker it starts, which inherits its argv)
if interrupt.in_the_command() and multiprocessing.parent_process() is None:
    interrupt.note_from_now_on()

if TYPE_CHECKING:
    from sim.analysis.compare import compare
    from sim.engine.model import CommunityModel
    from sim.formats.scenario import Scenario, ScenarioError, load_scenario, parse_scenario
    from sim.running.runner import RunResult, run

_HOME = {
    "ChatFormatError": "sim.chats",
    "ChatLog": "sim.chats",
    "read_chat": "sim.chats",
    "write_chat": "sim.chats",
    "compare": "sim.analysis.compare",
    "CommunityModel": "sim.engine.model",
    "RunResult": "sim.running.runner",
    "run": "sim.running.runner",
    "Scenario": "sim.formats.scenario",
    "ScenarioError": "sim.formats.scenario",
    "load_scenario": "sim.formats.scenario",
    "parse_scenario": "sim.formats.scenario",
}
"""Where each name of the API lives; loaded on first use (PEP 562), so ``import sim``
is quick and a command that only reads a scenario never loads Mesa, pandas or numba."""


def __getattr__(name: str):
    if name not in _HOME:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOME[name]), name)
    globals()[name] = value
    return value


__version__ = "0.1.0"


def load_experiment(path):
    """Read and validate an experiment file; see :func:`sim.formats.experiment.load_experiment`."""
    from sim.formats.experiment import load_experiment as load

    return load(path)


def sweep(experiment, out=None, workers: int = 1, cluster: str | None = None):
    """Run an experiment (a path or a loaded study); return the runs table.

    One row per run: run id, point id, replicate, seed, every varied parameter and
    every outcome. See :func:`sim.running.sweeps.sweep` for ``out`` (resumable results
    folder), ``workers`` and ``cluster``.
    """
    from sim.analysis.sweep_report import finish_sweep
    from sim.formats.experiment import Study
    from sim.running.sweeps import sweep as run_sweep

    study = experiment if isinstance(experiment, Study) else load_experiment(experiment)
    return run_sweep(study, out=out, workers=workers, cluster=cluster, finish=finish_sweep)


def optimize(search, out, trials: int | None = None, workers: int = 1,
             cluster: str | None = None, on_batch=None):
    """Search the best playbooks for a budget; return the re-evaluated front.

    ``search`` is an optimization file's path or a loaded search
    (:func:`sim.optimization.spec.load_optimization`); the study is kept in ``out``
    (``study.db``: running it again resumes or adds trials), which also gets
    ``front.parquet``, ``trials.parquet`` and ``report.html``. See
    :func:`sim.optimization.search.optimize` for the rest. Returns the front's table.
    """
    from sim.optimization.front import evaluate_front
    from sim.optimization.report import write_optimization
    from sim.optimization.search import optimize as run_search
    from sim.optimization.spec import Search, load_optimization

    loaded = search if isinstance(search, Search) else load_optimization(search)
    found = {}

    def finish(opt):
        found["front"] = evaluate_front(opt)
        write_optimization(opt, found["front"], Path(out))

    run_search(loaded, Path(out), trials, workers, cluster, on_batch, finish)
    return found["front"].table


def write_report(result, path, comparison=None):
    """Write ``report.html`` for ``result`` into folder ``path`` (or to ``path.html``).

    See :func:`sim.analysis.report.write_report`; returns the path written.
    """
    from sim.analysis.report import write_report as write

    return write(result, path, comparison)


__all__ = [
    "CommunityModel",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "__version__",
    "compare",
    "load_experiment",
    "load_scenario",
    "optimize",
    "parse_scenario",
    "run",
    "sweep",
    "write_report",
]
