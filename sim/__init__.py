"""commsim: simulate a chat-group community and compare operating strategies.

The Python API mirrors the command line::

    import sim
    result = sim.run(sim.load_scenario("scenarios/baseline.yaml"))
    result.summary  # one row per run
"""

from sim.model import CommunityModel
from sim.runner import RunResult, run
from sim.scenario import Scenario, ScenarioError, load_scenario, parse_scenario

__version__ = "0.1.0"

__all__ = [
    "CommunityModel",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "__version__",
    "load_scenario",
    "parse_scenario",
    "run",
]
