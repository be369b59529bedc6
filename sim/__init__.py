"""commsim: simulate a chat-group community and compare operating strategies.

The Python API mirrors the command line::

    import sim
    result = sim.run(sim.load_scenario("scenarios/baseline.yaml"))
    result.summary  # one row per run
    sim.compare(result)  # each arm against the baseline, with confidence intervals
    sim.write_report(result, "runs/x")  # runs/x/report.html
"""

import multiprocessing

from sim.running import interrupt

# the command's own process (not a worker it starts, which inherits its argv)
if interrupt.in_the_command() and multiprocessing.parent_process() is None:
    interrupt.note_from_now_on()

try:
    # isort: off
    # first: Mesa loads without its slow stack inspection, numba when first used (see
    # the module)
    from sim.engine.startup import kernels, mesa  # noqa: F401

    from sim.analysis.compare import compare
    from sim.engine.model import CommunityModel
    from sim.running.runner import RunResult, run
    from sim.formats.scenario import Scenario, ScenarioError, load_scenario, parse_scenario
    # isort: on
except KeyboardInterrupt:
    if interrupt.in_the_command():  # Ctrl-C while the command starts: one line, no traceback
        interrupt.stop_quietly()
    raise

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
    "parse_scenario",
    "run",
    "sweep",
    "write_report",
]
