"""The compiled kernels load numba only when the first of them runs.

The ``*_kernels`` modules of :data:`COMPILED` need numba (0.2 s to import). This
module, imported by the engine package itself (``sim/engine/__init__.py``), registers
each of them as a lazy module: building a world or validating a scenario never waits
for numba. Mesa is loaded quickly where the roles import it
(:mod:`agents.mesa_import`).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from types import ModuleType


def import_lazily(name: str) -> ModuleType:
    """Module ``name``, executed when one of its attributes is first used.

    Registered in ``sys.modules`` and on its package, so ``from package import
    module`` elsewhere gets the same, still unloaded, module. (Without the package's
    attribute, ``from package import module`` would look at the module's ``__spec__``,
    and any look at a lazy module loads it: so the package, which is imported here,
    must not import the module in its own ``__init__``.)
    """
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    package, _, child = name.rpartition(".")
    setattr(importlib.import_module(package), child, module)
    return module


COMPILED = (
    "sim.engine.compiled",
    "sim.engine.day.recruitment_kernels",
    "sim.engine.day.conversation_kernels",
    "sim.engine.day.envelopes_kernels",
    "sim.engine.day.evening_kernels",
    "sim.engine.day.conversion_kernels",
    "sim.engine.metrics_kernels",
    "sim.engine.strategy_kernels",
)
"""Every module that needs numba: the compiled kernels, by phase of the day."""
kernels = [import_lazily(name) for name in COMPILED]
"""The compiled kernels' modules, each loaded (with numba) when first used."""
