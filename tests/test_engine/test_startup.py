"""How commsim starts: Mesa as a plain import gives it, numba when first used, and a
command that only reads a scenario loads neither (nor pandas)."""

import subprocess
import sys

CHILD = """
import inspect, logging
stdlib = inspect.stack, inspect.getouterframes, inspect.getmodule
from agents import Person  # the roles load Mesa through agents.mesa_import
import mesa
import mesa.model
assert (inspect.stack, inspect.getouterframes, inspect.getmodule) == stdlib, "inspect not restored"
records = []
handler = logging.Handler()
handler.emit = records.append
logger = logging.getLogger("MESA")
logger.addHandler(handler)
logger.setLevel(logging.DEBUG)
mesa.Model(rng=1)
print(mesa.model._mesa_logger.name)
print(records[0].name, records[0].getMessage().split(" with ")[0])
"""


def test_mesa_loggers_are_named_as_without_the_fast_import():
    out = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True,
                         check=True).stdout.split("\n")
    assert out[0] == "MESA.mesa.model"
    # method_logger read the class name from the caller's frame
    assert out[1] == "MESA.mesa.model calling Model.__init__"


LAZY = """
import sys
import sim
from sim.engine.world import build_world
world = build_world(sim.parse_scenario("population: {size: 300}").population, 1)
print("numba" in sys.modules)
model = sim.CommunityModel(sim.parse_scenario("days: 2\\npopulation: {size: 300}"), world=world)
model.run_model()
print("numba" in sys.modules, model.day)
"""


def test_numba_loads_with_the_first_compiled_call_not_with_import_sim():
    out = subprocess.run([sys.executable, "-c", LAZY], capture_output=True, text=True,
                         check=True).stdout.split("\n")
    assert out[:2] == ["False", "True 2"]


CHECK = """
import sys
from typer.testing import CliRunner
from sim.cli.app import app
outcome = CliRunner().invoke(app, ["check", "scenarios/baseline.yaml"])
assert outcome.exit_code == 0, outcome.output
print(sorted(name for name in ("mesa", "pandas", "numba", "networkx", "agents.roles")
             if name in sys.modules))
"""


def test_checking_a_scenario_loads_neither_the_engine_nor_pandas():
    """``commsim check`` answers in about half a second because it loads only the loader.

    Mesa (with pandas and scipy), numba and networkx would add about a second; the
    time itself is measured by ``make bench`` (commsim check, launch to exit).
    """
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True,
                         check=True, cwd=root).stdout.strip()
    assert out == "[]"
