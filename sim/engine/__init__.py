"""The engine: the model, the phases of the day and their compiled kernels.

Also the world, the member table and the strategies.
"""

# the compiled kernels are registered as lazy modules before any of them is imported
from sim.engine import startup  # noqa: E402, F401
