"""Mesa imported through sim.mesa_import behaves as a plain ``import mesa`` does."""

import subprocess
import sys

CHILD = """
import inspect, logging
stdlib = inspect.stack, inspect.getouterframes, inspect.getmodule
import sim
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
