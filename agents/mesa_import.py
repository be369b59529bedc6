"""Mesa, imported quickly: the roles import it from here.

Mesa 3.5 names its module loggers by calling ``inspect.stack()`` (in
``mesa.mesa_logging.create_module_logger``) and ``inspect.getouterframes`` (in
``method_logger``) while its modules load. Both read the source of every frame on
the import stack, and ``inspect.getmodule`` scans all of ``sys.modules`` for each
frame of the import machinery, which has no source file: about a quarter of a
second of loading the roles on this kind of machine (CPython issue 92041 explains the
cost). Mesa only uses the caller's frame, its module and its function name from those
calls, so while Mesa loads, these functions are swapped for versions that return
the same frames, modules and names without looking up source files, and restored
right after.
Nothing else changes; once Mesa is loaded, ``inspect`` is untouched.
"""

from __future__ import annotations

import importlib
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


mesa = import_mesa()
"""The ``mesa`` package; importing this module is what loads it quickly."""
