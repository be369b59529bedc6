"""What ``import sim`` does first, so that it starts quickly.

Two things: Mesa is imported without paying for its stack inspection, and the
compiled kernels (the ``*_kernels`` modules of :data:`COMPILED`, which need numba: 0.2 s
to import) are loaded when the first of them runs rather than at ``import sim``, so
building a world or validating a scenario never waits for numba.

Mesa
----

Mesa 3.5 names its module loggers by calling ``inspect.stack()`` (in
``mesa.mesa_logging.create_module_logger``) and ``inspect.getouterframes`` (in
``method_logger``) while its modules load. Both read the source of every frame on
the import stack, and ``inspect.getmodule`` scans all of ``sys.modules`` for each
frame of the import machinery, which has no source file: about a quarter of a
second of ``import sim`` on this kind of machine (CPython issue 92041 explains the
cost). Mesa only uses the caller's frame, its module and its function name from those
calls, so while Mesa loads, these functions are swapped for versions that return
the same frames, modules and names without looking up source files, and restored
right after.
Nothing else changes; once Mesa is loaded, ``inspect`` is untouched.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
from types import FrameType, ModuleType


def _frame_infos(frame: FrameType | None) -> list[inspect.FrameInfo]:
    """``FrameInfo`` records from ``frame`` outwards, without source context."""
    infos = []
    while frame is not None:
        code = frame.f_code
        infos.append(inspect.FrameInfo(frame, code.co_filename, frame.f_lineno,
                                       code.co_name, None, None))
        frame = frame.f_back
    return infos


def _stack_without_source(context: int = 1) -> list[inspect.FrameInfo]:
    """``inspect.stack`` as seen from its caller, minus the source lines."""
    return _frame_infos(sys._getframe(1))


def _outer_frames_without_source(frame: FrameType, context: int = 1) -> list[inspect.FrameInfo]:
    """``inspect.getouterframes`` minus the source lines."""
    return _frame_infos(frame)


def _module_of_frame(getmodule):
    """``inspect.getmodule`` that reads a frame's module from its globals."""

    def module_of(obj, _filename=None):
        if isinstance(obj, FrameType):
            name = obj.f_globals.get("__name__")
            if name in sys.modules:
                return sys.modules[name]
        return getmodule(obj, _filename)

    return module_of


def import_mesa() -> ModuleType:
    """Import (or return the already imported) ``mesa`` package, quickly."""
    if "mesa" in sys.modules:
        return sys.modules["mesa"]
    saved = inspect.stack, inspect.getouterframes, inspect.getmodule
    inspect.stack = _stack_without_source
    inspect.getouterframes = _outer_frames_without_source
    inspect.getmodule = _module_of_frame(inspect.getmodule)
    try:
        return importlib.import_module("mesa")
    finally:
        inspect.stack, inspect.getouterframes, inspect.getmodule = saved


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


mesa = import_mesa()
"""The ``mesa`` package; importing this module is what loads it quickly."""
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
